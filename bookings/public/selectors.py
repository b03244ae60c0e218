"""Reads of the public booking site: only what a client may book online, always within the
salon in the URL. Lookups by id answer 404 alike for "missing", "not bookable" and "another
salon's"."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from bookings.models import (
    Appointment,
    Client,
    Location,
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
