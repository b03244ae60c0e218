"""Reads of the payments app for the owner surfaces (dashboard pages and owner API).

- `order_list(salon=…, filters=…)` — the salon's orders, newest first, with what a list row
  shows (client, appointment, items) in a fixed number of queries however many rows.
- `order_totals(salon=…, filters=…)` — paid, refunded, net and count of the same filtered set,
  computed by the database in one aggregate query (never by summing rows in Python).
  "Refunded" is money that went back: SUCCEEDED refunds only; refunds still pending at the
  provider or failed there are `refund_pending` (the refund services keep them reserved, so
  they can't be refunded twice, but the money is still with the salon).
- `order_refund_summary(order)` — of one order (refunds prefetched): what was refunded,
  what is pending and what failed. List rows carry the same as `refunds_done` /
  `refunds_open` (annotations).
- `order_get(salon=…, order_id=…)` — one order with its items, payments and refunds (404 for
  another salon's id).
- `appointments_to_record_paid(salon=…)` — today's and recent bookings that nobody recorded
  as paid yet: the choices of "Record payment at the salon".
- `client_order_list(salon=…, client=…)` / `client_order_totals(salon=…, client=…)` — one
  client's orders (newest first, items loaded) and their totals: the client page's panel.

`OrderFilters` is what the list page's filter form and the API's query parameters both
produce; dates are the salon's local dates (a day runs from local midnight to midnight).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings.models import Appointment, Client, Salon
from bookings.selectors import tenant_get
from payments.models import Order, OrderItem, Payment, Refund
from payments.services.refunds import WHOLE_PAYMENT_KEY_PREFIX

PAY_AT_SALON = "pay_at_salon"
MAX_SEARCH_LENGTH = 100
# "Record payment at the salon" offers bookings from this many days back up to today.
RECORD_PAID_DAYS_BACK = 14
RECORD_PAID_LIMIT = 200

# The order states in which money was taken (and may since have been refunded).
PAID_STATUSES = (
    Order.Status.PAID,
    Order.Status.PARTLY_REFUNDED,
    Order.Status.REFUNDED,
)
# An order that is waiting for payment or paid (as the payments services count them).
LIVE_STATUSES = (Order.Status.PENDING, Order.Status.PAID, Order.Status.PARTLY_REFUNDED)
PAYMENT_TAKEN_STATUSES = (
    Payment.Status.PAID,
    Payment.Status.PARTLY_REFUNDED,
    Payment.Status.REFUNDED,
)


class ProviderFilter:
    """How the client pays: online (any online provider, today Stripe's card checkout) or at
    the salon."""

    ONLINE = "online"
    AT_SALON = "at_salon"
    choices = [(ONLINE, _("Online by card")), (AT_SALON, _("At the salon"))]
    values = [ONLINE, AT_SALON]


@dataclass(frozen=True)
class OrderFilters:
    status: str = ""
    provider: str = ""
    kind: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    client: str = ""


REFUND_OPEN_STATUSES = (Refund.Status.PENDING, Refund.Status.FAILED)
_MONEY = DecimalField(max_digits=12, decimal_places=2)


@dataclass(frozen=True)
class OrderTotals:
    count: int
    paid: Decimal
    refunded: Decimal  # SUCCEEDED refunds only: money that went back
    net: Decimal  # paid minus refunded
    # Refunds asked for but not (yet) paid out: pending at the provider or failed there.
    refund_pending: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class RefundSummary:
    refunded: Decimal
    pending: Decimal
    failed: Decimal


def _zero() -> Value:
    return Value(Decimal("0.00"), output_field=_MONEY)


def _order_refunds(salon: Salon, statuses: tuple[str, ...]) -> Coalesce:
    """Per order (a subquery on `OuterRef("pk")`): the sum of its refunds in `statuses` that
    count against the order (not those of a payment given back whole, which never paid for
    it: see `refund_payment_whole`)."""
    rows = (
        Refund.objects.for_salon(salon)
        .filter(payment__order=OuterRef("pk"), status__in=statuses)
        .exclude(idempotency_key__startswith=WHOLE_PAYMENT_KEY_PREFIX)
        .order_by()
        .values("payment__order")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=_MONEY), _zero())


def _with_refunds(salon: Salon, qs: QuerySet[Order]) -> QuerySet[Order]:
    return qs.annotate(
        refunds_done=_order_refunds(salon, (Refund.Status.SUCCEEDED,)),
        refunds_open=_order_refunds(salon, REFUND_OPEN_STATUSES),
    )


def _totals(salon: Salon, qs: QuerySet[Order]) -> OrderTotals:
    """One aggregate query over `qs` (see the module's docstring)."""
    paid_filter = Q(status__in=PAID_STATUSES)
    row = _with_refunds(salon, qs).aggregate(
        count=Count("id"),
        paid=Coalesce(Sum("total", filter=paid_filter), _zero()),
        refunded=Coalesce(Sum("refunds_done", filter=paid_filter), _zero()),
        refund_pending=Coalesce(Sum("refunds_open", filter=paid_filter), _zero()),
    )
    paid = Decimal(row["paid"]).quantize(Decimal("0.01"))
    refunded = Decimal(row["refunded"]).quantize(Decimal("0.01"))
    return OrderTotals(
        count=row["count"],
        paid=paid,
        refunded=refunded,
        net=paid - refunded,
        refund_pending=Decimal(row["refund_pending"]).quantize(Decimal("0.01")),
    )


def _local_midnight(salon: Salon, day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=salon.tzinfo)


def _filtered(salon: Salon, filters: OrderFilters | None) -> QuerySet[Order]:
    qs = Order.objects.for_salon(salon)
    if filters is None:
        return qs
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.provider == ProviderFilter.AT_SALON:
        qs = qs.filter(provider=PAY_AT_SALON)
    elif filters.provider == ProviderFilter.ONLINE:
        qs = qs.exclude(provider=PAY_AT_SALON)
    if filters.kind:
        items = OrderItem.objects.for_salon(salon).filter(order=OuterRef("pk"), kind=filters.kind)
        qs = qs.filter(Exists(items))
    if filters.date_from:
        qs = qs.filter(created_at__gte=_local_midnight(salon, filters.date_from))
    if filters.date_to:
        qs = qs.filter(
            created_at__lt=_local_midnight(salon, filters.date_to + dt.timedelta(days=1))
        )
    search = (filters.client or "").replace("\x00", "")[:MAX_SEARCH_LENGTH]
    for term in search.split()[:5]:
        qs = qs.filter(
            Q(client__first_name__icontains=term)
            | Q(client__last_name__icontains=term)
            | Q(client__email__icontains=term)
        )
    return qs


def order_list(*, salon: Salon, filters: OrderFilters | None = None) -> QuerySet[Order]:
    """The salon's orders matching `filters`, newest first; each with its client, appointment
    (and its service) and items loaded (one extra query for the items of a whole page)."""
    return (
        _with_refunds(salon, _filtered(salon, filters))
        .select_related("client", "appointment", "appointment__service")
        .prefetch_related("items")
        .order_by("-created_at", "-id")
    )


def order_totals(*, salon: Salon, filters: OrderFilters | None = None) -> OrderTotals:
    """One aggregate query: how many orders match, what was paid (the totals of the orders in
    which money was taken), what was refunded of it (SUCCEEDED refunds), the difference, and
    the refunds still pending or failed at the provider."""
    return _totals(salon, _filtered(salon, filters))


def order_refund_summary(order: Order) -> RefundSummary:
    """What was refunded of one order, what is pending and what failed (from its prefetched
    payments and refunds, as `order_get` loads them; a payment given back whole is left out,
    as in the totals)."""
    sums = {status: Decimal("0.00") for status in Refund.Status.values}
    for payment in order.payments.all():
        for refund in payment.refunds.all():
            if refund.idempotency_key.startswith(WHOLE_PAYMENT_KEY_PREFIX):
                continue
            sums[refund.status] += refund.amount
    return RefundSummary(
        refunded=sums[Refund.Status.SUCCEEDED],
        pending=sums[Refund.Status.PENDING],
        failed=sums[Refund.Status.FAILED],
    )


def order_get(*, salon: Salon, order_id: int | str) -> Order:
    """One of the salon's orders with its client, appointment, items, payments and their
    refunds; Http404 for a missing or another salon's id."""
    queryset = Order.objects.select_related(
        "client",
        "appointment",
        "appointment__service",
        "appointment__staff",
        "appointment__location",
        "created_by",
    ).prefetch_related(
        "items",
        "payments__refunds",
        "payments__refunds__created_by",
    )
    return tenant_get(Order, salon=salon, pk=order_id, queryset=queryset)


def order_refundable(order: Order) -> Decimal:
    """What is left to refund of an order, for display (the refund form's default): what its
    paid payments took minus what was refunded of them; an order paid at the salon without a
    payment row, its total minus its refunds. The refund service decides."""
    if order.status not in PAID_STATUSES:
        return Decimal("0.00")
    taken = [p for p in order.payments.all() if p.status in PAYMENT_TAKEN_STATUSES]
    if taken:
        left = sum((p.amount - p.amount_refunded for p in taken), Decimal("0.00"))
    else:
        left = order.total - order.amount_refunded
    return max(left, Decimal("0.00"))


def appointments_to_record_paid(
    *, salon: Salon, now: dt.datetime | None = None
) -> QuerySet[Appointment]:
    """Booked or completed appointments from `RECORD_PAID_DAYS_BACK` days ago to the end of
    today (the salon's dates) that no live pay-at-salon order records and no paid order paid
    in full online; the latest first. A booking whose deposit was paid online stays (the rest is
    paid at the salon)."""
    now = now or timezone.now()
    today = timezone.localdate(now, salon.tzinfo)
    start = _local_midnight(salon, today - dt.timedelta(days=RECORD_PAID_DAYS_BACK))
    end = _local_midnight(salon, today + dt.timedelta(days=1))
    settled = Order.objects.for_salon(salon).filter(
        Q(provider=PAY_AT_SALON, status__in=LIVE_STATUSES)
        | Q(status__in=PAID_STATUSES, items__kind=OrderItem.Kind.BOOKING),
        appointment=OuterRef("pk"),
    )
    return (
        Appointment.objects.for_salon(salon)
        .filter(
            status__in=(Appointment.Status.BOOKED, Appointment.Status.COMPLETED),
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .exclude(Exists(settled))
        .select_related("client", "service", "staff", "location")
        .order_by("-starts_at", "-id")[:RECORD_PAID_LIMIT]
    )


def client_order_list(*, salon: Salon, client: Client) -> QuerySet[Order]:
    """One client's orders in the salon, newest first, with their items loaded (one extra
    query for the items of however many orders are shown)."""
    return (
        _with_refunds(salon, Order.objects.for_salon(salon).filter(client=client))
        .prefetch_related("items")
        .order_by("-created_at", "-id")
    )


def client_order_totals(*, salon: Salon, client: Client) -> OrderTotals:
    """One aggregate query: how many orders the client has, what they paid and what was
    refunded to them (as `order_totals` counts them)."""
    return _totals(salon, Order.objects.for_salon(salon).filter(client=client))
