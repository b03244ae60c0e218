"""Races on PostgreSQL (tests/concurrency.py `race()`): one payment is paid once and fulfilled
once whatever arrives at the same moment; two clients paying for one time → one hold wins;
two refunds at once never exceed what was paid."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient

from bookings.checkout import ClientDetails
from bookings.models import Appointment
from bookings.tests.test_public_booking import next_wednesday_at
from bookings.tests.test_public_units import DETAILS, request_for
from notices.models import Notice
from payments import wiring
from payments.fulfilment import Fulfilment, register_fulfilment
from payments.models import Order, OrderItem, Payment, Refund, WebhookEvent
from payments.services.refunds import refund_create
from payments.tests.conftest import book_online, open_session, order_of, post_event, session_event
from tests.concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def counted_fulfilment():
    """BOOKING fulfilment that counts its `on_paid` calls (then does the real thing)."""
    calls: list[int] = []

    def on_paid(item: OrderItem) -> None:
        calls.append(item.pk)
        wiring.booking_paid(item)

    register_fulfilment(
        Fulfilment(kind=OrderItem.Kind.BOOKING, on_paid=on_paid, on_cancelled=wiring.booking_lapsed)
    )
    yield calls
    register_fulfilment(
        Fulfilment(
            kind=OrderItem.Kind.BOOKING, on_paid=wiring.booking_paid,
            on_cancelled=wiring.booking_lapsed,
        )
    )  # fmt: skip


def _held(shop: dict[str, Any]) -> tuple[Appointment, Order, Payment]:
    appointment = book_online(shop)
    order = order_of(appointment)
    return appointment, order, open_session(HttpClient(), order)


def _deliver(event: dict[str, Any]) -> Any:
    def run() -> None:
        response = post_event(HttpClient(), event)
        assert response.status_code == 200, response.content

    return run


def _assert_paid_once(appointment: Appointment, order: Order, calls: list[int]) -> None:
    order.refresh_from_db()
    appointment.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert appointment.status == Appointment.Status.BOOKED
    assert Payment.objects.get(order=order).status == Payment.Status.PAID
    assert len(calls) == 1
    assert Notice.objects.filter(kind="booking_confirmation").count() == 1
    assert not Refund.objects.exists()


def test_the_same_paid_event_delivered_twice_at_once(online_shop, counted_fulfilment):
    appointment, order, payment = _held(online_shop)
    event = session_event(payment)
    outcomes = race([_deliver(event), _deliver(event), _deliver(event)])
    assert outcomes == ["ok", "ok", "ok"]
    assert WebhookEvent.objects.count() == 1
    _assert_paid_once(appointment, order, counted_fulfilment)


def test_completed_and_async_succeeded_for_one_order_at_once(online_shop, counted_fulfilment):
    appointment, order, payment = _held(online_shop)
    completed = session_event(payment)
    succeeded = session_event(payment, event_type="checkout.session.async_payment_succeeded")
    outcomes = race([_deliver(completed), _deliver(succeeded)])
    assert outcomes == ["ok", "ok"]
    assert WebhookEvent.objects.count() == 2
    assert sorted(WebhookEvent.objects.values_list("outcome", flat=True)) == ["duplicate", "paid"]
    _assert_paid_once(appointment, order, counted_fulfilment)


def test_two_clients_paying_for_the_same_time_one_hold_wins(online_shop):
    staff = online_shop["staff"][0]
    when = next_wednesday_at(10)
    from bookings.checkout import checkout_complete
    from bookings.passcodes import PasscodeUnlocks

    def pay(email: str):
        details: ClientDetails = dataclasses.replace(DETAILS, email=email)

        def run() -> None:
            checkout_complete(
                salon=online_shop["salon"],
                request=request_for(online_shop, when, staff=staff),
                details=details,
                payment_method="online_card",
                unlocks=PasscodeUnlocks(),
            )

        return run

    outcomes = race([pay("one@example.test"), pay("two@example.test")])
    assert sorted(o.split("(")[0] for o in outcomes) == ["error: SlotTaken", "ok"]
    assert Appointment.objects.filter(status=Appointment.Status.HELD).count() == 1
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1


def test_two_refunds_at_once_never_exceed_what_was_paid(online_shop):
    appointment, order, payment = _held(online_shop)
    post_event(HttpClient(), session_event(payment))
    salon = online_shop["salon"]

    def refund() -> None:
        refund_create(salon=salon, order_id=order.pk, amount=Decimal("30"), actor=None)

    outcomes = race([refund, refund, refund])
    assert outcomes == ["ok", "refused", "refused"]
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.amount_refunded == order.amount_refunded == Decimal("30.00")
    assert Refund.objects.count() == 1
