"""The loyalty points report's exports (`reports.points.exports.points_export_response`): one
salon with 1,000,000 ledger rows (100,000 with BENCH_QUICK) — half of them visits with their
service, staff member and location, the rest manual rows with an actor and gift card
redemptions — and another salon's rows in the same table.

Prints, for CSV and for XLSX, the export's rate (the whole response consumed as a client would:
the streaming CSV's chunks, the finished .xlsx read back from its temporary file), the rate of a
bare baseline writing the same columns from one raw query through a server-side cursor in the
same run (`csv.writer`; an openpyxl write-only workbook), their ratio, and the export's peak
Python memory (tracemalloc, separate untimed runs) for a month-like subset of 10% of the rows
and for all of them: flat memory means the two peaks are alike."""

from __future__ import annotations

import csv
import datetime as dt
import os
import resource
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone
from openpyxl import Workbook

from bookings.models import Location, Salon, Service, StaffMember
from loyalty.models import GiftCard
from reports.exports import BOM, XLSX_MAX_ROWS
from reports.points.exports import EXPORT_CHUNK_SIZE, points_export_response
from reports.points.filters import PointsReportFilters

TZ = "Europe/Tallinn"
STEP_SECONDS = 30  # one ledger row every 30 seconds: 1M rows span about a year
CLIENTS = 20_000
STAFF = 50
GIFT_CARDS = 100
OTHER_SHARE = 0.3
APPOINTMENT_STATUS = os.environ.get(
    "POINTS_BENCH_STATUS", "completed"
)  # the other salon's rows, as a share of the measured salon's

_CLIENTS_SQL = """
INSERT INTO bookings_client (salon_id, first_name, last_name, email, phone, notes,
    marketing_consent, preferred_channel, preferred_language, created_at, updated_at)
SELECT %(salon)s, 'Client', 'Number ' || n, 'c' || n || '@' || %(slug)s || '.test', '', '',
    false, 'email', '', %(now)s, %(now)s
FROM generate_series(0, %(clients)s - 1) n
"""

# Ledger row n: a visit when n % 10 < 5 (its appointment carries n in `notes`), a manual row by
# the owner when 5..7, a gift card redemption when 8..9. Client (n * 7919) mod CLIENTS.
_APPOINTMENTS_SQL = """
WITH st AS (
    SELECT id, row_number() OVER (ORDER BY id) - 1 AS k
    FROM bookings_staffmember WHERE salon_id = %(salon)s
),
sv AS (
    SELECT id, row_number() OVER (ORDER BY id) - 1 AS k
    FROM bookings_service WHERE salon_id = %(salon)s
),
visit AS (
    SELECT n, row_number() OVER (ORDER BY n) - 1 AS v
    FROM generate_series(0, %(rows)s - 1) n WHERE n %% 10 < 5
)
INSERT INTO bookings_appointment (salon_id, location_id, staff_id, service_id, client_id,
    starts_at, ends_at, block_starts_at, block_ends_at, status, source, price, notes,
    created_at, updated_at)
SELECT %(salon)s, %(location)s, st.id, sv.id,
    %(first_client)s + (visit.n::bigint * 7919) %% %(clients)s,
    %(start)s + (visit.v / %(staff)s) * interval '30 minutes',
    %(start)s + (visit.v / %(staff)s) * interval '30 minutes' + interval '20 minutes',
    %(start)s + (visit.v / %(staff)s) * interval '30 minutes',
    %(start)s + (visit.v / %(staff)s) * interval '30 minutes' + interval '20 minutes',
    %(status)s, 'dashboard', 30, visit.n::text, %(now)s, %(now)s
FROM visit
JOIN st ON st.k = visit.v %% %(staff)s
JOIN sv ON sv.k = visit.v %% 2
"""

