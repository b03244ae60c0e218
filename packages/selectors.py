"""Reads of the packages app. Every function takes the salon; rows come with what their pages
and serializers show (no query per row)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import (
    Case,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from bookings.models import Client, Salon, Service

from .models import ClientPackage, PackageEntry, PackageKind, PackageType, PackageTypeService

# The order packages are listed in, wherever they are: time, credit, visits.
KIND_ORDER = [PackageKind.TIME, PackageKind.CREDIT, PackageKind.VISITS]
_KIND_RANK = Case(
    *(When(kind=kind, then=Value(rank)) for rank, kind in enumerate(KIND_ORDER)),
    default=Value(len(KIND_ORDER)),
)


def package_type_list(*, salon: Salon) -> QuerySet[PackageType]:
    """The salon's package types with their services, and whether any client holds each."""
    held = ClientPackage.objects.filter(package_type=OuterRef("pk"))
    return (
        PackageType.objects.for_salon(salon)
        .annotate(is_held=Exists(held))
        .prefetch_related(
            Prefetch(
                "services",
                queryset=Service.objects.for_salon(salon).order_by("name", "pk"),
            )
        )
        .order_by("name", "pk")
    )


def package_types_by_kind(
    types: Iterable[PackageType],
) -> list[tuple[str, str, list[PackageType]]]:
    """(kind, its label, its types) for each kind, in KIND_ORDER, empty kinds included."""
    rows: dict[str, list[PackageType]] = {kind.value: [] for kind in KIND_ORDER}
    for package_type in types:
        rows[package_type.kind].append(package_type)
    return [(kind.value, kind.label, rows[kind.value]) for kind in KIND_ORDER]


def package_types_offered_online(*, salon: Salon) -> QuerySet[PackageType]:
    """What the booking site sells: active types offered online, with their services."""
    return (
        PackageType.objects.for_salon(salon)
        .filter(is_active=True, offered_online=True)
        .prefetch_related(
            Prefetch(
                "services",
                queryset=Service.objects.for_salon(salon).order_by("name", "pk"),
            )
        )
        .order_by(_KIND_RANK, "price", "name", "pk")
    )


def packages_offered_online_exist(*, salon: Salon) -> bool:
    return PackageType.objects.for_salon(salon).filter(is_active=True, offered_online=True).exists()


def package_types_cover_service(*, salon: Salon, service: Service) -> bool:
    """Whether an active type covers the service (a guest at the checkout is told to log in)."""
    covers = PackageTypeService.objects.for_salon(salon).filter(
        service=service, package_type__is_active=True
    )
    return covers.exists()


def client_package_list(*, salon: Salon, client: Client) -> QuerySet[ClientPackage]:
    """A client's packages, newest first, with their type."""
    return (
        ClientPackage.objects.for_salon(salon)
        .filter(client=client)
        .select_related("package_type", "salon")
        .order_by("-created_at", "-id")
    )


def client_package_entries(
    *, salon: Salon, client_package: ClientPackage
) -> QuerySet[PackageEntry]:
    return (
        PackageEntry.objects.for_salon(salon)
        .filter(client_package=client_package)
        .select_related("appointment__service", "appointment__location", "actor")
        .order_by("-created_at", "-id")
    )


def entries_for_packages(
    *, salon: Salon, packages: list[ClientPackage], limit: int | None = None
) -> dict[int, list[PackageEntry]]:
    """The ledger rows of several packages in one query: {package id: rows, latest first}."""
    by_package: dict[int, list[PackageEntry]] = {p.pk: [] for p in packages}
    if not packages:
        return by_package
    rows = (
        PackageEntry.objects.for_salon(salon)
        .filter(client_package__in=[p.pk for p in packages])
        .select_related("appointment__service", "appointment__location", "actor")
        .order_by("-created_at", "-id")
    )
    for entry in rows:
        bucket = by_package[entry.client_package_id]
        if limit is None or len(bucket) < limit:
            bucket.append(entry)
    return by_package


def pending_package_list(*, salon: Salon) -> QuerySet[ClientPackage]:
    """Purchases waiting for payment at the salon, oldest first (not those being paid online:
    they become active by themselves when the payment arrives)."""
    from payments.models import Order, OrderItem

    paying_online = (
        OrderItem.objects.for_salon(salon)
        .filter(kind=OrderItem.Kind.PACKAGE, order__status=Order.Status.PENDING)
        .values("object_id")
    )
    return (
        ClientPackage.objects.for_salon(salon)
        .filter(status=ClientPackage.Status.PENDING)
        .exclude(pk__in=paying_online)
        .select_related("client", "package_type")
        .order_by("created_at", "pk")
    )


