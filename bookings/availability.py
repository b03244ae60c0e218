"""Availability: the bookable start times of a service at a location over a date range.

A selector (reads only). All data for the whole range and all candidate staff is read in a
constant number of queries (working hours with their staff; opening hours with closed days;
appointments with time off), then the free times are computed as interval arithmetic:

    free(staff, day) = (working hours ∩ opening hours) unless the location is closed
    a start time t is bookable when [t, t + duration) lies inside a free window and
    [t - buffer_before, t + duration + buffer_after) overlaps no busy interval
    (another active appointment's blocked range, or time off), and
    now + minimum notice <= t <= now + maximum advance.

Windows are built in the location's wall-clock time and converted to UTC per day, and the
steps are taken in UTC, so a DST day has the real number of slots (no missing or repeated
hour). Start times are aligned to the slot step on the local clock.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import CharField, DateField, IntegerField, TimeField, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import (
    Appointment,
    Location,
    LocationClosure,
    LocationHours,
    Salon,
    Service,
    StaffMember,
    TimeOff,
    WorkingHours,
)

MAX_RANGE_DAYS = 31
UTC = dt.UTC

Interval = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class Slot:
    starts_at: dt.datetime  # aware, in the location's time zone
    staff_ids: tuple[int, ...]


@dataclass
class Availability:
    location: Location
    service: Service
    slots: list[Slot]
    staff: dict[int, StaffMember]
    # appointments per (staff id, local date): the input of the "any available" rule
    booked_count: dict[tuple[int, dt.date], int] = field(default_factory=dict)

    def staff_for(self, starts_at: dt.datetime) -> list[StaffMember]:
        """Free staff at this start time, in the order "any available" assigns them."""
        for slot in self.slots:
            if slot.starts_at == starts_at:
                day = starts_at.astimezone(self.location.tzinfo).date()
                ids = sorted(
                    slot.staff_ids, key=lambda sid: (self.booked_count.get((sid, day), 0), sid)
                )
                return [self.staff[sid] for sid in ids]
        return []


def validate_date_range(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValidationError({"end": _("The end date is before the start date.")})
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ValidationError(
            {"end": _("Ask for at most %(days)d days at a time.") % {"days": MAX_RANGE_DAYS}}
        )


def _local_to_utc(day: dt.date, time: dt.time, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=tz).astimezone(UTC)


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _overlaps_any(
    busy: list[Interval], busy_starts: list[dt.datetime], start: dt.datetime, end: dt.datetime
) -> bool:
    """`busy` is merged and sorted; is any of it inside [start, end)?"""
    i = bisect.bisect_left(busy_starts, end)  # intervals starting before `end`
    return i > 0 and busy[i - 1][1] > start


def _aligned_start(window_start: dt.datetime, tz: dt.tzinfo, step: int) -> dt.datetime:
    local = window_start.astimezone(tz)
    minutes = local.hour * 60 + local.minute
    extra = (-minutes) % step
    aligned = window_start + dt.timedelta(minutes=extra)
    if local.second or local.microsecond:
        aligned = aligned.replace(second=0, microsecond=0) + dt.timedelta(
            minutes=step if not extra else 0
        )
    return aligned


def availability_get(
    *,
    salon: Salon,
    location: Location,
    service: Service,
    start: dt.date,
    end: dt.date,
    staff: StaffMember | None = None,
    now: dt.datetime | None = None,
    online: bool = True,
    staff_allowed: Callable[[StaffMember], bool] | None = None,
) -> Availability:
    """Bookable start times. `online=True` applies what the public site must: only staff
    offered online, minimum notice and maximum advance. Owners booking in the dashboard use
    `online=False` (any active staff, no notice limits) but the same hours and conflicts.
    `staff_allowed` drops staff the visitor may not book (e.g. a locked personal passcode)."""
    validate_date_range(start, end)
    now = now or timezone.now()
    tz = location.tzinfo
    range_start = _local_to_utc(start, dt.time(0), tz)
    range_end = _local_to_utc(end + dt.timedelta(days=1), dt.time(0), tz)

    # 1. Working hours of every candidate staff member at this location, with the staff.
    hours_qs = (
        WorkingHours.objects.for_salon(salon)
        .filter(
            location=location,
            staff__is_active=True,
            staff__services=service,
            staff__locations=location,
        )
        .select_related("staff")
    )
    if online:
        hours_qs = hours_qs.filter(staff__offered_online=True)
    if staff is not None:
        hours_qs = hours_qs.filter(staff=staff)
    staff_by_id: dict[int, StaffMember] = {}
    shifts: dict[int, dict[int, list[tuple[dt.time, dt.time]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for wh in hours_qs:
        if staff_allowed is not None and not staff_allowed(wh.staff):
            continue
        staff_by_id[wh.staff_id] = wh.staff
        shifts[wh.staff_id][wh.weekday].append((wh.starts, wh.ends))
    if not staff_by_id:
        return Availability(location=location, service=service, slots=[], staff={})

    # 2. Opening hours and closed days of the location, in one query.
    opening_rows = (
        LocationHours.objects.for_salon(salon)
        .filter(location=location)
        .annotate(closed_on=Value(None, output_field=DateField()))
        .values_list("weekday", "opens", "closes", "closed_on")
        .order_by()
    )
    closure_rows = (
        LocationClosure.objects.for_salon(salon)
        .filter(location=location, date__gte=start, date__lte=end)
        .annotate(
            wd=Value(None, output_field=IntegerField()),
            o=Value(None, output_field=TimeField()),
            c=Value(None, output_field=TimeField()),
        )
        .values_list("wd", "o", "c", "date")
        .order_by()
    )
    opening: dict[int, list[tuple[dt.time, dt.time]]] = defaultdict(list)
    closed_days: set[dt.date] = set()
    for weekday, opens, closes, closed_on in opening_rows.union(closure_rows, all=True):
        if closed_on is not None:
            closed_days.add(
                closed_on if isinstance(closed_on, dt.date) else dt.date.fromisoformat(closed_on)
            )
        else:
            opening[weekday].append((opens, closes))

    # 3. Busy time of those staff: active appointments (blocked ranges) and time off.
    widen_before = dt.timedelta(minutes=service.buffer_before_minutes)
    widen_after = dt.timedelta(minutes=service.duration_minutes + service.buffer_after_minutes)
    fetch_start, fetch_end = (
        range_start - widen_before - dt.timedelta(days=1),
        range_end + widen_after,
    )
    staff_ids = list(staff_by_id)
    appointments = (
        Appointment.objects.for_salon(salon)
        .active()
        .filter(staff_id__in=staff_ids)
        .overlapping(fetch_start, fetch_end)
        .annotate(kind=Value("a", output_field=CharField()))
        .values_list("staff_id", "block_starts_at", "block_ends_at", "kind")
        .order_by()
    )
    time_off = (
        TimeOff.objects.for_salon(salon)
        .filter(staff_id__in=staff_ids, starts_at__lt=fetch_end, ends_at__gt=fetch_start)
        .annotate(kind=Value("t", output_field=CharField()))
        .values_list("staff_id", "starts_at", "ends_at", "kind")
        .order_by()
    )
    busy_raw: dict[int, list[Interval]] = defaultdict(list)
    booked_count: dict[tuple[int, dt.date], int] = defaultdict(int)
    for staff_id, busy_start, busy_end, kind in appointments.union(time_off, all=True):
        busy_start, busy_end = _aware(busy_start), _aware(busy_end)
        busy_raw[staff_id].append((busy_start, busy_end))
        if kind == "a":
            booked_count[(staff_id, busy_start.astimezone(tz).date())] += 1

    earliest = range_start
    latest = range_end
    if online:
        earliest = max(earliest, now + dt.timedelta(minutes=salon.min_notice_minutes))
        latest = min(latest, now + dt.timedelta(days=salon.max_advance_days))

    duration = dt.timedelta(minutes=service.duration_minutes)
    before = dt.timedelta(minutes=service.buffer_before_minutes)
    after = dt.timedelta(minutes=service.buffer_after_minutes)
    step = max(salon.slot_step_minutes, 1)
    step_delta = dt.timedelta(minutes=step)

    free_staff_at: dict[dt.datetime, list[int]] = defaultdict(list)
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    for staff_id in staff_ids:
        busy = _merge(busy_raw.get(staff_id, ()))
        busy_starts = [b[0] for b in busy]
        for day in days:
            if day in closed_days:
                continue
            weekday = day.weekday()
            for shift_start, shift_end in shifts[staff_id].get(weekday, ()):
                for opens, closes in opening.get(weekday, ()):
                    lo, hi = max(shift_start, opens), min(shift_end, closes)
                    if lo >= hi:
                        continue
                    window_start, window_end = (
                        _local_to_utc(day, lo, tz),
                        _local_to_utc(day, hi, tz),
                    )
                    t = _aligned_start(max(window_start, earliest), tz, step)
                    while t + duration <= window_end and t <= latest:
                        if not _overlaps_any(busy, busy_starts, t - before, t + duration + after):
                            free_staff_at[t].append(staff_id)
                        t += step_delta

    slots = [
        Slot(starts_at=t.astimezone(tz), staff_ids=tuple(sorted(set(ids))))
        for t, ids in sorted(free_staff_at.items())
    ]
    return Availability(
        location=location,
        service=service,
        slots=slots,
        staff=staff_by_id,
        booked_count=dict(booked_count),
    )


def _aware(value: dt.datetime | str) -> dt.datetime:
    # A UNION's columns come back without the DateTimeField converter on some backends.
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)
