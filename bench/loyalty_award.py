"""The loyalty award sweep (`loyalty.services.award.points_award_due`): 100,000 due appointments
over 50 salons with loyalty on, and 150 further salons' rows in the same tables (loyalty off, or
appointments cancelled / no-show / too recent / too old). Prints the sweep's rate, the rate of
one raw `INSERT … SELECT` of the same ledger rows in the same run and their ratio, the sweep's
peak memory, its queries per batch, and a second sweep that awards nothing; then checks that
every due appointment earned exactly once and that every cached balance equals its ledger."""

from __future__ import annotations

import datetime as dt
import resource
import time
import tracemalloc
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from bookings.models import Location, Salon, Service, StaffMember
from loyalty.models import LoyaltyProgram, ServicePoints
from loyalty.services import award

CLIENTS_PER_SALON = 200
PER_STAFF = 100  # due appointments per staff member of a due salon
OTHER_STAFF = 20
OTHER_PER_STAFF = 25
SLOT = dt.timedelta(minutes=26)  # one 20-minute appointment every 26 minutes per staff member
SERVICE_MINUTES = 20
SNAPSHOT_EVERY = 3  # every third due appointment has an AppointmentPoints snapshot (15 points)
SERVICE_POINTS = (10, 25)
SNAPSHOT_POINTS = 15

_CLIENTS_SQL = """
INSERT INTO bookings_client (salon_id, first_name, last_name, email, phone, notes,
    marketing_consent, preferred_channel, preferred_language, created_at, updated_at)
SELECT s.id, 'Client ' || n, '', 'c' || n || '@' || s.slug || '.test', '', '',
    n %% 2 = 0, 'email', '', %(now)s, %(now)s
FROM bookings_salon s CROSS JOIN generate_series(0, %(clients)s - 1) n
WHERE s.id = ANY(%(salons)s)
"""

# One row per (staff member, k): ends at now - first_end - k * SLOT - staff number minutes, so
# one staff member's appointments never overlap (the exclusion constraint on active ones).
_APPOINTMENTS_SQL = """
WITH st AS (
    SELECT id, salon_id, row_number() OVER (PARTITION BY salon_id ORDER BY id) - 1 AS n
    FROM bookings_staffmember WHERE salon_id = ANY(%(salons)s)
), sv AS (
    SELECT id, salon_id, row_number() OVER (PARTITION BY salon_id ORDER BY id) - 1 AS n
    FROM bookings_service WHERE salon_id = ANY(%(salons)s)
), cl AS (
    SELECT id, salon_id, row_number() OVER (PARTITION BY salon_id ORDER BY id) - 1 AS n
    FROM bookings_client WHERE salon_id = ANY(%(salons)s)
), slot AS (
    SELECT st.salon_id, st.id AS staff_id, st.n AS staff_n, k,
        CASE WHEN k < %(recent)s
             THEN %(now)s - interval '10 minutes' - k * %(step)s - st.n * interval '1 minute'
             ELSE %(now)s - %(first_end)s - k * %(step)s - st.n * interval '1 minute'
        END AS ends_at
    FROM st CROSS JOIN generate_series(0, %(per_staff)s - 1) k
)
INSERT INTO bookings_appointment (salon_id, location_id, staff_id, service_id, client_id,
    starts_at, ends_at, block_starts_at, block_ends_at, status, source, price, notes,
    created_at, updated_at)
SELECT slot.salon_id, loc.id, slot.staff_id, sv.id, cl.id,
    slot.ends_at - %(length)s, slot.ends_at, slot.ends_at - %(length)s, slot.ends_at,
    CASE WHEN %(status)s <> 'mixed' THEN %(status)s
         WHEN k < %(recent)s THEN 'completed'
         WHEN k %% 2 = 0 THEN 'cancelled' ELSE 'no_show' END,
    'dashboard', 30, '', %(now)s - interval '60 days', %(now)s
FROM slot
JOIN bookings_location loc ON loc.salon_id = slot.salon_id
JOIN sv ON sv.salon_id = slot.salon_id AND sv.n = slot.k %% 2
JOIN cl ON cl.salon_id = slot.salon_id
    AND cl.n = (slot.staff_n * %(per_staff)s + slot.k) %% %(clients)s
"""

