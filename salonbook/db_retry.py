"""A read whose database connection died under it is retried once on a fresh connection.

Persistent connections are health-checked before their first use in a request
(`CONN_HEALTH_CHECKS`), so a connection the server dropped *between* requests is normally
replaced before anything is read. A connection killed while a request is being served (a
database restart or failover, `pg_terminate_backend`, a network cut, or a kill between the
health check and the query) still fails the running query with `OperationalError` /
`InterfaceError`, and without this middleware that request answers 500.

`DatabaseReadRetryMiddleware` installs a query wrapper (`connection.execute_wrapper`) for the
whole of every GET and HEAD request — the middleware below it (sessions, the user), the view
and its template. When a query fails and

- it is a read (`SELECT …`; a write is never repeated: it may have committed before the
  connection was lost), outside any transaction (`atomic`: the work before it in the
  transaction is gone with the connection, so repeating one statement would be wrong),
- the connection really is gone (the error alone may be a time-out or a lock conflict, which
  a retry would not fix), and
- this request has not retried yet,

the wrapper closes the dead connection, opens a new one and runs the query again on it, so the
request goes on as if nothing happened (a warning is logged). Anything else is raised as
before. POST, PUT, PATCH and DELETE requests get no wrapper at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

RETRY_METHODS = frozenset({"GET", "HEAD"})
READ_PREFIXES = ("SELECT", "WITH", "SHOW")


def _is_read(sql: Any) -> bool:
    text = sql if isinstance(sql, str) else str(sql)
    return text.lstrip(" \t\n(").upper().startswith(READ_PREFIXES)


def connection_lost(conn: Any) -> bool:
    """Is the database connection `conn` (a Django connection) gone?"""
    raw = conn.connection
    if raw is None:
        return True
    if getattr(raw, "closed", False) or getattr(raw, "broken", False):
        return True
    try:
        return not conn.is_usable()
    except Exception:  # noqa: BLE001 - a failing check means unusable
        return True


class _RetryLostConnection:
    """One request's `execute_wrapper`: at most one retried query."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.retried = False

    def __call__(
        self, execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: dict
    ) -> Any:
        try:
            return execute(sql, params, many, context)
        except (OperationalError, InterfaceError) as exc:
            conn = context["connection"]
            cursor = context["cursor"]
            if (
                self.retried
                or many
                or conn.in_atomic_block
                or not _is_read(sql)
                or getattr(cursor.cursor, "name", None)  # a server-side cursor (iterator())
                or not connection_lost(conn)
            ):
                raise
            self.retried = True
            logger.warning(
                "Database connection lost during %s %s (%s); retrying the read on a new "
                "connection.",
                self.request.method,
                self.request.path,
                exc,
            )
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - closing a dead connection may complain
                conn.connection = None
            conn.ensure_connection()
            # The caller reads the results from this CursorWrapper: give it a live cursor.
            cursor.cursor = conn.create_cursor()
            return execute(sql, params, many, context)


class DatabaseReadRetryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in RETRY_METHODS:
            return self.get_response(request)
        wrapper = _RetryLostConnection(request)
        with ExitStack() as stack:
            for conn in connections.all():
                stack.enter_context(conn.execute_wrapper(wrapper))
            return self.get_response(request)