_LEDGER_SQL = """
WITH gc AS MATERIALIZED (
    SELECT id, row_number() OVER (ORDER BY id) - 1 AS k
    FROM loyalty_giftcard WHERE salon_id = %(salon)s
)
INSERT INTO loyalty_pointsentry (salon_id, client_id, kind, points, description, actor_id,
    appointment_id, gift_card_id, created_at, balance_after)
SELECT %(salon)s, %(first_client)s + (n::bigint * 7919) %% %(clients)s,
    CASE WHEN n %% 10 < 5 THEN 'earned' WHEN n %% 10 < 8 THEN 'manual' ELSE 'redeemed' END,
    CASE WHEN n %% 10 < 5 THEN 50 WHEN n %% 10 < 8 THEN 20 ELSE -30 END,
    CASE WHEN n %% 10 BETWEEN 5 AND 7 THEN 'Bonus for the review' ELSE '' END,
    CASE WHEN n %% 10 BETWEEN 5 AND 7 THEN %(actor)s END,
    a.id, gc.id, %(start)s + n * %(step)s,
    -- the client's running balance, as the ledger service writes it (rows are in n order)
    SUM(CASE WHEN n %% 10 < 5 THEN 50 WHEN n %% 10 < 8 THEN 20 ELSE -30 END)
        OVER (PARTITION BY (n::bigint * 7919) %% %(clients)s ORDER BY n)
FROM generate_series(0, %(rows)s - 1) n
LEFT JOIN bookings_appointment a
    ON n %% 10 < 5 AND a.salon_id = %(salon)s AND a.notes = n::text
LEFT JOIN gc ON n %% 10 >= 8 AND gc.k = n %% %(cards)s
"""

# The baseline: the same columns (raw kind and description; times already local), the same
# stored running balance (`balance_after`) and order, from one query.
_BASELINE_SQL = """
SELECT (e.created_at AT TIME ZONE %(tz)s), trim(c.first_name || ' ' || c.last_name), c.email,
    e.kind, e.points, e.description, s.name, st.name, l.name, g.name, u.email, e.balance_after
FROM loyalty_pointsentry e
JOIN bookings_client c ON c.id = e.client_id
LEFT JOIN bookings_appointment a ON a.id = e.appointment_id
LEFT JOIN bookings_service s ON s.id = a.service_id
LEFT JOIN bookings_staffmember st ON st.id = a.staff_id
LEFT JOIN bookings_location l ON l.id = a.location_id
LEFT JOIN loyalty_giftcard g ON g.id = e.gift_card_id
LEFT JOIN accounts_user u ON u.id = e.actor_id
WHERE e.salon_id = %(salon)s
ORDER BY e.created_at DESC, e.id DESC
"""

_LOADED_TABLES = (
    "bookings_client",
    "bookings_appointment",
    "loyalty_giftcard",
    "loyalty_pointsentry",
    "accounts_user",
)


