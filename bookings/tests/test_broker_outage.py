"""A booking made while the Celery broker is unreachable answers 201, not 500, and its
confirmation is not lost: the notice row waits in the database and the stale-notice sweep
sends it once the broker is back (salonbook/tasks_publish.py)."""

from __future__ import annotations

import datetime as dt
import logging
import socket
import time
from collections.abc import Iterator

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.utils import timezone

from bookings.tests.test_api_public import BASE, booking_body
from bookings.tests.test_booking_service import next_wednesday_at
from notices.models import Notice
from notices.services import notices_requeue_stale
from salonbook.celery import app as celery_app
from salonbook.tasks_publish import publish


def dead_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _reset_broker_connections() -> None:
    # Forget the app's pools so the next publish uses the current broker_url. Never close
    # them: kombu keeps them in a process-wide registry keyed by URL, and the real broker's
    # pool is used again once the URL is restored.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def dead_broker() -> Iterator[str]:
    """The producer really publishes (not eagerly) to a broker URL where nothing answers."""
    saved = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    url = f"redis://127.0.0.1:{dead_port()}/0"
    celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = False
    _reset_broker_connections()
    try:
        yield url
    finally:
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
        _reset_broker_connections()


def test_publish_to_a_dead_broker_gives_up_quickly_and_says_so(dead_broker, caplog):
    from notices.tasks import notice_deliver

    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="salonbook.tasks_publish"):
        sent = publish(notice_deliver, 12345)

    assert sent is False
    assert time.monotonic() - started < 5
    assert "Broker unreachable, notices.tasks.notice_deliver(12345,) not published" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_booking_while_the_broker_is_down_is_201_and_its_confirmation_goes_out_later(
    shop, dead_broker, caplog
):
    # given: the broker is unreachable; autocommit, so the on-commit publish really runs
    http = HttpClient(REMOTE_ADDR="203.0.113.40")

    # when
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="salonbook.tasks_publish"):
        response = http.post(
            f"{BASE}/bookings/",
            booking_body(shop, next_wednesday_at(10)),
            content_type="application/json",
        )
    took = time.monotonic() - started

    # then: booked, no 500, not slowed down much; the notice is recorded and waiting
    assert response.status_code == 201, response.content
    assert took < 10
    assert "Broker unreachable" in caplog.text
    notice = Notice.objects.get(kind="booking_confirmation")
    assert (notice.status, notice.attempts) == (Notice.Status.PENDING, 0)
    assert mail.outbox == []

    # when: the broker is back (eager again) and the sweep runs after the lease
    celery_app.conf.task_always_eager = True
    Notice.objects.filter(pk=notice.pk).update(created_at=timezone.now() - dt.timedelta(minutes=2))
    requeued = notices_requeue_stale()

    # then: sent exactly once
    notice.refresh_from_db()
    assert requeued == 1
    assert (notice.status, notice.attempts) == (Notice.Status.SENT, 1)
    assert [m.to for m in mail.outbox] == [["kati@example.test"]]
    assert notices_requeue_stale() == 0
