"""How payments plugs into bookings (checkout methods, booking events); `connect()` runs once
from `PaymentsConfig.ready()`. bookings never imports payments — everything is here:

- the checkout method `online_card` ("Pay online by card"): offered while
  `online_payments_available(salon)`; holds the time `PaymentSettings.hold_minutes`; its
  `apply` writes the Order (one DEPOSIT or BOOKING item; `expires_at` = the hold's expiry)
  and a pending Payment, and returns the pay page `/pay/<reference>/`;
- the prepayment rule: a service whose ServicePayment asks for a deposit or full
  prepayment can only be booked with a method that pays ahead — while online payments are
  available (else the salon could not be booked at all);
- BOOKING / DEPOSIT fulfilment: paid → the hold is confirmed (`appointment_hold_confirm`;
  the time taken meanwhile → `FulfilmentFailed` → full refund); lapsed → the hold released;
- the refund policy shown with the cancellation policy (`register_policy_extra`);
- BookingEvent.CANCELLED → refunds by the policy (payments/services/refunds.py).
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bookings.checkout import PaymentContext, PaymentMethod
from bookings.models import Appointment, Client, Salon, Service
from payments.fulfilment import Fulfilment, FulfilmentFailed, register_fulfilment
from payments.models import OrderItem, RefundPolicy

logger = logging.getLogger(__name__)

ONLINE_CARD = "online_card"


def _money_text(amount: Decimal, currency: str) -> str:
    from languages.formats import money

    return money(amount, currency)


def _online_amount(salon: Salon, service: Service, price: Decimal) -> Decimal:
    """What the card pays now: the service's prepayment, or the whole price without one."""
    from payments.services.settings import prepayment_amount

    amount = prepayment_amount(salon=salon, service=service, price=price)
    return amount if amount > 0 else price


class OnlineCard(PaymentMethod):
    key = ONLINE_CARD
    label = _("Pay online by card")
    description = _("Pay now by card; you are taken to a secure payment page.")
    position = 500
    satisfies_prepayment = True

    def is_available(self, salon: Salon, client: Client | None, service: Service) -> bool:
        return _card_can_take(salon, service)

    def hold_minutes(self, salon: Salon, client: Client | None, service: Service) -> int | None:
        from payments.services.settings import payment_settings_for

        return int(payment_settings_for(salon).hold_minutes)

    def summary(self, salon: Salon, service: Service, price: Decimal) -> str:
        amount = _online_amount(salon, service, price)
        text = _money_text(amount, salon.currency)
        if amount < price:
            return gettext("Pay a deposit of %(amount)s now by card; the rest at the salon.") % {
                "amount": text
            }
        return gettext("Pay %(amount)s now by card.") % {"amount": text}

    def apply(self, appointment: Appointment, payment: PaymentContext) -> str | None:
        from payments.providers import online_provider
        from payments.services.orders import ItemSpec, order_create, order_pay_path

        salon = appointment.salon
        provider = online_provider()
        if provider is None:  # configuration removed between the page and the POST
            from django.core.exceptions import ValidationError

            raise ValidationError(
                {"payment_method": gettext("Paying online is not possible right now.")}
            )
        amount = _online_amount(salon, appointment.service, appointment.price)
        kind = OrderItem.Kind.DEPOSIT if amount < appointment.price else OrderItem.Kind.BOOKING
        description = (
            gettext("Deposit: %(service)s") if kind == OrderItem.Kind.DEPOSIT else "%(service)s"
        ) % {"service": appointment.service.name}
        order = order_create(
            salon=salon,
            client=appointment.client,
            items=[
                ItemSpec(
                    kind=kind, description=description, amount=amount, object_id=appointment.pk
                )
            ],
            provider=provider.key,
            appointment=appointment,
            expires_at=getattr(appointment, "hold_expires_at", None),
            amount_online=amount,
        )
        return order_pay_path(order)


def _card_can_take(salon: Salon, service: Service) -> bool:
    """Online payments are on and what the card would pay for `service` reaches the
    provider's minimum charge (Stripe refuses less: such a service is paid at the salon)."""
    from payments.providers import online_provider
    from payments.services.settings import online_payments_available

    if service.price <= 0 or not online_payments_available(salon):
        return False
    provider = online_provider()
    if provider is None:
        return False
    amount = _online_amount(salon, service, service.price)
    return amount >= provider.minimum_charge(salon.currency)


def prepayment_required(salon: Salon, service: Service) -> bool:
    """A prepayment rule: the service asks for money ahead and the salon can take it."""
    from payments.services.settings import prepayment_amount

    if not _card_can_take(salon, service):
        return False
    return prepayment_amount(salon=salon, service=service, price=service.price) > 0


def refund_policy_text(salon: Salon) -> str:
    """Shown with the cancellation policy before the client confirms or pays."""
    from payments.services.settings import online_payments_available, payment_settings_for

    if not online_payments_available(salon):
        return ""
    policy = payment_settings_for(salon).refund_policy
    if policy == RefundPolicy.FULL:
        return gettext("If you cancel in time, online payments are refunded in full.")
    if policy == RefundPolicy.DEPOSIT_KEPT:
        return gettext(
            "If you cancel in time, online payments are refunded, but the salon keeps the deposit."
        )
    return gettext("Online payments are not refunded when you cancel.")


# --- fulfilment of BOOKING / DEPOSIT items ----------------------------------------------------


def booking_paid(item: OrderItem) -> None:
    from bookings.services.booking import SlotTaken
    from bookings.services.holds import appointment_hold_confirm

    appointment_id = item.object_id or item.order.appointment_id
    if appointment_id is None:
        return
    try:
        appointment_hold_confirm(salon=item.salon, appointment_id=appointment_id)
    except SlotTaken as exc:
        raise FulfilmentFailed("the held time was taken meanwhile") from exc
    except (ValueError, Appointment.DoesNotExist) as exc:
        raise FulfilmentFailed(str(exc)) from exc


def booking_lapsed(item: OrderItem) -> None:
    from bookings.services.holds import appointment_hold_release

    appointment_id = item.object_id or item.order.appointment_id
    if appointment_id is not None:
        appointment_hold_release(salon=item.salon, appointment_id=appointment_id)


# --- booking cancelled -------------------------------------------------------------------------


def appointment_cancelled(appointment_id: int) -> None:
    """BookingEvent.CANCELLED (in the worker; may run twice): refunds per the policy."""
    from bookings.events import Actor, current_actor
    from payments.services.refunds import refunds_for_cancelled_appointment

    salon_id = (
        Appointment.objects.filter(pk=appointment_id).values_list("salon_id", flat=True).first()
    )
    if salon_id is None:
        return
    salon = Salon.objects.get(pk=salon_id)
    refunds_for_cancelled_appointment(
        salon=salon, appointment_id=appointment_id, by_client=current_actor() == Actor.CLIENT
    )


_connected = False


def connect() -> None:
    global _connected
    if _connected:
        return
    _connected = True
    from bookings.checkout import register, register_prepayment_rule
    from bookings.events import BookingEvent, subscribe
    from bookings.policy import register_policy_extra

    register(OnlineCard())
    register_prepayment_rule(prepayment_required)
    register_policy_extra(refund_policy_text)
    for kind in (OrderItem.Kind.BOOKING, OrderItem.Kind.DEPOSIT):
        register_fulfilment(
            Fulfilment(kind=kind, on_paid=booking_paid, on_cancelled=booking_lapsed)
        )
    subscribe(BookingEvent.CANCELLED, appointment_cancelled)
