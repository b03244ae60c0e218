"""Concurrent deliveries and sends on PostgreSQL (threads, each with its own connection)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from notices import services, sms
from notices.models import Notice
from notices.services import notice_send

pytestmark = pytest.mark.postgres


def _run_concurrently(target: Callable[[], Any], times: int = 4) -> list[Any]:
    barrier = threading.Barrier(times)
    results: list[Any] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(target())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_deliveries_of_one_notice_send_it_once(transactional_db, salon):
    # given: a recorded notice whose delivery has not run yet
    notice = Notice.objects.create(
        salon=salon, kind="test", channel="sms", recipient="+37251234567", body="Hi"
    )

    # when
    results = _run_concurrently(
        lambda: services.notice_deliver(notice_id=notice.pk, last_attempt=True)
    )

    # then
    assert sorted(r is not None for r in results) == [False, False, False, True]
    assert sms.outbox == [sms.SmsMessage(to="+37251234567", body="Hi")]
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Notice.Status.SENT, 1)


def test_concurrent_sends_with_one_dedupe_key_record_one_notice(transactional_db, salon):
    # when: four requests race to send the same reminder
    results = _run_concurrently(
        lambda: (
            notice_send(
                salon=salon,
                kind="test",
                channel="sms",
                recipient="+37251234567",
                context={},
                dedupe_key="reminder:7",
            ).pk
        )
    )

    # then
    assert Notice.objects.count() == 1
    assert set(results) == {Notice.objects.get().pk}
    assert len(sms.outbox) == 1
