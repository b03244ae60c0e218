"""Through a real server: gunicorn (2 sync workers, production settings, persistent database
connections) on a free local port, loaded by `bench/load.py` at concurrency 1 and 8 for
`BENCH_SERVER_SECONDS` (default 10, quick 3) per cell against:

- `/healthz` (one `SELECT 1`: the trivial endpoint every ratio is taken against),
- the public services list and the public availability (one week, 10 staff, the salon with
  20,000 appointments among 1,000 others, seeded by bench/availability.py),
- the public booking (`POST …/bookings/`): each request books a distinct free hour of one of
  10 staff members of a separate salon, for one of ~1,000 client e-mails (new and returning
  clients), so every booking should succeed (201); the confirmation notice is left queued
  for a worker (none runs here).

Per cell: successful requests/s, p50/p99 latency, the ratio of requests/s to /healthz's at the
same concurrency, and the load generator's own CPU per request.

The availability is served warm from its cache (bookings/availability_cache.py; every request
of a cell asks for the same week). A second server with the cache off
(`AVAILABILITY_CACHE_SECONDS=0`) then measures `/healthz` and the availability again: the cost
of computing it on every request ("availability_uncached" cells, ratios to that server's own
/healthz). The booking limits, the API's
anonymous throttle and the notices' per-recipient cap are lifted through the environment.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from bench.data import make_salon
from bench.load import CellResult, run_cell
from bookings.models import Location, Salon, Service

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
WORKERS = 2


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _server_env(port: int, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "salonbook.settings.production",
            "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "SECURE_SSL_REDIRECT": "false",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "API_ANON_RATE": "100000000/minute",
            "PUBLIC_BOOKING_MAX_PER_IP": str(10**9),
            "PUBLIC_BOOKING_MAX_PER_SALON": str(10**9),
            "NOTICE_MAX_PER_RECIPIENT_PER_HOUR": "0",
            "GUNICORN_WORKERS": str(WORKERS),
            "GUNICORN_BIND": f"{HOST}:{port}",
        }
    )
    # The queued tasks (booking events) go to REDIS_URL's Redis, as in production (purged after
    # the run: no worker runs here), or to BENCH_SERVER_BROKER (e.g. memory://, a queue in
    # each gunicorn worker that nobody reads).
    env["CELERY_BROKER_URL"] = (
        os.environ.get("BENCH_SERVER_BROKER") or env.get("REDIS_URL") or "memory://"
    )
    env.update(extra or {})
    return env


def _start(port: int, extra: dict[str, str] | None = None) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "-c",
        str(ROOT / "gunicorn.conf.py"),
        "--access-logfile",
        "/dev/null",
        "salonbook.wsgi",
    ]
    env = _server_env(port, extra)
    # As a deployment does: the production storage serves only files in its manifest (a page
    # naming a static file missing from it is a 500).
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited at start-up")
    process.terminate()
    raise RuntimeError("gunicorn did not answer /healthz within 30 s")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _purge_queue() -> None:
    """Drop the confirmation tasks queued for a worker that never ran (Redis broker only)."""
    broker = os.environ.get("BENCH_SERVER_BROKER") or os.environ.get("REDIS_URL", "")
    if not broker.startswith("redis"):
        return
    try:
        import redis

        redis.Redis.from_url(broker).delete("celery")
    except Exception:  # noqa: BLE001 - best effort
        pass


def _booking_factory(salon: Salon, location: Location, service: Service, staff_ids: list[int]):
    tz = location.tzinfo
    first_day = timezone.now().astimezone(tz).date() + dt.timedelta(days=1)
    lock = threading.Lock()
    counter = itertools.count()

    def make() -> tuple[str, str, bytes]:
        with lock:
            n = next(counter)
        per_day = 8 * len(staff_ids)
        day = first_day + dt.timedelta(days=n // per_day)
        hour = 9 + (n % per_day) // len(staff_ids)
        staff = staff_ids[n % len(staff_ids)]
        starts_at = dt.datetime.combine(day, dt.time(hour), tzinfo=tz)
        body = {
            "location": location.pk,
            "service": service.pk,
            "staff": str(staff),
            "starts_at": starts_at.isoformat(),
            "client": {"first_name": "Load", "email": f"load{n % 997}@bench.test"},
        }
        return "POST", f"/api/v1/public/{salon.slug}/bookings/", json.dumps(body).encode()

    return make


def _serve(
    port: int,
    endpoints: dict,
    cells: dict[tuple[str, int], CellResult],
    *,
    seconds: float,
    extra: dict[str, str] | None = None,
) -> None:
    """Start gunicorn, run every endpoint's cell at concurrency 1 then 8, stop it."""
    process = _start(port, extra)
    try:
        for concurrency in (1, 8):
            for name, factory in endpoints.items():
                run_cell(HOST, port, factory, concurrency=concurrency, seconds=min(1.0, seconds))
                cells[(name, concurrency)] = cell = run_cell(
                    HOST, port, factory, concurrency=concurrency, seconds=seconds
                )
                bad = {k: v for k, v in cell.statuses.items() if not 200 <= k < 300}
                print(
                    f"server: {name:<12} c={concurrency}  {cell.rps:8.1f} req/s  "
                    f"p50 {cell.percentile(50):7.1f} ms  p99 {cell.percentile(99):7.1f} ms  "
                    f"client {cell.client_cpu_ms:.2f} ms CPU/req"
                    + (f"  non-2xx {bad}" if bad else "")
                    + (f"  errors {cell.errors}" if cell.errors else "")
                )
    finally:
        _stop(process)
        _purge_queue()


