"""Availability, in-process (Django's test client and the function itself).

1. The endpoint: one week at a location with 10 staff, 20,000 appointments in the salon and
   1,000 other salons' data in the same tables: median time per request, its ratio to the
   trivial endpoint (/healthz) measured in the same run, and the SQL queries per request —
   as served (the availability cache warm, bookings/availability_cache.py) and with the
   cache off (`AVAILABILITY_CACHE_SECONDS=0`: every request computes).
2. The plan: EXPLAIN (ANALYZE, BUFFERS) of the appointment query availability runs, for the
   big salon, for salons of 1, 10 and 50 staff, one staff member with 10,000 appointments and
   one of the 1,000 small salons: which index reads `bookings_appointment`; the composite
   (salon, staff, block_starts_at) one must, every time.
3. The cost per staff-day: `availability_get` for 1, 10 and 50 staff × 1, 7 and 31 days (6
   appointments per staff member and day), median time divided by staff × days — for the
   current implementation and for the frozen copy of the one before issue 15
   (bench/availability_baseline.py) on the same data, with the ratio.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from bench import availability_baseline
from bench.data import make_other_salons, make_salon
from bookings import availability as current
from bookings.models import Location, Salon, Service

COMPOSITE_INDEX = "appt_salon_staff_block"


def _median_ms(http: Client, url: str, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = http.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return statistics.median(timings)


def _time_call(
    call: Callable[[], Any], *, budget: float = 0.6, most: int = 40
) -> tuple[float, float]:
    """Median milliseconds of `call()` (wall clock, and this process's CPU time: the Python
    cost without PostgreSQL's share and without the time other processes on a busy machine
    take), repeated for about `budget` seconds (3 to `most` times)."""
    call()  # warm up
    wall: list[float] = []
    cpu: list[float] = []
    spent = 0.0
    while len(wall) < 3 or (spent < budget and len(wall) < most):
        started, cpu_started = time.perf_counter(), time.process_time()
        call()
        elapsed = time.perf_counter() - started
        cpu.append((time.process_time() - cpu_started) * 1000)
        wall.append(elapsed * 1000)
        spent += elapsed
    return statistics.median(wall), statistics.median(cpu)


def _plan_nodes(node: dict) -> Iterator[dict]:
    yield node
    for child in node.get("Plans", ()):
        yield from _plan_nodes(child)


def _appointment_plan(shop: dict, start: dt.date, end: dt.date) -> tuple[set[str], int]:
    """The indexes (or "Seq Scan") reading bookings_appointment in availability's query for
    this salon's week, and the shared buffers that query touched."""
    captured: list[tuple[str, Any]] = []

    def capture(execute, sql, params, many, context):  # noqa: ANN001
        if "bookings_appointment" in sql:
            captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        current.availability_get(
            salon=shop["salon"],
            location=shop["location"],
            service=shop["service"],
            start=start,
            end=end,
        )
    assert captured, "availability read no appointments"
    sql, params = captured[0]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
        raw = cursor.fetchone()[0]
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    readers: set[str] = set()
    buffers = 0
    for node in _plan_nodes(plan):
        if node.get("Relation Name") != "bookings_appointment":
            continue
        buffers += node.get("Shared Hit Blocks", 0) + node.get("Shared Read Blocks", 0)
        if node["Node Type"] == "Bitmap Heap Scan":  # the indexes are its children
            readers.update(
                child["Index Name"]
                for child in _plan_nodes(node)
                if child["Node Type"] == "Bitmap Index Scan"
            )
        else:
            readers.add(node.get("Index Name") or node["Node Type"])
    return readers, buffers


def _scale_salons(quick: bool) -> dict[int, dict]:
    shops = {}
    for staff_count in (1, 10, 50):
        # 6 appointments per staff member and day, from 10 days back to ~35 days ahead.
        per_staff = 6 * (20 if quick else 45)
        shops[staff_count] = make_salon(
            f"scale-{staff_count}",
            staff_count=staff_count,
            appointments=per_staff * staff_count,
            days_back=10,
        )
    return shops


