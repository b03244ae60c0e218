"""The "gift card code" way to pay at the booking's last step (bookings/checkout.py).

The card pays what its value allows (`gift_card_pay_appointment`, in the booking's
transaction). The rest:

- at the salon, as before — also while the salon takes payments online, unless the service
  requires paying ahead (`bookings.checkout.prepayment_required`: payments' rule, a deposit
  or full prepayment while online payments are available). No time is held then.
- when the service requires paying ahead (issue 17): by card, now. The time is held while the
  client pays (`hold_minutes`: the salon's hold time); `apply` takes the card's part and
  writes an order for the booking's price of which the card pays the rest online
  (`order_create(..., amount_online=rest)`), and returns its pay page. When the card covers
  the whole price nothing is left to pay: the held time is confirmed at once (a booking, with
  its confirmation). The order is paid → payments confirms the booking; the order lapses or
  is cancelled → payments releases the held time and the card's part goes back to the card
  (`gift_card_booking_lapsed`, a listener of BOOKING items); paid after that (late) → the
  booking is not confirmed and payments refunds the order (`gift_card_booking_paid`).

For such services the rest is paid ahead, so the method pays the salon before the visit
(`satisfies_prepayment`): it stays offered for services that require prepayment (that rule
only applies while online payments are available).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bookings.checkout import PaymentContext, PaymentInput, PaymentMethod
from bookings.models import Appointment, Client, Salon, Service
from loyalty.services.gift_cards import (
    CODE_FIELD,
    gift_card_pay_appointment,
    gift_card_refund_for_appointment,
)

if TYPE_CHECKING:
    from payments.models import OrderItem


def _online(salon: Salon) -> bool:
    from payments.providers import online_provider
    from payments.services.settings import online_payments_available

    return online_provider() is not None and online_payments_available(salon)


def _rest_paid_online(salon: Salon, service: Service) -> bool:
    """Whether what the card does not cover is paid online now (held time + an order): only
    when the service must be paid ahead; otherwise the rest is paid at the salon."""
    from bookings.checkout import prepayment_required

    return _online(salon) and prepayment_required(salon=salon, service=service)


class GiftCardPayment(PaymentMethod):
    key = "gift_card"
    label = _("Gift card")
    description = _(
        "The card's value pays the booking in full or in part; the rest is paid at the salon."
    )
    position = 50
    satisfies_prepayment = True
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

    def hold_minutes(self, salon: Salon, client: Client | None, service: Service) -> int | None:
        # The card's balance is known only in `apply`: when the service must be paid ahead,
        # hold whenever a rest could be paid by card (a card covering the price confirms the
        # hold at once); otherwise the rest is paid at the salon and nothing is held.
        if service.price <= 0 or not _rest_paid_online(salon, service):
            return None
        from payments.services.settings import payment_settings_for

        return int(payment_settings_for(salon).hold_minutes)

    def summary(self, salon: Salon, service: Service, price: Decimal) -> str:
        if _rest_paid_online(salon, service):
            return gettext(
                "The card's value pays the booking in full or in part; you pay the rest now "
                "by card."
            )
        return str(self.description)

    def apply(self, appointment: Appointment, payment: PaymentContext) -> str | None:
        salon = appointment.salon
        entry = gift_card_pay_appointment(
            salon=salon,
            appointment=appointment,
            code=payment.details.get(CODE_FIELD, ""),
            client_ip=payment.client_ip,
        )
        if appointment.status != Appointment.Status.HELD:
            return None  # the rest (if any) is paid at the salon
        rest = appointment.price + entry.amount  # entry.amount: what the card paid, negative
        if rest <= 0:
            return _confirm(appointment)
        return _order_for_rest(appointment, rest)


def _confirm(appointment: Appointment) -> None:
    """The card paid it all: the held time becomes a booking now (its CREATED event and
    confirmation go out after the commit)."""
    from bookings.services.holds import appointment_hold_confirm

    booked = appointment_hold_confirm(salon=appointment.salon, appointment_id=appointment.pk)
    appointment.status = booked.status
    appointment.hold_expires_at = booked.hold_expires_at
    appointment.status_changed_at = booked.status_changed_at
    return None


def _order_for_rest(appointment: Appointment, rest: Decimal) -> str:
    from payments.models import OrderItem
    from payments.providers import online_provider
    from payments.services.orders import ItemSpec, order_create, order_pay_path

    provider = online_provider()
    if provider is None:  # the configuration went away between the page and the POST
        raise ValidationError(
            {"payment_method": gettext("Paying online is not possible right now.")}
        )
    order = order_create(
        salon=appointment.salon,
        client=appointment.client,
        items=[
            ItemSpec(
                kind=OrderItem.Kind.BOOKING,
                description=appointment.service.name,
                amount=appointment.price,
                object_id=appointment.pk,
            )
        ],
        provider=provider.key,
        appointment=appointment,
        expires_at=appointment.hold_expires_at,
        amount_online=rest,
    )
    return order_pay_path(order)


def gift_card_booking_lapsed(item: OrderItem) -> None:
    """A BOOKING order lapsed or was cancelled and its held time was released (the owner's
    handler ran first): what gift cards paid of that booking goes back to them (once; nothing
    when no card paid, or when the appointment is still a booking)."""
    if item.object_id is None:
        return
    released = (
        Appointment.objects.for_salon(item.salon)
        .filter(pk=item.object_id, status=Appointment.Status.RELEASED)
        .exists()
    )
    if released:
        gift_card_refund_for_appointment(salon=item.salon, appointment_id=item.object_id)


def gift_card_booking_paid(item: OrderItem) -> None:
    """A BOOKING order was paid. When it is paid late — after it lapsed and the card's part
    went back to the card — the booking cannot stand on the card payment any more:
    `FulfilmentFailed` undoes the confirmation and payments refunds the order in full."""
    from loyalty.models import GiftCardEntry
    from payments.fulfilment import FulfilmentFailed

    if item.object_id is None:
        return
    given_back = (
        GiftCardEntry.objects.for_salon(item.salon)
        .filter(appointment_id=item.object_id, kind=GiftCardEntry.Kind.REFUND)
        .exists()
    )
    if given_back:
        raise FulfilmentFailed("the gift card's part was given back when the order lapsed")


def register_fulfilment_listener() -> None:
    from payments.fulfilment import Fulfilment, add_fulfilment_listener
    from payments.models import OrderItem

    add_fulfilment_listener(
        Fulfilment(
            kind=OrderItem.Kind.BOOKING,
            on_paid=gift_card_booking_paid,
            on_cancelled=gift_card_booking_lapsed,
        )
    )
