"""Racing real concurrent calls in tests (PostgreSQL, `django_db(transaction=True)`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection


def race(functions: list[Callable[[], Any]]) -> list[str]:
    """Run the functions at once, each on its own thread and database connection; sorted
    outcomes: 'ok', 'refused' (a ValidationError) or the error."""
    barrier = threading.Barrier(len(functions))
    results: list[str] = []
    lock = threading.Lock()

    def run(function: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            function()
            outcome = "ok"
        except ValidationError:
            outcome = "refused"
        except Exception as exc:  # noqa: BLE001 - reported in the assertion
            outcome = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return sorted(results)
