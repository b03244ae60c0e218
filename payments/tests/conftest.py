"""Payments test helpers: Stripe replaced at the HTTP boundary only (a `stripe.HTTPClient`
answering canned JSON for the endpoints we call), webhook payloads signed with the library's
own `WebhookSignature`, and a shop that takes online payments."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest
import stripe
from django.test import Client as HttpClient

from bookings.checkout import checkout_complete
from bookings.models import Appointment
from bookings.passcodes import PasscodeUnlocks
from bookings.tests.conftest import shop  # noqa: F401 - the fixture
from bookings.tests.test_public_booking import next_wednesday_at
from bookings.tests.test_public_units import DETAILS, request_for
from payments.models import Order, Payment, PaymentSettings
from payments.money import to_minor_units
from payments.providers import stripe as stripe_provider

SECRET = "whsec_test_secret"
SECRET_KEY = "sk_test_fake"


class FakeStripeHttp(stripe.HTTPClient):
    """Answers POST /v1/checkout/sessions, POST /v1/checkout/sessions/<id>/expire and
    POST /v1/refunds like Stripe does (an idempotency key seen again → the same answer)."""

    name = "fake"

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[dict[str, Any]] = []
        self.fail_refunds = False
        self.refund_status = "succeeded"
        self._by_key: dict[str, tuple[str, int, dict[str, str]]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def request(self, method, url, headers, post_data=None, *, _usage=None):  # type: ignore[override]
        path = url.split("api.stripe.com", 1)[-1].split("?", 1)[0]
        params = {k: v[0] for k, v in parse_qs(post_data or "").items()}
        key = (headers or {}).get("Idempotency-Key", "")
        with self._lock:
            self.calls.append({"method": method, "path": path, "params": params, "key": key})
            if key and key in self._by_key:
                return self._by_key[key]
            n = next(self._ids)
            if method == "post" and path == "/v1/checkout/sessions":
                body: dict[str, Any] = {
                    "id": f"cs_test_{n}",
                    "object": "checkout.session",
                    "url": f"https://checkout.stripe.test/c/pay/cs_test_{n}",
                    "client_reference_id": params.get("client_reference_id"),
                    "payment_status": "unpaid",
                    "status": "open",
                }
                status = 200
            elif method == "post" and path.endswith("/expire"):
                body = {
                    "id": path.split("/")[-2],
                    "object": "checkout.session",
                    "status": "expired",
                }
                status = 200
            elif method == "post" and path == "/v1/refunds":
                if self.fail_refunds:
                    body = {
                        "error": {
                            "type": "invalid_request_error",
                            "message": "Charge could not be refunded (test).",
                        }
                    }
                    return json.dumps(body), 400, {"Request-Id": f"req_{n}"}
                body = {
                    "id": f"re_test_{n}",
                    "object": "refund",
                    "amount": int(params["amount"]),
                    "payment_intent": params.get("payment_intent"),
                    "status": self.refund_status,
                }
                status = 200
            else:
                body = {"error": {"type": "invalid_request_error", "message": "not faked"}}
                status = 404
            answer = (json.dumps(body), status, {"Request-Id": f"req_{n}"})
            if key:
                self._by_key[key] = answer
            return answer

    def close(self) -> None:
        return None

    def posts(self, path: str) -> list[dict[str, Any]]:
        return [c for c in self.calls if c["path"] == path]


@pytest.fixture(autouse=True)
def _fulfilments_restored() -> Iterator[None]:
    """A test may register its own fulfilment of a kind: the apps' own come back after it."""
    from payments import fulfilment

    saved = dict(fulfilment._registry)
    yield
    fulfilment._registry.clear()
    fulfilment._registry.update(saved)


@pytest.fixture
def fake_stripe(settings) -> Iterator[FakeStripeHttp]:
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    fake = FakeStripeHttp()
    stripe_provider.set_http_client(fake)
    yield fake
    stripe_provider.set_http_client(None)


@pytest.fixture
def online_shop(shop, fake_stripe):  # noqa: F811 - the fixture
    PaymentSettings.objects.create(salon=shop["salon"], online_payments_enabled=True)
    return shop


def book_online(shop_: dict[str, Any], hour: int = 10, **details: Any) -> Appointment:
    """A booking paid online by card (held, with its order and pending payment)."""
    kwargs: dict[str, Any] = {"details": DETAILS}
    kwargs.update(details)
    return checkout_complete(
        salon=shop_["salon"],
        request=request_for(shop_, next_wednesday_at(hour)),
        payment_method="online_card",
        unlocks=PasscodeUnlocks(),
        **kwargs,
    )


def order_of(appointment: Appointment) -> Order:
    return Order.objects.for_salon(appointment.salon_id).get(appointment=appointment)


def open_session(http: HttpClient, order: Order) -> Payment:
    """The client opens the pay page (the checkout session is created)."""
    response = http.get(f"/pay/{order.reference}/")
    assert response.status_code == 303, response.content
    return Payment.objects.for_salon(order.salon_id).get(order=order)


def session_event(
    payment: Payment,
    *,
    event_type: str = "checkout.session.completed",
    payment_status: str = "paid",
    amount: int | None = None,
    currency: str | None = None,
    event_id: str | None = None,
    payment_intent: str = "pi_test_1",
) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_{event_type}_{payment.pk}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "data": {
            "object": {
                "id": payment.provider_session_id,
                "object": "checkout.session",
                "client_reference_id": payment.order.reference,
                "payment_intent": payment_intent,
                "payment_status": payment_status,
                "amount_total": (
                    to_minor_units(payment.amount, payment.currency) if amount is None else amount
                ),
                "currency": (currency or payment.currency).lower(),
                "metadata": {"order_reference": payment.order.reference},
            }
        },
    }


def sign(body: str, *, secret: str = SECRET, timestamp: int | None = None) -> str:
    return stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=timestamp)


def post_event(
    http: HttpClient, event: dict[str, Any], *, secret: str = SECRET, timestamp: int | None = None
) -> Any:
    body = json.dumps(event)
    return http.post(
        "/payments/webhooks/stripe/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(body, secret=secret, timestamp=timestamp),
    )
