"""Booking under contention on PostgreSQL: 8 concurrent clients book 2,000 appointments at
random free times through the public API (each on its own database connection), then a SQL
check looks for overlapping active appointments of one staff member (must be zero)."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time

from django.db import connection
from django.test import Client
from django.utils import timezone

from bench.data import make_salon

OVERLAPS_SQL = """
SELECT count(*) FROM bookings_appointment a
JOIN bookings_appointment b
  ON a.salon_id = b.salon_id AND a.staff_id = b.staff_id AND a.id < b.id
 AND tstzrange(a.block_starts_at, a.block_ends_at, '[)')
     && tstzrange(b.block_starts_at, b.block_ends_at, '[)')
WHERE a.status IN ('booked', 'completed', 'held') AND b.status IN ('booked', 'completed', 'held')
"""


def run(*, quick: bool = False) -> list[dict]:
    target = 300 if quick else 2_000
    workers = 8
    shop = make_salon("contention", staff_count=10, appointments=0, clients=0)
    location, service = shop["location"], shop["service"]
    tz = location.tzinfo
    first_day = timezone.now().astimezone(tz).date() + dt.timedelta(days=1)
    days = [first_day + dt.timedelta(days=n) for n in range(90)]

    lock = threading.Lock()
    counts = {"booked": 0, "taken": 0, "duplicate": 0, "errors": 0, "in_flight": 0}
    error_samples: list[str] = []

    def client_loop(seed: int) -> None:
        rng = random.Random(seed)
        http = Client()
        base = "/api/v1/public/contention"
        try:
            while True:
                with lock:
                    if counts["booked"] + counts["in_flight"] >= target:
                        return
                    counts["in_flight"] += 1
                day = rng.choice(days)
                slots = http.get(
                    f"{base}/availability/?location={location.pk}&service={service.pk}"
                    f"&start={day}&end={day}"
                ).json()["slots"]
                if not slots:
                    with lock:
                        counts["in_flight"] -= 1
                    continue
                slot = rng.choice(slots)
                response = http.post(
                    f"{base}/bookings/",
                    {
                        "location": location.pk,
                        "service": service.pk,
                        "staff": rng.choice([*map(str, slot["staff"]), "any"]),
                        "starts_at": slot["starts_at"],
                        "client": {
                            "first_name": "Bench",
                            "email": f"client{rng.randrange(400)}@bench.test",
                        },
                    },
                    content_type="application/json",
                )
                with lock:
                    counts["in_flight"] -= 1
                    if response.status_code == 201:
                        counts["booked"] += 1
                    elif response.status_code == 409:
                        counts["taken"] += 1
                    elif response.status_code == 400 and b'"duplicate"' in response.content:
                        # A client (400 e-mails) drew a start they hold already with another
                        # staff member: refused by the no-duplicate rule, as it should be.
                        counts["duplicate"] += 1
                    else:
                        counts["errors"] += 1
                        if len(error_samples) < 3:
                            error_samples.append(
                                f"{response.status_code} {response.content[:200]!r}"
                            )
        finally:
            connection.close()

    print(f"contention: {workers} clients booking {target} appointments…")
    started = time.perf_counter()
    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started

    with connection.cursor() as cursor:
        cursor.execute(OVERLAPS_SQL)
        overlaps = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM bookings_appointment WHERE salon_id = %s", [shop["salon"].pk]
        )
        stored = cursor.fetchone()[0]
    print(
        f"contention: {counts['booked']} booked ({stored} stored), {counts['taken']} refused as "
        f"taken (409), {counts['errors']} other errors, {overlaps} overlaps"
    )
    for sample in error_samples:
        print(f"  error sample: {sample}")
    return [
        {
            "name": "contention bookings/second (8 clients)",
            "value": counts["booked"] / elapsed,
            "unit": "bookings/s",
        },
        {"name": "contention bookings made", "value": counts["booked"], "unit": "bookings"},
        {
            "name": "contention 409 responses (slot taken)",
            "value": counts["taken"],
            "unit": "responses",
        },
        {
            "name": "contention 400 responses (same client, service and start)",
            "value": counts["duplicate"],
            "unit": "responses",
        },
        {"name": "contention unexpected errors", "value": counts["errors"], "unit": "responses"},
        {"name": "contention overlaps found by SQL", "value": overlaps, "unit": "rows"},
    ]
