"""A real Celery worker process writes a background Excel export (PostgreSQL + Redis).

The test settings run tasks eagerly; here the producer is switched to the broker and a worker
subprocess (`celery -A salonbook worker`, the queue of this test only) reads the committed
test database and writes into the same export folder (REPORTS_EXPORT_DIR in its environment),
as notices/tests/test_worker.py does for notices."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from openpyxl import load_workbook

from reports.jobs.models import ExportJob
from reports.tests.points_data import MARCH, build_ledger
from salonbook.celery import app as celery_app
from tests.celery_worker import use_broker, worker_start, worker_stop

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis: set REDIS_URL=redis://…"),
]

QUEUE = "reports-worker-test"
TIMEOUT_SECONDS = 60


@pytest.fixture
def export_dir(settings, tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    settings.REPORTS_EXPORT_DIR = str(folder)
    settings.REPORTS_XLSX_MAX_ROWS = 3  # March has 4 rows: a background job
    return folder


@pytest.fixture
def worker_log(transactional_db, export_dir: Path, tmp_path: Path) -> Iterator[Path]:
    saved_routes = celery_app.conf.task_routes
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(QUEUE)  # leftovers of an interrupted run
    log = tmp_path / "worker.log"
    worker = worker_start(queue=QUEUE, log=log, env={"REPORTS_EXPORT_DIR": str(export_dir)})
    use_broker(routes={"reports.tasks.*": {"queue": QUEUE}}, eager=False)
    try:
        yield log
    finally:
        use_broker(routes=saved_routes, eager=True)
        worker_stop(worker)


def test_a_real_worker_writes_the_export_and_the_page_offers_it(
    salon, other_salon, owner, worker_log, export_dir
):
    # given March's ledger (4 rows, above the limit) and its owner
    build_ledger(salon, other_salon, actor=owner)
    http = HttpClient()
    http.force_login(owner)

    # when the export is asked for (autocommit: the task goes to Redis at once)
    response = http.get("/dashboard/alpha/reports/points/export.xlsx", MARCH)
    job = ExportJob.objects.get()
    assert response["Location"] == f"/dashboard/alpha/reports/exports/{job.token}/"

    # then the worker writes it
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.25)
    log = worker_log.read_text(errors="replace")
    assert (job.status, job.row_count, job.error) == ("done", 8, ""), log
    assert "Task reports.tasks.export_job_run[" in log
    assert (export_dir / job.file_path).is_file()
    page = http.get(response["Location"]).content.decode()
    assert f"{response['Location']}download/" in page
    download = http.get(f"{response['Location']}download/")
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert [c.value for c in sheet[sheet.max_row]][:5] == ["Net", None, None, None, 10]
