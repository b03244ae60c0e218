"""Availability: the bookable start times of a service at a location over a date range.

A selector (reads only). All data for the whole range and all candidate staff is read in a
constant number of queries (working hours with their staff; opening hours with closed days;
appointments with time off), then the free times are computed as interval arithmetic:

    free(staff, day) = (working hours ∩ opening hours) unless the location is closed
    a start time t is bookable when [t, t + duration) lies inside a free window and
    [t - buffer_before, t + duration + buffer_after) overlaps no busy interval
    (another active appointment's blocked range, a live hold for payment's — issue 17,
    `AppointmentQuerySet.blocking(now)`; an expired hold is free —, or time off), and
    now + minimum notice <= t <= now + maximum advance.

The slot grid. Each free window (one shift ∩ one range of opening hours, on one day) has its
own grid: its first start is the window's start, then every `salon.slot_step_minutes` on the
location's wall clock (a shift from 09:00 with a 25-minute step offers 09:00, 09:25, 09:50 …),
whatever the step and wherever the window starts — not multiples of the step from midnight.
On a DST day the grid goes on by the wall clock: the starts that fall in the hour the clocks
skip do not exist and are left out, and those in the hour they repeat are offered twice (two
real moments, with their two offsets), so a DST day has the real number of slots. Minimum
notice and maximum advance remove starts from the grid; they never shift it.

The end of the day and hours across midnight. An end of hours "24:00" (stored as END_OF_DAY,
see bookings/models/catalogue.py) is the next day's midnight: a window 20:00–24:00 offers
23:00 for a 60-minute service. An end earlier than the start is on the next day: a shift
20:00–02:00 on Friday offers Friday 23:30 and Saturday 01:00 (its starts after midnight belong
to Saturday's list). Ranges that touch — Friday 20:00–24:00 and Saturday 00:00–02:00, or two
opening ranges 09–12 and 12–18 — are one window with one grid. A closed day removes the
opening hours that start on that day.

A time that is not offered is refused by the booking services (bookings/services/booking.py):
with a reason (400: `off_grid`, `outside_hours`, `too_soon`, `too_far`) when it never was a
slot, as "just taken" (409 with the next free times) when it was one and is busy now.

Every date given must lie in the date horizon (years 2000–2100, bookings/validators.py).

How it is computed (issue 15: a constant number of queries, and Python time that grows with
the free times offered rather than with timestamp handling). Two queries: the candidate staff
with their working hours; then the location's opening hours and closed days together with the
staff's appointments and time off (one UNION). On PostgreSQL both are written-out SQL (the
ORM's querysets cost about a third of the function's time to build on every call); other
databases get the same queries from the ORM, and bookings/tests/test_availability_output.py
proves both give the same answer. Everything after that is integer arithmetic on
seconds: hours are laid out on "wall seconds" (the location's wall clock as if it were UTC),
intersected, and turned into UTC seconds with the day's UTC offset; each staff member's busy
time is merged once and widened by the service's length and buffers into "blocked" start
ranges; the grid points of a window between two blocked ranges are produced by `range()`.
Only on a day whose UTC offset changes (a DST day) is the wall-clock grid walked label by
label, as the rules above describe. Slots become aware datetimes once, at the end.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import (
    CharField,
    DateField,
    DateTimeField,
    F,
    FloatField,
    Func,
    IntegerField,
    TimeField,
    Value,
)
from django.db.models.functions import Cast
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
from bookings.models.appointments import MAX_BLOCK
from bookings.models.catalogue import END_OF_DAY
from bookings.validators import horizon_message, in_horizon

MAX_RANGE_DAYS = 31
UTC = dt.UTC
DAY = 86_400
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()

Interval = tuple[dt.datetime, dt.datetime]
Seconds = tuple[int, int]  # [start, end) in seconds (UTC epoch, or wall seconds)


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
    # (staff id, block start as UTC epoch seconds) of the active appointments read: the input
    # of the "any available" rule (`booked_count`)
    booked: list[tuple[int, float]] = field(default_factory=list)
    # the free windows (working hours ∩ opening hours, closed days left out) of all the
    # candidate staff, UTC epoch seconds, before busy time and notice limits (`windows`)
    window_seconds: list[Seconds] = field(default_factory=list)

    @cached_property
    def booked_count(self) -> dict[tuple[int, dt.date], int]:
        """Appointments per (staff id, local date)."""
        tz = self.location.tzinfo
        counts: dict[tuple[int, dt.date], int] = defaultdict(int)
        for staff_id, starts in self.booked:
            counts[(staff_id, dt.datetime.fromtimestamp(starts, tz).date())] += 1
        return dict(counts)

    @cached_property
    def windows(self) -> list[Interval]:
        """The free windows, merged, as aware UTC datetimes: why a time is refused."""
        return [
            (dt.datetime.fromtimestamp(lo, UTC), dt.datetime.fromtimestamp(hi, UTC))
            for lo, hi in _merge(self.window_seconds)
        ]

    def staff_for(self, starts_at: dt.datetime) -> list[StaffMember]:
        """Free staff at this start time, in the order "any available" assigns them."""
        for slot in self.slots:
            if slot.starts_at == starts_at:
                day = starts_at.astimezone(self.location.tzinfo).date()
                counts = self.booked_count
                ids = sorted(slot.staff_ids, key=lambda sid: (counts.get((sid, day), 0), sid))
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


def _merge[T: (int, float, dt.datetime)](intervals: Iterable[tuple[T, T]]) -> list[tuple[T, T]]:
    """Sorted, with overlapping and touching intervals joined."""
    merged: list[tuple[T, T]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _intersect(a: list[Seconds], b: list[Seconds]) -> list[Seconds]:
    """The intersection of two merged, sorted interval lists."""
    out: list[Seconds] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo = a[i][0] if a[i][0] > b[j][0] else b[j][0]
        hi = a[i][1] if a[i][1] < b[j][1] else b[j][1]
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _seconds_of_day(value: dt.time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def _day_range(starts: dt.time, ends: dt.time) -> Seconds:
    """Weekly hours as seconds from the day's midnight: an end of 24:00 (END_OF_DAY) or one
    earlier than the start is on the next day (a shift 20:00–02:00)."""
    first = _seconds_of_day(starts)
    if ends == END_OF_DAY:
        return first, DAY
    last = _seconds_of_day(ends)
    if ends <= starts:
        last += DAY
    return first, last


def _wall_seconds(day: dt.date) -> int:
    """The day's midnight on the wall clock, as seconds (the wall clock read as if UTC)."""
    return (day.toordinal() - _EPOCH_ORDINAL) * DAY


