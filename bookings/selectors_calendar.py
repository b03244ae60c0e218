"""Reads of the owner calendar: who works at a location, and their appointments and time off
over a range of days — in a constant number of queries, whatever the number of appointments.

Days are the location's calendar days: the range runs from local midnight of the first day to
local midnight after the last one (a DST day is 23 or 25 hours long)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from bookings.availability import availability_get
from bookings.models import (
    Appointment,
    Client,
    Location,
    LocationClosure,
    LocationHours,
    Salon,
    Service,
    StaffMember,
    TimeOff,
    WorkingHours,
)
from bookings.models.appointments import MAX_BLOCK
from bookings.selectors import MAX_SEARCH_LENGTH, location_list, tenant_get
from bookings.services.clients import normalized_phone
from bookings.validators import in_horizon

MAX_CALENDAR_DAYS = 31


@dataclass(frozen=True)
class CalendarData:
    location: Location
    days: list[dt.date]
    # Active staff working at the location, then anyone else with an appointment shown.
    staff: list[StaffMember]
    # `staff`, `service` and `client` are loaded with each appointment.
    appointments: list[Appointment]
    time_off: list[TimeOff]
    opens: dt.time | None  # earliest opening over the week; None when no hours are set
    closes: dt.time | None  # latest closing over the week
    closed_days: set[dt.date] = field(default_factory=set)
    # Weekly hours: the location's per weekday, and each staff member's at this location per
    # (staff id, weekday) — local wall-clock times; an end at or before the start runs past
    # midnight (see bookings/availability.py).
    opening: dict[int, list[tuple[dt.time, dt.time]]] = field(default_factory=dict)
    working: dict[tuple[int, int], list[tuple[dt.time, dt.time]]] = field(default_factory=dict)

    @property
    def range_start(self) -> dt.datetime:
        return local_midnight(self.days[0], self.location)

    @property
    def range_end(self) -> dt.datetime:
        return local_midnight(self.days[-1] + dt.timedelta(days=1), self.location)


def local_midnight(day: dt.date, location: Location) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=location.tzinfo)


def calendar_location_default(*, salon: Salon) -> Location | None:
    """The calendar's location when none is asked for: the first active one, else any."""
    locations = list(location_list(salon=salon).order_by("-is_active", "name")[:1])
    return locations[0] if locations else None


