"""Publishing Celery tasks after commit without ever failing the request.

Work that must not be lost is written to the database first (a pending `Notice` row, …) and
the task that carries it out is published when the transaction commits. When the broker
(Redis) is unreachable at that moment, publishing fails *after* the data is committed: raising
would turn a successful request into a 500 and lose nothing but the message. So the publish
here tries a few times within about a second (`RETRY_POLICY`), then logs a warning and gives
up; the periodic sweep that owns the work picks the row up once the broker is back (notices:
`notices.tasks.notices_requeue_stale`, every 15 s, for notices never claimed within
`NOTICE_LEASE_SECONDS`). Use it only for such work — a task whose only record is the message
would be lost.

    from salonbook.tasks_publish import publish_on_commit

    publish_on_commit(notice_deliver, notice.pk)

`publish()` is the same without waiting for the commit (e.g. from a sweep). Both return
quietly on a broker outage; `publish()` says whether the message went out.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.db import transaction
from kombu.exceptions import OperationalError as KombuOperationalError

logger = logging.getLogger(__name__)

# Kombu's publish retries, used only when the broker can't be reached: 3 tries, ~0.6 s in all.
RETRY_POLICY: dict[str, float] = {
    "max_retries": 2,
    "interval_start": 0.0,
    "interval_step": 0.3,
    "interval_max": 0.3,
}

# What an unreachable broker raises: kombu wraps connection errors in its OperationalError;
# a socket can also fail with the builtin errors (ConnectionError, TimeoutError are OSErrors).
BROKER_ERRORS: tuple[type[BaseException], ...] = (KombuOperationalError, OSError)
try:  # the Redis client's own errors (not OSError subclasses)
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    BROKER_ERRORS = (*BROKER_ERRORS, RedisConnectionError, RedisTimeoutError)
except ImportError:  # pragma: no cover - redis is a dependency
    pass


def _task_name(task: Any) -> str:
    return str(getattr(task, "name", None) or task)


def publish(task: Any, *args: Any, **kwargs: Any) -> bool:
    """Send `task(*args, **kwargs)` to the broker now. False — logged, never raised — when the
    broker can't be reached or the publish failed otherwise."""
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=True, retry_policy=RETRY_POLICY)
    except BROKER_ERRORS as exc:
        logger.warning(
            "Broker unreachable, %s%r not published (%s: %s); its sweep sends it later.",
            _task_name(task),
            args,
            type(exc).__name__,
            exc,
        )
        return False
    except Exception:  # after commit nothing may fail the request; a bug is logged loudly
        logger.exception("Publishing %s%r failed.", _task_name(task), args)
        return False
    return True


def publish_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Publish `task(*args, **kwargs)` when the current transaction commits (at once outside a
    transaction); a broker outage is logged, not raised (see the module docstring)."""
    transaction.on_commit(partial(publish, task, *args, **kwargs))
