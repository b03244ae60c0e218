"""Availability for one week at a location with 10 staff, 20,000 appointments in the salon and
200 other salons' data in the same tables: median time per request, its ratio to a trivial
endpoint measured in the same run, and the SQL queries per request."""

from __future__ import annotations

import datetime as dt
import statistics
import time

from django.db import connection
from django.test import Client
from django.utils import timezone

from bench.data import make_salon


def _median_ms(http: Client, url: str, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = http.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return statistics.median(timings)


def run(*, quick: bool = False) -> list[dict]:
    others = 20 if quick else 200
    appointments = 2_000 if quick else 20_000
    print(f"availability: seeding 1 salon with {appointments} appointments and {others} others…")
    for n in range(others):
        make_salon(f"other-{n}", staff_count=3, appointments=60, clients=10)
    big = make_salon("big", staff_count=10, appointments=appointments, days_back=400)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    tz = big["location"].tzinfo
    start = timezone.now().astimezone(tz).date() + dt.timedelta(days=1)
    end = start + dt.timedelta(days=6)
    url = (
        f"/api/v1/public/big/availability/?location={big['location'].pk}"
        f"&service={big['service'].pk}&start={start}&end={end}&staff=any"
    )
    http = Client()
    repeats = 30 if quick else 100
    for _ in range(5):  # warm up
        http.get(url)
        http.get("/healthz")
    queries: list[str] = []

    def count(execute, sql, params, many, context):  # noqa: ANN001
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = http.get(url)
    slots = len(response.json()["slots"])
    availability_ms = _median_ms(http, url, repeats)
    trivial_ms = _median_ms(http, "/healthz", repeats)
    print(f"availability: {slots} slots in the week, {len(queries)} queries per request")
    return [
        {"name": "availability week median", "value": availability_ms, "unit": "ms"},
        {"name": "trivial endpoint (/healthz) median", "value": trivial_ms, "unit": "ms"},
        {
            "name": "availability / trivial ratio",
            "value": availability_ms / trivial_ms,
            "unit": "x",
        },
        {"name": "availability queries per request", "value": len(queries), "unit": "queries"},
        {"name": "availability slots returned (week, 10 staff)", "value": slots, "unit": "slots"},
    ]
