"""Benchmarks: production-like (DEBUG off, real PostgreSQL from DATABASE_URL), quiet logs."""

import os

os.environ.setdefault("DEBUG", "false")

from .test import *  # noqa: E402,F403
from .test import REST_FRAMEWORK  # noqa: E402

LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_CLASSES": [],
    "DEFAULT_THROTTLE_RATES": {"anon": None},
}  # noqa: F405
# As in production, notices are queued for a worker, not delivered inside the request.
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = "memory://"
