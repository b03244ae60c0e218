"""Scheduled and background work of the loyalty system (thin shells over the services)."""

from __future__ import annotations

from celery import shared_task

from loyalty.services import award, notify


@shared_task(name="loyalty.tasks.points_award_due")
def points_award_due() -> int:
    awarded = award.points_award_due()
    award.loyalty_reconcile()
    return awarded


@shared_task(
    name="loyalty.tasks.points_notify",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def points_notify(entry_ids: list[int]) -> int:
    return notify.points_notify(entry_ids=entry_ids)
