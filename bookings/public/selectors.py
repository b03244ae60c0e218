"""Reads of the public booking site: only what a client may book online, always within the
salon in the URL. Lookups by id answer 404 alike for "missing", "not bookable" and "another
salon's". Services hidden for segments (`Service.visibility`) and staff not offered online
appear only with the `scope` of an invitation link (bookings/booking_scope.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from bookings.booking_scope import BookingScope
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


def _scoped_staff(
    queryset: QuerySet[StaffMember], scope: BookingScope | None
) -> QuerySet[StaffMember]:
    """Staff offered online, or the staff of an invitation link (bookings/booking_scope.py)."""
    if scope is not None and scope.staff_ids is not None:
        return queryset.filter(pk__in=list(scope.staff_ids))
    return queryset.filter(offered_online=True)


def public_staff_list(
    *, salon: Salon, location: Location, service: Service, scope: BookingScope | None = None
) -> QuerySet[StaffMember]:
    """Active staff offered online (or the link's staff) who perform the service at the
    location."""
    return (
        _scoped_staff(StaffMember.objects.for_salon(salon).filter(is_active=True), scope)
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


def public_staff_at_location_get(
    *, salon: Salon, location: Location, pk: Any, scope: BookingScope | None = None
) -> StaffMember:
    """A staff member offered online (or the link's) at the location, whatever the service
    (the target of a personal passcode form); 404 otherwise."""
    staff = StaffMember.objects.for_salon(salon).filter(is_active=True)
    queryset = _scoped_staff(staff, scope).filter(
        Exists(
            StaffLocation.objects.for_salon(salon).filter(staff=OuterRef("pk"), location=location)
        )
    )
    return tenant_get(StaffMember, salon=salon, pk=pk, queryset=queryset)


def public_service_list(
    *, salon: Salon, location: Location, scope: BookingScope | None = None
) -> QuerySet[Service]:
    """Services bookable online at the location: active, online bookable, public (or, through
    an invitation link, the link's services), and performed there by at least one active staff
    member offered online (or one of the link's staff)."""
    performer = StaffService.objects.for_salon(salon).filter(
        service=OuterRef("pk"),
        staff__is_active=True,
        staff__in=StaffLocation.objects.for_salon(salon).filter(location=location).values("staff"),
    )
    if scope is not None and scope.staff_ids is not None:
        performer = performer.filter(staff_id__in=list(scope.staff_ids))
    else:
        performer = performer.filter(staff__offered_online=True)
    services = Service.objects.for_salon(salon).filter(is_active=True, online_bookable=True)
    if scope is None:
        services = services.filter(visibility=Service.Visibility.PUBLIC)
    else:
        services = services.filter(pk__in=list(scope.service_ids))
    return (
        services.filter(Exists(performer))
        .select_related("category")
        .order_by("category__position", "category__name", "name", "pk")
    )


def public_service_get(
    *, salon: Salon, location: Location, pk: Any, scope: BookingScope | None = None
) -> Service:
    return tenant_get(
        Service,
        salon=salon,
        pk=pk,
        queryset=public_service_list(salon=salon, location=location, scope=scope),
    )


def public_staff_get(
    *,
    salon: Salon,
    location: Location,
    service: Service,
    pk: Any,
    scope: BookingScope | None = None,
) -> StaffMember:
    return tenant_get(
        StaffMember,
        salon=salon,
        pk=pk,
        queryset=public_staff_list(salon=salon, location=location, service=service, scope=scope),
    )


def public_staff_choice(
    *,
    salon: Salon,
    location: Location,
    service: Service,
    raw: str | None,
    scope: BookingScope | None = None,
) -> StaffMember | None:
    """The `staff` query parameter: "any" (or nothing) is None, else a bookable staff member."""
    if raw in (None, "", "any"):
        return None
    return public_staff_get(salon=salon, location=location, service=service, pk=raw, scope=scope)


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
