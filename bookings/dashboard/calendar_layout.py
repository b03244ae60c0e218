"""The owner calendar's layout model: where appointments, time off and the shading of hours
nobody works go in the day and week grids, in minutes of the location's wall clock (no views
here; `calendar.py` renders it, `static/js/calendar.js` turns the numbers into positions).

- Day view: per day a column per staff member.
- Week view: per day one column of all the day's staff (or the one chosen); appointments that
  overlap sit side by side (`lane` of `lanes`), coloured by staff member (`staff_colours`:
  their own colour, or a distinct one when two share it).
- Shading: the complement of (working hours ∩ opening hours) inside the grid, per column; a
  closed day is shaded whole."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from bookings.models import Location, StaffMember
from bookings.models.catalogue import END_OF_DAY
from bookings.selectors_calendar import CalendarData

DEFAULT_OPENS = dt.time(8)
DEFAULT_CLOSES = dt.time(20)
DAY_MINUTES = 24 * 60


@dataclass(frozen=True)
class Placed:
    """An appointment or time off in one day column: minutes from the top of the grid. In the
    week view several staff share a day column: overlapping appointments sit side by side
    (`lane` of `lanes`)."""

    item: Any
    top: int
    height: int
    starts: dt.datetime  # local
    ends: dt.datetime  # local
    lane: int = 0
    lanes: int = 1
    colour: str = ""  # the week view: the staff member's colour (`staff_colours`)

    @property
    def is_short(self) -> bool:
        """Up to 45 minutes: one line of time and name, then the service."""
        return self.height <= 45


@dataclass(frozen=True)
class Shade:
    """Time nobody works (or the location is closed) in a column, for the grey shading."""

    top: int
    height: int


@dataclass
class Column:
    day: dt.date
    staff: StaffMember | None  # None: the week view's column of all the day's staff
    appointments: list[Placed] = field(default_factory=list)
    time_off: list[Placed] = field(default_factory=list)
    shades: list[Shade] = field(default_factory=list)


@dataclass
class Day:
    date: dt.date
    closed: bool
    is_today: bool
    columns: list[Column]


@dataclass
class Grid:
    start_minute: int
    end_minute: int
    days: list[Day]

    @property
    def minutes(self) -> int:
        return self.end_minute - self.start_minute

    @property
    def hours(self) -> list[str]:
        return [f"{hour:02d}:00" for hour in range(self.start_minute // 60, self.end_minute // 60)]


def _minute_of(moment: dt.datetime) -> int:
    return moment.hour * 60 + moment.minute


def _day_segments(
    starts_at: dt.datetime, ends_at: dt.datetime, days: list[dt.date], location: Location
) -> Iterator[tuple[dt.date, int, int, dt.datetime, dt.datetime]]:
    """The part of [starts_at, ends_at) on each shown day, in minutes of the local clock."""
    tz = location.tzinfo
    local_start, local_end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    for day in days:
        day_start = dt.datetime.combine(day, dt.time(), tzinfo=tz)
        day_end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        if local_start >= day_end or local_end <= day_start:
            continue
        top = 0 if local_start < day_start else _minute_of(local_start)
        bottom = DAY_MINUTES if local_end >= day_end else _minute_of(local_end)
        yield day, top, max(bottom, top + 1), local_start, local_end


MinuteRange = tuple[int, int]


def _weekly_minutes(
    hours: dict[int, list[tuple[dt.time, dt.time]]], day: dt.date
) -> list[MinuteRange]:
    """Weekly hours as minute ranges of `day`: its own (to midnight when they run past it) and
    the part after midnight of the day before's overnight hours."""
    ranges: list[MinuteRange] = []
    for opens, closes in hours.get(day.weekday(), ()):
        first = opens.hour * 60 + opens.minute
        last = DAY_MINUTES if closes == END_OF_DAY else closes.hour * 60 + closes.minute
        ranges.append((first, last if last > first else DAY_MINUTES))
    for opens, closes in hours.get((day - dt.timedelta(days=1)).weekday(), ()):
        if closes != END_OF_DAY and closes <= opens:
            ranges.append((0, closes.hour * 60 + closes.minute))
    return _merge_ranges(ranges)


def _merge_ranges(ranges: list[MinuteRange]) -> list[MinuteRange]:
    merged: list[MinuteRange] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
        else:
            merged.append((first, last))
    return merged


def _intersect_ranges(a: list[MinuteRange], b: list[MinuteRange]) -> list[MinuteRange]:
    return [(max(x0, y0), min(x1, y1)) for x0, x1 in a for y0, y1 in b if max(x0, y0) < min(x1, y1)]


def _shades(working: list[MinuteRange], start: int, end: int) -> list[Shade]:
    """The complement of `working` inside [start, end), relative to the grid's top."""
    shades, cursor = [], start
    for first, last in _merge_ranges(working):
        if first > cursor:
            shades.append(Shade(cursor - start, min(first, end) - cursor))
        cursor = max(cursor, last)
        if cursor >= end:
            break
    if cursor < end:
        shades.append(Shade(cursor - start, end - cursor))
    return [shade for shade in shades if shade.height > 0]


# Distinct colours for staff members who share one (e.g. everyone still on the default).
STAFF_PALETTE = (
    "#0ea5e9",
    "#f59e0b",
    "#10b981",
    "#ef4444",
    "#8b5cf6",
    "#ec4899",
    "#14b8a6",
    "#f97316",
    "#6366f1",
    "#84cc16",
)


