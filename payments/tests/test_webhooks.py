"""Stripe webhooks at /payments/webhooks/stripe/: payloads signed with the library's own
`WebhookSignature`; forged, unsigned, stale or garbage → 400 and nothing changes; each event
once; tolerant of order; amounts and currencies checked."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
from django.test import Client as HttpClient

from bookings.models import Appointment
from bookings.services.booking import BookingRequest, appointment_book
from notices.models import Notice
from payments.models import Order, Payment, Refund, WebhookEvent
from payments.tests.conftest import (
    book_online,
    open_session,
    order_of,
    post_event,
    session_event,
    sign,
)
from tests.factories import ClientFactory


@pytest.fixture
def held(online_shop):
    appointment = book_online(online_shop)
    order = order_of(appointment)
    payment = open_session(HttpClient(), order)
    return {"appointment": appointment, "order": order, "payment": payment}


def _state(held) -> tuple[str, str, str]:
    held["order"].refresh_from_db()
    held["payment"].refresh_from_db()
    held["appointment"].refresh_from_db()
    return (held["order"].status, held["payment"].status, held["appointment"].status)


def test_paid_event_pays_the_order_and_confirms_the_booking(
    held, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(HttpClient(), session_event(held["payment"]))
    assert response.status_code == 200
    assert _state(held) == ("paid", "paid", "booked")
    assert held["payment"].provider_payment_id == "pi_test_1"
    assert held["appointment"].hold_expires_at is None
    assert Notice.objects.filter(kind="booking_confirmation").count() == 1
    event = WebhookEvent.objects.get()
    assert (event.outcome, event.salon_id) == ("paid", held["order"].salon_id)


@pytest.mark.parametrize(
    "how",
    ["unsigned", "forged", "stale", "garbage", "not_an_object", "no_object", "bad_header"],
)
def test_bad_deliveries_are_400_and_change_nothing(held, how):
    http = HttpClient()
    event = session_event(held["payment"])
    body = json.dumps(event)
    headers: dict[str, str] = {"HTTP_STRIPE_SIGNATURE": sign(body)}
    if how == "unsigned":
        headers = {}
    elif how == "forged":
        headers = {"HTTP_STRIPE_SIGNATURE": sign(body, secret="whsec_attacker")}
    elif how == "stale":
        headers = {"HTTP_STRIPE_SIGNATURE": sign(body, timestamp=int(time.time()) - 3600)}
    elif how == "garbage":
        body = "{not json"
        headers = {"HTTP_STRIPE_SIGNATURE": sign(body)}
    elif how == "not_an_object":
        body = "[1, 2]"
        headers = {"HTTP_STRIPE_SIGNATURE": sign(body)}
    elif how == "no_object":
        body = json.dumps({"id": "evt_x", "type": "checkout.session.completed", "data": 5})
        headers = {"HTTP_STRIPE_SIGNATURE": sign(body)}
    elif how == "bad_header":
        headers = {"HTTP_STRIPE_SIGNATURE": "t=abc,v1=zz"}
    response = http.post(
        "/payments/webhooks/stripe/", data=body, content_type="application/json", **headers
    )
    assert response.status_code == 400
    assert _state(held) == ("pending", "pending", "held")
    assert WebhookEvent.objects.count() == 0


def test_the_signed_event_passes_where_the_forged_one_did_not(held):
    # control for the test above: the same body, correctly signed, is accepted
    assert post_event(HttpClient(), session_event(held["payment"])).status_code == 200


def test_webhook_without_a_configured_secret_is_400(held, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    assert post_event(HttpClient(), session_event(held["payment"])).status_code == 400
    assert WebhookEvent.objects.count() == 0


def test_unknown_provider_is_404(db):
    assert HttpClient().post("/payments/webhooks/nope/", data="{}",
                             content_type="application/json").status_code == 404  # fmt: skip


def test_the_same_event_twice_is_a_no_op(held, django_capture_on_commit_callbacks):
    http = HttpClient()
    event = session_event(held["payment"])
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(http, event).status_code == 200
        second = post_event(http, event)
    assert second.status_code == 200 and second.content == b"duplicate"
    assert WebhookEvent.objects.count() == 1
    assert Notice.objects.filter(kind="booking_confirmation").count() == 1


@pytest.mark.parametrize(
    "late", ["checkout.session.async_payment_failed", "checkout.session.expired"]
)
def test_failed_or_expired_after_paid_changes_nothing(held, late):
    http = HttpClient()
    post_event(http, session_event(held["payment"]))
    response = post_event(
        http, session_event(held["payment"], event_type=late, payment_status="unpaid")
    )
    assert response.status_code == 200
    assert _state(held) == ("paid", "paid", "booked")


def test_expired_session_cancels_the_order_and_releases_the_hold(held):
    event = session_event(
        held["payment"], event_type="checkout.session.expired", payment_status="unpaid"
    )
    post_event(HttpClient(), event)
    assert _state(held) == ("cancelled", "cancelled", "released")


def test_async_payment_completed_unpaid_then_succeeded(held):
    http = HttpClient()
    post_event(http, session_event(held["payment"], payment_status="unpaid"))
    assert _state(held) == ("pending", "pending", "held")
    post_event(
        http,
        session_event(held["payment"], event_type="checkout.session.async_payment_succeeded"),
    )
    assert _state(held) == ("paid", "paid", "booked")


def test_async_payment_failed_fails_the_order_and_releases_the_hold(held):
    post_event(
        HttpClient(),
        session_event(
            held["payment"], event_type="checkout.session.async_payment_failed",
            payment_status="unpaid",
        ),
    )  # fmt: skip
    assert _state(held) == ("failed", "failed", "released")


@pytest.mark.parametrize(
    ("amount", "currency", "outcome"),
    [(100, None, "amount_mismatch"), (None, "usd", "currency_mismatch"), (3999, None,
     "amount_mismatch")],
)  # fmt: skip
def test_amount_or_currency_not_matching_is_not_paid(held, amount, currency, outcome):
    event = session_event(held["payment"], amount=amount, currency=currency)
    assert post_event(HttpClient(), event).status_code == 200
    assert _state(held) == ("pending", "pending", "held")
    assert WebhookEvent.objects.get().outcome == outcome


def test_unknown_session_is_200_and_recorded_as_ignored(held):
    event = session_event(held["payment"])
    event["data"]["object"]["id"] = "cs_unknown"
    event["data"]["object"]["client_reference_id"] = "unknown-ref"
    event["data"]["object"]["metadata"] = {}
    assert post_event(HttpClient(), event).status_code == 200
    assert WebhookEvent.objects.get().outcome == "ignored: unknown order"
    assert _state(held) == ("pending", "pending", "held")


def test_unhandled_event_type_is_recorded_and_200(held):
    event = {"id": "evt_other", "type": "customer.created", "data": {"object": {"id": "cus_1"}}}
    assert post_event(HttpClient(), event).status_code == 200
    assert WebhookEvent.objects.get().outcome == "ignored"


def test_paid_after_our_own_expiry_with_the_time_still_free_confirms(
    held, django_capture_on_commit_callbacks
):
    from payments.services.orders import order_cancel

    order_cancel(salon=held["order"].salon, order_id=held["order"].pk)
    assert _state(held) == ("cancelled", "cancelled", "released")
    with django_capture_on_commit_callbacks(execute=True):
        post_event(HttpClient(), session_event(held["payment"]))
    assert _state(held) == ("paid", "paid", "booked")
    assert not Refund.objects.exists()


def test_paid_after_expiry_with_the_time_taken_is_refunded_in_full(
    held, fake_stripe, django_capture_on_commit_callbacks
):
    from payments.services.orders import order_cancel

    shop_salon = held["order"].salon
    order_cancel(salon=shop_salon, order_id=held["order"].pk)
    appointment = held["appointment"]
    # someone else books the released time
    appointment_book(
        salon=shop_salon,
        request=BookingRequest(
            location=appointment.location, service=appointment.service,
            starts_at=appointment.starts_at, staff=appointment.staff,
        ),
        client=ClientFactory(salon=shop_salon),
        source=Appointment.Source.ONLINE,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(HttpClient(), session_event(held["payment"]))
    assert response.status_code == 200
    order, payment, status = _state(held)
    assert status == "released"
    assert (order, payment) == ("refunded", "refunded")
    refund = Refund.objects.get()
    assert refund.reason == Refund.Reason.HOLD_EXPIRED
    assert refund.amount == Decimal("40.00")
    assert refund.status == Refund.Status.SUCCEEDED
    call = fake_stripe.posts("/v1/refunds")[0]
    assert call["params"]["amount"] == "4000"
    assert call["params"]["payment_intent"] == "pi_test_1"
    assert call["key"] == refund.idempotency_key


def test_charge_refunded_confirms_a_pending_refund(held, fake_stripe,
                                                   django_capture_on_commit_callbacks):  # fmt: skip
    from payments.services.refunds import refund_create

    fake_stripe.refund_status = "pending"
    http = HttpClient()
    post_event(http, session_event(held["payment"]))
    with django_capture_on_commit_callbacks(execute=True):
        refund_create(salon=held["order"].salon, order_id=held["order"].pk, amount=None,
                      actor=None)  # fmt: skip
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.PENDING and refund.provider_refund_id
    event = {
        "id": "evt_charge_refunded",
        "type": "charge.refunded",
        "data": {
            "object": {
                "id": "ch_1",
                "object": "charge",
                "payment_intent": "pi_test_1",
                "refunds": {"data": [{"id": refund.provider_refund_id, "status": "succeeded"}]},
            }
        },
    }
    assert post_event(http, event).status_code == 200
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED
    assert Order.objects.get().status == Order.Status.REFUNDED
    assert Payment.objects.get().status == Payment.Status.REFUNDED


def test_an_event_for_another_order_never_touches_this_one(held, online_shop):
    other = order_of(book_online(online_shop, hour=13))
    other_payment = open_session(HttpClient(), other)
    post_event(HttpClient(), session_event(other_payment))
    assert _state(held) == ("pending", "pending", "held")
    other.refresh_from_db()
    assert other.status == Order.Status.PAID
