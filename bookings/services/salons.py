from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from bookings.models import Membership, Salon


@transaction.atomic
def salon_create(*, owner: AbstractBaseUser, slug: str, name: str, **fields: str) -> Salon:
    salon = Salon(slug=slug, name=name, **fields)
    salon.full_clean()
    salon.save()
    Membership.objects.create(salon=salon, user=owner, role=Membership.Role.OWNER)
    return salon


@transaction.atomic
def membership_set(*, salon: Salon, user: AbstractBaseUser, role: str) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        salon=salon, user=user, defaults={"role": role}
    )
    membership.full_clean()
    return membership


BOOKING_SETTINGS_FIELDS = (
    "slot_step_minutes",
    "min_notice_minutes",
    "max_advance_days",
    "cancellation_cutoff_hours",
    "reminder_hours_before",
    "require_login_to_book",
    "cancellation_policy",
)
# The settings page and `booking-settings/` of the owner API also change the salon's default
# language (the booking site's and that of notices to clients who chose none).
SALON_SETTINGS_FIELDS = (*BOOKING_SETTINGS_FIELDS, "default_language")


@transaction.atomic
def salon_booking_settings_update(*, salon: Salon, **data: Any) -> Salon:
    """Change the salon's online booking preferences and default language (only
    `SALON_SETTINGS_FIELDS`).

    ValidationError per field for values out of range; nothing is saved then."""
    unknown = set(data) - set(SALON_SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"Not booking settings: {', '.join(sorted(unknown))}")
    locked = Salon.objects.select_for_update().get(pk=salon.pk)
    for name, value in data.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save(update_fields=list(data))
    return locked
