"""Reads of the points report: the salon's points ledger rows that match the filters, each with
the running balance of its client, and the totals of those rows.

The running balance of a row is what its client had after it: the sum of the client's ledger up
to and including the row, over the client's whole ledger, not only over the rows the filters
keep — a report of March shows the balance each row left, whatever the client earned before
March. The ledger stores it: `PointsEntry.balance_after`, written with the row under the
account's lock (loyalty/services/points.py). Summing it here instead (a window over each
client's whole history, with the filters applied after it) made a page of a salon with a
million ledger rows read every one of them; now the filters and the order go straight to the
indexes, and `running_balance` is that column.

The totals are a plain aggregate over the matching rows; pages take their row count from it, so
a page is three queries whatever its size (`PointsReportRows`).

Rows are read as tuples (`values_list`) with exactly the columns a row shows, and turned into
`PointsReportRow`s: an export reads a million rows, and building a model instance per row and
per related row (client, visit, service, staff member, location, gift card, actor) was most of
its time. `points_entry_description` (loyalty's wording of a row) gets a stand-in holding what it
reads of a ledger row (`_LedgerRowForDescription`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, overload

from django.db.models import Count, F, Q, QuerySet, Sum

from bookings.models import Salon
from bookings.selectors import client_list
from loyalty.models import PointsEntry
from loyalty.selectors import points_entry_description
from reports.points.filters import PointsReportFilters, local_day_bounds

# The columns of a row, in the order `points_report_row` unpacks them.
ROW_VALUES = (
    "id",
    "kind",
    "points",
    "description",
    "created_at",
    "running_balance",
    "client_id",
    "client__first_name",
    "client__last_name",
    "client__email",
    "actor__email",
    "gift_card_id",
    "gift_card__name",
    "reverses_id",
    "reverses__points",
    "appointment_id",
    "appointment__starts_at",
    "appointment__service__name",
    "appointment__staff__name",
    "appointment__location__name",
    "appointment__location__time_zone",
)


@dataclass(frozen=True)
class PointsTotals:
    count: int
    earned: int  # the sum of the positive rows
    spent: int  # the sum of the negative rows (zero or negative)

    @property
    def net(self) -> int:
        return self.earned + self.spent


def _row_condition(*, salon: Salon, filters: PointsReportFilters) -> Q:
    start, end = local_day_bounds(filters.date_from, filters.date_to, salon.tzinfo)
    condition = Q()
    if start is not None:
        condition &= Q(created_at__gte=start)
    if end is not None:
        condition &= Q(created_at__lt=end)
    if filters.client is not None:
        condition &= Q(client=filters.client)
    if filters.search:
        condition &= Q(client__in=client_list(salon=salon, search=filters.search).values("pk"))
    if filters.kind:
        condition &= Q(kind=filters.kind)
    if filters.staff is not None:
        condition &= Q(appointment__staff=filters.staff)
    if filters.service is not None:
        condition &= Q(appointment__service=filters.service)
    if filters.location is not None:
        condition &= Q(appointment__location=filters.location)
    return condition


def points_report_entries(*, salon: Salon, filters: PointsReportFilters) -> QuerySet[PointsEntry]:
    """The matching ledger rows, in the filters' order, each with `running_balance` (the
    client's balance after the row, as the ledger stored it)."""
    condition = _row_condition(salon=salon, filters=filters)
    return (
        PointsEntry.objects.for_salon(salon)
        .filter(condition)
        .annotate(running_balance=F("balance_after"))
        .order_by(*filters.ordering())
    )


def points_report_list(*, salon: Salon, filters: PointsReportFilters) -> QuerySet[Any]:
    """The matching rows as tuples of ROW_VALUES (for `points_report_row`), in one query: what
    an export streams."""
    return points_report_entries(salon=salon, filters=filters).values_list(*ROW_VALUES)


BALANCE_INDEX = ROW_VALUES.index("running_balance")
DETAIL_VALUES = tuple(name for name in ROW_VALUES if name != "running_balance")


class PointsReportRows(Sequence["PointsReportRow"]):
    """The report's rows for a page (a paginator slices this): a slice is two queries, the
    page's ids with their running balance (narrow rows, cut by the index), and then what those
    rows show. Joining the clients, visits, services … of every row before the page is cut (as
    the single query of an export does) can make a deep page of a large salon slower. `len()`
    is the count of the totals (`points_report_totals`), given by the caller."""

    def __init__(self, *, salon: Salon, filters: PointsReportFilters, count: int) -> None:
        self.salon, self.filters, self.total = salon, filters, count

    def __len__(self) -> int:
        return self.total

    @overload
    def __getitem__(self, index: int) -> PointsReportRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[PointsReportRow]: ...

    def __getitem__(self, index: int | slice) -> PointsReportRow | list[PointsReportRow]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        entries = points_report_entries(salon=self.salon, filters=self.filters)
        page = list(entries.values_list("id", "running_balance")[index])
        details = {
            values[0]: values
            for values in PointsEntry.objects.for_salon(self.salon)
            .filter(pk__in=[entry_id for entry_id, _balance in page])
            .values_list(*DETAIL_VALUES)
        }
        tz, labels = self.salon.tzinfo, points_kind_labels()
        return [
            points_report_row(
                (*details[entry_id][:BALANCE_INDEX], balance, *details[entry_id][BALANCE_INDEX:]),
                tz=tz,
                kind_labels=labels,
            )
            for entry_id, balance in page
            if entry_id in details  # (ledger rows are never deleted; a salon might be)
        ]


