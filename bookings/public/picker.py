"""The day-and-time picker: a week strip and the free start times of the chosen day.

One `availability_get` call covers the whole visible week (a constant number of queries
however many appointments there are); days outside today..last bookable day are shown
disabled, and the week links stop at those bounds. Days of the week without a free time are
marked as such from that same computation, before anyone taps them.

The chosen day's times come in groups by the location's wall clock: morning (before 12:00),
afternoon (12:00–17:00) and evening (from 17:00).

"First available" is the nearest free time from now across the whole booking horizon (today
to the last bookable day) for the chosen service and staff. When the visible week starts
today it is the week's first free time (no extra query); otherwise the horizon is read in
steps of `MAX_RANGE_DAYS` (the most one availability call covers), stopping at the first step
with a free time — a constant number of queries per step, at most ceil(horizon / 31) steps.

`default_day` opens the picker on that day's week when no day is asked for (rescheduling opens
on the appointment's own week). `no_change_before`: times before it are flagged `locks` (a
booking moved there can no longer be changed online; bookings/services/self_service.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bookings.availability import MAX_RANGE_DAYS, Availability, availability_get
from bookings.availability_cache import availability_cached
from bookings.booking_scope import BookingScope
from bookings.models import Location, Salon, Service, StaffMember
from bookings.services.booking import BookingRequest, booking_refusal
from languages.formats import week_start

from .forms import QueryParamError, parse_day


@dataclass
class PickerDay:
    date: dt.date
    url: str
    bookable: bool
    has_slots: bool
    selected: bool


@dataclass
class PickerTime:
    starts_at: dt.datetime
    value: str
    url: str
    # True: a booking moved to this time can no longer be changed online (rescheduling)
    locks: bool = False
    first: bool = False  # the first available time of the whole horizon

    @property
    def anchor(self) -> str:
        """The element id of this time in the list (the "first available" link's target)."""
        return "t-" + self.starts_at.strftime("%Y%m%d%H%M")


# The parts of the day, by the location's wall clock: (key, label, from hour).
PERIODS: tuple[tuple[str, str, int], ...] = (
    ("morning", gettext_lazy("Morning"), 0),
    ("afternoon", gettext_lazy("Afternoon"), 12),
    ("evening", gettext_lazy("Evening"), 17),
)


def period_of(moment: dt.datetime) -> str:
    """ "morning", "afternoon" or "evening" of a local (aware, location zone) time."""
    key = PERIODS[0][0]
    for name, _label, from_hour in PERIODS:
        if moment.hour >= from_hour:
            key = name
    return key


@dataclass
class PickerGroup:
    key: str
    label: str
    times: list[PickerTime]


@dataclass
class FirstAvailable:
    starts_at: dt.datetime
    url: str  # the day's picker, scrolled to the time (`#anchor`)
    on_chosen_day: bool


@dataclass
class Picker:
    location: Location
    time_zone: str
    chosen: dt.date
    days: list[PickerDay] = field(default_factory=list)
    times: list[PickerTime] = field(default_factory=list)
    prev_url: str = ""
    next_url: str = ""
    error: str = ""
    status: int = 200
    first_available: FirstAvailable | None = None
    # whether any time of the chosen day `locks` (the legend is shown)
    any_locks: bool = False

    @property
    def groups(self) -> list[PickerGroup]:
        """The chosen day's times by part of the day; empty parts left out."""
        by_key: dict[str, list[PickerTime]] = {}
        for time in self.times:
            by_key.setdefault(period_of(time.starts_at), []).append(time)
        return [
            PickerGroup(key=key, label=str(label), times=by_key[key])
            for key, label, _hour in PERIODS
            if by_key.get(key)
        ]

    @property
    def days_without_times(self) -> int:
        return sum(1 for day in self.days if day.bookable and not day.has_slots)


def bookable_days(salon: Salon, location: Location, now: dt.datetime) -> tuple[dt.date, dt.date]:
    tz = location.tzinfo
    first = now.astimezone(tz).date()
    last = (now + dt.timedelta(days=salon.max_advance_days)).astimezone(tz).date()
    return first, last


def check_day(salon: Salon, location: Location, day: dt.date, now: dt.datetime) -> str:
    """Why the day cannot be picked, or "" when it can."""
    first, last = bookable_days(salon, location, now)
    if day < first:
        return _("That day is in the past. Choose another day.")
    if day > last:
        return _("Bookings open at most %(days)d days ahead. Choose an earlier day.") % {
            "days": salon.max_advance_days
        }
    return ""


def build_picker(
    *,
    salon: Salon,
    location: Location,
    service: Service,
    staff: StaffMember | None,
    raw_date: str | None,
    day_url: Callable[[dt.date], str],
    time_url: Callable[[dt.datetime], str],
    now: dt.datetime | None = None,
    error: str = "",
    status: int = 200,
    staff_allowed: Callable[[StaffMember], bool] | None = None,
    scope: BookingScope | None = None,
    default_day: dt.date | None = None,
    no_change_before: dt.datetime | None = None,
) -> Picker:
    """`staff_allowed`: the staff this visitor may book (bookings/passcodes.py); "any
    available" offers only their times. None (rescheduling by signed link): everyone.
    `scope`: an invitation link's staff instead of those offered online
    (bookings/booking_scope.py). `default_day`, `no_change_before`: see the module."""
    now = now or timezone.now()
    first, last = bookable_days(salon, location, now)
    chosen: dt.date | None = None
    try:
        chosen = parse_day(raw_date)
    except QueryParamError as exc:
        error, status = str(exc.message), 400
    if chosen is not None:
        problem = check_day(salon, location, chosen, now)
        if problem:
            error, status, chosen = problem, 400, None
    opened_on_default = raw_date in (None, "") and default_day is not None and not error
    if opened_on_default and default_day is not None:
        # Open on that day's week (a full day gives way to the nearest free one, below).
        chosen = min(max(default_day, first), last)

    # The week as the page's language counts it (languages/formats.py; Monday in all of ours).
    first_of_week = week_start(chosen or first)
    week = [first_of_week + dt.timedelta(days=n) for n in range(7)]
    range_start, range_end = max(week[0], first), min(week[-1], last)
    availability: Availability | None = None
    if range_start <= range_end:
        availability = availability_cached(
            salon=salon,
            location=location,
            service=service,
            start=range_start,
            end=range_end,
            staff=staff,
            now=now,
            staff_allowed=staff_allowed,
            online_staff_ids=scope.staff_ids if scope is not None else None,
        )
    slots_by_day: dict[dt.date, list[dt.datetime]] = {}
    for slot in availability.slots if availability else []:
        slots_by_day.setdefault(slot.starts_at.date(), []).append(slot.starts_at)
    if opened_on_default and chosen is not None and not slots_by_day.get(chosen):
        # The default day is full: the free day of its week nearest to it, if any.
        with_slots = [d for d in week if slots_by_day.get(d)]
        if with_slots:
            target = chosen
            chosen = min(with_slots, key=lambda d: (abs((d - target).days), d))
    if chosen is None:
        # The first day of the week that has free times, else the first bookable one.
        with_slots = [d for d in week if slots_by_day.get(d)]
        chosen = with_slots[0] if with_slots else range_start if range_start <= range_end else first

    picker = Picker(
        location=location, time_zone=location.time_zone, chosen=chosen, error=error, status=status
    )
    for day in week:
        picker.days.append(
            PickerDay(
                date=day,
                url=day_url(day),
                bookable=first <= day <= last,
                has_slots=bool(slots_by_day.get(day)),
                selected=day == chosen,
            )
        )
    picker.times = [
        PickerTime(
            starts_at=t,
            value=t.isoformat(),
            url=time_url(t),
            locks=no_change_before is not None and t < no_change_before,
        )
        for t in slots_by_day.get(chosen, [])
    ]
    picker.any_locks = any(time.locks for time in picker.times)
    nearest = _first_available(
        salon=salon,
        location=location,
        service=service,
        staff=staff,
        now=now,
        first=first,
        last=last,
        visible=availability if range_start == first else None,
        visible_end=range_end,
        staff_allowed=staff_allowed,
        scope=scope,
    )
    if nearest is not None:
        anchor = PickerTime(starts_at=nearest, value="", url="").anchor
        picker.first_available = FirstAvailable(
            starts_at=nearest,
            url=f"{day_url(nearest.date())}#{anchor}",
            on_chosen_day=nearest.date() == chosen,
        )
        for time in picker.times:
            time.first = time.starts_at == nearest
    if week[0] > first:
        picker.prev_url = day_url(max(week[0] - dt.timedelta(days=7), first))
    if week[-1] < last:
        picker.next_url = day_url(week[-1] + dt.timedelta(days=1))
    return picker


def _first_available(
    *,
    salon: Salon,
    location: Location,
    service: Service,
    staff: StaffMember | None,
    now: dt.datetime,
    first: dt.date,
    last: dt.date,
    visible: Availability | None,
    visible_end: dt.date,
    staff_allowed: Callable[[StaffMember], bool] | None,
    scope: BookingScope | None,
) -> dt.datetime | None:
    """The nearest free start from now to the last bookable day (see the module)."""
    start = first
    if visible is not None:
        # The visible range starts today: its first free time is the answer, if it has one;
        # else the search goes on after it.
        if visible.slots:
            return min(slot.starts_at for slot in visible.slots)
        start = visible_end + dt.timedelta(days=1)
    while start <= last:
        end = min(start + dt.timedelta(days=MAX_RANGE_DAYS - 1), last)
        found = availability_cached(
            salon=salon,
            location=location,
            service=service,
            start=start,
            end=end,
            staff=staff,
            now=now,
            staff_allowed=staff_allowed,
            online_staff_ids=scope.staff_ids if scope is not None else None,
        )
        if found.slots:
            return min(slot.starts_at for slot in found.slots)
        start = end + dt.timedelta(days=1)
    return None


def offered_staff(
    *,
    salon: Salon,
    location: Location,
    service: Service,
    staff: StaffMember | None,
    starts_at: dt.datetime,
    now: dt.datetime | None = None,
    staff_allowed: Callable[[StaffMember], bool] | None = None,
    scope: BookingScope | None = None,
) -> list[StaffMember]:
    """Who is free to do it at exactly that time (empty: not an offered time)."""
    day = starts_at.astimezone(location.tzinfo).date()
    availability = availability_get(
        salon=salon,
        location=location,
        service=service,
        start=day,
        end=day,
        staff=staff,
        now=now,
        online=True,
        staff_allowed=staff_allowed,
        online_staff_ids=scope.staff_ids if scope is not None else None,
    )
    return availability.staff_for(starts_at)


def start_problem(
    *,
    salon: Salon,
    location: Location,
    service: Service,
    staff: StaffMember | None,
    starts_at: dt.datetime,
    now: dt.datetime | None = None,
    staff_allowed: Callable[[StaffMember], bool] | None = None,
    scope: BookingScope | None = None,
) -> tuple[str, int]:
    """(message, status) when the start time cannot be booked online, ("", 200) when it can."""
    now = now or timezone.now()
    if starts_at <= now:
        return _("That time is in the past. Choose another time."), 400
    day_problem = check_day(salon, location, starts_at.astimezone(location.tzinfo).date(), now)
    if day_problem:
        return day_problem, 400
    if not offered_staff(
        salon=salon,
        location=location,
        service=service,
        staff=staff,
        starts_at=starts_at,
        now=now,
        staff_allowed=staff_allowed,
        scope=scope,
    ):
        # A time that never was a slot says why (400); one taken meanwhile is a 409.
        refusal = booking_refusal(
            salon,
            BookingRequest(
                location=location,
                service=service,
                starts_at=starts_at,
                staff=staff,
                staff_allowed=staff_allowed,
                scope=scope,
            ),
            online=True,
        )
        if refusal is not None:
            return " ".join(refusal.messages), 400
        return _("That time is not available. Please choose another time."), 409
    return "", 200
