"""Reads of the owner calendar: who works at a location, and their appointments and time off
over a range of days — in a constant number of queries, whatever the number of appointments.

Days are the location's calendar days: the range runs from local midnight of the first day to
local midnight after the last one (a DST day is 23 or 25 hours long)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max, Min, QuerySet

from bookings.models import (
    Appointment,
    Location,
    LocationClosure,
    LocationHours,
    Salon,
    StaffMember,
    TimeOff,
)
from bookings.models.appointments import MAX_BLOCK
from bookings.selectors import location_list, tenant_get

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
    hours = (
        LocationHours.objects.for_salon(salon)
        .filter(location=location)
        .aggregate(opens=Min("opens"), closes=Max("closes"))
    )
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
    )


def calendar_appointment_get(*, salon: Salon, pk: object) -> Appointment:
    """One appointment with what the detail panel shows; 404 if missing or another salon's."""
    queryset: QuerySet[Appointment] = Appointment.objects.select_related(
        "location", "staff", "service", "client"
    )
    return tenant_get(Appointment, salon=salon, pk=pk, queryset=queryset)


def calendar_staff_choices(*, salon: Salon | int) -> QuerySet[StaffMember]:
    return StaffMember.objects.for_salon(salon).filter(is_active=True).order_by("name", "pk")