def _execute(sql: str, params: dict[str, Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@transaction.atomic
def _make_salon(slug: str, *, rows: int, start: dt.datetime, actor: Any) -> Salon:
    now = timezone.now()
    salon = Salon.objects.create(slug=slug, name=slug.title(), time_zone=TZ)
    location = Location.objects.create(salon=salon, name="Main", time_zone=TZ)
    Service.objects.bulk_create(
        Service(salon=salon, name=name, duration_minutes=20, price=Decimal("30"))
        for name in ("Cut", "Colour")
    )
    StaffMember.objects.bulk_create(
        StaffMember(salon=salon, name=f"Staff {i}") for i in range(STAFF)
    )
    GiftCard.objects.bulk_create(
        GiftCard(
            salon=salon,
            code=f"{slug[:8].upper()}{n:06d}",
            name=f"Voucher {n}",
            initial_value=Decimal("20"),
            balance=Decimal("20"),
            currency="EUR",
            source=GiftCard.Source.POINTS,
        )
        for n in range(GIFT_CARDS)
    )
    params = {
        "salon": salon.pk,
        "slug": slug,
        "now": now,
        "clients": CLIENTS,
        "rows": rows,
        "start": start,
        "staff": STAFF,
        "location": location.pk,
        "actor": actor.pk,
        "step": dt.timedelta(seconds=STEP_SECONDS),
        "cards": GIFT_CARDS,
        "status": APPOINTMENT_STATUS,
    }
    _execute(_CLIENTS_SQL, params)
    # Client ids of one INSERT are consecutive here (nothing else writes clients meanwhile).
    params["first_client"] = _scalar(
        "SELECT min(id) FROM bookings_client WHERE salon_id = %(salon)s", params
    )
    _execute(_APPOINTMENTS_SQL, params)
    _execute("ANALYZE bookings_appointment", {})  # for the join on `notes` below
    inserted = _execute(_LEDGER_SQL, params)
    assert inserted == rows, (inserted, rows)
    return salon


def _scalar(sql: str, params: dict[str, Any]) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _vacuum_analyze() -> None:
    with connection.cursor() as cursor:  # autocommit: VACUUM cannot run in a transaction
        cursor.execute(f"VACUUM ANALYZE {', '.join(_LOADED_TABLES)}")


class _Sink:
    """A file that keeps nothing (counts what is written)."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data: Any) -> int:
        self.size += len(data)
        return len(data)


def _consume(response: Any) -> tuple[int, float]:
    """Read a response as a client would; (bytes, seconds to the first chunk)."""
    started = time.perf_counter()
    size, first = 0, None
    try:
        for chunk in response.streaming_content:
            if first is None:
                first = time.perf_counter() - started
            size += len(chunk)
    finally:
        response.close()
    return size, first or 0.0


def _export(salon: Salon, filters: PointsReportFilters, file_format: str) -> tuple[int, float]:
    started = time.perf_counter()
    # The whole set, even as .xlsx: the request-time limit (REPORTS_XLSX_MAX_ROWS) is lifted
    # to what a sheet holds, to measure the writer on a million rows.
    with override_settings(REPORTS_XLSX_MAX_ROWS=XLSX_MAX_ROWS):
        response = points_export_response(salon=salon, filters=filters, file_format=file_format)
    built = time.perf_counter() - started
    size, first = _consume(response)
    return size, built + first


def _baseline_rows(salon: Salon) -> Any:
    """The raw query's rows through a server-side cursor, as Django's iterator fetches them."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(_BASELINE_SQL, {"salon": salon.pk, "tz": TZ})
        while batch := cursor.fetchmany(EXPORT_CHUNK_SIZE):
            yield from batch


HEADER = ["Date", "Client", "Email", "Kind", "Points", "Description", "Service", "Staff"]
HEADER += ["Location", "Gift card", "By", "Balance"]


def _baseline_csv(salon: Salon) -> int:
    sink = _Sink()
    sink.write(BOM)
    writer = csv.writer(sink)
    writer.writerow(HEADER)
    rows = 0
    for row in _baseline_rows(salon):
        writer.writerow(row)
        rows += 1
    return rows


def _baseline_xlsx(salon: Salon) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Points")
    sheet.append(HEADER)
    rows = 0
    for row in _baseline_rows(salon):
        sheet.append(row)
        rows += 1
    with tempfile.TemporaryFile() as target:
        workbook.save(target)
        target.seek(0)
        while target.read(64 * 1024):
            pass
    return rows


def _timed(work: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def _peak_mb(work: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        work()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run(*, quick: bool = False) -> list[dict]:
    rows = 100_000 if quick else 1_000_000
    other_rows = int(rows * OTHER_SHARE)
    subset = rows // 10
    start = (timezone.now() - dt.timedelta(seconds=STEP_SECONDS * rows)).replace(microsecond=0)
    actor = get_user_model().objects.create_user(email="owner@points-bench.test", password="x")

    print(f"points export: seeding {rows:,} ledger rows and {other_rows:,} of another salon…")
    started = time.perf_counter()
    salon = _make_salon("points-bench", rows=rows, start=start, actor=actor)
    _make_salon("points-other", rows=other_rows, start=start, actor=actor)
    _vacuum_analyze()
    print(f"points export: seeded in {time.perf_counter() - started:.1f} s")

    everything = PointsReportFilters()
    # The newest tenth of the rows, as whole local days (a month-like filter).
    first_day = (start + dt.timedelta(seconds=STEP_SECONDS * (rows - subset))).astimezone(
        salon.tzinfo
    )
    recent = PointsReportFilters(date_from=first_day.date() + dt.timedelta(days=1))

    results: list[dict] = []
    rss_before = _maxrss_mb()
    for file_format, baseline in (("csv", _baseline_csv), ("xlsx", _baseline_xlsx)):
        label = file_format.upper()
        (size, first_s), export_s = _timed(lambda f=file_format: _export(salon, everything, f))
        baseline_rows, baseline_s = _timed(lambda b=baseline: b(salon))
        assert baseline_rows == rows, (baseline_rows, rows)
        rate, baseline_rate = rows / export_s, rows / baseline_s
        print(
            f"points export: {label} {rows:,} rows in {export_s:.1f} s ({size / 2**20:.0f} MB,"
            f" first bytes after {first_s:.1f} s); baseline {baseline_s:.1f} s"
        )
        small_peak = _peak_mb(lambda f=file_format: _export(salon, recent, f))
        full_peak = _peak_mb(lambda f=file_format: _export(salon, everything, f))
        subset_rows = _subset_count(salon, recent)
        print(
            f"points export: {label} peak memory {small_peak:.1f} MB for {subset_rows:,} rows,"
            f" {full_peak:.1f} MB for {rows:,} rows"
        )
        results += [
            {"name": f"points {label} export rate", "value": rate, "unit": "rows/s"},
            {
                "name": f"points {label} baseline rate (raw query + bare writer)",
                "value": baseline_rate,
                "unit": "rows/s",
            },
            {"name": f"points {label} export / baseline ratio", "value": rate / baseline_rate},
            {
                "name": f"points {label} export peak memory, {subset_rows:,} rows",
                "value": small_peak,
                "unit": "MB",
            },
            {
                "name": f"points {label} export peak memory, {rows:,} rows",
                "value": full_peak,
                "unit": "MB",
            },
        ]
    for label, filters in (
        ("all rows", everything),
        ("newest tenth", recent),
        ("one client", PointsReportFilters(client=_some_client(salon))),
    ):
        page_ms = _page_ms(salon, filters)
        print(f"points export: report page (25 rows + totals), {label}: {page_ms:.0f} ms")
        results.append({"name": f"points report page, {label}", "value": page_ms, "unit": "ms"})
    results.append(
        {
            "name": "points exports ru_maxrss growth (all runs)",
            "value": _maxrss_mb() - rss_before,
            "unit": "MB",
        }
    )
    for result in results:
        result.setdefault("unit", "x")
    return results


def _page_ms(salon: Salon, filters: PointsReportFilters, repeat: int = 3) -> float:
    """The report page's queries (the totals, then the first 25 rows as the page reads them,
    `PointsReportRows`), best of `repeat`."""
    from reports.points.selectors import PointsReportRows, points_report_totals

    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        totals = points_report_totals(salon=salon, filters=filters)
        PointsReportRows(salon=salon, filters=filters, count=totals.count)[:25]
        best = min(best, time.perf_counter() - started)
    return best * 1000


def _some_client(salon: Salon) -> Any:
    from bookings.models import Client

    return Client.objects.for_salon(salon).order_by("pk")[CLIENTS // 2]


def _subset_count(salon: Salon, filters: PointsReportFilters) -> int:
    from reports.points.selectors import points_report_totals

    return points_report_totals(salon=salon, filters=filters).count
