"""Settings of the Celery worker processes that tests start: the test settings, with SMS going
to `tests.worker_support.SlowLogSmsBackend` (a delivery log file and a delay)."""

from salonbook.settings.test import *  # noqa: F403

SMS_BACKEND = "tests.worker_support.SlowLogSmsBackend"
