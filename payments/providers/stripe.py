"""Stripe, through the official `stripe` library (a `StripeClient` per call, keys from the
environment: STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET; empty = not configured).

- Checkout Session (mode "payment"): line items in minor units, the order's reference as
  `client_reference_id` and in the metadata (of the session and of its payment intent),
  `expires_at` = the hold's expiry, but at least Stripe's minimum of 30 minutes (our own
  order expiry releases the hold earlier; a payment after it is handled by the webhook),
  success/cancel URLs from SITE_URL, idempotency key "checkout-<payment id>-<expires_at>"
  (the library's own network retries reuse it; a later retry is a new request).
- Webhooks: `stripe.WebhookSignature.verify_header` (signature + 5 minute tolerance), then
  normalised to a `ProviderEvent`.
- Refunds: by payment intent, amount in minor units, the refund's idempotency key.

Set up at Stripe: a webhook endpoint `<SITE_URL>/payments/webhooks/stripe/` (its signing
secret is STRIPE_WEBHOOK_SECRET) sending checkout.session.completed,
checkout.session.async_payment_succeeded, checkout.session.async_payment_failed,
checkout.session.expired, charge.refunded, refund.updated and refund.failed.

Tests replace only the HTTP layer: `set_http_client(fake)` (a `stripe.HTTPClient`).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payments.models import Order, OrderItem, Payment
from payments.money import to_minor_units
from payments.providers.base import (
    CheckoutSession,
    PaymentProvider,
    ProviderError,
    ProviderEvent,
    ProviderRefund,
    WebhookInvalid,
)

STRIPE = "stripe"
# Stripe refuses a Checkout Session that expires sooner than 30 minutes (or later than 24 h).
MIN_SESSION = timedelta(minutes=31)
MAX_SESSION = timedelta(hours=23, minutes=59)
WEBHOOK_TOLERANCE_SECONDS = 300

_http_client: Any = None


def set_http_client(client: Any) -> None:
    """Tests: the `stripe.HTTPClient` every StripeClient uses (None = the library's)."""
    global _http_client
    _http_client = client


def _site_url(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


# Per currency; others: 0.50 (Stripe's minimum is about 0.50 USD in the settlement currency).
STRIPE_MINIMUM_CHARGE: dict[str, Decimal] = {
    "EUR": Decimal("0.50"),
    "USD": Decimal("0.50"),
    "GBP": Decimal("0.30"),
    "DKK": Decimal("2.50"),
    "NOK": Decimal("3.00"),
    "SEK": Decimal("3.00"),
    "RON": Decimal("2.00"),
    "PLN": Decimal("2.00"),
    "CHF": Decimal("0.50"),
    "JPY": Decimal("50"),
}


class StripeProvider(PaymentProvider):
    key = STRIPE
    label = _("Card (Stripe)")
    online = True

    def minimum_charge(self, currency: str) -> Decimal:
        """Stripe's minimum charge amounts (docs: "Minimum and maximum charge amounts");
        an amount below it is refused when the Checkout Session is created."""
        return STRIPE_MINIMUM_CHARGE.get(currency.upper(), Decimal("0.50"))

    def is_configured(self) -> bool:
        return bool(getattr(settings, "STRIPE_SECRET_KEY", ""))

    def _client(self) -> stripe.StripeClient:
        if not self.is_configured():
            raise ProviderError("Stripe is not configured (STRIPE_SECRET_KEY).")
        kwargs: dict[str, Any] = {"max_network_retries": 2}
        if _http_client is not None:
            kwargs["http_client"] = _http_client
        return stripe.StripeClient(settings.STRIPE_SECRET_KEY, **kwargs)

    # --- checkout ---------------------------------------------------------------------

    def checkout_session_create(
        self, *, order: Order, payment: Payment, expires_at: datetime | None
    ) -> CheckoutSession:
        currency = payment.currency.lower()
        items = list(OrderItem.objects.for_salon(order.salon_id).filter(order=order))
        if sum((i.amount for i in items), Decimal(0)) == payment.amount:
            lines = [(i.description, i.amount) for i in items if i.amount > 0]
        else:  # part is paid otherwise (a gift card, at the salon): one line for the rest
            lines = [(", ".join(i.description for i in items)[:200], payment.amount)]
        now = timezone.now()
        expiry = max(expires_at or now, now + MIN_SESSION)
        expiry = min(expiry, now + MAX_SESSION)
        metadata = {
            "order_reference": order.reference,
            "payment_id": str(payment.pk),
            "salon_id": str(order.salon_id),
        }
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": currency,
                        "unit_amount": to_minor_units(amount, payment.currency),
                        "product_data": {"name": str(name)[:200] or order.reference},
                    },
                }
                for name, amount in lines
            ],
            "client_reference_id": order.reference,
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
            "expires_at": int(expiry.timestamp()),
            "success_url": _site_url(
                reverse("payments_public:done", kwargs={"reference": order.reference})
            )
            + "?session_id={CHECKOUT_SESSION_ID}",
            "cancel_url": _site_url(
                reverse("payments_public:cancelled", kwargs={"reference": order.reference})
            ),
        }
        email = getattr(order.client, "email", "") if order.client_id else ""
        if email:
            params["customer_email"] = email
        try:
            # The key names the expiry too: it moves with "now", and Stripe answers a key seen
            # with other parameters (or remembers a failure for 24 h) with an error — a
            # retry after a failed attempt must be a new request. Two clicks at once are
            # serialised by the payment's row lock (payment_session_start), not by this key.
            session = self._client().v1.checkout.sessions.create(
                params, {"idempotency_key": f"checkout-{payment.pk}-{params['expires_at']}"}
            )
        except stripe.StripeError as exc:
            raise ProviderError(str(exc)) from exc
        data = session.to_dict()
        if not data.get("id") or not data.get("url"):
            raise ProviderError("Stripe answered without a session id or url.")
        return CheckoutSession(session_id=str(data["id"]), url=str(data["url"]))

    def checkout_session_expire(self, *, session_id: str) -> None:
        try:
            self._client().v1.checkout.sessions.expire(session_id)
        except stripe.StripeError as exc:
            raise ProviderError(str(exc)) from exc

    # --- refunds ----------------------------------------------------------------------

    def refund_create(
        self, *, payment: Payment, amount: Decimal, idempotency_key: str
    ) -> ProviderRefund:
        if not payment.provider_payment_id:
            raise ProviderError("The payment has no payment intent to refund.")
        params = {
            "payment_intent": payment.provider_payment_id,
            "amount": to_minor_units(amount, payment.currency),
            "metadata": {"payment_id": str(payment.pk), "order_id": str(payment.order_id)},
        }
        try:
            refund = self._client().v1.refunds.create(params, {"idempotency_key": idempotency_key})
        except stripe.StripeError as exc:
            raise ProviderError(str(exc)) from exc
        data = refund.to_dict()
        return ProviderRefund(
            refund_id=str(data.get("id") or ""), status=str(data.get("status") or "")
        )

    # --- webhooks ---------------------------------------------------------------------

    def webhook_parse(self, *, body: bytes, headers: dict[str, str]) -> ProviderEvent:
        secret = getattr(settings, "STRIPE_WEBHOOK_SECRET", "")
        if not secret:
            raise WebhookInvalid("STRIPE_WEBHOOK_SECRET is not set.")
        signature = headers.get("Stripe-Signature") or headers.get("stripe-signature") or ""
        try:
            text = body.decode("utf-8")
            stripe.WebhookSignature.verify_header(
                text, signature, secret, WEBHOOK_TOLERANCE_SECONDS
            )
            payload = _without_nul(json.loads(text))
        except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
            raise WebhookInvalid(str(exc)) from exc
        if not isinstance(payload, dict):
            raise WebhookInvalid("The event is not an object.")
        event_id = payload.get("id")
        event_type = payload.get("type")
        data = payload.get("data")
        obj = data.get("object") if isinstance(data, dict) else None
        if not isinstance(event_id, str) or not isinstance(event_type, str):
            raise WebhookInvalid("The event has no id or type.")
        if not isinstance(obj, dict):
            raise WebhookInvalid("The event has no object.")
        return _normalise(event_id[:255], event_type[:100], payload, obj)


