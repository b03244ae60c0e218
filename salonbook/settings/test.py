"""Tests: PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set; else SQLite and memory."""

import os

os.environ.setdefault("DEBUG", "false")

from .base import *  # noqa: E402,F403
from .base import REDIS_URL  # noqa: E402

SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "notices.sms.LocmemSmsBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_BROKER_URL = REDIS_URL or "memory://"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "salonbook.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"test-{os.getpid()}",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# WhiteNoise warns at start-up when STATIC_ROOT is missing; tests never collect static files.
WHITENOISE_AUTOREFRESH = True
