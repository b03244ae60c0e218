"""The "gift card code" way to pay at the booking's last step (bookings/checkout.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bookings.checkout import PaymentContext, PaymentInput, PaymentMethod
from bookings.models import Appointment, Client, Salon, Service
from loyalty.services.gift_cards import CODE_FIELD, gift_card_pay_appointment


class GiftCardPayment(PaymentMethod):
    key = "gift_card"
    label = _("Gift card")
    description = _(
        "The card's value pays the booking in full or in part; the rest is paid at the salon."
    )
    position = 50
    inputs = (
        PaymentInput(
            name=CODE_FIELD,
            label=_("Gift card code"),
            help_text=_("As on your gift card, e.g. K7QM-3XTR-9HWA-P2ND"),
            max_length=40,
        ),
    )

    def is_available(self, salon: Salon, client: Client | None, service: Service) -> bool:
        # Whoever holds a code can use it, so the choice is there for guests too; a salon
        # that never issued a card does not show it.
        from loyalty.models import GiftCard

        return service.price > 0 and GiftCard.objects.for_salon(salon).exists()

    def apply(self, appointment: Appointment, payment: PaymentContext) -> None:
        gift_card_pay_appointment(
            salon=appointment.salon,
            appointment=appointment,
            code=payment.details.get(CODE_FIELD, ""),
            client_ip=payment.client_ip,
        )
