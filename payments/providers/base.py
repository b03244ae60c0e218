"""The payment provider interface. A provider turns a pending `Payment` into a page where
the client pays (`checkout_session_create`), verifies and normalises its webhooks
(`webhook_parse`) and refunds (`refund_create`). It never writes to the database: the
payments services do, under row locks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from payments.models import Order, Payment


class ProviderError(Exception):
    """The provider could not be reached or refused the call (retry later)."""


class WebhookInvalid(Exception):
    """The webhook's signature, timestamp or body is not acceptable (answer 400)."""


@dataclass(frozen=True)
class CheckoutSession:
    session_id: str
    url: str


@dataclass(frozen=True)
class ProviderRefund:
    refund_id: str
    status: str  # "succeeded" | "pending" | "failed"


@dataclass(frozen=True)
class ProviderEvent:
    """A verified webhook event, normalised.

    kind: "paid" | "failed" | "expired" | "refunded" | "refund_failed" | "ignored"
    """

    event_id: str
    event_type: str
    kind: str
    payload: dict[str, Any]
    session_id: str = ""
    reference: str = ""
    payment_id: str = ""
    # What the event says was paid: minor units and the lower-case currency code.
    amount_minor: int | None = None
    currency: str = ""
    refund_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class PaymentProvider:
    key: str = ""
    label: Any = ""
    # True: the client pays at the provider's page (a Checkout Session); False: at the salon.
    online: bool = False

    def is_configured(self) -> bool:
        return True

    def minimum_charge(self, currency: str) -> Decimal:
        """The smallest amount the provider takes in `currency` (0: no minimum)."""
        return Decimal(0)

    def checkout_session_create(
        self, *, order: Order, payment: Payment, expires_at: datetime | None
    ) -> CheckoutSession:
        raise NotImplementedError

    def checkout_session_expire(self, *, session_id: str) -> None:
        """Close the provider's page of a cancelled order (best effort)."""
        return None

    def webhook_parse(self, *, body: bytes, headers: dict[str, str]) -> ProviderEvent:
        raise NotImplementedError

    def refund_create(
        self, *, payment: Payment, amount: Decimal, idempotency_key: str
    ) -> ProviderRefund:
        raise NotImplementedError