def points_report_totals(*, salon: Salon, filters: PointsReportFilters) -> PointsTotals:
    condition = _row_condition(salon=salon, filters=filters)
    totals = (
        PointsEntry.objects.for_salon(salon)
        .filter(condition)
        .aggregate(
            count=Count("id"),
            earned=Sum("points", filter=Q(points__gt=0)),
            spent=Sum("points", filter=Q(points__lt=0)),
        )
    )
    return PointsTotals(
        count=totals["count"] or 0, earned=totals["earned"] or 0, spent=totals["spent"] or 0
    )


@dataclass(frozen=True)
class PointsReportRow:
    """One ledger row as the report shows it (page, API and files alike)."""

    id: int
    created_at: dt.datetime  # in the salon's time zone
    client_id: int
    client_name: str
    client_email: str
    kind: str
    kind_label: str
    points: int
    description: str
    appointment_id: int | None
    service: str
    staff: str
    location: str
    gift_card_id: int | None
    gift_card: str
    actor: str
    running_balance: int

    @property
    def source(self) -> str:
        """Where the row comes from, in a few words: the visit's service and staff member, or
        the gift card (who wrote a manual row is `actor`)."""
        parts = [part for part in (self.service, self.staff) if part]
        if self.gift_card:
            parts.append(self.gift_card)
        return " · ".join(parts)


class _LedgerRowForDescription:
    """What `points_entry_description` reads of a PointsEntry (and its visit, gift card and
    reversed row), from a row of ROW_VALUES. If that function starts reading something else,
    this raises AttributeError in every test that shows a report."""

    __slots__ = (
        "id",
        "pk",
        "kind",
        "points",
        "description",
        "client_id",
        "appointment",
        "appointment_id",
        "gift_card",
        "gift_card_id",
        "reverses",
        "reverses_id",
    )

    def __init__(self, **values: Any) -> None:
        for name, value in values.items():
            setattr(self, name, value)


def points_kind_labels() -> dict[str, str]:
    """The kinds' names in the active language (one lookup per report, not one per row)."""
    return {value: str(label) for value, label in PointsEntry.Kind.choices}


def points_report_row(
    values: tuple[Any, ...], *, tz: dt.tzinfo, kind_labels: dict[str, str] | None = None
) -> PointsReportRow:
    """A row of `points_report_list`. Pass `kind_labels` (`points_kind_labels()`) when making
    many rows."""
    (
        entry_id,
        kind,
        points,
        description,
        created_at,
        running_balance,
        client_id,
        first_name,
        last_name,
        email,
        actor_email,
        gift_card_id,
        gift_card_name,
        reverses_id,
        reverses_points,
        appointment_id,
        starts_at,
        service,
        staff,
        location,
        location_tz,
    ) = values
    visit = (
        SimpleNamespace(
            starts_at=starts_at,
            service=SimpleNamespace(name=service),
            staff=SimpleNamespace(name=staff),
            location=SimpleNamespace(name=location, time_zone=location_tz),
        )
        if appointment_id is not None
        else None
    )
    ledger_row = _LedgerRowForDescription(
        id=entry_id,
        pk=entry_id,
        kind=kind,
        points=points,
        description=description,
        client_id=client_id,
        appointment=visit,
        appointment_id=appointment_id,
        gift_card=SimpleNamespace(name=gift_card_name) if gift_card_id is not None else None,
        gift_card_id=gift_card_id,
        reverses=SimpleNamespace(points=reverses_points) if reverses_id is not None else None,
        reverses_id=reverses_id,
    )
    labels = kind_labels or points_kind_labels()
    return PointsReportRow(
        id=entry_id,
        created_at=created_at.astimezone(tz),
        client_id=client_id,
        client_name=f"{first_name} {last_name}".strip(),  # as Client.full_name
        client_email=email,
        kind=kind,
        kind_label=labels.get(kind, kind),
        points=points,
        description=points_entry_description(ledger_row),  # type: ignore[arg-type]
        appointment_id=appointment_id,
        service=service or "",
        staff=staff or "",
        location=location or "",
        gift_card_id=gift_card_id,
        gift_card=gift_card_name or "",
        actor=actor_email or "",
        running_balance=running_balance,
    )
