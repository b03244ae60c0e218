"""gunicorn hides its name (gunicorn.conf.py); database connections are health-checked and,
in production, reused for CONN_MAX_AGE seconds."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
APP = """
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(tmp_path: Path, *config: str) -> tuple[subprocess.Popen, int]:
    (tmp_path / "tinyapp.py").write_text(APP)
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            *config,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--pythonpath",
            str(tmp_path),
            "tinyapp:app",
        ],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    pytest.fail("gunicorn did not start")


def server_header(tmp_path: Path, *config: str) -> str | None:
    process, port = serve(tmp_path, *config)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert response.read() == b"ok"
            return response.headers.get("Server")
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_gunicorn_conf_hides_the_server_header(tmp_path):
    # without the config gunicorn names itself; with it, no Server header at all
    assert server_header(tmp_path, "--config", "/dev/null").startswith("gunicorn")
    assert server_header(tmp_path, "--config", str(BASE_DIR / "gunicorn.conf.py")) is None


def settings_of(module: str, **env: str) -> dict:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "d = s.DATABASES['default']; "
        "print(json.dumps([d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS']]))"
    )
    environment = {k: v for k, v in os.environ.items() if k not in ("CONN_MAX_AGE", "DATABASE_URL")}
    environment.update(
        DJANGO_SETTINGS_MODULE=module,
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="localhost",
        DATABASE_URL="postgres://u:p@127.0.0.1:1/none",
        **env,
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_production_reuses_health_checked_connections():
    assert settings_of("salonbook.settings.production") == [60, True]
    assert settings_of("salonbook.settings.production", CONN_MAX_AGE="0") == [0, True]


def test_health_checks_are_on_everywhere(settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
