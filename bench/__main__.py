"""Run every benchmark on a scratch PostgreSQL database and print the figures.

    make bench                      # DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/
    BENCH_QUICK=1 make bench        # smaller data, for a smoke run
    BENCH_ONLY=availability,booking,server make bench    # some of them
    BENCH_SERVER_SECONDS=20 make bench                   # longer cells through gunicorn
    BENCH_DATABASE=salonbook_bench_e make bench          # another scratch database's name

The scratch database (`BENCH_DATABASE`, default `salonbook_bench`) is dropped and created at
each run.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

RESULTS = Path(__file__).resolve().parent / "results.json"


def _scratch_database_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urlparse(base)
    if not parts.scheme.startswith("postgres"):
        sys.exit("make bench needs PostgreSQL: set DATABASE_URL=postgres://…")
    import psycopg

    name = os.environ.get("BENCH_DATABASE", "salonbook_bench")
    if not name.replace("_", "").isalnum():
        sys.exit("BENCH_DATABASE: letters, digits and _ only")
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return urlunparse(parts._replace(path=f"/{name}"))


def main() -> None:
    os.environ["DATABASE_URL"] = _scratch_database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salonbook.settings.bench")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from bench import (
        availability,
        booking,
        booking_contention,
        loyalty_award,
        points_export,
        server,
    )

    quick = bool(os.environ.get("BENCH_QUICK"))
    # BENCH_ONLY=availability,server runs some of them (the server one needs availability's data).
    only = {n.strip() for n in os.environ.get("BENCH_ONLY", "").split(",") if n.strip()}
    suites = {
        "availability": availability,
        "booking": booking,
        "server": server,
        "booking_contention": booking_contention,
        "loyalty_award": loyalty_award,
        "points_export": points_export,
    }
    started = time.perf_counter()
    results: list[dict] = []
    for name, suite in suites.items():
        if not only or name in only:
            results += suite.run(quick=quick)

    width = max(len(r["name"]) for r in results)
    print()
    print(f"{'benchmark'.ljust(width)}  {'value':>12}  unit")
    print(f"{'-' * width}  {'-' * 12}  ----")
    for r in results:
        print(f"{r['name'].ljust(width)}  {r['value']:>12,.3f}  {r['unit']}")
    print(f"\n(total {time.perf_counter() - started:.0f} s; written to {RESULTS})")
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
