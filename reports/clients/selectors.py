"""Reads of the client report: each client of the salon with their visits (completed
appointments), last visit, total spent (the prices of those visits), points balance, the
packages they hold (in use today: paid, valid, not used up) and who referred them.

The figures are correlated subqueries on the client row, each reading only the salon's
rows, so a page of the report (or an export) is one query whatever its size, and every
column can be sorted by the database. "Referred by" comes from the referrals app and the
names of the packages held from the packages app, one query each per page (or per chunk of
an export)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    F,
    IntegerField,
    Max,
    OrderBy,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from bookings.models import Appointment, Client, Salon
from bookings.selectors import client_list
from loyalty.models import PointsAccount
from packages.models import ClientPackage
from packages.selectors import active_client_packages, active_packages_by_client

# The report's sortable columns (the `sort` parameter; "-" in front sorts descending). Ties
# are broken by name and id, so pages never overlap.
SORT_COLUMNS = ("name", "visits", "last_visit", "total_spent", "points_balance", "packages_held")
DEFAULT_SORT = "name"
_NAME_ORDER = ("last_name", "first_name", "id")


def _completed(salon: Salon) -> QuerySet[Appointment]:
    return (
        Appointment.objects.for_salon(salon)
        .filter(client=OuterRef("pk"), status=Appointment.Status.COMPLETED)
        .order_by()
        .values("client")
    )


def report_today(salon: Salon) -> dt.date:
    """The salon's today: the day "packages held" are counted on."""
    return timezone.localdate(timezone=salon.tzinfo)


def client_report_list(
    *, salon: Salon, search: str = "", sort: str = DEFAULT_SORT, today: dt.date | None = None
) -> QuerySet[Client]:
    """The salon's clients matching `search` (as the client list searches: each word in a
    name, email or phone), annotated with `visits`, `last_visit` (when the latest completed
    appointment started; None without one), `total_spent`, `points_balance` and
    `packages_held` (packages in use on `today`, the salon's today by default), in the order
    of `sort` (one of SORT_COLUMNS, optionally with "-"; anything else: by name)."""
    completed = _completed(salon)
    balance = (
        PointsAccount.objects.for_salon(salon).filter(client=OuterRef("pk")).values("balance")[:1]
    )
    held: QuerySet[ClientPackage] = (
        active_client_packages(salon=salon, on=today or report_today(salon))
        .filter(client=OuterRef("pk"))
        .order_by()
        .values("client")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = client_list(salon=salon, search=search).annotate(
        visits=Coalesce(
            Subquery(completed.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
            Value(0),
        ),
        last_visit=Subquery(completed.annotate(last=Max("starts_at")).values("last")),
        total_spent=Coalesce(
            Subquery(
                completed.annotate(total=Sum("price")).values("total"),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            ),
            Value(Decimal("0.00")),
            output_field=DecimalField(max_digits=14, decimal_places=2),
        ),
        points_balance=Coalesce(Subquery(balance, output_field=IntegerField()), Value(0)),
        packages_held=Coalesce(Subquery(held, output_field=IntegerField()), Value(0)),
    )
    return qs.order_by(*client_report_ordering(sort))


def client_report_ordering(sort: str) -> Sequence[Any]:
    descending = sort.startswith("-")
    column = sort.removeprefix("-")
    if column not in SORT_COLUMNS or column == "name":
        return [f"-{name}" if descending else name for name in _NAME_ORDER]
    # Clients without a visit have no last visit: they come last in both directions.
    expression: OrderBy = (
        F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
    )
    return [expression, *_NAME_ORDER]


def client_referrers(*, salon: Salon, client_ids: list[int]) -> dict[int, Client]:
    """Who referred each of these clients (client id → the referring client), from the
    referrals app. Without it (not installed, or not built yet) nobody was referred."""
    if not client_ids:
        return {}
    try:
        from referrals.selectors import referrers_of
    except ImportError:
        return {}
    return referrers_of(salon=salon, client_ids=client_ids)


@dataclass(frozen=True)
class ClientReportRow:
    """One client of the report with what comes from other apps: who referred them and the
    packages they hold (names, the one that expires first first)."""

    client: Client
    referrer: Client | None = None
    packages: list[ClientPackage] = field(default_factory=list)

    @property
    def package_names(self) -> str:
        return ", ".join(package.name for package in self.packages)


def client_report_rows(
    clients: list[Client], *, salon: Salon, today: dt.date | None = None
) -> list[ClientReportRow]:
    """The rows of these clients: two queries (referrers, packages held) whatever their
    number."""
    ids = [client.pk for client in clients]
    referrers = client_referrers(salon=salon, client_ids=ids)
    packages = active_packages_by_client(
        salon=salon, client_ids=ids, on=today or report_today(salon)
    )
    return [
        ClientReportRow(
            client=client, referrer=referrers.get(client.pk), packages=packages.get(client.pk, [])
        )
        for client in clients
    ]


def client_report_chunks(
    qs: QuerySet[Client], *, salon: Salon, chunk_size: int = 2000, today: dt.date | None = None
) -> Iterator[ClientReportRow]:
    """Every client of `qs` as a `ClientReportRow`, read in chunks (bounded memory, for
    exports): one query for the clients (a server-side cursor where the database has one) and
    two for each chunk (referrers, packages)."""
    today = today or report_today(salon)
    chunk: list[Client] = []
    for client in qs.iterator(chunk_size=chunk_size):
        chunk.append(client)
        if len(chunk) >= chunk_size:
            yield from client_report_rows(chunk, salon=salon, today=today)
            chunk = []
    yield from client_report_rows(chunk, salon=salon, today=today)
