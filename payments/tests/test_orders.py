"""Order services: creation and its bad input, the pay path, cancel, mark paid at the salon,
and the sweep of expired pending orders (their holds released)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings.models import Appointment
from payments.fulfilment import (
    Fulfilment,
    FulfilmentFailed,
    register_fulfilment,
    unregister_fulfilment,
)
from payments.models import Order, OrderItem, Payment
from payments.services.orders import (
    ItemSpec,
    order_cancel,
    order_create,
    order_mark_paid,
    order_pay_path,
    orders_expire_pending,
)
from payments.tasks import payments_sweep
from payments.tests.conftest import book_online, order_of
from tests.factories import ClientFactory

ITEM = ItemSpec(kind=OrderItem.Kind.PACKAGE, description="10 visits", amount=Decimal("90.00"))


def test_online_order_with_a_pending_payment_and_its_pay_path(salon, fake_stripe):
    client = ClientFactory(salon=salon)
    order = order_create(salon=salon, client=client, items=[ITEM], provider="stripe")
    assert (order.status, order.total, order.amount_online, order.currency) == (
        "pending", Decimal("90.00"), Decimal("90.00"), salon.currency,
    )  # fmt: skip
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.amount) == ("pending", Decimal("90.00"))
    assert order_pay_path(order) == f"/pay/{order.reference}/"


def test_part_online_part_otherwise(salon, fake_stripe):
    order = order_create(salon=salon, client=None, items=[ITEM], provider="stripe",
                         amount_online=Decimal("40"))  # fmt: skip
    assert Payment.objects.get(order=order).amount == Decimal("40.00")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"items": []}, "items"),
        ({"provider": "nope"}, "provider"),
        ({"items": [ItemSpec(kind="weird", description="x", amount=Decimal(1))]}, "items"),
        ({"items": [ItemSpec(kind="package", description="x", amount=Decimal(-1))]}, "amount"),
        ({"items": [ItemSpec(kind="package", description="x", amount="zz")]}, "amount"),  # type: ignore[arg-type]
        ({"amount_online": Decimal("91")}, "amount"),
        ({"items": [ItemSpec(kind="package", description="x", amount=Decimal("1e12"))]}, "amount"),
    ],
)
def test_bad_orders_are_refused_and_nothing_written(salon, fake_stripe, kwargs, field):
    args = {"salon": salon, "client": None, "items": [ITEM], "provider": "stripe", **kwargs}
    with pytest.raises(ValidationError) as exc:
        order_create(**args)
    assert field in exc.value.message_dict
    assert not Order.objects.exists() and not Payment.objects.exists()


def test_pay_at_salon_order_marked_paid_runs_the_fulfilment_once(salon, owner):
    calls: list[int] = []
    register_fulfilment(
        Fulfilment(kind=OrderItem.Kind.PACKAGE, on_paid=lambda i: calls.append(i.pk))
    )
    try:
        order = order_create(salon=salon, client=None, items=[ITEM], provider="pay_at_salon")
        assert not Payment.objects.filter(order=order).exists()
        order_mark_paid(salon=salon, order_id=order.pk, actor=owner)
        order_mark_paid(salon=salon, order_id=order.pk, actor=owner)  # twice: no-op
    finally:
        unregister_fulfilment(OrderItem.Kind.PACKAGE)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.paid_at
    assert len(calls) == 1
    payment = Payment.objects.get(order=order)
    assert (payment.provider, payment.status, payment.amount) == (
        "pay_at_salon",
        "paid",
        Decimal("90.00"),
    )


def test_mark_paid_refuses_online_orders_and_other_salons(salon, other_salon, owner, fake_stripe):
    online = order_create(salon=salon, client=None, items=[ITEM], provider="stripe")
    with pytest.raises(ValidationError):
        order_mark_paid(salon=salon, order_id=online.pk, actor=owner)
    at_salon = order_create(salon=salon, client=None, items=[ITEM], provider="pay_at_salon")
    with pytest.raises(Order.DoesNotExist):
        order_mark_paid(salon=other_salon, order_id=at_salon.pk, actor=owner)
    with pytest.raises(Order.DoesNotExist):
        order_cancel(salon=other_salon, order_id=at_salon.pk)


def test_fulfilment_failure_on_mark_paid_writes_nothing(salon, owner):
    def refuse(item: OrderItem) -> None:
        raise FulfilmentFailed("gone")

    register_fulfilment(Fulfilment(kind=OrderItem.Kind.PACKAGE, on_paid=refuse))
    try:
        order = order_create(salon=salon, client=None, items=[ITEM], provider="pay_at_salon")
        with pytest.raises(ValidationError):
            order_mark_paid(salon=salon, order_id=order.pk, actor=owner)
    finally:
        unregister_fulfilment(OrderItem.Kind.PACKAGE)
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert not Payment.objects.filter(order=order).exists()


def test_cancel_runs_on_cancelled_once_and_refuses_paid_orders(salon, owner):
    lapsed: list[int] = []
    register_fulfilment(Fulfilment(kind=OrderItem.Kind.PACKAGE, on_paid=lambda i: None,
                                   on_cancelled=lambda i: lapsed.append(i.pk)))  # fmt: skip
    try:
        order = order_create(salon=salon, client=None, items=[ITEM], provider="pay_at_salon")
        order_cancel(salon=salon, order_id=order.pk)
        order_cancel(salon=salon, order_id=order.pk)
        assert len(lapsed) == 1
        paid = order_create(salon=salon, client=None, items=[ITEM], provider="pay_at_salon")
        order_mark_paid(salon=salon, order_id=paid.pk, actor=owner)
        with pytest.raises(ValidationError):
            order_cancel(salon=salon, order_id=paid.pk)
    finally:
        unregister_fulfilment(OrderItem.Kind.PACKAGE)


def test_the_sweep_cancels_expired_pending_orders_and_releases_their_holds(online_shop):
    appointment = book_online(online_shop)
    order = order_of(appointment)
    fresh = order_of(book_online(online_shop, hour=13))
    assert orders_expire_pending() == 0
    later = order.expires_at + dt.timedelta(seconds=1)
    Order.objects.filter(pk=fresh.pk).update(expires_at=timezone.now() + dt.timedelta(hours=1))
    assert orders_expire_pending(now=later) == 1
    order.refresh_from_db()
    appointment.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert appointment.status == Appointment.Status.RELEASED
    fresh.refresh_from_db()
    assert fresh.status == Order.Status.PENDING
    # the task runs the same sweep
    assert payments_sweep() == {"orders_expired": 0, "refunds_retried": 0}
