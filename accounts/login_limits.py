"""Failed logins counted per account, on every way to log in.

Password guessing is limited per client IP (allauth's `ACCOUNT_RATE_LIMITS`, the token
endpoint's throttle), but an attacker with many addresses could still guess one account's
password. So failures are also counted per account — the normalised email, whether or not
such an account exists — from all addresses together: after `LOGIN_MAX_FAILURES_PER_ACCOUNT`
failures within `LOGIN_FAILURE_WINDOW_SECONDS` (counted from the first), every login of that
account is refused until the window ends, the right password too, so the limit cannot be used
to test guesses.

- Counting: Django's `user_login_failed` signal, sent once per failed
  `django.contrib.auth.authenticate()` call whatever the backend — the allauth login page,
  `/admin/login/` and `POST /api/v1/auth/token/` all go through it (`accounts/receivers.py`).
- Refusing: `accounts.backends.LoginLimitBackend`, first in `AUTHENTICATION_BACKENDS`, raises
  PermissionDenied for a locked account, which stops `authenticate()` before any password is
  checked. The token endpoint answers 429 with a clear message.
- Counters live in the cache (Redis in production). When the cache is down they fail open
  (salonbook/cache.py): the per-IP limits and password hashing still slow guessing down.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_failures() -> int:
    return _setting("LOGIN_MAX_FAILURES_PER_ACCOUNT", 10)


def window_seconds() -> int:
    return _setting("LOGIN_FAILURE_WINDOW_SECONDS", 900)


def account_identifier(value: object) -> str:
    """The normalised email a login was tried for ("" when there is none)."""
    return str(value or "").strip().lower()[:254]


def _keys(identifier: str) -> tuple[str, str]:
    digest = hashlib.sha256(identifier.encode()).hexdigest()[:32]
    return f"login-fail:{digest}", f"login-fail:{digest}:since"


def login_is_locked(identifier: str) -> bool:
    """Has this account seen too many failed logins in the current window?"""
    identifier = account_identifier(identifier)
    if not identifier or max_failures() <= 0:
        return False
    count_key, _since = _keys(identifier)
    return int(cache.get(count_key) or 0) >= max_failures()


def login_lock_seconds_left(identifier: str) -> int:
    """About how long a locked account stays locked (for messages and Retry-After)."""
    _count, since_key = _keys(account_identifier(identifier))
    since = cache.get(since_key)
    window = window_seconds()
    if not isinstance(since, int | float):
        return window
    return max(1, math.ceil(since + window - time.time()))


def login_failure_record(identifier: str) -> None:
    """Count one failed login against the account (the window starts at the first)."""
    identifier = account_identifier(identifier)
    if not identifier:
        return
    count_key, since_key = _keys(identifier)
    window = window_seconds()
    if cache.add(count_key, 0, timeout=window):
        cache.set(since_key, time.time(), timeout=window)
    try:
        count = cache.incr(count_key)
    except ValueError:  # expired between add and incr
        cache.set(count_key, 1, timeout=window)
        cache.set(since_key, time.time(), timeout=window)
        count = 1
    if count == max_failures():
        logger.warning("login locked for %s after %d failed attempts", count_key, count)


def login_failures_clear(identifier: str) -> None:
    """For tests and support: forget an account's failed logins."""
    cache.delete_many(list(_keys(account_identifier(identifier))))
