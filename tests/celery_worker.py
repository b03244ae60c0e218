"""Shared pieces of the tests that run a real Celery worker process against Redis and the test
database (notices/tests/test_worker.py, tests/test_worker_kill.py,
reports/tests/test_export_worker.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from salonbook.celery import app as celery_app


def worker_database_url() -> str:
    """The test database as a DATABASE_URL for the worker subprocess."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{quote(db['NAME'], safe='')}"


def use_broker(*, routes: dict, eager: bool) -> None:
    """Route tasks to the test's own queue through the real broker (eager=False), or back."""
    celery_app.conf.task_always_eager = eager
    celery_app.conf.task_routes = routes
    celery_app.amqp.flush_routes()
    celery_app.amqp.__dict__.pop("router", None)  # cached; rebuilt with the new routes


def worker_start(
    *,
    queue: str,
    log: Path,
    name: str | None = None,
    settings_module: str = "salonbook.settings.test",
    env: dict[str, str] | None = None,
) -> subprocess.Popen:
    """Start a real `celery worker` (solo pool) on `queue` against the test database and
    Redis, writing its output to `log`."""
    worker_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        **(env or {}),
    }
    with log.open("wb") as out:
        return subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "salonbook", "worker",
                "--pool=solo", "--loglevel=INFO", "-Q", queue, "-n", f"{name or queue}@%h",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
            ],
            cwd=settings.BASE_DIR,
            env=worker_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip


def worker_stop(process: subprocess.Popen) -> None:
    """Terminate a worker, killing it if it does not stop within 15 s."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
