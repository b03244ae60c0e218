"""Shared pieces of the tests that run a real Celery worker process against Redis and the test
database (notices/tests/test_worker.py, tests/test_worker_kill.py,
reports/tests/test_export_worker.py)."""

from __future__ import annotations

from urllib.parse import quote

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