_SNAPSHOTS_SQL = """
INSERT INTO loyalty_appointmentpoints (salon_id, appointment_id, points, created_at)
SELECT salon_id, id, %(points)s, created_at FROM bookings_appointment
WHERE salon_id = ANY(%(salons)s) AND id %% %(every)s = 0
"""

# The due rows as the sweep selects them (loyalty on, completed, ended after the program was
# switched on and within the lookback, at least the delay ago, points from the snapshot or the
# service). It runs on an emptied ledger, so it has no NOT EXISTS: planned against an empty
# ledger, that anti-join becomes a sequential scan of the ledger per row, which rescans the
# rows the statement itself inserts (quadratic) and would make the baseline slow.
_DUE_SQL = """
SELECT a.salon_id, a.client_id, 'earned', COALESCE(ap.points, sp.points), '', a.id, %(now)s
FROM bookings_appointment a
JOIN loyalty_loyaltyprogram p
    ON p.salon_id = a.salon_id AND p.enabled AND p.enabled_at IS NOT NULL
LEFT JOIN loyalty_appointmentpoints ap
    ON ap.salon_id = a.salon_id AND ap.appointment_id = a.id
LEFT JOIN loyalty_servicepoints sp
    ON sp.salon_id = a.salon_id AND sp.service_id = a.service_id AND sp.enabled
WHERE a.status = 'completed'
  AND a.ends_at >= GREATEST(p.enabled_at, %(now)s - %(lookback)s)
  AND a.ends_at <= %(now)s - p.award_delay_minutes * interval '1 minute'
  AND COALESCE(ap.points, sp.points) > 0
"""

# balance_after (the client's running sum, as the sweep writes it) by a window over the rows.
_RAW_INSERT_SQL = (
    "INSERT INTO loyalty_pointsentry (salon_id, client_id, kind, points, description,"
    " appointment_id, created_at, balance_after) SELECT d.*, SUM(d.points) OVER"
    " (PARTITION BY d.salon_id, d.client_id ORDER BY d.appointment_id) FROM ("
    + _DUE_SQL
    + ") AS d(salon_id, client_id, kind, points, description, appointment_id, created_at)"
)

_NOT_EARNED_ONCE_SQL = """
SELECT count(*) FROM (
    SELECT a.id FROM bookings_appointment a
    JOIN loyalty_loyaltyprogram p
        ON p.salon_id = a.salon_id AND p.enabled AND p.enabled_at IS NOT NULL
    LEFT JOIN loyalty_pointsentry e
        ON e.salon_id = a.salon_id AND e.appointment_id = a.id AND e.kind = 'earned'
    WHERE a.status = 'completed'
      AND a.ends_at >= GREATEST(p.enabled_at, %(now)s - %(lookback)s)
      AND a.ends_at <= %(now)s - p.award_delay_minutes * interval '1 minute'
    GROUP BY a.id HAVING count(e.id) <> 1
) bad
"""

_BALANCE_MISMATCH_SQL = """
SELECT count(*) FROM (
    SELECT salon_id, client_id, sum(points) AS total FROM loyalty_pointsentry GROUP BY 1, 2
) ledger
FULL JOIN loyalty_pointsaccount acc USING (salon_id, client_id)
WHERE COALESCE(ledger.total, 0) <> COALESCE(acc.balance, 0)
"""

_LOADED_TABLES = (
    "bookings_salon",
    "bookings_location",
    "bookings_service",
    "bookings_staffmember",
    "bookings_client",
    "bookings_appointment",
    "loyalty_loyaltyprogram",
    "loyalty_servicepoints",
    "loyalty_appointmentpoints",
    "loyalty_pointsentry",
    "loyalty_pointsaccount",
)