def calendar_get(
    *,
    salon: Salon,
    location: Location,
    start_date: dt.date,
    days: int,
    include_cancelled: bool = False,
) -> CalendarData:
    if location.salon_id != salon.pk:
        raise ValueError("The location belongs to another salon.")
    if not 1 <= days <= MAX_CALENDAR_DAYS:
        raise ValueError(f"A calendar shows 1 to {MAX_CALENDAR_DAYS} days.")
    dates = [start_date + dt.timedelta(days=i) for i in range(days)]
    start = local_midnight(dates[0], location)
    end = local_midnight(dates[-1] + dt.timedelta(days=1), location)

    staff = list(
        StaffMember.objects.for_salon(salon)
        .filter(is_active=True, locations=location)
        .order_by("name", "pk")
    )
    appointments_qs = (
        Appointment.objects.for_salon(salon)
        # The lower bound keeps the index scan near the range (no appointment is longer).
        .filter(location=location, starts_at__lt=end, starts_at__gt=start - MAX_BLOCK)
        .filter(ends_at__gt=start)
        .select_related("staff", "service", "client")
        .order_by("starts_at", "pk")
    )
    if not include_cancelled:
        appointments_qs = appointments_qs.exclude(status=Appointment.Status.CANCELLED)
    # Holds for payment (issue 17): a live one takes its time and is shown ("held for payment
    # until …"); a lapsed or released one is nothing on the calendar.
    appointments_qs = appointments_qs.exclude(status=Appointment.Status.RELEASED).exclude(
        status=Appointment.Status.HELD, hold_expires_at__lte=timezone.now()
    )
    appointments = list(appointments_qs)

    known = {member.pk for member in staff}
    extra: dict[int, StaffMember] = {}
    for appointment in appointments:
        if appointment.staff_id not in known:
            extra.setdefault(appointment.staff_id, appointment.staff)
    staff += sorted(extra.values(), key=lambda member: (member.name, member.pk))

    time_off = list(
        TimeOff.objects.for_salon(salon)
        .filter(staff__in=[member.pk for member in staff], starts_at__lt=end, ends_at__gt=start)
        .order_by("starts_at", "pk")
    )
    opening_rows = list(
        LocationHours.objects.for_salon(salon)
        .filter(location=location)
        .values_list("weekday", "opens", "closes")
    )
    opening: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for weekday, opens, closes in opening_rows:
        opening.setdefault(weekday, []).append((opens, closes))
    hours = {
        "opens": min((row[1] for row in opening_rows), default=None),
        "closes": max((row[2] for row in opening_rows), default=None),
    }
    working: dict[tuple[int, int], list[tuple[dt.time, dt.time]]] = {}
    for staff_id, weekday, starts, ends in (
        WorkingHours.objects.for_salon(salon)
        .filter(location=location, staff__in=[member.pk for member in staff])
        .values_list("staff_id", "weekday", "starts", "ends")
    ):
        working.setdefault((staff_id, weekday), []).append((starts, ends))
    closed_days = set(
        LocationClosure.objects.for_salon(salon)
        .filter(location=location, date__gte=dates[0], date__lte=dates[-1])
        .values_list("date", flat=True)
    )
    return CalendarData(
        location=location,
        days=dates,
        staff=staff,
        appointments=appointments,
        time_off=time_off,
        opens=hours["opens"],
        closes=hours["closes"],
        closed_days=closed_days,
        opening=opening,
        working=working,
    )


def calendar_appointment_get(*, salon: Salon, pk: object) -> Appointment:
    """One appointment with what the detail panel shows; 404 if missing or another salon's."""
    queryset: QuerySet[Appointment] = Appointment.objects.select_related(
        "location", "staff", "service", "client"
    )
    return tenant_get(Appointment, salon=salon, pk=pk, queryset=queryset)


def calendar_staff_choices(*, salon: Salon | int) -> QuerySet[StaffMember]:
    return StaffMember.objects.for_salon(salon).filter(is_active=True).order_by("name", "pk")


# --- The booking panel ----------------------------------------------------------------------

CLIENT_SUGGESTIONS = 8
_PHONE_LIKE = re.compile(r"^[\d\s+()./-]+$")


def calendar_client_search(
    *, salon: Salon, query: str, limit: int = CLIENT_SUGGESTIONS
) -> list[Client]:
    """The booking panel's client suggestions: at most `limit` clients, one query, whatever
    the number of clients. A query that looks like a phone number matches the stored phone
    (E.164) by its digits — "555 1234", "+372 555 1234" and "3725551234" find "+3725551234" —
    else each word must match a first name, last name or e-mail."""
    query = (query or "").replace("\x00", "").strip()[:MAX_SEARCH_LENGTH]
    if not query:
        return []
    qs = Client.objects.for_salon(salon)
    if _PHONE_LIKE.match(query):
        digits = re.sub(r"\D", "", query)
        if len(digits) < 3:
            return []
        condition = Q(phone__contains=digits)
        normalized = normalized_phone(query)
        if normalized:
            condition |= Q(phone=normalized)
        qs = qs.filter(condition)
    else:
        for term in query.split()[:5]:
            qs = qs.filter(
                Q(first_name__icontains=term)
                | Q(last_name__icontains=term)
                | Q(email__icontains=term)
            )
    return list(qs.order_by("last_name", "first_name", "pk")[:limit])


