"""QA races on PostgreSQL (tests/concurrency.py `race()`): an impatient client against the
provider and the sweep — never a 500, paid once, the booking ends consistent."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client as HttpClient

from bookings.models import Appointment
from bookings.tests.test_public_booking import next_wednesday_at
from payments.models import Order, Payment, Refund
from payments.services.orders import orders_expire_pending
from payments.tests.conftest import book_online, open_session, order_of, post_event, session_event
from tests.concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _held(shop: dict[str, Any]) -> tuple[Appointment, Order, Payment]:
    appointment = book_online(shop)
    order = order_of(appointment)
    return appointment, order, open_session(HttpClient(), order)


def _ok(response: Any) -> None:
    assert response.status_code == 200, response.content


def test_cancel_return_and_paid_webhook_at_once(online_shop):
    """The client clicks "back" on the provider's page while the payment goes through."""
    appointment, order, payment = _held(online_shop)
    outcomes = race(
        [
            lambda: _ok(HttpClient().get(f"/pay/{order.reference}/cancelled/")),
            lambda: _ok(post_event(HttpClient(), session_event(payment))),
        ]
    )
    assert outcomes == ["ok", "ok"]
    order.refresh_from_db()
    appointment.refresh_from_db()
    payment.refresh_from_db()
    # Whichever came first, the money was taken once and the time is the client's (it was
    # free): paid and booked, nothing refunded.
    assert (order.status, payment.status, appointment.status) == ("paid", "paid", "booked")
    assert not Refund.objects.exists()


def test_expiry_sweep_and_paid_webhook_at_once(online_shop):
    from django.utils import timezone

    appointment, order, payment = _held(online_shop)
    past = timezone.now()
    Order.objects.filter(pk=order.pk).update(expires_at=past)
    Appointment.objects.filter(pk=appointment.pk).update(hold_expires_at=past)
    outcomes = race(
        [
            lambda: orders_expire_pending(),
            lambda: _ok(post_event(HttpClient(), session_event(payment))),
        ]
    )
    assert outcomes == ["ok", "ok"]
    order.refresh_from_db()
    appointment.refresh_from_db()
    assert order.status == "paid"
    assert appointment.status == "booked"
    assert not Refund.objects.exists()


def test_api_double_submission_at_once_holds_once(online_shop):
    body = {
        "location": online_shop["location"].pk,
        "service": online_shop["service"].pk,
        "staff": online_shop["staff"][0].pk,
        "starts_at": next_wednesday_at(10).isoformat(),
        "client": {"first_name": "Kati", "email": "kati@example.test"},
        "payment_method": "online_card",
    }
    codes: list[int] = []

    def submit() -> None:
        response = HttpClient().post(
            "/api/v1/public/alpha/bookings/", body, content_type="application/json"
        )
        codes.append(response.status_code)

    assert race([submit, submit, submit]) == ["ok", "ok", "ok"]
    assert codes.count(201) == 1, codes
    assert all(code in (201, 400, 409) for code in codes), codes
    assert Order.objects.count() == 1 and Payment.objects.count() == 1
    assert Appointment.objects.count() == 1


def test_cached_availability_follows_a_hold_and_its_cancellation(online_shop):
    """On PostgreSQL outside a transaction the public availability is cached: a new hold
    hides the time at once, and the client leaving the provider's page frees it at once."""
    when = next_wednesday_at(10)
    day = when.date().isoformat()
    query = {
        "location": online_shop["location"].pk,
        "service": online_shop["service"].pk,
        "staff": online_shop["staff"][0].pk,
        "start": day,
        "end": day,
    }

    def offered() -> bool:
        response = HttpClient().get("/api/v1/public/alpha/availability/", query)
        assert response.status_code == 200
        return when.isoformat() in json.dumps(response.json())

    assert offered() and offered()  # the second answer from the cache
    body = {
        "location": online_shop["location"].pk,
        "service": online_shop["service"].pk,
        "staff": online_shop["staff"][0].pk,
        "starts_at": when.isoformat(),
        "client": {"first_name": "Kati", "email": "kati@example.test"},
        "payment_method": "online_card",
    }
    created = HttpClient().post(
        "/api/v1/public/alpha/bookings/", body, content_type="application/json"
    )
    assert created.status_code == 201
    assert not offered()
    order = Order.objects.get()
    assert HttpClient().get(f"/pay/{order.reference}/cancelled/").status_code == 200
    assert offered()
