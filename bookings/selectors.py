"""Reads of the bookings domain. Every function takes the salon; lookups by id answer 404
alike for "missing" and "another salon's" (never 403)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from bookings.models import (
    Appointment,
    Client,
    Location,
    Membership,
    Salon,
    Service,
    ServiceCategory,
    StaffMember,
    TenantModel,
    WorkingHours,
)


def tenant_get[T: TenantModel](
    model: type[T], *, salon: Salon, pk: Any, queryset: QuerySet[T] | None = None
) -> T:
    """The one way to fetch a tenant row by id: 404 if missing, malformed or another salon's."""
    qs = queryset if queryset is not None else model.objects.all()
    try:
        return qs.for_salon(salon).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(f"No {model._meta.verbose_name} matches the given query.") from exc


def membership_get_for_user(*, user: Any, salon_slug: str) -> Membership:
    """The user's membership of the salon with this slug; 404 if none (salon exists or not)."""
    if not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("salon").filter(user=user, salon__slug=salon_slug).first()
    )
    if membership is None:
        raise Http404("No salon matches the given query.")
    return membership


def salon_list_for_user(*, user: Any) -> QuerySet[Salon]:
    return Salon.objects.filter(pk__in=Membership.objects.filter(user=user).values("salon"))


def location_list(*, salon: Salon, active_only: bool = False) -> QuerySet[Location]:
    qs = Location.objects.for_salon(salon)
    return qs.filter(is_active=True) if active_only else qs


def service_category_list(*, salon: Salon) -> QuerySet[ServiceCategory]:
    return ServiceCategory.objects.for_salon(salon)


def service_list(*, salon: Salon, active_only: bool = False) -> QuerySet[Service]:
    qs = Service.objects.for_salon(salon).select_related("category")
    return qs.filter(is_active=True) if active_only else qs


def staff_list(*, salon: Salon, active_only: bool = False) -> QuerySet[StaffMember]:
    qs = StaffMember.objects.for_salon(salon).prefetch_related(
        "locations",
        "services",
        Prefetch(
            "working_hours",
            queryset=WorkingHours.objects.for_salon(salon).select_related("location"),
        ),
    )
    return qs.filter(is_active=True) if active_only else qs


MAX_SEARCH_LENGTH = 100


def client_list(*, salon: Salon, search: str = "") -> QuerySet[Client]:
    """The salon's clients; each word of `search` must match a name, email or phone. NUL
    characters are dropped (PostgreSQL refuses them in a query) and the search is capped."""
    qs = Client.objects.for_salon(salon)
    search = (search or "").replace("\x00", "")[:MAX_SEARCH_LENGTH]
    for term in search.split()[:5]:
        qs = qs.filter(
            Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(email__icontains=term)
            | Q(phone__icontains=term)
        )
    return qs


def appointment_list(
    *,
    salon: Salon,
    starts_from: dt.datetime | None = None,
    starts_before: dt.datetime | None = None,
    location: Location | None = None,
    staff: StaffMember | None = None,
    client: Client | None = None,
    status: str | None = None,
) -> QuerySet[Appointment]:
    """The salon's appointments starting in [starts_from, starts_before), with what a list
    shows loaded in the same query (location, service, staff, client)."""
    qs = Appointment.objects.for_salon(salon).select_related(
        "location", "service", "staff", "client"
    )
    if starts_from is not None:
        qs = qs.filter(starts_at__gte=starts_from)
    if starts_before is not None:
        qs = qs.filter(starts_at__lt=starts_before)
    if location is not None:
        qs = qs.filter(location=location)
    if staff is not None:
        qs = qs.filter(staff=staff)
    if client is not None:
        qs = qs.filter(client=client)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("starts_at", "pk")