def _wall_datetime(seconds: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1) + dt.timedelta(seconds=seconds)


def _grid(
    first: dt.datetime, last: dt.datetime, tz: dt.tzinfo, step: dt.timedelta
) -> Iterator[dt.datetime]:
    """The candidate starts (UTC) of the wall-clock window first–last: first, first + step,
    first + 2 steps … on the local wall clock, before last. A wall-clock time that does not
    exist (the hour the clocks skip) is left out; one that exists twice (the hour they repeat)
    gives both moments. Not in order around a repeated hour. (The DST-day path.)"""
    label = first
    while label < last:
        earlier = label.replace(tzinfo=tz, fold=0).astimezone(UTC)
        if earlier.astimezone(tz).replace(tzinfo=None) == label:
            yield earlier
            later = label.replace(tzinfo=tz, fold=1).astimezone(UTC)
            if later != earlier:
                yield later
        label += step


class _Offsets:
    """The UTC offset (seconds) of each local day whose offset does not change within it (nor
    at its midnights); None for a day with a change (a DST day)."""

    def __init__(self, tz: dt.tzinfo, days: list[dt.date]) -> None:
        self.tz = tz
        marks = [self._at(day) for day in [*days, days[-1] + dt.timedelta(days=1)]]
        self.by_day: dict[int, int | None] = {}
        for n, day in enumerate(days):
            here, there = marks[n], marks[n + 1]
            uniform = here[0] == here[1] == there[0] == there[1]
            self.by_day[_wall_seconds(day) // DAY] = here[0] if uniform else None

    def _at(self, day: dt.date) -> tuple[int, int]:
        midnight = dt.datetime.combine(day, dt.time(0))
        return tuple(  # type: ignore[return-value]
            int(midnight.replace(tzinfo=self.tz, fold=fold).utcoffset().total_seconds())
            for fold in (0, 1)
        )

    def constant(self, first: int, last: int) -> int | None:
        """The one offset of the wall-clock window [first, last), or None if it changes (or
        the window reaches a day not looked up)."""
        offset: int | None = None
        for day in range(first // DAY, (last - 1) // DAY + 1):
            here = self.by_day.get(day)
            if here is None or (offset is not None and here != offset):
                return None
            offset = here
        return offset


def _free_starts(
    origin: int, step: int, k_lo: int, k_hi: int, blocked: list[Seconds], blocked_ends: list[int]
) -> list[int]:
    """The grid points origin + k·step (k_lo <= k <= k_hi) outside every blocked range; a
    blocked range (lo, hi) refuses the starts t with lo < t < hi. `blocked` is sorted by its
    starts (ends increasing too); `blocked_ends` its ends."""
    out: list[int] = []
    k = k_lo
    t_lo = origin + k_lo * step
    for lo, hi in blocked[bisect.bisect_right(blocked_ends, t_lo) :]:
        if k > k_hi:
            return out
        k_free = min(k_hi, (lo - origin) // step)  # the points at or before lo are free
        if k_free >= k:
            out.extend(range(origin + k * step, origin + k_free * step + 1, step))
            k = k_free + 1
        k = max(k, -((origin - hi) // step))  # next point at or after hi
    if k <= k_hi:
        out.extend(range(origin + k * step, origin + k_hi * step + 1, step))
    return out


def _is_blocked(t: int, blocked: list[Seconds], blocked_ends: list[int]) -> bool:
    i = bisect.bisect_right(blocked_ends, t)
    return i < len(blocked) and blocked[i][0] < t


def _aware(value: dt.datetime | str) -> dt.datetime:
    # A UNION's columns come back without the DateTimeField converter on some backends.
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


def _time(value: dt.time | str) -> dt.time:
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(value)


def _date(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _staff_fields() -> list[str]:
    return [f.attname for f in StaffMember._meta.concrete_fields]


def _staff_hours_postgresql(
    using: str,
    *,
    salon_id: int,
    location_id: int,
    service_id: int,
    staff_id: int | None,
    online: bool,
    online_staff_ids: Collection[int] | None,
) -> list[tuple[Any, ...]]:
    """Availability's first query on PostgreSQL, written out (the ORM's query, without
    building it per request): the weekly shifts at the location of the active staff members
    who give the service and work at the location — online, those offered online or those in
    `online_staff_ids` — as rows (weekday, starts, ends, *the staff member's columns in
    `_staff_fields()` order)."""
    staff_meta = StaffMember._meta
    services = staff_meta.get_field("services")
    locations = staff_meta.get_field("locations")
    columns = ", ".join(f'm."{f.column}"' for f in staff_meta.concrete_fields)
    sql = (
        f'SELECT h."weekday", h."starts", h."ends", {columns} '
        f'FROM "{WorkingHours._meta.db_table}" h '
        f'JOIN "{staff_meta.db_table}" m ON h."staff_id" = m."{staff_meta.pk.column}" '
        f'JOIN "{locations.m2m_db_table()}" sl ON sl."{locations.m2m_column_name()}" = m."id" '
        f'JOIN "{services.m2m_db_table()}" ss ON ss."{services.m2m_column_name()}" = m."id" '
        f'WHERE h."salon_id" = %s AND h."location_id" = %s AND m."is_active" '
        f'AND sl."{locations.m2m_reverse_name()}" = %s '
        f'AND ss."{services.m2m_reverse_name()}" = %s'
    )
    params: list[Any] = [salon_id, location_id, location_id, service_id]
    if online and online_staff_ids is not None:
        ids = list(online_staff_ids)
        if not ids:
            return []
        sql += f' AND h."staff_id" IN ({", ".join(["%s"] * len(ids))})'
        params += ids
    elif online:
        sql += ' AND m."offered_online"'
    if staff_id is not None:
        sql += ' AND h."staff_id" = %s'
        params.append(staff_id)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _written_out_sql(using: str) -> bool:
    """Whether availability's second query is the written-out PostgreSQL one (epoch seconds,
    `_busy_rows_postgresql`); else the ORM builds it (other databases; the tests compare
    both on PostgreSQL, bookings/tests/test_availability_output.py)."""
    return connections[using].vendor == "postgresql"


def _busy_rows_postgresql(
    using: str,
    *,
    salon_id: int,
    location_id: int,
    staff_ids: list[int],
    fetch_start: dt.datetime,
    fetch_end: dt.datetime,
    first_day: dt.date,
    last_day: dt.date,
    now: dt.datetime,
) -> list[tuple[Any, ...]]:
    """Availability's second query on PostgreSQL, written out: active appointments, live
    holds (at `now`) and time off of `staff_ids` overlapping [fetch_start, fetch_end) as
    epoch seconds (float8), the location's opening hours and its closed days from
    `first_day` to `last_day`, in one UNION ALL of rows (kind, staff_id, busy_start,
    busy_end, weekday, opens, closes, date). The same SQL the ORM built (the appointment
    filter is `AppointmentQuerySet.blocking(now)` and `.overlapping()`, so the (salon, staff,
    block_starts_at) index reads it) without building four querysets per request (issue 15:
    about a third of the function's time). No staff
    ids: hours and closed days only."""
    appointment, time_off = Appointment._meta.db_table, TimeOff._meta.db_table
    hours, closure = LocationHours._meta.db_table, LocationClosure._meta.db_table
    parts: list[str] = []
    params: list[Any] = []
    if staff_ids:
        marks = ", ".join(["%s"] * len(staff_ids))
        statuses = [str(s) for s in Appointment.ACTIVE_STATUSES]
        # `AppointmentQuerySet.blocking(now)`: active, or held with a live hold.
        parts.append(
            f'(SELECT \'a\', "staff_id", EXTRACT(EPOCH FROM "block_starts_at")::float8, '
            f'EXTRACT(EPOCH FROM "block_ends_at")::float8, NULL::integer, NULL::time, '
            f'NULL::time, NULL::date FROM "{appointment}" WHERE "salon_id" = %s '
            f'AND ("status" IN ({", ".join(["%s"] * len(statuses))}) '
            f'OR ("status" = %s AND "hold_expires_at" > %s)) '
            f'AND "staff_id" IN ({marks}) AND "block_ends_at" > %s '
            f'AND "block_starts_at" > %s AND "block_starts_at" < %s)'
        )
        params += [salon_id, *statuses, str(Appointment.Status.HELD), now]
        params += [*staff_ids, fetch_start, fetch_start - MAX_BLOCK]
        params.append(fetch_end)
        parts.append(
            f'(SELECT \'t\', "staff_id", EXTRACT(EPOCH FROM "starts_at")::float8, '
            f'EXTRACT(EPOCH FROM "ends_at")::float8, NULL::integer, NULL::time, NULL::time, '
            f'NULL::date FROM "{time_off}" WHERE "salon_id" = %s AND "ends_at" > %s '
            f'AND "staff_id" IN ({marks}) AND "starts_at" < %s)'
        )
        params += [salon_id, fetch_start, *staff_ids, fetch_end]
    parts.append(
        f'(SELECT \'o\', NULL::integer, NULL::float8, NULL::float8, "weekday", "opens", '
        f'"closes", NULL::date FROM "{hours}" WHERE "salon_id" = %s AND "location_id" = %s)'
    )
    params += [salon_id, location_id]
    parts.append(
        f"(SELECT 'c', NULL::integer, NULL::float8, NULL::float8, NULL::integer, "
        f'NULL::time, NULL::time, "date" FROM "{closure}" WHERE "salon_id" = %s '
        f'AND "date" >= %s AND "date" <= %s AND "location_id" = %s)'
    )
    params += [salon_id, first_day, last_day, location_id]
    with connections[using].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return cursor.fetchall()


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
    online_staff_ids: Collection[int] | None = None,
) -> Availability:
    """Bookable start times. `online=True` applies what the public site must: only staff
    offered online, minimum notice and maximum advance. Owners booking in the dashboard use
    `online=False` (any active staff, no notice limits) but the same hours and conflicts.
    `staff_allowed` drops staff the visitor may not book (e.g. a locked personal passcode).
    `online_staff_ids` (online only): the staff an invitation link books (bookings/
    booking_scope.py) instead of those offered online; None: those offered online.
    `ignore_busy` / `ignore_limits` leave out appointments and time off / the notice and
    advance limits: the grid of times that could ever be offered (to explain a refusal).
    Two queries (one when no staff member qualifies)."""
    validate_date_range(start, end)
    now = now or timezone.now()
    tz = location.tzinfo
    range_start = _local_to_utc(start, dt.time(0), tz)
    range_end = _local_to_utc(end + dt.timedelta(days=1), dt.time(0), tz)

    # 1. Every candidate staff member at this location with their working hours: one row per
    # weekly shift, the staff member's columns repeated (a model instance made once per
    # staff member, not per row).
    db = router.db_for_read(WorkingHours)
    staff_fields = _staff_fields()
    written_out = _written_out_sql(db)
    rows: Iterable[tuple[Any, ...]]
    if written_out:
        rows = _staff_hours_postgresql(
            db,
            salon_id=salon.pk,
            location_id=location.pk,
            service_id=service.pk,
            staff_id=None if staff is None else staff.pk,
            online=online,
            online_staff_ids=online_staff_ids,
        )
    else:
        hours_qs = WorkingHours.objects.for_salon(salon).filter(
            location=location,
            staff__is_active=True,
            staff__services=service,
            staff__locations=location,
        )
        if online and online_staff_ids is not None:
            hours_qs = hours_qs.filter(staff_id__in=list(online_staff_ids))
        elif online:
            hours_qs = hours_qs.filter(staff__offered_online=True)
        if staff is not None:
            hours_qs = hours_qs.filter(staff=staff)
        rows = hours_qs.values_list(
            "weekday", "starts", "ends", *(f"staff__{name}" for name in staff_fields)
        ).order_by()
    staff_by_id: dict[int, StaffMember] = {}
    refused: set[int] = set()
    shifts: dict[int, dict[int, list[Seconds]]] = defaultdict(lambda: defaultdict(list))
    id_at = staff_fields.index(StaffMember._meta.pk.attname)
    for weekday, starts, ends, *values in rows:
        staff_id = values[id_at]
        if staff_id in refused:
            continue
        if staff_id not in staff_by_id:
            member = StaffMember.from_db(db, staff_fields, values)
            if staff_allowed is not None and not staff_allowed(member):
                refused.add(staff_id)
                continue
            staff_by_id[staff_id] = member
        shifts[staff_id][weekday].append(_day_range(_time(starts), _time(ends)))
    if not staff_by_id:
        return Availability(location=location, service=service, slots=[], staff={})
    staff_ids = sorted(staff_by_id)

    # 2. Opening hours, closed days, appointments (blocked ranges) and time off: one query.
    before_s = service.buffer_before_minutes * 60
    duration_s = service.duration_minutes * 60
    after_s = service.buffer_after_minutes * 60
    fetch_start = range_start - dt.timedelta(seconds=before_s, days=1)
    fetch_end = range_end + dt.timedelta(seconds=duration_s + after_s)
    # Typed NULLs (PostgreSQL matches a UNION's column types branch by branch).
    # On PostgreSQL busy times come as epoch seconds (float8): parsing 2 timestamps per row
    # was most of the time for a busy month of 50 staff.
    epoch = written_out
    opening: dict[int, list[Seconds]] = defaultdict(list)
    closed_days: set[dt.date] = set()
    busy_raw: dict[int, list[tuple[float, float]]] = defaultdict(list)
    booked: list[tuple[int, float]] = []
    if epoch:
        union_rows = _busy_rows_postgresql(
            db,
            salon_id=salon.pk,
            location_id=location.pk,
            staff_ids=[] if ignore_busy else staff_ids,
            fetch_start=fetch_start,
            fetch_end=fetch_end,
            first_day=start - dt.timedelta(days=1),
            last_day=end + dt.timedelta(days=1),
            now=now,
        )
    else:
        no_datetime = Cast(Value(None), output_field=FloatField() if epoch else DateTimeField())

        def moment(name: str) -> Func | str:
            if not epoch:
                return name
            return Func(
                F(name),
                template="EXTRACT(EPOCH FROM %(expressions)s)::float8",
                output_field=FloatField(),
            )

        no_int = Cast(Value(None), output_field=IntegerField())
        no_time = Cast(Value(None), output_field=TimeField())
        no_date = Cast(Value(None), output_field=DateField())
        parts = []
        if not ignore_busy:
            parts.append(
                Appointment.objects.for_salon(salon)
                .blocking(now)
                .filter(staff_id__in=staff_ids)
                .overlapping(fetch_start, fetch_end)
                .values_list(
                    Value("a", output_field=CharField()),
                    "staff_id",
                    moment("block_starts_at"),
                    moment("block_ends_at"),
                    no_int,
                    no_time,
                    no_time,
                    no_date,
                )
                .order_by()
            )
            parts.append(
                TimeOff.objects.for_salon(salon)
                .filter(staff_id__in=staff_ids, starts_at__lt=fetch_end, ends_at__gt=fetch_start)
                .values_list(
                    Value("t", output_field=CharField()),
                    "staff_id",
                    moment("starts_at"),
                    moment("ends_at"),
                    no_int,
                    no_time,
                    no_time,
                    no_date,
                )
                .order_by()
            )
        parts.append(
            LocationHours.objects.for_salon(salon)
            .filter(location=location)
            .values_list(
                Value("o", output_field=CharField()),
                no_int,
                no_datetime,
                no_datetime,
                "weekday",
                "opens",
                "closes",
                no_date,
            )
            .order_by()
        )
        parts.append(
            LocationClosure.objects.for_salon(salon)
            .filter(
                location=location,
                date__gte=start - dt.timedelta(days=1),
                date__lte=end + dt.timedelta(days=1),
            )
            .values_list(
                Value("c", output_field=CharField()),
                no_int,
                no_datetime,
                no_datetime,
                no_int,
                no_time,
                no_time,
                "date",
            )
            .order_by()
        )
        union = parts[0].union(*parts[1:], all=True)
        union_rows = list(union)
    for kind, staff_id, busy_start, busy_end, weekday, opens, closes, day in union_rows:
        if kind == "a" or kind == "t":
            if epoch:
                lo, hi = busy_start, busy_end
            else:
                lo, hi = _aware(busy_start).timestamp(), _aware(busy_end).timestamp()
            busy_raw[staff_id].append((lo, hi))
            if kind == "a":
                booked.append((staff_id, lo))
        elif kind == "o":
            opening[weekday].append(_day_range(_time(opens), _time(closes)))
        else:
            closed_days.add(_date(day))

    # 3. The free starts, in seconds.
    range_start_s = int(range_start.timestamp())
    range_end_s = int(range_end.timestamp())
    earliest: float = range_start_s
    latest: float = range_end_s
    if online and not ignore_limits:
        now_s = now.timestamp()
        earliest = max(earliest, now_s + salon.min_notice_minutes * 60)
        latest = min(latest, now_s + salon.max_advance_days * DAY)
    step = max(salon.slot_step_minutes, 1) * 60
    # The highest start any window may offer (before its own end).
    upper = min(latest, range_end_s - 1)

    # The days around the range too: the day before's hours may run past midnight into the
    # first day, and a start late on the last day may run into the next day's hours.
    days = [start + dt.timedelta(days=n) for n in range(-1, (end - start).days + 2)]
    offsets = _Offsets(tz, days)
    open_ranges = _merge(
        (day0 + lo, day0 + hi)
        for day in days
        if day not in closed_days
        for day0 in (_wall_seconds(day),)
        for lo, hi in opening.get(day.weekday(), ())
    )
    day_starts = [(day.weekday(), _wall_seconds(day)) for day in days]
    step_delta = dt.timedelta(seconds=step)
    free_staff_at: dict[int, list[int]] = {}
    window_seconds: list[Seconds] = []
    for staff_id in staff_ids:
        # Busy time merged once, widened into the starts it refuses: a start t is refused
        # when [t - before, t + duration + after) overlaps [busy start, busy end).
        blocked: list[Seconds] = []
        blocked_ends: list[int] = []
        if not ignore_busy:
            for lo, hi in _merge(busy_raw.get(staff_id, ())):
                # Whole seconds: for a whole-second t, lo < t ⇔ floor(lo) < t (ceil for hi).
                blocked_end = math.ceil(hi + before_s)
                blocked.append((math.floor(lo - duration_s - after_s), blocked_end))
                blocked_ends.append(blocked_end)
        weekly = shifts[staff_id]
        shift_ranges = _merge(
            (day0 + lo, day0 + hi)
            for weekday, day0 in day_starts
            for lo, hi in weekly.get(weekday, ())
        )
        # Free windows: shifts ∩ opening hours; ranges touching (at midnight, or a shift
        # continued by the next) are one window with one grid.
        for first, last in _intersect(shift_ranges, open_ranges):
            offset = offsets.constant(first, last)
            if offset is not None:
                origin, window_end = first - offset, last - offset
                window_seconds.append((origin, window_end))
                hi = min(upper, window_end - duration_s)
                if hi < origin:
                    continue
                k_lo = max(0, math.ceil((earliest - origin) / step))
                k_hi = math.floor((hi - origin) / step)
                if k_hi < k_lo:
                    continue
                starts = _free_starts(origin, step, k_lo, k_hi, blocked, blocked_ends)
            else:
                starts = _dst_day_starts(
                    _wall_datetime(first),
                    _wall_datetime(last),
                    tz,
                    step_delta,
                    window_seconds,
                    earliest=earliest,
                    upper=upper,
                    duration_s=duration_s,
                    blocked=blocked,
                    blocked_ends=blocked_ends,
                )
            for t in starts:
                ids = free_staff_at.get(t)
                if ids is None:
                    free_staff_at[t] = [staff_id]
                elif ids[-1] != staff_id:
                    ids.append(staff_id)

    slots = [
        Slot(starts_at=dt.datetime.fromtimestamp(t, tz), staff_ids=tuple(free_staff_at[t]))
        for t in sorted(free_staff_at)
    ]
    return Availability(
        location=location,
        service=service,
        slots=slots,
        staff=staff_by_id,
        booked=booked,
        window_seconds=window_seconds,
    )


def _dst_day_starts(
    first: dt.datetime,
    last: dt.datetime,
    tz: dt.tzinfo,
    step: dt.timedelta,
    window_seconds: list[Seconds],
    *,
    earliest: float,
    upper: float,
    duration_s: int,
    blocked: list[Seconds],
    blocked_ends: list[int],
) -> list[int]:
    """The free starts of a window on a day whose UTC offset changes: the wall-clock grid
    label by label (`_grid`)."""
    window_start = int(_wall_to_utc(first, tz).timestamp())
    window_end = int(_wall_to_utc(last, tz).timestamp())
    window_seconds.append((window_start, window_end))
    out = []
    for moment in _grid(first, last, tz, step):
        t = int(moment.timestamp())
        if t < earliest or t > upper or t + duration_s > window_end:
            continue
        if not _is_blocked(t, blocked, blocked_ends):
            out.append(t)
    return out
