"""Reads of the public booking site: only what a client may book online, always within the
salon in the URL. Lookups by id answer 404 alike for "missing", "not bookable" and "another
salon's"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from bookings.models import (
    Appointment,
    Client,
    Location,
    LocationClosure,
    LocationHours,
    Salon,
    Service,
    StaffLocation,
    StaffMember,
    StaffService,
)
from bookings.selectors import tenant_get


def public_location_list(*, salon: Salon) -> QuerySet[Location]:
    return Location.objects.for_salon(salon).filter(is_active=True)


def public_location_get(*, salon: Salon, pk: Any) -> Location:
    return tenant_get(Location, salon=salon, pk=pk, queryset=public_location_list(salon=salon))


@dataclass
class OpeningDay:
    date: dt.date
    is_today: bool
    ranges: list[tuple[str, str]] = field(default_factory=list)  # ("09:00", "17:00")
    closed_reason: str = ""  # a closed day (holiday) of the location
    closed: bool = False


def location_map_url(location: Location) -> str:
    """An OpenStreetMap search for the address (a plain link: no embedded map)."""
    parts = [location.address, location.postal_code, location.city, location.country]
    query = ", ".join(p for p in parts if p)
    if not location.address and not location.city:
        return ""
    return "https://www.openstreetmap.org/search?" + urlencode({"query": query})


def public_locations_with_info(
    *, salon: Salon, locations: list[Location], now: dt.datetime | None = None
) -> list[Location]:
    """Attach what the public site tells about each location: `week` (the next seven days
    from today in the location's zone, each with its opening ranges or closed) and `map_url`.
    Two queries however many locations."""
    now = now or timezone.now()
    ids = [location.pk for location in locations]
    hours: dict[tuple[int, int], list[LocationHours]] = {}
    for row in LocationHours.objects.for_salon(salon).filter(location_id__in=ids):
        hours.setdefault((row.location_id, row.weekday), []).append(row)
    first = min((now.astimezone(loc.tzinfo).date() for loc in locations), default=now.date())
    closures = {
        (row.location_id, row.date): row
        for row in LocationClosure.objects.for_salon(salon).filter(
            location_id__in=ids, date__gte=first, date__lte=first + dt.timedelta(days=8)
        )
    }
    for location in locations:
        today = now.astimezone(location.tzinfo).date()
        week = []
        for offset in range(7):
            date = today + dt.timedelta(days=offset)
            day = OpeningDay(date=date, is_today=offset == 0)
            closure = closures.get((location.pk, date))
            if closure is not None:
                day.closed, day.closed_reason = True, closure.reason
            else:
                rows = sorted(hours.get((location.pk, date.weekday()), []), key=lambda r: r.opens)
                day.ranges = [(r.opens.strftime("%H:%M"), r.closes_label) for r in rows]
                day.closed = not day.ranges
            week.append(day)
        location.week = week  # type: ignore[attr-defined]
        location.map_url = location_map_url(location)  # type: ignore[attr-defined]
    return locations


def public_staff_list(
    *, salon: Salon, location: Location, service: Service
) -> QuerySet[StaffMember]:
    """Active staff offered online who perform the service at the location."""
    return (
        StaffMember.objects.for_salon(salon)
        .filter(is_active=True, offered_online=True)
        .filter(
            Exists(
                StaffLocation.objects.for_salon(salon).filter(
                    staff=OuterRef("pk"), location=location
                )
            ),
            Exists(
                StaffService.objects.for_salon(salon).filter(staff=OuterRef("pk"), service=service)
            ),
        )
        .order_by("name", "pk")
    )


def public_staff_online_list(*, salon: Salon) -> QuerySet[StaffMember]:
    """Active staff offered online, wherever they work."""
    return StaffMember.objects.for_salon(salon).filter(is_active=True, offered_online=True)


def public_staff_at_location_get(*, salon: Salon, location: Location, pk: Any) -> StaffMember:
    """A staff member offered online at the location, whatever the service (the target of a
    personal passcode form); 404 otherwise."""
    queryset = public_staff_online_list(salon=salon).filter(
        Exists(
            StaffLocation.objects.for_salon(salon).filter(staff=OuterRef("pk"), location=location)
        )
    )
    return tenant_get(StaffMember, salon=salon, pk=pk, queryset=queryset)


def public_service_list(*, salon: Salon, location: Location) -> QuerySet[Service]:
    """Services bookable online at the location: active, online bookable, and performed there
    by at least one active staff member offered online."""
    performer = StaffService.objects.for_salon(salon).filter(
        service=OuterRef("pk"),
        staff__is_active=True,
        staff__offered_online=True,
        staff__in=StaffLocation.objects.for_salon(salon).filter(location=location).values("staff"),
    )
    return (
        Service.objects.for_salon(salon)
        .filter(is_active=True, online_bookable=True)
        .filter(Exists(performer))
        .select_related("category")
        .order_by("category__position", "category__name", "name", "pk")
    )


def public_service_get(*, salon: Salon, location: Location, pk: Any) -> Service:
    return tenant_get(
        Service, salon=salon, pk=pk, queryset=public_service_list(salon=salon, location=location)
    )


def public_staff_get(*, salon: Salon, location: Location, service: Service, pk: Any) -> StaffMember:
    return tenant_get(
        StaffMember,
        salon=salon,
        pk=pk,
        queryset=public_staff_list(salon=salon, location=location, service=service),
    )


def public_staff_choice(
    *, salon: Salon, location: Location, service: Service, raw: str | None
) -> StaffMember | None:
    """The `staff` query parameter: "any" (or nothing) is None, else a bookable staff member."""
    if raw in (None, "", "any"):
        return None
    return public_staff_get(salon=salon, location=location, service=service, pk=raw)


def client_of_user(*, salon: Salon, user: Any) -> Client | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Client.objects.for_salon(salon).filter(user=user).first()


def client_appointments(
    *, salon: Salon, client: Client, limit: int = 50
) -> tuple[list[Appointment], list[Appointment]]:
    """(upcoming booked ones, soonest first; the rest, latest first), at most `limit` each."""
    now = timezone.now()
    qs = (
        Appointment.objects.for_salon(salon)
        .filter(client=client)
        .select_related("location", "service", "staff")
    )
    upcoming_filter = {"status": Appointment.Status.BOOKED, "starts_at__gte": now}
    upcoming = list(qs.filter(**upcoming_filter).order_by("starts_at", "pk")[:limit])
    past = list(qs.exclude(**upcoming_filter).order_by("-starts_at", "-pk")[:limit])
    return upcoming, past