def run(*, quick: bool = False) -> list[dict]:
    seconds = float(os.environ.get("BENCH_SERVER_SECONDS", "3" if quick else "10"))
    big = Salon.objects.get(slug="big")
    big_location = Location.objects.get(salon=big)
    big_service = Service.objects.get(salon=big)
    shop = make_salon("serverbook", staff_count=10, appointments=0, clients=0)
    shop["salon"].__class__.objects.filter(pk=shop["salon"].pk).update(max_advance_days=3000)
    staff_ids = [s.pk for s in shop["staff"]]

    tz = big_location.tzinfo
    start = timezone.now().astimezone(tz).date() + dt.timedelta(days=1)
    end = start + dt.timedelta(days=6)
    endpoints = {
        "healthz": lambda: ("GET", "/healthz", None),
        "services": lambda: (
            "GET",
            f"/api/v1/public/big/services/?location={big_location.pk}",
            None,
        ),
        "availability": lambda: (
            "GET",
            f"/api/v1/public/big/availability/?location={big_location.pk}"
            f"&service={big_service.pk}&start={start}&end={end}&staff=any",
            None,
        ),
        "booking": _booking_factory(shop["salon"], shop["location"], shop["service"], staff_ids),
    }

    port = _free_port()
    database = settings.DATABASES["default"]
    print(
        f"server: gunicorn {WORKERS} workers on {HOST}:{port} (database {database['NAME']}, "
        f"broker {_server_env(port)['CELERY_BROKER_URL']}, {seconds:g} s per cell)…"
    )
    cells: dict[tuple[str, int], CellResult] = {}
    _serve(port, endpoints, cells, seconds=seconds)
    # The same availability, computed on every request (the cache off), against the /healthz
    # of that server.
    uncached = {
        "healthz_uncached": endpoints["healthz"],
        "availability_uncached": endpoints["availability"],
    }
    print("server: again with the availability cache off (AVAILABILITY_CACHE_SECONDS=0)…")
    _serve(port, uncached, cells, seconds=seconds, extra={"AVAILABILITY_CACHE_SECONDS": "0"})

    results: list[dict] = []
    for (name, concurrency), cell in cells.items():
        base_name = "healthz_uncached" if name.endswith("_uncached") else "healthz"
        base = cells[(base_name, concurrency)].rps or 1.0
        prefix = f"server {name} c={concurrency}"
        results += [
            {"name": f"{prefix} req/s", "value": cell.rps, "unit": "req/s"},
            {"name": f"{prefix} p50", "value": cell.percentile(50), "unit": "ms"},
            {"name": f"{prefix} p99", "value": cell.percentile(99), "unit": "ms"},
            {"name": f"{prefix} non-2xx", "value": cell.requests - cell.ok, "unit": "responses"},
        ]
        if not name.startswith("healthz"):
            results.append(
                {"name": f"{prefix} / healthz req/s", "value": cell.rps / base, "unit": "ratio"}
            )
    results.append(
        {
            "name": "server load generator CPU per request",
            "value": max(c.client_cpu_ms for c in cells.values()),
            "unit": "ms",
        }
    )
    return results
