"""Package types: what a salon offers, and the rules for changing them.

- Each type has a kind (time pass, credit package, visit package), a name unique in the salon,
  a price above zero, at least one of the salon's services, and an optional validity (a
  number of days, months or years, at least 1). A credit package has a credit above zero, a
  visit package a number of visits of at least 1; a time pass has neither but always a
  validity (the period it covers).
- The kind never changes: a new kind is a new type.
- Deactivate, don't delete: a deactivated type is no longer sold online nor assigned, and the
  packages clients hold stay valid. Deleting a type is refused while any client holds (or
  held) one of it — its packages and their history hang off it — with a message pointing to
  deactivation. A type nobody ever held can be deleted.
- Editing a type changes new packages only (name, price, credit, visits and validity are
  copied into each held package), except its services: held packages cover the services
  their type covers now.
- Bad input is a ValidationError keyed by field, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from bookings.models import Salon, Service
from bookings.services.common import save_or_validation_error, validate_row
from packages.models import (
    MAX_CREDIT,
    MAX_PRICE,
    MAX_VALIDITY,
    MAX_VISITS,
    ClientPackage,
    PackageKind,
    PackageType,
    PackageTypeService,
    ValidityUnit,
)

TYPE_FIELDS = [
    "name",
    "description",
    "price",
    "credit",
    "visits",
    "validity_count",
    "validity_unit",
    "offered_online",
    "is_active",
]


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _check_amounts(package_type: PackageType, errors: dict[str, str]) -> None:
    price = _decimal(package_type.price)
    if price is None:
        errors["price"] = _("Give the price.")
    elif price <= 0:
        errors["price"] = _("The price must be more than zero.")
    elif price > MAX_PRICE:
        errors["price"] = _("The price can be at most %(max)s.") % {"max": MAX_PRICE}

    kind = package_type.kind
    credit = _decimal(package_type.credit)
    if kind == PackageKind.CREDIT:
        if credit is None:
            errors["credit"] = _("Give the credit of the package.")
        elif credit <= 0:
            errors["credit"] = _("The credit must be more than zero.")
        elif credit > MAX_CREDIT:
            errors["credit"] = _("The credit can be at most %(max)s.") % {"max": MAX_CREDIT}
    elif package_type.credit is not None:
        errors["credit"] = _("Only a credit package has a credit.")

    visits = package_type.visits
    if kind == PackageKind.VISITS:
        if visits is None:
            errors["visits"] = _("Give the number of visits.")
        elif not isinstance(visits, int) or visits < 1:
            errors["visits"] = _("A visit package has at least 1 visit.")
        elif visits > MAX_VISITS:
            errors["visits"] = _("At most %(max)d visits.") % {"max": MAX_VISITS}
    elif visits is not None:
        errors["visits"] = _("Only a visit package has a number of visits.")


def _check_validity(package_type: PackageType, errors: dict[str, str]) -> None:
    count, unit = package_type.validity_count, package_type.validity_unit or ""
    package_type.validity_unit = unit
    if count is None:
        if unit:
            errors["validity_count"] = _("Give the number of %(unit)s the package is valid.") % {
                "unit": ValidityUnit(unit).label if unit in ValidityUnit.values else unit
            }
        elif package_type.kind == PackageKind.TIME:
            errors["validity_count"] = _("A time pass needs a validity: the period it covers.")
        return
    if not isinstance(count, int) or count < 1:
        errors["validity_count"] = _("The validity must be at least 1.")
        return
    if unit not in ValidityUnit.values:
        errors["validity_unit"] = _("Choose days, months or years.")
        return
    if count > MAX_VALIDITY[unit]:
        errors["validity_count"] = _("At most %(max)d %(unit)s.") % {
            "max": MAX_VALIDITY[unit],
            "unit": ValidityUnit(unit).label,
        }


def _clean_services(salon_id: int, services: Iterable[Service] | None) -> list[Service]:
    chosen = list(services or [])
    if not chosen:
        raise ValidationError({"services": _("Choose the services the package covers.")})
    if any(not isinstance(s, Service) or s.salon_id != salon_id for s in chosen):
        raise ValidationError({"services": _("Choose services of this salon.")})
    unique: dict[int, Service] = {s.pk: s for s in chosen}
    return list(unique.values())


def _validate(package_type: PackageType, services: list[Service] | None) -> None:
    errors: dict[str, str] = {}
    if package_type.kind not in PackageKind.values:
        errors["kind"] = _("Choose a time pass, a credit package or a visit package.")
    else:
        _check_amounts(package_type, errors)
        _check_validity(package_type, errors)
    if errors:
        raise ValidationError(errors)
    validate_row(package_type)


def _forget_nav_flags(salon_id: int) -> None:
    """The public site's top bar reads whether the salon sells packages from the cache."""
    from django.core.cache import cache

    from packages.selectors import packages_nav_cache_key

    transaction.on_commit(lambda: cache.delete(packages_nav_cache_key(salon_id)))


def _set_services(package_type: PackageType, services: list[Service]) -> None:
    wanted = {s.pk for s in services}
    links = PackageTypeService.objects.for_salon(package_type.salon_id).filter(
        package_type=package_type
    )
    links.exclude(service_id__in=wanted).delete()
    existing = set(links.values_list("service_id", flat=True))
    PackageTypeService.objects.bulk_create(
        PackageTypeService(
            salon_id=package_type.salon_id, package_type=package_type, service_id=service_id
        )
        for service_id in sorted(wanted - existing)
    )


def package_type_create(
    *, salon: Salon, kind: str, services: Iterable[Service] | None, **data: Any
) -> PackageType:
    """A new package type of `kind` covering `services` (all of this salon)."""
    package_type = PackageType(salon=salon, kind=kind)
    for name in TYPE_FIELDS:
        if name in data:
            setattr(package_type, name, data[name])
    with transaction.atomic():
        chosen = _clean_services(salon.pk, services)
        _validate(package_type, chosen)
        save_or_validation_error(package_type)
        _set_services(package_type, chosen)
        _forget_nav_flags(salon.pk)
    return package_type


def package_type_update(
    *, package_type: PackageType, services: Iterable[Service] | None = None, **data: Any
) -> PackageType:
    """Change a type (`services` None: keep them). The kind cannot change."""
    kind = data.pop("kind", package_type.kind)
    if kind != package_type.kind:
        raise ValidationError(
            {"kind": _("The type of a package cannot change; create a new package instead.")}
        )
    with transaction.atomic():
        chosen = _clean_services(package_type.salon_id, services) if services is not None else None
        for name in TYPE_FIELDS:
            if name in data:
                setattr(package_type, name, data[name])
        _validate(package_type, chosen)
        save_or_validation_error(package_type)
        if chosen is not None:
            _set_services(package_type, chosen)
        _forget_nav_flags(package_type.salon_id)
    return package_type


def package_type_set_active(*, package_type: PackageType, active: bool) -> PackageType:
    """Deactivate (no longer sold or assigned; held packages stay valid) or activate again."""
    with transaction.atomic():
        PackageType.objects.for_salon(package_type.salon_id).filter(pk=package_type.pk).update(
            is_active=active
        )
        _forget_nav_flags(package_type.salon_id)
    package_type.is_active = active
    return package_type


def held_type_error() -> ValidationError:
    return ValidationError(
        _(
            "Clients hold this package, so it cannot be deleted: their packages and their "
            "history belong to it. Deactivate it instead — it is then no longer sold or "
            "assigned, and the packages clients hold stay valid."
        ),
        code="held",
    )


def package_type_delete(*, package_type: PackageType) -> None:
    """Delete a type no client ever held; otherwise refuse and point to deactivation."""
    with transaction.atomic():
        if (
            ClientPackage.objects.for_salon(package_type.salon_id)
            .filter(package_type=package_type)
            .exists()
        ):
            raise held_type_error()
        salon_id = package_type.salon_id
        try:
            with transaction.atomic():
                package_type.delete()
        except ProtectedError as exc:  # assigned meanwhile
            raise held_type_error() from exc
        _forget_nav_flags(salon_id)
