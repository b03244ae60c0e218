"""Writes of the catalogue: locations, categories, services, staff, hours and exceptions.

Each function validates the whole row (and the rules across rows) before it writes, inside
one transaction, and raises django.core.exceptions.ValidationError with messages per field.
"""

from __future__ import annotations

import datetime as dt
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
from bookings.models.catalogue import END_OF_DAY, as_end_time, clock_label
from bookings.validators import horizon_message, in_horizon

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
    "description",
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
    "visibility",
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


WEEK_SECONDS = 7 * 24 * 3600


def _week_range(weekday: int, start: dt.time, end: dt.time) -> tuple[int, int]:
    """Seconds from Monday 00:00 of a weekly range; an end of 24:00 or one earlier than the
    start is on the next day (bookings/models/catalogue.py)."""

    def seconds(t: dt.time) -> int:
        return t.hour * 3600 + t.minute * 60 + t.second

    lo = weekday * 86400 + seconds(start)
    hi = weekday * 86400 + (86400 if end == END_OF_DAY else seconds(end))
    if hi <= lo:
        hi += 86400
    return lo, hi


def _check_no_overlap(ranges: list[tuple[int, Any, Any]], *, field: str) -> None:
    """`ranges` are (weekday, start, end); no two may overlap, also across midnight (a range
    ending the next day) and across the week's end (Sunday night into Monday)."""
    spans: list[tuple[int, int, Any, Any, int]] = []
    for weekday, start, end in ranges:
        lo, hi = _week_range(weekday, start, end)
        for shift in (0, WEEK_SECONDS):  # Sunday night runs into the next Monday
            spans.append((lo - shift, hi - shift, start, end, weekday))
    spans.sort(key=lambda r: (r[0], r[1]))
    previous: tuple[int, int, Any, Any, int] | None = None
    for current in spans:
        if previous is not None and current[0] < previous[1]:
            message = (
                _("Hours on the same day overlap (%(a)s–%(b)s and %(c)s–%(d)s).")
                if previous[4] == current[4]
                else _(
                    "Hours overlap across midnight (%(a)s–%(b)s and %(c)s–%(d)s on the next day)."
                )
            )
            raise ValidationError(
                {
                    field: message
                    % {
                        "a": clock_label(previous[2]),
                        "b": clock_label(previous[3]),
                        "c": clock_label(current[2]),
                        "d": clock_label(current[3]),
                    }
                }
            )
        if previous is None or current[1] > previous[1]:
            previous = current


def _check_horizon(**values: Any) -> None:
    """Dates and times outside the horizon (bookings/validators.py) are field errors."""
    errors = {
        name: horizon_message()
        for name, value in values.items()
        if isinstance(value, dt.date) and not in_horizon(value)
    }
    if errors:
        raise ValidationError(errors)


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
    *, location: Location, weekday: int, opens: Any, closes: Any, overnight: bool = False
) -> LocationHours:
    """Add weekly opening hours. With `overnight` (the owner's forms and the API, which say
    so), a closing time earlier than the opening is on the next day (18:00–03:00); without
    it that is refused as a typing mistake."""
    Location.objects.select_for_update().filter(pk=location.pk).first()
    closes = as_end_time(closes)
    row = LocationHours(
        salon_id=location.salon_id, location=location, weekday=weekday, opens=opens, closes=closes
    )
    # Before full_clean: its check constraint would report this as a non-field error.
    if (
        opens is not None
        and closes is not None
        and (closes == opens or (closes < opens and not overnight))
    ):
        raise ValidationError({"closes": _("Closing time must be after opening time.")})
    validate_row(row)
    existing = [(h.weekday, h.opens, h.closes) for h in location.opening_hours.all()]
    _check_no_overlap([*existing, (weekday, opens, closes)], field="opens")
    row.save()
    return row


@transaction.atomic
def location_hours_delete(*, hours: LocationHours) -> None:
    hours.delete()


@transaction.atomic
def location_closure_create(*, location: Location, date: Any, reason: str = "") -> LocationClosure:
    row = LocationClosure(salon_id=location.salon_id, location=location, date=date, reason=reason)
    _check_horizon(date=date)
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
    *,
    staff: StaffMember,
    location: Location,
    weekday: int,
    starts: Any,
    ends: Any,
    overnight: bool = False,
) -> WorkingHours:
    """Add a weekly shift. A person is in one place at a time: shifts never overlap, whatever
    their location, also across midnight. The staff row is locked so two edits cannot race.
    With `overnight` (the owner's forms and the API), an end earlier than the start is on the
    next day (20:00–02:00); without it that is refused as a typing mistake."""
    _require_same_salon(staff.salon, "location", [location])
    StaffMember.objects.select_for_update().filter(pk=staff.pk).first()
    ends = as_end_time(ends)
    row = WorkingHours(
        salon_id=staff.salon_id,
        staff=staff,
        location=location,
        weekday=weekday,
        starts=starts,
        ends=ends,
    )
    # Before full_clean: its check constraint would report this as a non-field error.
    if (
        starts is not None
        and ends is not None
        and (ends == starts or (ends < starts and not overnight))
    ):
        raise ValidationError({"ends": _("The shift must end after it starts.")})
    validate_row(row)
    if not staff.locations.filter(pk=location.pk).exists():
        raise ValidationError({"location": _("This staff member does not work at that location.")})
    existing = [(w.weekday, w.starts, w.ends) for w in staff.working_hours.all()]
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
    _check_horizon(starts_at=starts_at, ends_at=ends_at)
    # Before full_clean: its check constraint would report this as a non-field error.
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise ValidationError({"ends_at": _("Time off must end after it starts.")})
    validate_row(row)
    row.save()
    return row


@transaction.atomic
def time_off_delete(*, time_off: TimeOff) -> None:
    time_off.delete()