def client_ids_holding_packages(*, salon: Salon, client_ids: Iterable[int]) -> set[int]:
    """Which of these clients hold a package (active or waiting for payment): one query."""
    ids = list(client_ids)
    if not ids:
        return set()
    return set(
        ClientPackage.objects.for_salon(salon)
        .filter(client_id__in=ids)
        .exclude(status=ClientPackage.Status.LAPSED)
        .values_list("client_id", flat=True)
        .distinct()
    )


def active_client_packages(*, salon: Salon, on: dt.date) -> QuerySet[ClientPackage]:
    """The packages clients hold that are in use on the day `on`: paid (active), started, not
    expired, and with credit or visits left (a time pass has no balance to run out)."""
    return (
        ClientPackage.objects.for_salon(salon)
        .filter(status=ClientPackage.Status.ACTIVE, starts_on__lte=on)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))
        .filter(Q(kind=PackageKind.TIME) | Q(credit_left__gt=0) | Q(visits_left__gt=0))
    )


def active_packages_by_client(
    *, salon: Salon, client_ids: Iterable[int], on: dt.date
) -> dict[int, list[ClientPackage]]:
    """{client id: their packages in use on `on` (`active_client_packages`), the one that
    expires first first}, for these clients, in one query (clients without one are left out)."""
    ids = list(client_ids)
    held: dict[int, list[ClientPackage]] = {}
    if not ids:
        return held
    rows = (
        active_client_packages(salon=salon, on=on)
        .filter(client_id__in=ids)
        .order_by("client_id", F("expires_on").asc(nulls_last=True), "pk")
    )
    for package in rows:
        held.setdefault(package.client_id, []).append(package)
    return held


def usable_packages(
    *, salon: Salon, client: Client | int, service: Service | int, on: dt.date
) -> QuerySet[ClientPackage]:
    """The client's packages that could pay a booking of `service` on the day `on`: active
    (paid), covering the service, valid that day, with credit or visits left (a time pass has
    no balance). Ordered as they are used: time passes first (they do not run down), then the
    one that expires soonest (no expiry last), then the oldest."""
    covers = PackageTypeService.objects.filter(
        package_type=OuterRef("package_type"), service=service
    )
    return (
        ClientPackage.objects.for_salon(salon)
        .filter(client=client, status=ClientPackage.Status.ACTIVE, starts_on__lte=on)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))
        .filter(Q(kind=PackageKind.TIME) | Q(credit_left__gt=0) | Q(visits_left__gt=0))
        .filter(Exists(covers))
        .order_by(
            Case(When(kind=PackageKind.TIME, then=Value(0)), default=Value(1)),
            F("expires_on").asc(nulls_last=True),
            "pk",
        )
    )


def package_balance_from_ledger(
    *, salon: Salon, client_package: ClientPackage
) -> tuple[Decimal, int]:
    """(credit, visits) as the sum of the ledger: what the cached balance must equal."""
    totals = (
        PackageEntry.objects.for_salon(salon)
        .filter(client_package=client_package)
        .aggregate(credit=Sum("credit"), visits=Sum("visits"))
    )
    return Decimal(totals["credit"] or 0), int(totals["visits"] or 0)


def appointment_package_use(*, salon: Salon, appointment_id: int) -> PackageEntry | None:
    """The use of a package by this appointment that has not been returned, if any."""
    returned = PackageEntry.objects.filter(kind=PackageEntry.Kind.RETURNED, reverses=OuterRef("pk"))
    return (
        PackageEntry.objects.for_salon(salon)
        .filter(appointment_id=appointment_id, kind=PackageEntry.Kind.USED)
        .exclude(Exists(returned))
        .select_related("client_package")
        .first()
    )


def packages_nav_cache_key(salon_id: int) -> str:
    return f"packages:nav:{salon_id}"


def packages_nav_flags_cached(*, salon: Salon) -> tuple[bool, bool]:
    """(the salon sells packages online, the salon has packages at all), for the public site's
    top bar on every page: from the cache for ten minutes (one query to fill it); the type
    services clear it after their commit."""
    from django.core.cache import cache

    key = packages_nav_cache_key(salon.pk)
    flags = cache.get(key)
    if flags is None:
        kinds = set(
            PackageType.objects.for_salon(salon)
            .values_list("is_active", "offered_online")
            .distinct()
        )
        flags = ((True, True) in kinds, bool(kinds))
        cache.set(key, flags, timeout=600)
    return bool(flags[0]), bool(flags[1])
