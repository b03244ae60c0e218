"""Pay at the salon: the default. Nothing goes to a provider; the owner records the payment
(`payments.services.orders.order_mark_paid` / `appointment_record_paid_at_salon`) and a
refund of it is only recorded (the money is handed back at the desk)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from payments.models import Payment
from payments.providers.base import PaymentProvider, ProviderRefund

PAY_AT_SALON = "pay_at_salon"


class PayAtSalonProvider(PaymentProvider):
    key = PAY_AT_SALON
    label = _("Pay at the salon")
    online = False

    def is_configured(self) -> bool:
        return True

    def refund_create(
        self, *, payment: Payment, amount: Decimal, idempotency_key: str
    ) -> ProviderRefund:
        return ProviderRefund(refund_id="", status="succeeded")
