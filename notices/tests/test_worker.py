"""A real Celery worker process delivers a notice sent by `notice_send` (PostgreSQL + Redis).

The test settings run tasks eagerly; here the producer is switched to the broker and a worker
subprocess (`celery -A salonbook worker`) reads the committed test database.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from notices.models import Notice
from notices.services import notice_send
from salonbook.celery import app as celery_app
from tests.celery_worker import use_broker, worker_start, worker_stop

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis: set REDIS_URL=redis://…"),
]

QUEUE = "notices-worker-test"
TIMEOUT_SECONDS = 60


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path: Path) -> Iterator[Path]:
    saved_routes = celery_app.conf.task_routes
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(QUEUE)  # leftovers of an interrupted run
    log = tmp_path / "worker.log"
    worker = worker_start(queue=QUEUE, log=log)
    use_broker(routes={"notices.tasks.*": {"queue": QUEUE}}, eager=False)
    try:
        yield log
    finally:
        use_broker(routes=saved_routes, eager=True)
        worker_stop(worker)


def test_a_real_worker_delivers_the_notice(salon, celery_worker_process):
    # when: autocommit (transactional_db), so the on-commit enqueue goes to Redis at once
    notice = notice_send(
        salon=salon, kind="test", channel="email", recipient="worker@example.test", context={}
    )

    # then
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        notice.refresh_from_db()
        if notice.status == Notice.Status.SENT:
            break
        time.sleep(0.25)
    assert (notice.status, notice.attempts, notice.last_error) == (Notice.Status.SENT, 1, ""), (
        celery_worker_process.read_text(errors="replace")
    )
    assert notice.sent_at is not None
    assert "Task notices.tasks.notice_deliver[" in celery_worker_process.read_text(errors="replace")
