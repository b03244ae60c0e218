"""Orders: create, pay, cancel (the order's state machine, payments/models.py).

Every move locks the order row first (`select_for_update`), then its payments, and changes
state only from the states it may come from — so a duplicated webhook, a retried task or two
events at once move an order once, and the fulfilment (`payments/fulfilment.py`) runs once.

- `order_create(...)`: the order, its items and — for an online provider — a pending Payment
  of `amount_online` (default: the total). Database writes only: the provider's checkout
  session is created when the client opens the pay page (`payment_session_start`).
- `order_payment_paid(...)`: the provider says a payment was paid (webhook). Amount and
  currency must match the payment, else nothing is marked paid. A payment arriving after our
  own expiry/cancellation still counts: the order becomes paid and the fulfilment runs — a
  booking whose time is still free is confirmed, else (`FulfilmentFailed`) the order is
  refunded in full (reason HOLD_EXPIRED).
- `order_payment_failed(...)` / `order_payment_expired(...)`: a pending payment failed or its
  session lapsed: the order fails / is cancelled and its items lapse (the hold is released).
  After "paid" they change nothing.
- `order_cancel(...)`: pending → cancelled (the client left the provider's page, the hold
  expired, or the owner cancelled).
- `order_mark_paid(...)` / `appointment_record_paid_at_salon(...)`: the owner records money
  taken at the salon (provider "pay_at_salon").
- `orders_expire_pending(now)`: the sweep (payments.tasks.orders_expire): pending orders past
  `expires_at` are cancelled. Purchases that hold no time (packages, gift cards) get
  `expires_at = purchase_expires_at()` (`PAYMENTS_PURCHASE_EXPIRY_HOURS`, default 24).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Appointment, Client, Salon
from payments.fulfilment import FulfilmentFailed, fulfilment_for
from payments.models import MAX_AMOUNT, Order, OrderItem, Payment, Refund
from payments.money import ZERO, money
from payments.providers import ProviderError, provider_for
from payments.providers.pay_at_salon import PAY_AT_SALON

logger = logging.getLogger(__name__)

# What `new_reference` makes (secrets.token_urlsafe): anything else is no order of ours.
_REFERENCE = re.compile(r"[A-Za-z0-9_-]{1,64}")
# A provider's checkout session id as the success return URL carries it (Stripe: cs_…).
_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{1,255}")

LIVE_ORDER_STATUSES = (
    Order.Status.PENDING,
    Order.Status.PAID,
    Order.Status.PARTLY_REFUNDED,
)
PAID_ORDER_STATUSES = (Order.Status.PAID, Order.Status.PARTLY_REFUNDED, Order.Status.REFUNDED)
PAID_PAYMENT_STATUSES = (
    Payment.Status.PAID,
    Payment.Status.PARTLY_REFUNDED,
    Payment.Status.REFUNDED,
)


@dataclass(frozen=True)
class ItemSpec:
    kind: str
    description: str
    amount: Decimal
    object_id: int | None = None


def _clean_amount(value: Any, field: str, *, allow_zero: bool = True) -> Decimal:
    try:
        amount = money(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("Enter an amount.")}) from None
    if not amount.is_finite() or amount < 0 or (not allow_zero and amount == 0):
        raise ValidationError({field: _("Enter an amount more than zero.")})
    if amount > MAX_AMOUNT:
        raise ValidationError({field: _("This amount is too large.")})
    return amount


def order_create(
    *,
    salon: Salon,
    client: Client | None,
    items: Sequence[ItemSpec],
    provider: str,
    appointment: Appointment | None = None,
    expires_at: datetime | None = None,
    actor: Any = None,
    amount_online: Decimal | None = None,
) -> Order:
    """Create a pending order with its items; for an online provider also the pending
    Payment of `amount_online` (None = the total; 0 = nothing online, no payment).
    ValidationError for bad items/amounts or an unknown provider."""
    if not items:
        raise ValidationError({"items": _("An order needs at least one item.")})
    try:
        chosen = provider_for(provider)
    except KeyError:
        raise ValidationError({"provider": _("Unknown payment provider.")}) from None
    if client is not None and client.salon_id != salon.pk:
        raise ValueError("client of another salon")
    if appointment is not None and appointment.salon_id != salon.pk:
        raise ValueError("appointment of another salon")
    cleaned: list[ItemSpec] = []
    for spec in items:
        if spec.kind not in OrderItem.Kind.values:
            raise ValidationError({"items": _("Unknown kind of item.")})
        cleaned.append(
            ItemSpec(
                kind=spec.kind,
                description=str(spec.description)[:200],
                amount=_clean_amount(spec.amount, "amount"),
                object_id=spec.object_id,
            )
        )
    total = money(sum((s.amount for s in cleaned), ZERO))
    if total > MAX_AMOUNT:
        raise ValidationError({"amount": _("This amount is too large.")})
    if chosen.online:
        online = total if amount_online is None else _clean_amount(amount_online, "amount")
        if online > total:
            raise ValidationError({"amount": _("More than the order's total.")})
    else:
        online = ZERO
    with transaction.atomic():
        order = Order.objects.create(
            salon=salon,
            client=client,
            appointment=appointment,
            status=Order.Status.PENDING,
            currency=salon.currency,
            total=total,
            amount_online=online,
            provider=chosen.key,
            expires_at=expires_at,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        OrderItem.objects.bulk_create(
            [
                OrderItem(
                    salon=salon,
                    order=order,
                    kind=s.kind,
                    description=s.description,
                    amount=s.amount,
                    object_id=s.object_id,
                )
                for s in cleaned
            ]
        )
        if chosen.online and online > 0:
            Payment.objects.create(
                salon=salon,
                order=order,
                provider=chosen.key,
                status=Payment.Status.PENDING,
                amount=online,
                currency=order.currency,
            )
    return order


# An order for a purchase that holds no time (a package, a gift card) lapses after this
# many hours unpaid (setting `PAYMENTS_PURCHASE_EXPIRY_HOURS`): the provider's checkout page
# lives at most 24 h, so nothing can be paid on it later anyway.
DEFAULT_PURCHASE_EXPIRY_HOURS = 24


def purchase_expires_at(now: datetime | None = None) -> datetime:
    """When an unpaid purchase order made `now` lapses (the sweep `orders_expire_pending`
    cancels it then, and its items' `on_cancelled` runs)."""
    from datetime import timedelta

    from django.conf import settings

    hours = getattr(settings, "PAYMENTS_PURCHASE_EXPIRY_HOURS", DEFAULT_PURCHASE_EXPIRY_HOURS)
    return (now or timezone.now()) + timedelta(hours=max(1, int(hours)))


def order_pay_path(order: Order) -> str:
    """The client's pay page: "/pay/<reference>/"."""
    return reverse("payments_public:pay", kwargs={"reference": order.reference})


def order_for_reference(reference: str) -> Order | None:
    """The order behind a public reference (the client's pay/return pages), or None. The
    reference is unguessable and the page only shows that order."""
    if not reference or len(reference) > 64 or not _REFERENCE.fullmatch(reference):
        return None
    return Order.objects.select_related("salon").filter(reference=reference).first()


# --- moves -------------------------------------------------------------------------------


def _lock_order(salon: Salon | int, order_id: int) -> Order:
    try:
        return Order.objects.for_salon(salon).select_for_update().get(pk=order_id)
    except (Order.DoesNotExist, ValueError, TypeError):
        raise Order.DoesNotExist from None


def _items(order: Order) -> list[OrderItem]:
    return list(OrderItem.objects.for_salon(order.salon_id).filter(order=order))


def _run_cancelled(order: Order) -> None:
    for item in _items(order):
        fulfilment = fulfilment_for(item.kind)
        if fulfilment is not None:
            fulfilment.on_cancelled(item)


def order_cancel(*, salon: Salon, order_id: int, actor: Any = None) -> Order:
    """A pending (or failed) order → cancelled: its pending payments are cancelled and its
    items lapse (`on_cancelled`: a held booking is released). Already cancelled → unchanged.
    A paid order → ValidationError (refund it instead). Order.DoesNotExist for another
    salon's id."""
    session_ids: list[str] = []
    with transaction.atomic():
        order = _lock_order(salon, order_id)
        if order.status == Order.Status.CANCELLED:
            return order
        if order.status not in (Order.Status.PENDING, Order.Status.FAILED):
            raise ValidationError(
                {"order": _("This order is paid: refund it instead of cancelling it.")}
            )
        now = timezone.now()
        pending = (
            Payment.objects.for_salon(order.salon_id)
            .select_for_update()
            .filter(order=order, status=Payment.Status.PENDING)
        )
        session_ids = [p.provider_session_id for p in pending if p.provider_session_id]
        pending.update(status=Payment.Status.CANCELLED, updated_at=now)
        order.status = Order.Status.CANCELLED
        order.cancelled_at = now
        order.save(update_fields=["status", "cancelled_at", "updated_at"])
        _run_cancelled(order)
        if session_ids and order.provider != PAY_AT_SALON:
            provider_key = order.provider
            transaction.on_commit(lambda: _expire_sessions(provider_key, session_ids))
    return order


def _expire_sessions(provider_key: str, session_ids: list[str]) -> None:
    """Best effort: close the provider's page so the client can't pay a cancelled order (a
    payment that still arrives is handled by `order_payment_paid`)."""
    try:
        provider = provider_for(provider_key)
    except KeyError:
        return
    for session_id in session_ids:
        try:
            provider.checkout_session_expire(session_id=session_id)
        except Exception:  # noqa: BLE001 - best effort; the late-payment path covers it
            logger.warning("could not expire checkout session %s", session_id, exc_info=True)


def orders_expire_pending(now: datetime | None = None) -> int:
    """Cancel pending orders whose `expires_at` has passed (their holds are released).
    Returns how many were cancelled."""
    now = now or timezone.now()
    due = list(
        Order.objects.filter(status=Order.Status.PENDING, expires_at__lte=now).values_list(
            "salon_id", "pk"
        )[:500]
    )
    cancelled = 0
    for salon_id, order_id in due:
        try:
            with transaction.atomic():
                order = _lock_order(salon_id, order_id)
                if order.status != Order.Status.PENDING or not order.expires_at:
                    continue
                if order.expires_at > now:
                    continue
                order_cancel(salon=order.salon, order_id=order_id)
            cancelled += 1
        except Exception:  # noqa: BLE001 - one bad order must not stop the sweep
            logger.exception("could not expire order %s", order_id)
    return cancelled


@dataclass(frozen=True)
class PaidOutcome:
    outcome: str  # "paid", "duplicate", "amount_mismatch", "currency_mismatch", "refunding"
    order: Order | None = None


def order_payment_paid(
    *,
    payment_id: int,
    salon_id: int,
    amount_minor: int | None,
    currency: str,
    provider_payment_id: str = "",
) -> PaidOutcome:
    """The provider says the payment was paid. Runs in the caller's transaction (the
    webhook's) or its own. Idempotent; the fulfilment runs at most once per order."""
    from payments.money import to_minor_units

    with transaction.atomic():
        order_id = (
            Payment.objects.for_salon(salon_id)
            .filter(pk=payment_id)
            .values_list("order_id", flat=True)
        ).first()
        if order_id is None:
            return PaidOutcome("unknown_payment")
        order = _lock_order(salon_id, order_id)
        payment = Payment.objects.for_salon(salon_id).select_for_update().get(pk=payment_id)
        if payment.status in PAID_PAYMENT_STATUSES:
            return PaidOutcome("duplicate", order)
        if (currency or "").upper() != payment.currency.upper():
            logger.warning(
                "payment %s: paid in %s, expected %s", payment.pk, currency, payment.currency
            )
            return PaidOutcome("currency_mismatch", order)
        if amount_minor is None or amount_minor != to_minor_units(payment.amount, payment.currency):
            logger.warning(
                "payment %s: paid %s minor units, expected %s",
                payment.pk,
                amount_minor,
                payment.amount,
            )
            return PaidOutcome("amount_mismatch", order)
        now = timezone.now()
        payment.status = Payment.Status.PAID
        payment.paid_at = now
        if provider_payment_id:
            payment.provider_payment_id = provider_payment_id
        payment.save(update_fields=["status", "paid_at", "provider_payment_id", "updated_at"])
        if order.status in PAID_ORDER_STATUSES:
            # Another payment of this order was already taken: give this one back.
            _refund_whole_payment(payment, Refund.Reason.HOLD_EXPIRED)
            return PaidOutcome("refunding", order)
        was = order.status
        order.status = Order.Status.PAID
        order.paid_at = now
        try:
            with transaction.atomic():
                order.save(update_fields=["status", "paid_at", "updated_at"])
        except IntegrityError:
            # Another live order holds this booking meanwhile: give the money back.
            order.status = was
            _refund_whole_payment(payment, Refund.Reason.HOLD_EXPIRED)
            return PaidOutcome("refunding", order)
        if not _run_paid(order):
            _refund_order_in_full(order)
            return PaidOutcome("refunding", order)
    return PaidOutcome("paid", order)


def _run_paid(order: Order) -> bool:
    """Run `on_paid` for every item in one savepoint; False (and all undone) when a handler
    raised FulfilmentFailed."""
    try:
        with transaction.atomic():
            for item in _items(order):
                fulfilment = fulfilment_for(item.kind)
                if fulfilment is not None:
                    fulfilment.on_paid(item)
    except FulfilmentFailed as exc:
        logger.info("order %s paid but cannot be fulfilled: %s", order.pk, exc)
        return False
    return True


def _refund_order_in_full(order: Order) -> None:
    from payments.services.refunds import refund_create

    # Part of the paid move's transaction: the amount is reserved at once; the provider is
    # asked after the commit (payments/services/refunds.py).
    try:
        refund_create(
            salon=order.salon, order_id=order.pk, amount=None, actor=None,
            reason=Refund.Reason.HOLD_EXPIRED,
        )  # fmt: skip
    except ValidationError:
        logger.info("order %s: nothing left to refund", order.pk)


def _refund_whole_payment(payment: Payment, reason: str) -> None:
    from payments.services.refunds import refund_payment_whole

    refund_payment_whole(payment=payment, reason=reason)


def order_payment_failed(*, payment_id: int, salon_id: int, expired: bool = False) -> str:
    """A pending payment failed (or its session expired): the payment → failed/cancelled,
    the pending order → failed/cancelled and its items lapse. After paid: nothing."""
    with transaction.atomic():
        order_id = (
            Payment.objects.for_salon(salon_id)
            .filter(pk=payment_id)
            .values_list("order_id", flat=True)
            .first()
        )
        if order_id is None:
            return "unknown_payment"
        order = _lock_order(salon_id, order_id)
        payment = Payment.objects.for_salon(salon_id).select_for_update().get(pk=payment_id)
        if payment.status != Payment.Status.PENDING:
            return f"ignored: payment {payment.status}"
        payment.status = Payment.Status.CANCELLED if expired else Payment.Status.FAILED
        payment.save(update_fields=["status", "updated_at"])
        if order.status != Order.Status.PENDING:
            return f"payment {payment.status}; order {order.status}"
        order.status = Order.Status.CANCELLED if expired else Order.Status.FAILED
        if expired:
            order.cancelled_at = timezone.now()
        order.save(update_fields=["status", "cancelled_at", "updated_at"])
        _run_cancelled(order)
        return f"order {order.status}"


# --- paid at the salon ---------------------------------------------------------------------


def order_mark_paid(*, salon: Salon, order_id: int, actor: Any) -> Order:
    """The owner records that a pending pay-at-salon order was paid at the salon: a paid
    Payment (provider pay_at_salon) and the fulfilment. An online order → ValidationError."""
    with transaction.atomic():
        order = _lock_order(salon, order_id)
        if order.provider != PAY_AT_SALON:
            raise ValidationError(
                {"order": _("This order is paid online; it cannot be marked paid by hand.")}
            )
        if order.status in PAID_ORDER_STATUSES:
            return order
        if order.status != Order.Status.PENDING:
            raise ValidationError({"order": _("This order is no longer waiting for payment.")})
        now = timezone.now()
        if order.total > 0:
            Payment.objects.create(
                salon=order.salon,
                order=order,
                provider=PAY_AT_SALON,
                status=Payment.Status.PAID,
                amount=order.total,
                currency=order.currency,
                paid_at=now,
            )
        order.status = Order.Status.PAID
        order.paid_at = now
        order.save(update_fields=["status", "paid_at", "updated_at"])
        if not _run_paid(order):
            raise ValidationError({"order": _("What this order pays for is no longer available.")})
    return order


def appointment_paid_online(*, salon: Salon, appointment: Appointment) -> Decimal:
    """What was paid online (and not refunded) for the appointment."""
    rows = (
        Payment.objects.for_salon(salon)
        .filter(
            order__appointment=appointment,
            status__in=PAID_PAYMENT_STATUSES,
        )
        .exclude(provider=PAY_AT_SALON)
        .aggregate(paid=Sum("amount"), refunded=Sum("amount_refunded"))
    )
    return money((rows["paid"] or ZERO) - (rows["refunded"] or ZERO))


def appointment_record_paid_at_salon(
    *, salon: Salon, appointment_id: int, amount: Decimal | None, actor: Any
) -> Order:
    """The owner records that the booking was paid at the salon: a paid order (provider
    pay_at_salon, one BOOKING item). None = the price minus what was paid online. A second
    record for the same booking → ValidationError."""
    with transaction.atomic():
        try:
            appointment = (
                Appointment.objects.for_salon(salon).select_for_update().get(pk=appointment_id)
            )
        except (Appointment.DoesNotExist, ValueError, TypeError):
            raise Appointment.DoesNotExist from None
        if appointment.status not in (
            Appointment.Status.BOOKED,
            Appointment.Status.COMPLETED,
        ):
            raise ValidationError(
                {"appointment": _("Only a booked or completed appointment can be paid.")}
            )
        already = (
            Order.objects.for_salon(salon)
            .filter(
                appointment=appointment,
                provider=PAY_AT_SALON,
                status__in=LIVE_ORDER_STATUSES,
            )
            .exists()
        )
        if already:
            raise ValidationError(
                {"appointment": _("This booking is already recorded as paid at the salon.")}
            )
        if amount is None:
            due = money(
                appointment.price - appointment_paid_online(salon=salon, appointment=appointment)
            )
            if due <= 0:
                raise ValidationError({"amount": _("Nothing is left to pay for this booking.")})
        else:
            due = _clean_amount(amount, "amount", allow_zero=False)
        order = order_create(
            salon=salon,
            client=appointment.client,
            items=[
                ItemSpec(
                    kind=OrderItem.Kind.BOOKING,
                    description=str(appointment.service)[:200],
                    amount=due,
                    object_id=appointment.pk,
                )
            ],
            provider=PAY_AT_SALON,
            appointment=appointment,
            actor=actor,
        )
        now = timezone.now()
        Payment.objects.create(
            salon=salon,
            order=order,
            provider=PAY_AT_SALON,
            status=Payment.Status.PAID,
            amount=due,
            currency=order.currency,
            paid_at=now,
        )
        order.status = Order.Status.PAID
        order.paid_at = now
        order.save(update_fields=["status", "paid_at", "updated_at"])
    return order


# --- the pay page --------------------------------------------------------------------------


@dataclass(frozen=True)
class PayStart:
    """What the pay page does: redirect to `url`, or show the order in `state`."""

    state: str  # "redirect", "paid", "at_salon", "expired", "cancelled", "failed", "unavailable"
    url: str = ""


def payment_session_start(*, order: Order) -> PayStart:
    """The client opened the pay page: create the provider's checkout session once per
    payment (under the payment's row lock: a second click reuses it) and say where to go."""
    if order.provider == PAY_AT_SALON:
        return PayStart("at_salon")
    if order.status in PAID_ORDER_STATUSES:
        return PayStart("paid")
    if order.status == Order.Status.CANCELLED:
        return PayStart("cancelled")
    if order.status == Order.Status.FAILED:
        return PayStart("failed")
    if order.expires_at is not None and order.expires_at <= timezone.now():
        return PayStart("expired")
    try:
        provider = provider_for(order.provider)
    except KeyError:
        return PayStart("unavailable")
    if not provider.is_configured():
        return PayStart("unavailable")
    with transaction.atomic():
        locked = _lock_order(order.salon_id, order.pk)
        if locked.status != Order.Status.PENDING:
            return PayStart(str(locked.status))
        payment = (
            Payment.objects.for_salon(order.salon_id)
            .select_for_update()
            .filter(order=locked, status=Payment.Status.PENDING)
            .order_by("-created_at", "-id")
            .first()
        )
        if payment is None:
            return PayStart("unavailable")
        if payment.redirect_url:
            return PayStart("redirect", payment.redirect_url)
        try:
            session = provider.checkout_session_create(
                order=locked, payment=payment, expires_at=locked.expires_at
            )
        except ProviderError:
            logger.warning("checkout session for payment %s failed", payment.pk, exc_info=True)
            return PayStart("unavailable")
        payment.provider_session_id = session.session_id
        payment.redirect_url = session.url
        payment.save(update_fields=["provider_session_id", "redirect_url", "updated_at"])
    return PayStart("redirect", session.url)


def payment_for_session(*, provider: str, session_id: str, reference: str = "") -> Payment | None:
    """The payment a provider's session (or, failing that, order reference) names."""
    if session_id:
        found = (
            Payment.objects.filter(provider=provider, provider_session_id=session_id)
            .select_related("order")
            .first()
        )
        if found is not None:
            return found
    if reference:
        return (
            Payment.objects.filter(provider=provider, order__reference=reference)
            .filter(Q(provider_session_id="") | Q(provider_session_id=session_id))
            .order_by("-created_at", "-id")
            .select_related("order")
            .first()
        )
    return None


def order_return_state(order: Order, *, session_id: str = "") -> str:
    """The state the provider's success return page shows. The provider sends the client
    there after they paid, possibly before its webhook and after our own expiry or the
    sweep's cancellation: while this session's payment is not settled either way, it is
    "confirming" (the page reloads), never "nothing was charged"."""
    state = order_public_state(order)
    if state in ("pending", "expired"):
        return "confirming"
    if state == Order.Status.CANCELLED and _SESSION_ID.fullmatch(session_id or ""):
        awaited = (
            Payment.objects.for_salon(order.salon_id)
            .filter(
                order=order,
                provider_session_id=session_id,
                status__in=(Payment.Status.PENDING, Payment.Status.CANCELLED),
            )
            .exists()
        )
        if awaited:
            return "confirming"
    return state


def order_public_state(order: Order) -> str:
    """The order's state as the client's pages name it."""
    if order.provider == PAY_AT_SALON and order.status == Order.Status.PENDING:
        return "at_salon"
    if order.status == Order.Status.PENDING:
        if order.expires_at is not None and order.expires_at <= timezone.now():
            return "expired"
        return "pending"
    return str(order.status)