def _without_nul(value: Any) -> Any:
    """The event without NUL characters: PostgreSQL's text and jsonb cannot store them (a
    signed event carrying one must still be recorded, not crash the webhook)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def _text(value: Any) -> str:
    return value[:255] if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _normalise(
    event_id: str, event_type: str, payload: dict[str, Any], obj: dict[str, Any]
) -> ProviderEvent:
    base: dict[str, Any] = {"event_id": event_id, "event_type": event_type, "payload": payload}
    if event_type.startswith("checkout.session."):
        metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        session = {
            "session_id": _text(obj.get("id")),
            "reference": _text(obj.get("client_reference_id"))
            or _text(metadata.get("order_reference")),
            "payment_id": _text(obj.get("payment_intent")),
            "amount_minor": _int(obj.get("amount_total")),
            "currency": _text(obj.get("currency")),
        }
        status = obj.get("payment_status")
        kind = {
            "checkout.session.completed": "paid" if status == "paid" else "ignored",
            "checkout.session.async_payment_succeeded": "paid",
            "checkout.session.async_payment_failed": "failed",
            "checkout.session.expired": "expired",
        }.get(event_type, "ignored")
        return ProviderEvent(kind=kind, **base, **session)
    if event_type == "charge.refunded":
        refunds = obj.get("refunds")
        listed = refunds.get("data") if isinstance(refunds, dict) else None
        found = [
            {"id": _text(r.get("id")), "status": _text(r.get("status"))}
            for r in (listed if isinstance(listed, list) else [])
            if isinstance(r, dict)
        ]
        return ProviderEvent(
            kind="refunded",
            payment_id=_text(obj.get("payment_intent")),
            extra={"refunds": found},
            **base,
        )
    if event_type in ("refund.created", "refund.updated", "refund.failed"):
        return ProviderEvent(
            kind="refund_update",
            refund_id=_text(obj.get("id")),
            payment_id=_text(obj.get("payment_intent")),
            extra={"refunds": [{"id": _text(obj.get("id")), "status": _text(obj.get("status"))}]},
            **base,
        )
    return ProviderEvent(kind="ignored", **base)
