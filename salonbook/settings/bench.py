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
# The contention benchmark books thousands of times from one address: it measures the booking
# engine, not the abuse limits (bookings/booking_limits.py, notices' per-recipient cap).
PUBLIC_BOOKING_MAX_PER_IP = 10**9
PUBLIC_BOOKING_MAX_PER_SALON = 10**9
NOTICE_MAX_PER_RECIPIENT_PER_HOUR = 0
