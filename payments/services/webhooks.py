"""Provider webhooks: record each verified event once, then move the order.

`webhook_receive(provider_key, body, headers)` → (HTTP status, outcome):
- 404 for an unknown provider; 400 when the provider rejects the signature, the timestamp
  (older than its tolerance) or the body — nothing is written;
- 200 otherwise, also for an event about an order we don't know (recorded as ignored:
  the provider retries anything but 2xx forever).

The event row (`WebhookEvent`, unique per provider + event id) and the order's move are one
transaction: the same event delivered twice (or at once) runs once — the second insert
waits for the first and then finds it. Two different events for one order (completed +
async_payment_succeeded) are serialised by the order's row lock and the state machine
(payments/services/orders.py).
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from payments.models import WebhookEvent
from payments.providers import ProviderEvent, WebhookInvalid, provider_for
from payments.services import orders as order_services
from payments.services import refunds as refund_services

logger = logging.getLogger(__name__)


def webhook_receive(provider_key: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    try:
        provider = provider_for(provider_key)
    except KeyError:
        return 404, "unknown provider"
    try:
        event = provider.webhook_parse(body=body, headers=headers)
    except WebhookInvalid as exc:
        logger.warning("rejected %s webhook: %s", provider_key, exc)
        return 400, "invalid"
    except NotImplementedError:
        return 404, "no webhooks"
    return 200, webhook_process(provider_key, event)


def webhook_process(provider_key: str, event: ProviderEvent) -> str:
    """Record the event and act on it, once. Returns the outcome stored on the event."""
    try:
        with transaction.atomic():
            record = WebhookEvent.objects.create(
                provider=provider_key,
                event_id=event.event_id,
                event_type=event.event_type,
                payload=event.payload,
            )
            salon_id, outcome = _act(provider_key, event)
            record.salon_id = salon_id
            record.outcome = outcome[:200]
            record.processed_at = timezone.now()
            record.save(update_fields=["salon", "outcome", "processed_at"])
    except IntegrityError:
        if WebhookEvent.objects.filter(provider=provider_key, event_id=event.event_id).exists():
            return "duplicate"
        raise
    if outcome.startswith(("amount_mismatch", "currency_mismatch")):
        logger.error("%s event %s: %s", provider_key, event.event_id, outcome)
    return outcome


def _act(provider_key: str, event: ProviderEvent) -> tuple[int | None, str]:
    if event.kind in ("paid", "failed", "expired"):
        payment = order_services.payment_for_session(
            provider=provider_key, session_id=event.session_id, reference=event.reference
        )
        if payment is None:
            return None, "ignored: unknown order"
        salon_id = payment.salon_id
        if event.kind == "paid":
            result = order_services.order_payment_paid(
                payment_id=payment.pk,
                salon_id=salon_id,
                amount_minor=event.amount_minor,
                currency=event.currency,
                provider_payment_id=event.payment_id,
            )
            return salon_id, result.outcome
        return salon_id, order_services.order_payment_failed(
            payment_id=payment.pk, salon_id=salon_id, expired=event.kind == "expired"
        )
    if event.kind in ("refunded", "refund_update"):
        outcomes = [
            refund_services.refund_confirm(
                provider=provider_key, refund_id=r["id"], status=r["status"]
            )
            for r in event.extra.get("refunds", [])
            if r.get("id")
        ]
        return None, "; ".join(outcomes) or "ignored: no refunds listed"
    return None, "ignored"
