"""Scheduled and queued work of payments (thin shells; the rules are in the services)."""

from celery import shared_task

from payments.services import orders, refunds


@shared_task(name="payments.tasks.refund_execute")
def refund_execute(refund_id: int) -> str:
    """Pay out one refund at the provider (queued after the refund's commit)."""
    return refunds.refund_execute(refund_id)


@shared_task(name="payments.tasks.payments_sweep")
def payments_sweep() -> dict[str, int]:
    """Every minute: pending orders past their expiry are cancelled (their holds released),
    refunds not yet paid out are sent again."""
    return {
        "orders_expired": orders.orders_expire_pending(),
        "refunds_retried": refunds.refunds_retry(),
    }