def _scalar(sql: str, params: dict | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


@transaction.atomic
def _make_salons(prefix: str, count: int, staff: int) -> list[int]:
    salons = Salon.objects.bulk_create(
        Salon(slug=f"{prefix}-{n}", name=f"{prefix.title()} {n}") for n in range(count)
    )
    Location.objects.bulk_create(Location(salon=s, name="Main") for s in salons)
    Service.objects.bulk_create(
        Service(
            salon=s,
            name=name,
            duration_minutes=SERVICE_MINUTES,
            price=Decimal("30"),
        )
        for s in salons
        for name in ("Cut", "Colour")
    )
    StaffMember.objects.bulk_create(
        (StaffMember(salon=s, name=f"Staff {i}") for s in salons for i in range(staff)),
        batch_size=5000,
    )
    ids = [s.pk for s in salons]
    with connection.cursor() as cursor:
        cursor.execute(
            _CLIENTS_SQL, {"now": timezone.now(), "clients": CLIENTS_PER_SALON, "salons": ids}
        )
    return ids


def _appointments(
    salons: list[int],
    now: dt.datetime,
    *,
    per_staff: int,
    first_end: dt.timedelta,
    status: str,
    recent: int = 0,
) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            _APPOINTMENTS_SQL,
            {
                "salons": salons,
                "now": now,
                "per_staff": per_staff,
                "first_end": first_end,
                "step": SLOT,
                "length": dt.timedelta(minutes=SERVICE_MINUTES),
                "status": status,
                "recent": recent,
                "clients": CLIENTS_PER_SALON,
            },
        )
        return cursor.rowcount


def _programs(salons: list[int], now: dt.datetime, *, enabled: bool) -> None:
    LoyaltyProgram.objects.bulk_create(
        LoyaltyProgram(
            salon_id=s,
            enabled=enabled,
            enabled_at=now - dt.timedelta(days=30) if enabled else None,
            award_delay_minutes=180,
        )
        for s in salons
    )
    services = Service.objects.filter(salon_id__in=salons).order_by("salon_id", "pk")
    ServicePoints.objects.bulk_create(
        (
            ServicePoints(salon_id=svc.salon_id, service_id=svc.pk, points=SERVICE_POINTS[n % 2])
            for n, svc in enumerate(services.only("pk", "salon_id"))
        ),
        batch_size=5000,
    )


def _seed(now: dt.datetime, *, due_salons: int, per_salon: int, others: int) -> int:
    """Load the salons; returns how many appointments are due."""
    staff = per_salon // PER_STAFF
    due = _make_salons("loyalty", due_salons, staff)
    other = _make_salons("loyalty-other", others, OTHER_STAFF)
    off, gone, fresh = other[0::3], other[1::3], other[2::3]
    with transaction.atomic():
        # Due: completed, ended 4 h to ~47 h ago.
        made = _appointments(
            due, now, per_staff=PER_STAFF, first_end=dt.timedelta(hours=4), status="completed"
        )
        # Loyalty off: the same kind of visits, but nothing earns.
        _appointments(
            off,
            now,
            per_staff=OTHER_PER_STAFF,
            first_end=dt.timedelta(hours=4),
            status="completed",
        )
        # Loyalty on, but cancelled / no-show.
        _appointments(
            gone, now, per_staff=OTHER_PER_STAFF, first_end=dt.timedelta(hours=4), status="mixed"
        )
        # Loyalty on: 5 per staff member ended less than the delay ago (completed), the rest
        # more than the lookback ago (cancelled / no-show).
        _appointments(
            fresh,
            now,
            per_staff=OTHER_PER_STAFF,
            first_end=dt.timedelta(days=40),
            status="mixed",
            recent=5,
        )
        with connection.cursor() as cursor:
            cursor.execute(
                _SNAPSHOTS_SQL,
                {"salons": due + fresh, "points": SNAPSHOT_POINTS, "every": SNAPSHOT_EVERY},
            )
        _programs(due, now, enabled=True)
        _programs(gone + fresh, now, enabled=True)
        _programs(off, now, enabled=False)
    assert made == due_salons * per_salon, made
    return made