@dataclass(frozen=True)
class Conflict:
    """An appointment a new or moved one would overlap, and how much of the overlap is only
    the buffers (the cleanup after it, or the preparation before)."""

    appointment: Appointment
    cleanup_minutes: int  # the other appointment's buffer after, when only it overlaps
    preparation_minutes: int  # a buffer before (either's), when only it overlaps
    own_cleanup_minutes: int  # the new appointment's buffer after, when only it overlaps


def calendar_conflicts(
    *,
    salon: Salon,
    staff: StaffMember,
    service: Service,
    starts_at: dt.datetime,
    exclude_pk: int | None = None,
) -> list[Conflict]:
    """The staff member's active appointments the booking of `service` at `starts_at` (with
    its buffers) would overlap, in time order; one query."""
    ends_at = starts_at + dt.timedelta(minutes=service.duration_minutes)
    block_start = starts_at - dt.timedelta(minutes=service.buffer_before_minutes)
    block_end = ends_at + dt.timedelta(minutes=service.buffer_after_minutes)
    qs = (
        Appointment.objects.for_salon(salon)
        .active()
        .filter(staff=staff)
        .overlapping(block_start, block_end)
        .select_related("service", "client", "staff", "location")
        .order_by("starts_at", "pk")
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    conflicts = []
    for other in qs:
        cleanup = preparation = own_cleanup = 0
        if not (other.starts_at < ends_at and starts_at < other.ends_at):
            if starts_at >= other.ends_at:  # the new one starts in the other's cleanup
                if block_start < other.ends_at:
                    preparation = service.buffer_before_minutes
                else:
                    cleanup = _minutes(other.block_ends_at - other.ends_at)
            elif ends_at <= other.starts_at:  # the new one's cleanup runs into the other
                if block_end > other.starts_at:
                    own_cleanup = service.buffer_after_minutes
                else:
                    preparation = _minutes(other.starts_at - other.block_starts_at)
        conflicts.append(Conflict(other, cleanup, preparation, own_cleanup))
    return conflicts


def _minutes(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() // 60)


def calendar_free_times_near(
    *,
    salon: Salon,
    location: Location,
    service: Service,
    staff: StaffMember,
    starts_at: dt.datetime,
    limit: int = 4,
    exclude: Appointment | None = None,
) -> list[dt.datetime]:
    """The free start times of that staff member on that (local) day nearest to `starts_at`,
    before or after it, in time order (the owner's view: no notice limits; working and
    opening hours apply). In the past: none. `exclude` is an appointment being moved: its
    own time counts as free (read in a savepoint that is rolled back)."""
    day = starts_at.astimezone(location.tzinfo).date()
    if not in_horizon(day):
        return []
    with transaction.atomic():
        if exclude is not None:
            # Rolled back below, whether this runs in an outer transaction or on its own.
            Appointment.objects.filter(pk=exclude.pk).update(status=Appointment.Status.CANCELLED)
        availability = availability_get(
            salon=salon,
            location=location,
            service=service,
            start=day,
            end=day,
            staff=staff,
            online=False,
        )
        transaction.set_rollback(True)
    now = timezone.now()
    starts = [
        slot.starts_at
        for slot in availability.slots
        if staff.pk in slot.staff_ids and slot.starts_at > now and slot.starts_at != starts_at
    ]
    nearest = sorted(starts, key=lambda moment: (abs(moment - starts_at), moment))[:limit]
    return sorted(nearest)


def calendar_next_free_time(
    *,
    salon: Salon,
    location: Location,
    service: Service,
    staff: StaffMember | None,
    days: int = 28,
) -> dt.datetime | None:
    """The first free start from now on for "Book again" (same service and staff), within
    `days` days; None when there is none."""
    today = timezone.now().astimezone(location.tzinfo).date()
    availability = availability_get(
        salon=salon,
        location=location,
        service=service,
        start=today,
        end=today + dt.timedelta(days=min(days, 30)),
        staff=staff,
        online=False,
    )
    now = timezone.now()
    for slot in availability.slots:
        if slot.starts_at > now and (staff is None or staff.pk in slot.staff_ids):
            return slot.starts_at
    return None
