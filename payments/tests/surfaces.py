"""Helpers of the owner-surface tests (dashboard pages, owner API, selectors): orders written
directly with the models, in whatever state a test needs (the state machine itself is tested
with the payments services)."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from decimal import Decimal
from typing import Any

from django.utils import timezone

from bookings.models import Appointment
from payments.models import Order, OrderItem, Payment, Refund

TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")
_keys = itertools.count(1)

PAID_LIKE = {"paid", "partly_refunded", "refunded"}


def make_order(
    salon: Any,
    *,
    client: Any = None,
    status: str = Order.Status.PAID,
    provider: str = "stripe",
    total: str | Decimal = "40.00",
    refunded: str | Decimal = "0.00",
    kind: str = OrderItem.Kind.BOOKING,
    description: str = "Haircut",
    appointment: Appointment | None = None,
    created_at: dt.datetime | None = None,
    extra_kinds: tuple[str, ...] = (),
) -> Order:
    """An order with one item (plus one of each `extra_kinds`, amount 0) and, when money was
    taken or is being taken, its payment (paid for paid-like states)."""
    total = Decimal(total)
    refunded = Decimal(refunded)
    online = provider != "pay_at_salon"
    order = Order.objects.create(
        salon=salon,
        client=client,
        appointment=appointment,
        status=status,
        currency=salon.currency,
        total=total,
        amount_online=total if online else Decimal("0"),
        amount_refunded=refunded,
        provider=provider,
        created_at=created_at or timezone.now(),
        paid_at=timezone.now() if status in PAID_LIKE else None,
    )
    OrderItem.objects.create(
        salon=salon,
        order=order,
        kind=kind,
        description=description,
        amount=total,
        object_id=appointment.pk if appointment else None,
    )
    for extra in extra_kinds:
        OrderItem.objects.create(
            salon=salon, order=order, kind=extra, description=extra, amount=Decimal("0")
        )
    if total > 0 and (online or status in PAID_LIKE):
        payment_status = {
            Order.Status.PENDING: Payment.Status.PENDING,
            Order.Status.FAILED: Payment.Status.FAILED,
            Order.Status.CANCELLED: Payment.Status.CANCELLED,
        }.get(status, status)
        payment = Payment.objects.create(
            salon=salon,
            order=order,
            provider=provider,
            status=payment_status,
            amount=total,
            currency=salon.currency,
            amount_refunded=refunded,
            paid_at=order.paid_at,
        )
        if refunded:
            Refund.objects.create(
                salon=salon,
                payment=payment,
                amount=refunded,
                status=Refund.Status.SUCCEEDED,
                reason=Refund.Reason.SALON,
                idempotency_key=f"test-{next(_keys)}",
            )
    return order


def tallinn(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TALLINN)


def make_appointment(
    shop: Any, client: Any, *, starts_at: dt.datetime, **kwargs: Any
) -> Appointment:
    """A booked appointment of the shop's Haircut written directly (the booking rules are
    tested in bookings/)."""
    service = kwargs.pop("service", shop["service"])
    ends_at = starts_at + dt.timedelta(minutes=service.duration_minutes)
    values: dict[str, Any] = {
        "salon": shop["salon"],
        "location": shop["location"],
        "staff": kwargs.pop("staff", shop["staff"][0]),
        "service": service,
        "client": client,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "block_starts_at": starts_at,
        "block_ends_at": ends_at,
        "status": Appointment.Status.BOOKED,
        "source": Appointment.Source.DASHBOARD,
        "price": service.price,
    }
    values.update(kwargs)
    return Appointment.objects.create(**values)