def _vacuum_analyze() -> None:
    with connection.cursor() as cursor:  # autocommit: VACUUM cannot run in a transaction
        cursor.execute(f"VACUUM ANALYZE {', '.join(_LOADED_TABLES)}")


def _reset_ledger() -> None:
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE loyalty_pointsentry, loyalty_pointsaccount CASCADE")
    _vacuum_analyze()


class _BatchCounter:
    """An execute wrapper: the queries of each batch (a batch starts at its SELECT … FOR UPDATE)
    and the time spent in each kind of statement."""

    KINDS = ("select for update", "insert entries", "upsert balances", "other")

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.outside = 0
        self.seconds = dict.fromkeys(self.KINDS, 0.0)

    @staticmethod
    def kind(sql: str) -> str:
        if "FOR UPDATE" in sql:
            return "select for update"
        if sql.startswith("INSERT INTO") and "loyalty_pointsentry" in sql[:40]:
            return "insert entries"
        if sql.startswith("INSERT INTO") and "loyalty_pointsaccount" in sql[:40]:
            return "upsert balances"
        return "other"

    def __call__(self, execute, sql, params, many, context):  # noqa: ANN001
        kind = self.kind(sql)
        if kind == "select for update":
            self.batches.append([])
        if self.batches:
            self.batches[-1].append(kind)
        else:
            self.outside += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds[kind] += time.perf_counter() - started


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run(*, quick: bool = False) -> list[dict]:
    due_salons = 10 if quick else 50
    per_salon = 1_000
    if not quick:
        per_salon = 2_000
    others = 30 if quick else 150
    batch_size = award.DEFAULT_BATCH_SIZE
    now = timezone.now().replace(microsecond=0)
    lookback = award._lookback()

    print(
        f"loyalty award: seeding {due_salons} salons with {per_salon} due appointments each"
        f" and {others} other salons…"
    )
    started = time.perf_counter()
    expected = _seed(now, due_salons=due_salons, per_salon=per_salon, others=others)
    _vacuum_analyze()
    total_appointments = _scalar("SELECT count(*) FROM bookings_appointment")
    print(
        f"loyalty award: seeded in {time.perf_counter() - started:.1f} s"
        f" ({total_appointments:,} appointments in the table, {expected:,} due)"
    )

    # 1. The sweep, timed alone (the execute wrapper only counts and times statements).
    counter = _BatchCounter()
    rss_before = _maxrss_mb()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        awarded = award.points_award_due(now=now, batch_size=batch_size)
        sweep_s = time.perf_counter() - started
    rss_growth = _maxrss_mb() - rss_before
    assert awarded == expected, (awarded, expected)

    # 2. Invariants after the sweep.
    params = {"now": now, "lookback": lookback}
    earned_rows = _scalar("SELECT count(*) FROM loyalty_pointsentry WHERE kind = 'earned'")
    not_once = _scalar(_NOT_EARNED_ONCE_SQL, params)
    mismatched = _scalar(_BALANCE_MISMATCH_SQL)
    consistent = earned_rows == expected and not_once == 0 and mismatched == 0
    print(
        f"loyalty award: consistent: {'yes' if consistent else 'no'} ({earned_rows:,} earned"
        f" rows for {expected:,} due; {not_once} due appointments not earned exactly once;"
        f" {mismatched} balances differ from their ledger)"
    )
    if not consistent:
        raise AssertionError("loyalty award sweep left the ledger inconsistent")

    # 3. A second sweep finds nothing left to award.
    started = time.perf_counter()
    second = award.points_award_due(now=now, batch_size=batch_size)
    second_s = time.perf_counter() - started
    assert second == 0, second

    # 4. Peak memory: the same sweep again on an empty ledger, under tracemalloc (not timed).
    _reset_ledger()
    tracemalloc.start()
    again = award.points_award_due(now=now, batch_size=batch_size)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert again == expected, (again, expected)

    # 5. The same rows by one raw INSERT … SELECT into the (emptied) ledger, with its commit.
    _reset_ledger()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_RAW_INSERT_SQL, params)
        raw_rows = cursor.rowcount
    raw_s = time.perf_counter() - started
    assert raw_rows == expected, (raw_rows, expected)

    sweep_rate = awarded / sweep_s
    raw_rate = raw_rows / raw_s
    full = [b for b in counter.batches if "insert entries" in b]
    sizes = [len(b) for b in full]
    empty = len(counter.batches) - len(full)
    in_sql = sum(counter.seconds.values())
    share = {k: 100 * v / sweep_s for k, v in counter.seconds.items()}
    print(
        f"loyalty award: {awarded:,} awarded in {sweep_s:.2f} s ({len(full)} batches of"
        f" {batch_size}, queries per batch {sizes[:3]} … {sizes[-3:]}, plus {empty} closing"
        f" empty SELECTs and {counter.outside} other queries; BEGIN/COMMIT are not cursor"
        " statements and are not counted)"
    )
    print(
        "loyalty award: sweep time in SQL "
        + ", ".join(f"{k} {v:.2f} s ({share[k]:.0f}%)" for k, v in counter.seconds.items())
        + f"; outside (Python, BEGIN/COMMIT) {sweep_s - in_sql:.2f} s"
        f" ({100 * (sweep_s - in_sql) / sweep_s:.0f}%)"
    )
    print(f"loyalty award: raw INSERT … SELECT {raw_rows:,} rows in {raw_s:.2f} s")
    return [
        {"name": "loyalty sweep batch size", "value": batch_size, "unit": "rows"},
        {"name": "loyalty sweep awarded", "value": awarded, "unit": "appointments"},
        {"name": "loyalty sweep time", "value": sweep_s, "unit": "s"},
        {"name": "loyalty sweep rate", "value": sweep_rate, "unit": "appointments/s"},
        {"name": "loyalty raw INSERT … SELECT rate", "value": raw_rate, "unit": "rows/s"},
        {
            "name": "loyalty sweep / raw ratio (goal ≥ 0.20)",
            "value": sweep_rate / raw_rate,
            "unit": "x",
        },
        {"name": "loyalty sweep peak memory (tracemalloc)", "value": peak / 2**20, "unit": "MB"},
        {"name": "loyalty sweep ru_maxrss growth", "value": rss_growth, "unit": "MB"},
        {"name": "loyalty sweep queries, first batch", "value": sizes[0], "unit": "queries"},
        {"name": "loyalty sweep queries, last batch", "value": sizes[-1], "unit": "queries"},
        {"name": "loyalty sweep queries, max per batch", "value": max(sizes), "unit": "queries"},
        {
            "name": "loyalty sweep SELECT … FOR UPDATE share",
            "value": share["select for update"],
            "unit": "% of sweep",
        },
        {
            "name": "loyalty sweep INSERT entries share",
            "value": share["insert entries"],
            "unit": "% of sweep",
        },
        {
            "name": "loyalty sweep upsert balances share",
            "value": share["upsert balances"],
            "unit": "% of sweep",
        },
        {"name": "loyalty second sweep awarded", "value": second, "unit": "appointments"},
        {"name": "loyalty second sweep time", "value": second_s * 1000, "unit": "ms"},
        {"name": "loyalty consistent (ledger once, balances = ledger)", "value": 1, "unit": "yes"},
    ]
