"""Reads of the bookings domain. Every function takes the salon; lookups by id answer 404
alike for "missing" and "another salon's" (never 403)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Max, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

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


# `?sort=` of the client list: the whitelist, key → ordering. Visits sort with clients
# without one last (ascending and descending alike).
CLIENT_SORTS: dict[str, tuple[Any, ...]] = {
    "name": ("last_name", "first_name", "pk"),
    "-name": ("-last_name", "-first_name", "-pk"),
    "last_visit": (F("last_visit").asc(nulls_last=True), "last_name", "pk"),
    "-last_visit": (F("last_visit").desc(nulls_last=True), "last_name", "pk"),
    "next_visit": (F("next_visit").asc(nulls_last=True), "last_name", "pk"),
    "-next_visit": (F("next_visit").desc(nulls_last=True), "last_name", "pk"),
}
DEFAULT_CLIENT_SORT = "name"


def client_list(
    *,
    salon: Salon,
    search: str = "",
    sort: str = "",
    now: dt.datetime | None = None,
) -> QuerySet[Client]:
    """The salon's clients; each word of `search` must match a name, email or phone. NUL
    characters are dropped (PostgreSQL refuses them in a query) and the search is capped.

    Each client carries `last_visit` (start of the latest completed appointment) and
    `next_visit` (start of the earliest booked one from `now`), computed in the same query
    (aggregates over the appointments, no query per row). `sort` is one of `CLIENT_SORTS`;
    anything else sorts by name."""
    now = now or timezone.now()
    appointments = Appointment.objects.for_salon(salon).filter(client=OuterRef("pk"))
    qs = Client.objects.for_salon(salon).annotate(
        last_visit=Subquery(
            appointments.filter(status=Appointment.Status.COMPLETED)
            .order_by()
            .values("client")
            .annotate(last=Max("starts_at"))
            .values("last")[:1]
        ),
        next_visit=Subquery(
            appointments.filter(status=Appointment.Status.BOOKED, starts_at__gte=now)
            .order_by()
            .values("client")
            .annotate(first=Min("starts_at"))
            .values("first")[:1]
        ),
    )
    qs = qs.order_by(*CLIENT_SORTS.get(sort, CLIENT_SORTS[DEFAULT_CLIENT_SORT]))
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


@dataclass
class ClientHistory:
    """A client's appointments as the client page shows them."""

    upcoming: list[Appointment] = field(default_factory=list)  # soonest first
    past: list[Appointment] = field(default_factory=list)  # latest first
    no_show_count: int = 0
    late_cancel_count: int = 0
    total_spent: Decimal = Decimal("0")
    last_booked: Appointment | None = None  # the latest one, for "Book again"


def client_history(
    *, salon: Salon, client: Client, now: dt.datetime | None = None
) -> ClientHistory:
    """One query, however many appointments: upcoming (starting from `now`) and past ones with
    location, service and staff loaded; no-shows; late cancellations (cancelled less than the
    salon's cancellation cutoff before the start, by `status_changed_at`); and the total spent
    (the prices of completed appointments)."""
    now = now or timezone.now()
    cutoff = dt.timedelta(hours=salon.cancellation_cutoff_hours)
    rows = list(
        Appointment.objects.for_salon(salon)
        .filter(client=client)
        .select_related("location", "service", "staff")
        .order_by("starts_at", "pk")
    )
    history = ClientHistory()
    for appointment in rows:
        if appointment.starts_at >= now:
            history.upcoming.append(appointment)
        else:
            history.past.append(appointment)
        status = appointment.status
        if status == Appointment.Status.NO_SHOW:
            history.no_show_count += 1
        elif status == Appointment.Status.COMPLETED:
            history.total_spent += appointment.price
        elif (
            status == Appointment.Status.CANCELLED
            and appointment.status_changed_at is not None
            and appointment.status_changed_at > appointment.starts_at - cutoff
        ):
            history.late_cancel_count += 1
    history.past.reverse()
    if rows:
        history.last_booked = rows[-1] if not history.past else history.past[0]
    return history
