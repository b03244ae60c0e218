"""The Stripe provider and the money helpers: minor units by the currency's exponent, the
Checkout Session's parameters (line items, reference, expiry at least Stripe's minimum, URLs),
refunds with an idempotency key, and webhook parsing (the library's signature check)."""

from __future__ import annotations

import datetime as dt
import json
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from payments.models import OrderItem
from payments.money import from_minor_units, to_minor_units
from payments.providers import ProviderError, WebhookInvalid, online_provider, provider_for
from payments.services.orders import ItemSpec, order_create
from payments.tests.conftest import sign


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        (Decimal("15.50"), "EUR", 1550),
        (Decimal("15.5"), "dkk", 1550),
        (Decimal("0.01"), "RON", 1),
        (Decimal("1500"), "JPY", 1500),
        (Decimal("1.234"), "KWD", 1234),
        (Decimal("99999999.99"), "EUR", 9999999999),
    ],
)
def test_minor_units(amount, currency, minor):
    assert to_minor_units(amount, currency) == minor
    assert isinstance(to_minor_units(amount, currency), int)


def test_from_minor_units_and_floats_refused():
    assert from_minor_units(1550, "EUR") == Decimal("15.50")
    assert from_minor_units(1500, "JPY") == Decimal("1500.00")
    with pytest.raises(TypeError):
        to_minor_units(15.5, "EUR")  # type: ignore[arg-type]


def test_not_configured_without_a_key(settings):
    settings.STRIPE_SECRET_KEY = ""
    assert not provider_for("stripe").is_configured()
    assert online_provider() is None
    assert provider_for("pay_at_salon").is_configured()


def _order(salon, items, **kwargs):
    return order_create(salon=salon, client=None, items=items, provider="stripe", **kwargs)


def test_session_has_one_line_per_item_in_minor_units(salon, fake_stripe):
    order = _order(
        salon,
        [
            ItemSpec(kind=OrderItem.Kind.PACKAGE, description="10 visits", amount=Decimal("90")),
            ItemSpec(
                kind=OrderItem.Kind.GIFT_CARD, description="Gift card", amount=Decimal("25.5")
            ),
        ],
        expires_at=timezone.now() + dt.timedelta(hours=2),
    )
    payment = order.payments.get()
    session = provider_for("stripe").checkout_session_create(
        order=order, payment=payment, expires_at=order.expires_at
    )
    assert session.url.startswith("https://")
    params = fake_stripe.posts("/v1/checkout/sessions")[0]["params"]
    assert params["line_items[0][price_data][unit_amount]"] == "9000"
    assert params["line_items[1][price_data][unit_amount]"] == "2550"
    assert params["line_items[1][price_data][product_data][name]"] == "Gift card"
    assert params["mode"] == "payment"
    assert params["payment_intent_data[metadata][order_reference]"] == order.reference
    # a hold longer than Stripe's minimum is kept as it is
    assert int(params["expires_at"]) == int(order.expires_at.timestamp())


def test_session_for_part_of_the_total_is_one_line_of_that_part(salon, fake_stripe):
    order = _order(
        salon,
        [ItemSpec(kind=OrderItem.Kind.PACKAGE, description="10 visits", amount=Decimal("90"))],
        amount_online=Decimal("12.34"),
    )
    provider_for("stripe").checkout_session_create(
        order=order, payment=order.payments.get(), expires_at=None
    )
    params = fake_stripe.posts("/v1/checkout/sessions")[0]["params"]
    assert params["line_items[0][price_data][unit_amount]"] == "1234"
    assert "line_items[1][price_data][unit_amount]" not in params
    assert int(params["expires_at"]) >= time.time() + 30 * 60


def test_refund_without_a_payment_intent_is_a_provider_error(salon, fake_stripe):
    order = _order(salon, [ItemSpec(kind="package", description="x", amount=Decimal("5"))])
    with pytest.raises(ProviderError):
        provider_for("stripe").refund_create(
            payment=order.payments.get(), amount=Decimal("5"), idempotency_key="k1"
        )


def test_refund_sends_minor_units_and_the_idempotency_key(salon, fake_stripe):
    order = _order(salon, [ItemSpec(kind="package", description="x", amount=Decimal("5"))])
    payment = order.payments.get()
    payment.provider_payment_id = "pi_1"
    result = provider_for("stripe").refund_create(
        payment=payment, amount=Decimal("4.99"), idempotency_key="key-1"
    )
    again = provider_for("stripe").refund_create(
        payment=payment, amount=Decimal("4.99"), idempotency_key="key-1"
    )
    assert result == again and result.status == "succeeded"
    call = fake_stripe.posts("/v1/refunds")[0]
    assert (call["params"]["amount"], call["key"]) == ("499", "key-1")


def _parse(body: str, header: str):
    return provider_for("stripe").webhook_parse(
        body=body.encode(), headers={"Stripe-Signature": header}
    )


def test_webhook_parse_normalises_a_checkout_event(fake_stripe):
    body = json.dumps(
        {
            "id": "evt_1",
            "type": "checkout.session.completed",
            "data": {
                "object": {
                    "id": "cs_1",
                    "client_reference_id": "ref",
                    "payment_status": "paid",
                    "amount_total": 1550,
                    "currency": "eur",
                    "payment_intent": "pi_1",
                }
            },
        }
    )  # fmt: skip
    event = _parse(body, sign(body))
    assert (event.kind, event.session_id, event.reference, event.amount_minor, event.currency,
            event.payment_id) == ("paid", "cs_1", "ref", 1550, "eur", "pi_1")  # fmt: skip


@pytest.mark.parametrize("amount_total", ["1550", 15.5, True, None])
def test_webhook_amount_that_is_not_an_integer_is_none(fake_stripe, amount_total):
    obj = {"id": "cs_1", "amount_total": amount_total}
    body = json.dumps(
        {"id": "evt_1", "type": "checkout.session.completed", "data": {"object": obj}}
    )
    assert _parse(body, sign(body)).amount_minor is None


def test_webhook_parse_rejects_what_the_library_rejects(fake_stripe):
    body = json.dumps({"id": "evt_1", "type": "x", "data": {"object": {}}})
    for header in ("", "garbage", sign(body, secret="whsec_other"),
                   sign(body, timestamp=int(time.time()) - 301)):  # fmt: skip
        with pytest.raises(WebhookInvalid):
            _parse(body, header)
    with pytest.raises(WebhookInvalid):
        provider_for("stripe").webhook_parse(body=b"\xff\xfe", headers={"Stripe-Signature": "x"})
