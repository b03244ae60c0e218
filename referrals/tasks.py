"""Background work of referrals (a thin shell over the service)."""

from __future__ import annotations

from celery import shared_task

from referrals.services.referrals import referrals_reconcile as reconcile


@shared_task(name="referrals.tasks.referrals_reconcile")
def referrals_reconcile() -> int:
    """The safety net behind the booking-event handlers (see the service); meant for the beat
    schedule, e.g. every 10 minutes."""
    return reconcile()
