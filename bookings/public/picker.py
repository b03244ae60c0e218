"""The day-and-time picker: a week strip and the free start times of the chosen day.

One `availability_get` call covers the whole visible week (a constant number of queries
however many appointments there are); days outside today..last bookable day are shown
disabled, and the week links stop at those bounds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.availability import Availability, availability_get
from bookings.models import Location, Salon, Service, StaffMember
from bookings.services.booking import BookingRequest, booking_refusal

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
) -> Picker:
    """`staff_allowed`: the staff this visitor may book (bookings/passcodes.py); "any
    available" offers only their times. None (rescheduling by signed link): everyone."""
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

    week_start = (chosen or first) - dt.timedelta(days=(chosen or first).weekday())
    week = [week_start + dt.timedelta(days=n) for n in range(7)]
    range_start, range_end = max(week[0], first), min(week[-1], last)
    availability: Availability | None = None
    if range_start <= range_end:
        availability = availability_get(
            salon=salon,
            location=location,
            service=service,
            start=range_start,
            end=range_end,
            staff=staff,
            now=now,
            online=True,
            staff_allowed=staff_allowed,
        )
    slots_by_day: dict[dt.date, list[dt.datetime]] = {}
    for slot in availability.slots if availability else []:
        slots_by_day.setdefault(slot.starts_at.date(), []).append(slot.starts_at)
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
        PickerTime(starts_at=t, value=t.isoformat(), url=time_url(t))
        for t in slots_by_day.get(chosen, [])
    ]
    if week[0] > first:
        picker.prev_url = day_url(max(week[0] - dt.timedelta(days=7), first))
    if week[-1] < last:
        picker.next_url = day_url(week[-1] + dt.timedelta(days=1))
    return picker


def offered_staff(
    *,
    salon: Salon,
    location: Location,
    service: Service,
    staff: StaffMember | None,
    starts_at: dt.datetime,
    now: dt.datetime | None = None,
    staff_allowed: Callable[[StaffMember], bool] | None = None,
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
            ),
            online=True,
        )
        if refusal is not None:
            return " ".join(refusal.messages), 400
        return _("That time is not available. Please choose another time."), 409
    return "", 200
