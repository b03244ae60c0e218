"""Helpers every write service uses: set fields, validate the whole row, save."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def model_update(*, instance: M, data: dict[str, Any], fields: list[str]) -> M:
    """Apply `data` (only keys listed in `fields`), validate the whole row, save it.

    Raises django.core.exceptions.ValidationError (per field) before anything is written.
    """
    for name in fields:
        if name in data:
            setattr(instance, name, data[name])
    instance.full_clean()
    instance.save()
    return instance
