"""Celery tasks of the notices module: thin shells around `notices.services`."""

from __future__ import annotations

from celery import Task, shared_task

from notices import services

MAX_RETRIES = 5


@shared_task(
    bind=True,
    autoretry_for=(services.NoticeDeliveryError,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
    # A send that hangs past this is killed, so it never outlives the claim lease
    # (NOTICE_LEASE_SECONDS, 45 s) and the sweep can't start a second one beside it.
    soft_time_limit=30,
    time_limit=40,
)
def notice_deliver(self: Task, notice_id: int) -> None:
    """Deliver one notice; failures retry with exponential backoff, the last one marks it failed."""
    services.notice_deliver(
        notice_id=notice_id, last_attempt=self.request.retries >= self.max_retries
    )


@shared_task
def notices_requeue_stale() -> int:
    """Beat, every 15 seconds: put notices lost by a dead worker or broker back in the queue."""
    return services.notices_requeue_stale()
