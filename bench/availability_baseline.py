"""A frozen copy of bookings/availability.py as it was before issue 15 (the "today" of the
per staff-day cost): the availability benchmark runs it beside the current implementation on
the same data, so the speed-up is a ratio measured in one run. Not used by the application."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
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
from bookings.models.catalogue import END_OF_DAY
from bookings.validators import horizon_message, in_horizon

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
    # the free windows (working hours ∩ opening hours, closed days left out) of all the
    # candidate staff, in UTC, before busy time and notice limits: why a time is refused
    windows: list[Interval] = field(default_factory=list)

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
    for name, value in (("start", start), ("end", end)):
        if not in_horizon(value):
            raise ValidationError({name: horizon_message()})
    if end < start:
        raise ValidationError({"end": _("The end date is before the start date.")})
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ValidationError(
            {"end": _("Ask for at most %(days)d days at a time.") % {"days": MAX_RANGE_DAYS}}
        )


def _wall_to_utc(moment: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    return moment.replace(tzinfo=tz).astimezone(UTC)


def _local_to_utc(day: dt.date, time: dt.time, tz: dt.tzinfo) -> dt.datetime:
    if time == END_OF_DAY:  # "24:00": the next day's midnight (bookings/models/catalogue.py)
        day, time = day + dt.timedelta(days=1), dt.time(0)
    return dt.datetime.combine(day, time, tzinfo=tz).astimezone(UTC)


def _merge_local(intervals: Iterable[LocalInterval]) -> list[LocalInterval]:
    return _merge(intervals)


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


LocalInterval = tuple[dt.datetime, dt.datetime]  # naive, the location's wall clock


def _local_range(day: dt.date, starts: dt.time, ends: dt.time) -> LocalInterval:
    """Weekly hours on `day` as wall-clock datetimes: an end of 24:00 (END_OF_DAY) or one
    earlier than the start is on the next day (a shift 20:00–02:00)."""
    first = dt.datetime.combine(day, starts)
    if ends == END_OF_DAY:
        return first, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0))
    last = dt.datetime.combine(day, ends)
    if ends <= starts:
        last += dt.timedelta(days=1)
    return first, last


def _intersect(a: list[LocalInterval], b: list[LocalInterval]) -> list[LocalInterval]:
    """The intersection of two merged, sorted interval lists."""
    out: list[LocalInterval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _grid(
    first: dt.datetime, last: dt.datetime, tz: dt.tzinfo, step: dt.timedelta
) -> Iterator[dt.datetime]:
    """The candidate starts (UTC) of the wall-clock window first–last: first, first + step,
    first + 2 steps … on the local wall clock, before last. A wall-clock time that does not
    exist (the hour the clocks skip) is left out; one that exists twice (the hour they repeat)
    gives both moments. Not in order around a repeated hour."""
    label = first
    while label < last:
        earlier = label.replace(tzinfo=tz, fold=0).astimezone(UTC)
        if earlier.astimezone(tz).replace(tzinfo=None) == label:
            yield earlier
            later = label.replace(tzinfo=tz, fold=1).astimezone(UTC)
            if later != earlier:
                yield later
        label += step


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
    ignore_busy: bool = False,
    ignore_limits: bool = False,
) -> Availability:
    """Bookable start times. `online=True` applies what the public site must: only staff
    offered online, minimum notice and maximum advance. Owners booking in the dashboard use
    `online=False` (any active staff, no notice limits) but the same hours and conflicts.
    `staff_allowed` drops staff the visitor may not book (e.g. a locked personal passcode).
    `ignore_busy` / `ignore_limits` leave out appointments and time off / the notice and
    advance limits: the grid of times that could ever be offered (to explain a refusal)."""
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
        .filter(
            location=location,
            date__gte=start - dt.timedelta(days=1),
            date__lte=end + dt.timedelta(days=1),
        )
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
    if online and not ignore_limits:
        earliest = max(earliest, now + dt.timedelta(minutes=salon.min_notice_minutes))
        latest = min(latest, now + dt.timedelta(days=salon.max_advance_days))

    duration = dt.timedelta(minutes=service.duration_minutes)
    before = dt.timedelta(minutes=service.buffer_before_minutes)
    after = dt.timedelta(minutes=service.buffer_after_minutes)
    step_delta = dt.timedelta(minutes=max(salon.slot_step_minutes, 1))

    free_staff_at: dict[dt.datetime, list[int]] = defaultdict(list)
    # The days around the range too: the day before's hours may run past midnight into the
    # first day, and a start late on the last day may run into the next day's hours.
    days = [start + dt.timedelta(days=n) for n in range(-1, (end - start).days + 2)]
    open_ranges = _merge_local(
        _local_range(day, opens, closes)
        for day in days
        if day not in closed_days
        for opens, closes in opening.get(day.weekday(), ())
    )
    windows: list[Interval] = []
    for staff_id in staff_ids:
        busy = [] if ignore_busy else _merge(busy_raw.get(staff_id, ()))
        busy_starts = [b[0] for b in busy]
        shift_ranges = _merge_local(
            _local_range(day, shift_start, shift_end)
            for day in days
            for shift_start, shift_end in shifts[staff_id].get(day.weekday(), ())
        )
        # Free windows: shifts ∩ opening hours; ranges touching (at midnight, or a shift
        # continued by the next) are one window with one grid.
        for first, last in _intersect(shift_ranges, open_ranges):
            window_start, window_end = _wall_to_utc(first, tz), _wall_to_utc(last, tz)
            windows.append((window_start, window_end))
            if window_end <= max(earliest, range_start) or window_start > latest:
                continue
            for t in _grid(first, last, tz, step_delta):
                if t < earliest or t > latest or t >= range_end or t + duration > window_end:
                    continue
                if not _overlaps_any(busy, busy_starts, t - before, t + duration + after):
                    free_staff_at[t].append(staff_id)

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
        windows=_merge(windows),
    )


def _aware(value: dt.datetime | str) -> dt.datetime:
    # A UNION's columns come back without the DateTimeField converter on some backends.
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)
