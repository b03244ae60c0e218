"""One online booking through the public API, in-process and sequential: the SQL statements in
the request (BEGIN/COMMIT/SAVEPOINT/RELEASE included, as Django logs them), the median time
per booking and bookings/s, and the ratio to /healthz measured in the same run. Every booking
takes a distinct free hour of one of 10 staff members, for ~500 client e-mails (new and
returning clients). The confirmation notice is queued for a worker (none runs here)."""

from __future__ import annotations

import datetime as dt
import statistics
import time

from django.core.signals import request_started
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.data import make_salon

TRANSACTION_STATEMENTS = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def run(*, quick: bool = False) -> list[dict]:
    count = 100 if quick else 400
    shop = make_salon("inproc", staff_count=10, appointments=0, clients=0)
    location, service, staff = shop["location"], shop["service"], shop["staff"]
    tz = location.tzinfo
    first_day = timezone.now().astimezone(tz).date() + dt.timedelta(days=1)
    http = Client()
    url = "/api/v1/public/inproc/bookings/"

    def body(n: int) -> dict:
        per_day = 8 * len(staff)
        day = first_day + dt.timedelta(days=n // per_day)
        hour = 9 + (n % per_day) // len(staff)
        return {
            "location": location.pk,
            "service": service.pk,
            "staff": str(staff[n % len(staff)].pk),
            "starts_at": dt.datetime.combine(day, dt.time(hour), tzinfo=tz).isoformat(),
            "client": {"first_name": "Bench", "email": f"inproc{n % 499}@bench.test"},
        }

    def book(n: int) -> None:
        response = http.post(url, body(n), content_type="application/json")
        assert response.status_code == 201, (response.status_code, response.content[:300])

    for n in range(10):  # warm up (new clients)
        book(n)
    # Django empties its query log at each request's start: keep it for the two captures.
    request_started.disconnect(reset_queries)
    try:
        connection.queries_log.clear()  # a full log (its maxlen) would capture nothing
        with CaptureQueriesContext(connection) as new_client:
            book(10)
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as returning:
            book(10 + 499)  # the e-mail of booking 10: a returning client
    finally:
        request_started.connect(reset_queries)
    # Read now: the next request empties the log these contexts read lazily.
    new_sql = [q["sql"] for q in new_client]
    returning_sql = [q["sql"] for q in returning]
    timings = []
    for n in range(11, 11 + count):
        if n == 10 + 499:
            continue
        started = time.perf_counter()
        book(n)
        timings.append((time.perf_counter() - started) * 1000)
    trivial = []
    for _ in range(100):
        started = time.perf_counter()
        http.get("/healthz")
        trivial.append((time.perf_counter() - started) * 1000)
    booking_ms, trivial_ms = statistics.median(timings), statistics.median(trivial)

    def tx(statements: list[str]) -> int:
        return sum(sql.split()[0].upper() in TRANSACTION_STATEMENTS for sql in statements)

    print(
        f"booking: {len(new_sql)} statements for a new client ({tx(new_sql)} transaction "
        f"control), {len(returning_sql)} for a returning one ({tx(returning_sql)}); median "
        f"{booking_ms:.2f} ms per booking ({1000 / booking_ms:.1f}/s sequential), "
        f"/healthz {trivial_ms:.2f} ms"
    )
    if any("notices_notice" in sql for sql in new_sql):
        print("booking: the request wrote the notice itself")
    return [
        {"name": "booking statements (new client)", "value": len(new_sql), "unit": "statements"},
        {
            "name": "booking statements (returning client)",
            "value": len(returning_sql),
            "unit": "statements",
        },
        {
            "name": "booking transaction-control statements (new client)",
            "value": tx(new_sql),
            "unit": "statements",
        },
        {"name": "booking median (in-process, sequential)", "value": booking_ms, "unit": "ms"},
        {"name": "booking / trivial ratio", "value": booking_ms / trivial_ms, "unit": "x"},
    ]
