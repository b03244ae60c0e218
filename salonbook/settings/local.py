"""Development: the zero-setup defaults (SQLite, filesystem broker, console email and SMS)."""

import os

os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: E402,F403
from .base import ALLOWED_HOSTS, LOGGING, SECRET_KEY, VAR_DIR  # noqa: E402

SECRET_KEY = SECRET_KEY or "django-insecure-development-only-key-change-me"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# With DEBUG on, Django's own console handler and the root one would print every line twice.
LOGGING = {
    **LOGGING,
    "loggers": {**LOGGING["loggers"], "django": {"handlers": [], "level": "INFO"}},
}

for folder in ("broker/queue", "broker/processed", "broker/control", "cache", "sms", "staticfiles"):
    (VAR_DIR / folder).mkdir(parents=True, exist_ok=True)
