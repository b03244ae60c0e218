"""A Redis cache that degrades instead of failing when Redis is unreachable.

The cache holds nothing that must not be lost: throttle counters (DRF throttles, booking
passcodes, gift card codes, logins, bookings, notices per recipient) and cached figures. So
while Redis is down, reads answer "missing" (the default) and writes do nothing, with a logged
warning (at most one per `WARN_EVERY` seconds per process) — throttles fail open for the outage
instead of turning every request into a 500. Errors other than connection loss or a time-out
(e.g. a wrong type) still raise: they are bugs, not outages.

Short socket time-outs (`OPTIONS` `socket_connect_timeout`/`socket_timeout`, 1 s by default)
keep a request from hanging on an unreachable server.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    TimeoutError,
)
WARN_EVERY = 10.0
DEFAULT_SOCKET_TIMEOUT = 1.0

T = TypeVar("T")


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        options.setdefault("socket_connect_timeout", DEFAULT_SOCKET_TIMEOUT)
        options.setdefault("socket_timeout", DEFAULT_SOCKET_TIMEOUT)
        super().__init__(server, {**params, "OPTIONS": options})
        self._last_warning = 0.0

    def _guard(self, operation: str, call: Callable[[], T], fallback: T) -> T:
        try:
            return call()
        except OUTAGE_ERRORS as exc:
            now = time.monotonic()
            if now - self._last_warning >= WARN_EVERY:
                self._last_warning = now
                logger.warning(
                    "cache unavailable (%s: %s); %s fails open", type(exc).__name__, exc, operation
                )
            return fallback

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None):
        return self._guard(
            "add", lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), False
        )

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._guard(
            "get", lambda: super(ResilientRedisCache, self).get(key, default, version), default
        )

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None):
        return self._guard(
            "set", lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None
        )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._guard(
            "touch", lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._guard(
            "delete", lambda: super(ResilientRedisCache, self).delete(key, version), False
        )

    def get_many(self, keys: Iterable[Any], version: Any = None) -> dict[Any, Any]:
        keys = list(keys)
        return self._guard(
            "get_many", lambda: super(ResilientRedisCache, self).get_many(keys, version), {}
        )

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._guard(
            "has_key", lambda: super(ResilientRedisCache, self).has_key(key, version), False
        )

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        # Fails open as "this is the first": a counter that cannot count never blocks.
        return self._guard(
            "incr", lambda: super(ResilientRedisCache, self).incr(key, delta, version), delta
        )

    def set_many(self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: Any = None):
        return self._guard(
            "set_many",
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version),
            list(data),
        )

    def delete_many(self, keys: Iterable[Any], version: Any = None) -> None:
        keys = list(keys)
        return self._guard(
            "delete_many", lambda: super(ResilientRedisCache, self).delete_many(keys, version), None
        )

    def clear(self) -> Any:
        return self._guard("clear", lambda: super(ResilientRedisCache, self).clear(), False)
