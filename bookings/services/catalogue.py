"""Writes of the catalogue: locations, categories, services, staff, hours and exceptions.

Each function validates the whole row (and the rules across rows) before it writes, inside
one transaction, and raises django.core.exceptions.ValidationError with messages per field.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from bookings.models import (
    Location,
    LocationClosure,
    LocationHours,
    Salon,
    Service,
    ServiceCategory,
    StaffMember,
    TimeOff,
    WorkingHours,
)

from .common import model_update, validate_row

LOCATION_FIELDS = [
    "name",
    "address",
    "city",
    "postal_code",
    "country",
    "time_zone",
    "phone",
    "email",
    "is_active",
]
CATEGORY_FIELDS = ["name", "position"]
SERVICE_FIELDS = [
    "category",
    "name",
    "description",
    "duration_minutes",
    "price",
    "buffer_before_minutes",
    "buffer_after_minutes",
    "online_bookable",
    "color",
    "is_active",
]
STAFF_FIELDS = ["user", "name", "title", "email", "phone", "offered_online", "is_active", "color"]


def _require_same_salon(salon: Salon, field: str, objects: Iterable[Any]) -> None:
    for obj in objects:
        if obj is not None and obj.salon_id != salon.pk:
            raise ValidationError({field: _("Select a valid choice.")})


# --- Locations --------------------------------------------------------------------------


@transaction.atomic
def location_create(*, salon: Salon, **data: Any) -> Location:
    return model_update(instance=Location(salon=salon), data=data, fields=LOCATION_FIELDS)


@transaction.atomic
def location_update(*, location: Location, **data: Any) -> Location:
    return model_update(instance=location, data=data, fields=LOCATION_FIELDS)


def _check_no_overlap(ranges: list[tuple[int, Any, Any]], *, field: str) -> None:
    """`ranges` are (weekday, start, end); two ranges on one weekday must not overlap."""
    ordered = sorted(ranges, key=lambda r: (r[0], r[1]))
    for previous, current in zip(ordered, ordered[1:], strict=False):
        if previous[0] == current[0] and current[1] < previous[2]:
            raise ValidationError(
                {
                    field: _("Hours on the same day overlap (%(a)s–%(b)s and %(c)s–%(d)s).")
                    % {
                        "a": previous[1].strftime("%H:%M"),
                        "b": previous[2].strftime("%H:%M"),
                        "c": current[1].strftime("%H:%M"),
                        "d": current[2].strftime("%H:%M"),
                    }
                }
            )


def _delete_unless_in_use(instance: Any) -> None:
    """Delete the row; one that appointments still point at stays (deactivate it instead)."""
    try:
        instance.delete()
    except ProtectedError as exc:
        raise ValidationError(
            _("“%(name)s” is in use by appointments; deactivate it instead.") % {"name": instance}
        ) from exc


@transaction.atomic
def location_delete(*, location: Location) -> None:
    _delete_unless_in_use(location)


@transaction.atomic
def location_hours_create(
    *, location: Location, weekday: int, opens: Any, closes: Any
) -> LocationHours:
    Location.objects.select_for_update().filter(pk=location.pk).first()
    row = LocationHours(
        salon_id=location.salon_id, location=location, weekday=weekday, opens=opens, closes=closes
    )
    # Before full_clean: its check constraint would report this as a non-field error.
    if opens is not None and closes is not None and closes <= opens:
        raise ValidationError({"closes": _("Closing time must be after opening time.")})
    validate_row(row)
    existing = [
        (h.weekday, h.opens, h.closes) for h in location.opening_hours.filter(weekday=weekday)
    ]
    _check_no_overlap([*existing, (weekday, opens, closes)], field="opens")
    row.save()
    return row


@transaction.atomic
def location_hours_delete(*, hours: LocationHours) -> None:
    hours.delete()


@transaction.atomic
def location_closure_create(*, location: Location, date: Any, reason: str = "") -> LocationClosure:
    row = LocationClosure(salon_id=location.salon_id, location=location, date=date, reason=reason)
    validate_row(row)
    row.save()
    return row


@transaction.atomic
def location_closure_delete(*, closure: LocationClosure) -> None:
    closure.delete()


# --- Categories and services ------------------------------------------------------------


@transaction.atomic
def service_category_create(*, salon: Salon, **data: Any) -> ServiceCategory:
    return model_update(instance=ServiceCategory(salon=salon), data=data, fields=CATEGORY_FIELDS)


@transaction.atomic
def service_category_update(*, category: ServiceCategory, **data: Any) -> ServiceCategory:
    return model_update(instance=category, data=data, fields=CATEGORY_FIELDS)


@transaction.atomic
def service_category_delete(*, category: ServiceCategory) -> None:
    """Its services stay, without a category."""
    _delete_unless_in_use(category)


@transaction.atomic
def service_create(*, salon: Salon, **data: Any) -> Service:
    _require_same_salon(salon, "category", [data.get("category")])
    return model_update(instance=Service(salon=salon), data=data, fields=SERVICE_FIELDS)


@transaction.atomic
def service_update(*, service: Service, **data: Any) -> Service:
    _require_same_salon(service.salon, "category", [data.get("category")])
    return model_update(instance=service, data=data, fields=SERVICE_FIELDS)


@transaction.atomic
def service_delete(*, service: Service) -> None:
    _delete_unless_in_use(service)


# --- Staff ------------------------------------------------------------------------------


def _staff_set_relations(
    staff: StaffMember, locations: Iterable[Location] | None, services: Iterable[Service] | None
) -> None:
    if locations is not None:
        locations = list(locations)
        _require_same_salon(staff.salon, "locations", locations)
        staff.locations.set(locations, through_defaults={"salon_id": staff.salon_id})
    if services is not None:
        services = list(services)
        _require_same_salon(staff.salon, "services", services)
        staff.services.set(services, through_defaults={"salon_id": staff.salon_id})


@transaction.atomic
def staff_create(
    *,
    salon: Salon,
    locations: Iterable[Location] | None = None,
    services: Iterable[Service] | None = None,
    **data: Any,
) -> StaffMember:
    staff = model_update(instance=StaffMember(salon=salon), data=data, fields=STAFF_FIELDS)
    _staff_set_relations(staff, locations, services)
    return staff


@transaction.atomic
def staff_update(
    *,
    staff: StaffMember,
    locations: Iterable[Location] | None = None,
    services: Iterable[Service] | None = None,
    **data: Any,
) -> StaffMember:
    staff = model_update(instance=staff, data=data, fields=STAFF_FIELDS)
    _staff_set_relations(staff, locations, services)
    return staff


@transaction.atomic
def working_hours_create(
    *, staff: StaffMember, location: Location, weekday: int, starts: Any, ends: Any
) -> WorkingHours:
    """Add a weekly shift. A person is in one place at a time: shifts on one weekday never
    overlap, whatever their location. The staff row is locked so two edits cannot race."""
    _require_same_salon(staff.salon, "location", [location])
    StaffMember.objects.select_for_update().filter(pk=staff.pk).first()
    row = WorkingHours(
        salon_id=staff.salon_id,
        staff=staff,
        location=location,
        weekday=weekday,
        starts=starts,
        ends=ends,
    )
    # Before full_clean: its check constraint would report this as a non-field error.
    if starts is not None and ends is not None and ends <= starts:
        raise ValidationError({"ends": _("The shift must end after it starts.")})
    validate_row(row)
    if not staff.locations.filter(pk=location.pk).exists():
        raise ValidationError({"location": _("This staff member does not work at that location.")})
    existing = [(w.weekday, w.starts, w.ends) for w in staff.working_hours.filter(weekday=weekday)]
    _check_no_overlap([*existing, (weekday, starts, ends)], field="starts")
    row.save()
    return row


@transaction.atomic
def working_hours_delete(*, hours: WorkingHours) -> None:
    hours.delete()


@transaction.atomic
def time_off_create(
    *, staff: StaffMember, starts_at: Any, ends_at: Any, all_day: bool = False, reason: str = ""
) -> TimeOff:
    row = TimeOff(
        salon_id=staff.salon_id,
        staff=staff,
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=all_day,
        reason=reason,
    )
    # Before full_clean: its check constraint would report this as a non-field error.
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise ValidationError({"ends_at": _("Time off must end after it starts.")})
    validate_row(row)
    row.save()
    return row


@transaction.atomic
def time_off_delete(*, time_off: TimeOff) -> None:
    time_off.delete()