def staff_colours(staff: list[StaffMember]) -> dict[int, str]:
    """Each staff member's colour for the week view, where colour tells the staff apart: their
    own, unless someone listed earlier has it already — then the first unused palette colour."""
    used: set[str] = set()
    colours: dict[int, str] = {}
    for member in staff:
        colour = (member.color or "").lower()
        if not colour or colour in used:
            colour = next((c for c in STAFF_PALETTE if c not in used), colour or STAFF_PALETTE[0])
        used.add(colour)
        colours[member.pk] = colour
    return colours


def _assign_lanes(blocks: list[Placed]) -> list[Placed]:
    """Side by side where they overlap: each cluster of overlapping blocks gets as many lanes
    as it needs at most at once; a block takes the first lane free at its top."""
    result: list[Placed] = []
    cluster: list[Placed] = []
    lane_ends: list[int] = []
    cluster_end = -1

    def flush() -> None:
        lanes = max(len(lane_ends), 1)
        result.extend(replace(block, lanes=lanes) for block in cluster)

    for block in sorted(blocks, key=lambda b: (b.top, -b.height)):
        if cluster and block.top >= cluster_end:
            flush()
            cluster, lane_ends = [], []
        lane = next((i for i, end in enumerate(lane_ends) if end <= block.top), len(lane_ends))
        bottom = block.top + max(block.height, 1)
        if lane == len(lane_ends):
            lane_ends.append(bottom)
        else:
            lane_ends[lane] = bottom
        cluster.append(replace(block, lane=lane))
        cluster_end = max(cluster_end, bottom)
    if cluster:
        flush()
    return result


def calendar_grid(
    data: CalendarData, *, today: dt.date, per_staff: bool = True, staff_filter: int | None = None
) -> Grid:
    """The layout of `data`: per day a column per staff member (`per_staff`, the day view) or
    one column of all of them (the week view; `staff_filter` keeps one staff member)."""
    location = data.location
    opens = data.opens or DEFAULT_OPENS
    closes = data.closes or DEFAULT_CLOSES
    first, last = _minute_of(opens), _minute_of(closes) or DAY_MINUTES
    if closes == END_OF_DAY:  # "24:00" (bookings/models/catalogue.py)
        last = DAY_MINUTES
    if last <= first:
        first, last = _minute_of(DEFAULT_OPENS), _minute_of(DEFAULT_CLOSES)

    staff = [m for m in data.staff if staff_filter is None or m.pk == staff_filter]
    shown = {member.pk for member in staff}
    appointment_parts = []
    for appointment in data.appointments:
        if appointment.staff_id not in shown:
            continue
        for day, top, bottom, local_start, local_end in _day_segments(
            appointment.starts_at, appointment.ends_at, data.days, location
        ):
            appointment_parts.append((appointment, day, top, bottom, local_start, local_end))
            first, last = min(first, top), max(last, bottom)
    start_minute = first // 60 * 60
    end_minute = min(DAY_MINUTES, -(-last // 60) * 60)

    def placed(item: Any, top: int, bottom: int, starts: dt.datetime, ends: dt.datetime) -> Placed:
        top, bottom = max(top, start_minute), min(bottom, end_minute)
        return Placed(item, top - start_minute, bottom - top, starts, ends)

    def column_key(day: dt.date, staff_id: int) -> tuple[dt.date, int]:
        return (day, staff_id if per_staff else 0)

    columns: dict[tuple[dt.date, int], Column] = {}
    days = []
    for day in data.days:
        closed = day in data.closed_days
        opening = [] if closed else _weekly_minutes(data.opening, day)
        if per_staff:
            day_columns = [Column(day=day, staff=member) for member in staff]
        else:
            day_columns = [Column(day=day, staff=staff[0] if staff_filter and staff else None)]
        for column in day_columns:
            members = [column.staff] if column.staff is not None else staff
            working: list[MinuteRange] = []
            for member in members:
                working += _weekly_minutes(
                    {wd: hours for (sid, wd), hours in data.working.items() if sid == member.pk},
                    day,
                )
            if not data.opening:  # no opening hours set: the staff's hours alone
                free = _merge_ranges(working)
            else:
                free = _intersect_ranges(_merge_ranges(working), opening)
            column.shades = _shades(free, start_minute, end_minute)
            columns[column_key(day, column.staff.pk if column.staff else 0)] = column
        days.append(Day(date=day, closed=closed, is_today=day == today, columns=day_columns))
    for appointment, day, top, bottom, local_start, local_end in appointment_parts:
        column = columns.get(column_key(day, appointment.staff_id))
        if column is not None:
            column.appointments.append(placed(appointment, top, bottom, local_start, local_end))
    for time_off in data.time_off:
        if time_off.staff_id not in shown or (not per_staff and staff_filter is None):
            continue  # the all-staff week column shows appointments only
        for day, top, bottom, local_start, local_end in _day_segments(
            time_off.starts_at, time_off.ends_at, data.days, location
        ):
            column = columns.get(column_key(day, time_off.staff_id))
            if column is not None and bottom > start_minute and top < end_minute:
                column.time_off.append(placed(time_off, top, bottom, local_start, local_end))
    if not per_staff:
        colours = staff_colours(data.staff)
        for column in columns.values():
            column.appointments = _assign_lanes(
                [replace(b, colour=colours.get(b.item.staff_id, "")) for b in column.appointments]
            )
    return Grid(start_minute=start_minute, end_minute=end_minute, days=days)