def run(*, quick: bool = False) -> list[dict]:
    others = 100 if quick else 1_000
    appointments = 2_000 if quick else 20_000
    print(f"availability: seeding 1 salon with {appointments} appointments and {others} others…")
    make_other_salons(others)
    big = make_salon("big", staff_count=10, appointments=appointments, days_back=400)
    shops = _scale_salons(quick)
    # One staff member with a long history (the plan flip of issue 15: 10,000 appointments).
    deep = make_salon(
        "deep", staff_count=1, appointments=2_000 if quick else 10_000, days_back=1_700
    )
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
    cache_seconds = settings.AVAILABILITY_CACHE_SECONDS or 30
    off = override_settings(AVAILABILITY_CACHE_SECONDS=0)
    on = override_settings(AVAILABILITY_CACHE_SECONDS=cache_seconds)
    for _ in range(5):  # warm up
        with off:
            http.get(url)
        with on:
            http.get(url)
        http.get("/healthz")

    def queries_of(mode: override_settings) -> tuple[int, int]:
        queries: list[str] = []

        def count(execute, sql, params, many, context):  # noqa: ANN001
            queries.append(sql)
            return execute(sql, params, many, context)

        with mode, connection.execute_wrapper(count):
            response = http.get(url)
        return len(queries), len(response.json()["slots"])

    warm_queries, slots = queries_of(on)
    off_queries, off_slots = queries_of(off)
    assert slots == off_slots, (slots, off_slots)
    # Interleaved, so the three medians see the same machine load.
    warm_ms, off_ms, trivial_ms = [], [], []
    for _ in range(5):
        with on:
            warm_ms.append(_median_ms(http, url, repeats // 5))
        with off:
            off_ms.append(_median_ms(http, url, repeats // 5))
        trivial_ms.append(_median_ms(http, "/healthz", repeats // 5))
    availability_median = statistics.median(warm_ms)
    uncached_median = statistics.median(off_ms)
    trivial_median = statistics.median(trivial_ms)
    print(
        f"availability: {slots} slots in the week; cache warm {warm_queries} queries, "
        f"{availability_median:.2f} ms ({availability_median / trivial_median:.1f}× /healthz); "
        f"cache off {off_queries} queries, {uncached_median:.2f} ms "
        f"({uncached_median / trivial_median:.1f}×); /healthz {trivial_median:.2f} ms"
    )
    results = [
        {"name": "availability week median", "value": availability_median, "unit": "ms"},
        {"name": "availability week median, cache off", "value": uncached_median, "unit": "ms"},
        {"name": "trivial endpoint (/healthz) median", "value": trivial_median, "unit": "ms"},
        {
            "name": "availability / trivial ratio",
            "value": availability_median / trivial_median,
            "unit": "x",
        },
        {
            "name": "availability / trivial ratio, cache off",
            "value": uncached_median / trivial_median,
            "unit": "x",
        },
        {"name": "availability queries per request", "value": warm_queries, "unit": "queries"},
        {
            "name": "availability queries per request, cache off",
            "value": off_queries,
            "unit": "queries",
        },
        {"name": "availability slots returned (week, 10 staff)", "value": slots, "unit": "slots"},
    ]

    # 2. The plan of the appointment query, at every scale.
    plan_ok = 0
    cases = {"big (10 staff, 20k appts)": big} | {f"{n} staff": shop for n, shop in shops.items()}
    cases["deep (1 staff, 10k appts)"] = deep
    cases["other salon (3 staff)"] = {
        "salon": (other := Salon.objects.get(slug="other-7")),
        "location": Location.objects.get(salon=other),
        "service": Service.objects.get(salon=other),
    }
    for label, shop in cases.items():
        readers, buffers = _appointment_plan(shop, start, end)
        ok = readers == {COMPOSITE_INDEX}
        plan_ok += ok
        print(
            f"availability: plan for {label}: {', '.join(sorted(readers))}, {buffers} buffers"
            + ("" if ok else "  <-- NOT the composite index")
        )
        if label.startswith("big"):
            results.append(
                {
                    "name": "availability appointment query buffers (big)",
                    "value": buffers,
                    "unit": "buffers",
                }
            )
    results.append(
        {
            "name": "availability plans using the composite index",
            "value": plan_ok,
            "unit": f"of {len(cases)}",
        }
    )

    # 3. Cost per staff-day, now and before issue 15, on the same data.
    print(
        "availability: cost per staff-day = median per call / (staff × days); CPU = this "
        "process's CPU time (PostgreSQL's share and other processes' load left out)"
    )
    print(
        f"  {'staff':>5} {'days':>4} {'wall now':>9} {'wall before':>11} {'CPU now':>8} "
        f"{'CPU before':>10} {'CPU µs/staff-day now':>20} {'before':>7} {'speed-up':>8}"
    )
    cells: list[tuple[int, float, float]] = []
    for staff_count, shop in shops.items():
        for days in (1, 7, 31):
            last = start + dt.timedelta(days=days - 1)
            args = {
                "salon": shop["salon"],
                "location": shop["location"],
                "service": shop["service"],
                "start": start,
                "end": last,
            }
            now_wall, now_cpu = _time_call(lambda args=args: current.availability_get(**args))
            before_wall, before_cpu = _time_call(
                lambda args=args: availability_baseline.availability_get(**args)
            )
            staff_days = staff_count * days
            cells.append((staff_days, now_cpu, before_cpu))
            print(
                f"  {staff_count:>5} {days:>4} {now_wall:>9.2f} {before_wall:>11.2f} "
                f"{now_cpu:>8.2f} {before_cpu:>10.2f} {now_cpu * 1000 / staff_days:>20.1f} "
                f"{before_cpu * 1000 / staff_days:>7.1f} {before_cpu / now_cpu:>7.1f}×"
            )
            label = f"{staff_count} staff × {days} days"
            results += [
                {"name": f"availability wall ms, {label}", "value": now_wall, "unit": "ms"},
                {
                    "name": f"availability wall ms before, {label}",
                    "value": before_wall,
                    "unit": "ms",
                },
                {
                    "name": f"availability CPU per staff-day, {label}",
                    "value": now_cpu * 1000 / staff_days,
                    "unit": "µs",
                },
                {
                    "name": f"availability CPU per staff-day before, {label}",
                    "value": before_cpu * 1000 / staff_days,
                    "unit": "µs",
                },
            ]
    # The marginal cost: the slope of CPU time over staff-days (least squares over the nine
    # cells), i.e. the cost per staff-day without the fixed cost of a call.
    slope_now, slope_before = _slope(cells, 1), _slope(cells, 2)
    print(
        f"availability: marginal CPU per staff-day {slope_now * 1000:.1f} µs now, "
        f"{slope_before * 1000:.1f} µs before: {slope_before / slope_now:.1f}× lower"
    )
    results += [
        {
            "name": "availability marginal CPU per staff-day",
            "value": slope_now * 1000,
            "unit": "µs",
        },
        {
            "name": "availability marginal CPU per staff-day before",
            "value": slope_before * 1000,
            "unit": "µs",
        },
        {
            "name": "availability per staff-day cost, before / now",
            "value": slope_before / slope_now,
            "unit": "x",
        },
    ]
    return results


def _slope(cells: list[tuple[int, float, float]], column: int) -> float:
    xs = [c[0] for c in cells]
    ys = [c[column] for c in cells]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )
