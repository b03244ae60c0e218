"""Refunds: reserve under the order's row lock, pay out through the provider in the worker.

`refund_create(...)` checks the amount against what is refundable (the order's paid
payments minus what was already refunded or is being refunded), writes one `Refund` per
payment it draws from and adds the amounts to `Payment.amount_refunded` and
`Order.amount_refunded` at once — so two refunds at once never exceed what was paid (row
lock + the `payment_refund_within_amount` constraint). A pay-at-salon payment's refund is
only recorded (SUCCEEDED: the money is handed back at the desk); an online one is PENDING
and `payments.tasks.refund_execute` asks the provider after the commit, with the refund's
idempotency key (a retry never pays out twice). A provider error marks the refund FAILED
(visible to the owner) and the sweep (`refunds_retry`) tries again; the amount stays
reserved meanwhile. The provider's confirmation (webhook `charge.refunded` /
`refund.updated`) marks a refund SUCCEEDED.

When a booking is cancelled (`refunds_for_cancelled_appointment`, run by the
BookingEvent.CANCELLED subscriber in payments/wiring.py; idempotent: one refund per payment
and cancellation, keyed "cancel-<payment id>"):

- cancelled by the salon → everything paid online is refunded;
- cancelled by the client (online, so within the cancellation policy) → the salon's
  `PaymentSettings.refund_policy`:
  - FULL: everything paid online is refunded;
  - DEPOSIT_KEPT: the salon keeps the deposit. An order whose item is a DEPOSIT is not
    refunded at all. A full prepayment (a BOOKING item) is refunded minus the service's
    current deposit (its ServicePayment deposit rule applied to the booking's price), or in
    full when the service has no deposit rule;
  - NONE: nothing is refunded.
- an order still pending for the booking is cancelled.
"""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Appointment, Salon
from languages.formats import money as format_money
from payments.fulfilment import fulfilment_for
from payments.models import Order, OrderItem, Payment, Refund, RefundPolicy
from payments.money import ZERO, money, money_in
from payments.providers import ProviderError, provider_for
from payments.providers.pay_at_salon import PAY_AT_SALON

logger = logging.getLogger(__name__)

REFUNDABLE_ORDER_STATUSES = (Order.Status.PAID, Order.Status.PARTLY_REFUNDED)
REFUNDABLE_PAYMENT_STATUSES = (Payment.Status.PAID, Payment.Status.PARTLY_REFUNDED)
MAX_ATTEMPTS = 10
# The idempotency key of `refund_payment_whole`'s refunds ("whole-<payment id>"): money given
# back that never paid for the order, so not part of the order's `amount_refunded`.
WHOLE_PAYMENT_KEY_PREFIX = "whole-"


def refund_create(
    *,
    salon: Salon,
    order_id: int,
    amount: Decimal | None,
    actor: Any,
    reason: str = Refund.Reason.SALON,
    idempotency_prefix: str | None = None,
) -> list[Refund]:
    """Refund `amount` of the order (None = all that is refundable). ValidationError
    {"amount": …} when more than refundable or nothing is left, {"order": …} when the
    order is not paid; Order.DoesNotExist for another salon's id. With
    `idempotency_prefix`, a payment that already has a refund keyed "<prefix>-<payment id>"
    is skipped (a handler run twice refunds once)."""
    if reason not in Refund.Reason.values:
        raise ValueError(f"unknown refund reason {reason!r}")
    wanted: Decimal | None = None
    if amount is not None:
        from payments.services.orders import _clean_amount

        wanted = _clean_amount(amount, "amount", allow_zero=False)
    with transaction.atomic():
        try:
            order = Order.objects.for_salon(salon).select_for_update().get(pk=order_id)
        except (Order.DoesNotExist, ValueError, TypeError):
            raise Order.DoesNotExist from None
        if order.status not in REFUNDABLE_ORDER_STATUSES:
            if order.status == Order.Status.REFUNDED:
                raise ValidationError({"amount": _("This order is already refunded in full.")})
            raise ValidationError({"order": _("Only a paid order can be refunded.")})
        payments = list(
            Payment.objects.for_salon(salon)
            .select_for_update()
            .filter(order=order, status__in=REFUNDABLE_PAYMENT_STATUSES)
            .order_by("created_at", "id")
        )
        if idempotency_prefix:
            done = set(
                Refund.objects.for_salon(salon)
                .filter(idempotency_key__startswith=f"{idempotency_prefix}-")
                .values_list("idempotency_key", flat=True)
            )
            payments = [p for p in payments if f"{idempotency_prefix}-{p.pk}" not in done]
        refundable = money(sum((p.amount - p.amount_refunded for p in payments), ZERO))
        if refundable <= 0:
            if idempotency_prefix:
                return []
            raise ValidationError({"amount": _("Nothing is left to refund on this order.")})
        if wanted is None:
            wanted = refundable
        elif money_in(wanted, order.currency) != wanted:
            # 0.50 JPY cannot be paid out: the provider would round it (and two such refunds
            # would give back more than recorded).
            raise ValidationError(
                {"amount": _("Enter an amount that can be paid in %(currency)s.")
                 % {"currency": order.currency}}
            )  # fmt: skip
        if wanted > refundable:
            raise ValidationError(
                {
                    "amount": _("At most %(amount)s can be refunded.")
                    % {"amount": format_money(refundable, order.currency)}
                }
            )
        refunds: list[Refund] = []
        left = wanted
        for payment in payments:
            if left <= 0:
                break
            part = min(left, payment.amount - payment.amount_refunded)
            if part <= 0:
                continue
            key = f"{idempotency_prefix}-{payment.pk}" if idempotency_prefix else None
            refunds.append(
                _reserve(order=order, payment=payment, amount=part, reason=reason, actor=actor,
                         key=key)
            )  # fmt: skip
            left -= part
        _order_refunded(order, wanted)
        _run_refunded(order, wanted)
    return refunds


def refund_payment_whole(*, payment: Payment, reason: str) -> Refund | None:
    """Give back everything left of one payment taken for an order that can no longer use it
    (not counted in the order's `amount_refunded`). Call inside a transaction holding the
    order's lock."""
    payment = Payment.objects.for_salon(payment.salon_id).select_for_update().get(pk=payment.pk)
    part = money(payment.amount - payment.amount_refunded)
    if part <= 0:
        return None
    order = Order.objects.for_salon(payment.salon_id).select_for_update().get(pk=payment.order_id)
    # The order's own figures stay: this money never paid for it (a second payment of a paid
    # order, or one that came when the booking was gone); the payment shows the refund. Its
    # key marks it as not counted in the order's `amount_refunded` (payments/selectors.py).
    return _reserve(
        order=order,
        payment=payment,
        amount=part,
        reason=reason,
        actor=None,
        key=f"{WHOLE_PAYMENT_KEY_PREFIX}{payment.pk}",
    )


def _reserve(
    *,
    order: Order,
    payment: Payment,
    amount: Decimal,
    reason: str,
    actor: Any,
    key: str | None = None,
) -> Refund:
    payment.amount_refunded = money(payment.amount_refunded + amount)
    payment.status = (
        Payment.Status.REFUNDED
        if payment.amount_refunded >= payment.amount
        else Payment.Status.PARTLY_REFUNDED
    )
    payment.save(update_fields=["amount_refunded", "status", "updated_at"])
    at_salon = payment.provider == PAY_AT_SALON
    refund = Refund.objects.create(
        salon_id=order.salon_id,
        payment=payment,
        amount=amount,
        status=Refund.Status.SUCCEEDED if at_salon else Refund.Status.PENDING,
        reason=reason,
        idempotency_key=key or f"refund-{uuid.uuid4().hex}",
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if not at_salon:
        refund_id = refund.pk
        transaction.on_commit(lambda: _publish_execute(refund_id))
    return refund


def _publish_execute(refund_id: int) -> None:
    from payments.tasks import refund_execute
    from salonbook.tasks_publish import publish

    # A broker outage leaves the refund PENDING: the sweep (`refunds_retry`) picks it up.
    publish(refund_execute, refund_id)


def _order_refunded(order: Order, amount: Decimal) -> None:
    order.amount_refunded = money(order.amount_refunded + amount)
    paid = money(
        sum(
            (
                p.amount
                for p in Payment.objects.for_salon(order.salon_id).filter(
                    order=order,
                    status__in=(*REFUNDABLE_PAYMENT_STATUSES, Payment.Status.REFUNDED),
                )
            ),
            ZERO,
        )
    )
    order.status = (
        Order.Status.REFUNDED if order.amount_refunded >= paid else Order.Status.PARTLY_REFUNDED
    )
    order.save(update_fields=["amount_refunded", "status", "updated_at"])


def _run_refunded(order: Order, amount: Decimal) -> None:
    """`on_refunded(item, part)` for the items, the amount spread over them in order."""
    left = amount
    for item in OrderItem.objects.for_salon(order.salon_id).filter(order=order):
        if left <= 0:
            break
        part = min(left, item.amount)
        if part <= 0:
            continue
        left -= part
        fulfilment = fulfilment_for(item.kind)
        if fulfilment is not None:
            fulfilment.on_refunded(item, part)


# --- the provider side ---------------------------------------------------------------------


def refund_execute(refund_id: int) -> str:
    """Ask the provider to pay out a PENDING or FAILED refund (idempotency key: a second
    call returns the same refund). Returns the refund's status."""
    refund = Refund.objects.select_related("payment").filter(pk=refund_id).first()
    if refund is None:
        return "missing"
    if refund.status == Refund.Status.SUCCEEDED:
        return str(refund.status)
    try:
        provider = provider_for(refund.payment.provider)
    except KeyError:
        return str(refund.status)
    scoped = Refund.objects.for_salon(refund.salon_id).filter(
        pk=refund.pk, status__in=(Refund.Status.PENDING, Refund.Status.FAILED)
    )
    try:
        result = provider.refund_create(
            payment=refund.payment, amount=refund.amount, idempotency_key=refund.idempotency_key
        )
    except ProviderError as exc:
        logger.warning("refund %s failed at the provider: %s", refund.pk, exc)
        scoped.update(
            status=Refund.Status.FAILED,
            attempts=F("attempts") + 1,
            last_error=str(exc)[:500],
        )
        return str(Refund.Status.FAILED)
    status = {
        "succeeded": Refund.Status.SUCCEEDED,
        "failed": Refund.Status.FAILED,
        "canceled": Refund.Status.FAILED,
    }.get(result.status, Refund.Status.PENDING)
    scoped.update(
        status=status,
        provider_refund_id=result.refund_id or refund.provider_refund_id,
        attempts=F("attempts") + 1,
        last_error="",
    )
    return str(status)


def refund_confirm(*, provider: str, refund_id: str, status: str) -> str:
    """The provider's word on a refund it made (webhook): succeeded / failed."""
    refund = (
        Refund.objects.filter(payment__provider=provider, provider_refund_id=refund_id)
        .only("pk", "salon_id", "status")
        .first()
    )
    if refund is None:
        return "ignored: unknown refund"
    target = {
        "succeeded": Refund.Status.SUCCEEDED,
        "failed": Refund.Status.FAILED,
        "canceled": Refund.Status.FAILED,
    }.get(status)
    if target is None:
        return f"refund {refund.status}"
    changed = (
        Refund.objects.for_salon(refund.salon_id)
        .filter(pk=refund.pk)
        .exclude(status=Refund.Status.SUCCEEDED)
        .update(status=target)
    )
    return f"refund {target}" if changed else "duplicate"


def refunds_retry(now: Any = None, *, older_than_seconds: int = 120) -> int:
    """The sweep: refunds still PENDING without a provider id, or FAILED, are sent again
    (same idempotency key) — at most MAX_ATTEMPTS times each, backing off: a refund that has
    been tried n times is due `older_than_seconds` × 2^(n-1) after it was made (2, 2, 4, 8 …
    minutes; the last try about 8 hours on), so a provider outage of a few minutes does not
    use up every attempt."""
    from datetime import timedelta

    now = now or timezone.now()
    due_now = Q()
    for tried in range(MAX_ATTEMPTS):
        wait = timedelta(seconds=older_than_seconds * 2 ** max(0, tried - 1))
        due_now |= Q(attempts=tried, created_at__lte=now - wait)
    due = list(
        Refund.objects.filter(
            due_now,
            status__in=(Refund.Status.PENDING, Refund.Status.FAILED),
            attempts__lt=MAX_ATTEMPTS,
        )
        .exclude(status=Refund.Status.PENDING, attempts__gt=0, provider_refund_id__gt="")
        .values_list("pk", flat=True)[:200]
    )
    for refund_id in due:
        refund_execute(refund_id)
    return len(due)


# --- booking cancelled ---------------------------------------------------------------------


def refunds_for_cancelled_appointment(
    *, salon: Salon, appointment_id: int, by_client: bool
) -> list[Refund]:
    """Apply the refund rules of the module docstring to a cancelled booking. Idempotent."""
    from payments.services.orders import order_cancel
    from payments.services.settings import deposit_amount, payment_settings_for

    appointment = Appointment.objects.for_salon(salon).filter(pk=appointment_id).first()
    if appointment is None or appointment.status != Appointment.Status.CANCELLED:
        return []
    for order_id in (
        Order.objects.for_salon(salon)
        .filter(appointment=appointment, status=Order.Status.PENDING)
        .values_list("pk", flat=True)
    ):
        order_cancel(salon=salon, order_id=order_id)
    orders = list(
        Order.objects.for_salon(salon)
        .filter(appointment=appointment, status__in=REFUNDABLE_ORDER_STATUSES)
        .exclude(provider=PAY_AT_SALON)
    )
    policy = payment_settings_for(salon).refund_policy if by_client else RefundPolicy.FULL
    reason = Refund.Reason.CLIENT_CANCELLED if by_client else Refund.Reason.SALON
    refunds: list[Refund] = []
    for order in orders:
        prefix = f"cancel-{order.pk}"
        if policy == RefundPolicy.NONE:
            continue
        amount: Decimal | None = None
        if policy == RefundPolicy.DEPOSIT_KEPT:
            kinds = set(
                OrderItem.objects.for_salon(salon)
                .filter(order=order)
                .values_list("kind", flat=True)
            )
            if OrderItem.Kind.DEPOSIT in kinds:
                continue
            kept = deposit_amount(salon=salon, service=appointment.service, price=appointment.price)
            if kept > 0:
                with transaction.atomic():
                    locked = Order.objects.for_salon(salon).select_for_update().get(pk=order.pk)
                    already = (
                        Refund.objects.for_salon(salon)
                        .filter(idempotency_key__startswith=f"{prefix}-")
                        .exists()
                    )
                    if already:
                        continue
                    amount = money(locked.amount_online - locked.amount_refunded - kept)
                if amount <= 0:
                    continue
        try:
            refunds += refund_create(
                salon=salon, order_id=order.pk, amount=amount, actor=None, reason=reason,
                idempotency_prefix=prefix,
            )  # fmt: skip
        except ValidationError as exc:
            logger.info("no refund for order %s: %s", order.pk, exc.messages)
    return refunds
