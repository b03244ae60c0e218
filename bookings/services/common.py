"""Helpers every write service uses: set fields, validate the whole row, save."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _


def model_update[M: models.Model](*, instance: M, data: dict[str, Any], fields: list[str]) -> M:
    """Apply `data` (only keys listed in `fields`), validate the whole row, save it.

    Raises django.core.exceptions.ValidationError (per field) before anything is written.
    """
    for name in fields:
        if name in data:
            setattr(instance, name, data[name])
    validate_row(instance)
    save_or_validation_error(instance)
    return instance


def save_or_validation_error(instance: models.Model) -> None:
    """Save in a savepoint. A unique constraint that a concurrent request won between our
    check and our insert becomes the same field error the check gives, not a 500."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        validate_row(instance)  # now sees the other row and raises the field error
        raise


def validate_row(instance: models.Model) -> None:
    """`full_clean()`, with a broken unique constraint reported on its field.

    Django reports a unique constraint over several fields (every tenant one includes
    `salon`) or with a condition as a non-field error ("… with this Salon and Name already
    exists.", "Constraint “…” is violated."). People and API clients need it on the field
    they typed, so it moves to the constraint's last field other than `salon`.
    """
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise _unique_errors_on_fields(instance, exc) from None


def _unique_errors_on_fields(instance: models.Model, exc: ValidationError) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    errors: dict[str, list[ValidationError]] = {k: list(v) for k, v in exc.error_dict.items()}
    remaining = []
    for error in errors.pop(NON_FIELD_ERRORS, []):
        field_name = _unique_error_field(instance, error)
        if field_name is None:
            remaining.append(error)
            continue
        field = instance._meta.get_field(field_name)
        message = _("%(model_name)s with this %(field_label)s already exists.") % {
            "model_name": capfirst(instance._meta.verbose_name),
            "field_label": capfirst(field.verbose_name),
        }
        errors.setdefault(field_name, []).append(ValidationError(message, code="unique"))
    if remaining:
        errors[NON_FIELD_ERRORS] = remaining
    return ValidationError(errors)


def _unique_error_field(instance: models.Model, error: ValidationError) -> str | None:
    fields: tuple[str, ...] | list[str] | None = None
    params = getattr(error, "params", None) or {}
    if error.code in ("unique", "unique_together") and "unique_check" in params:
        fields = params["unique_check"]
    else:
        for constraint in instance._meta.constraints:
            if (
                isinstance(constraint, models.UniqueConstraint)
                and constraint.fields
                and error.message == constraint.get_violation_error_message()
            ):
                fields = constraint.fields
                break
    candidates = [name for name in fields or () if name != "salon"]
    return candidates[-1] if candidates else None
