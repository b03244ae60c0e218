"""First run: the branded entrance pages with our favicon, SITE_URL following PORT, and the
filesystem broker writing only under var/."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("account_login", "Create an account"),
        ("account_signup", "Create your account"),
        ("account_reset_password", "Send the link"),
        ("account_reset_password_done", "Check your e-mail"),
    ],
)
def test_entrance_pages_use_our_layout(client, name, text):
    response = client.get(reverse(name))
    html = response.content.decode()
    assert response.status_code == 200
    assert text in html
    assert "auth-card" in html and "css/auth.css" in html
    assert 'rel="icon"' in html and "favicon.svg" in html


@pytest.mark.django_db
def test_a_used_reset_link_says_so(client):
    url = reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "set-password"})
    response = client.get(url, follow=True)
    assert response.status_code == 200
    assert "does not work any more" in response.content.decode()


def test_favicons_are_ours():
    svg = (ROOT / "static" / "favicon.svg").read_text()
    ico = (ROOT / "static" / "favicon.ico").read_bytes()
    assert svg.startswith("<svg")
    assert ico[:4] == b"\x00\x00\x01\x00"  # an ICO header


def _setting(name: str, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT")}
    environment.update(env, DJANGO_SETTINGS_MODULE="salonbook.settings.local")
    code = (
        f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_site_url_follows_port():
    assert _setting("SITE_URL", PORT="8123") == "http://127.0.0.1:8123"
    assert _setting("SITE_URL") == "http://127.0.0.1:8000"
    assert _setting("SITE_URL", PORT="8123", SITE_URL="https://book.example/") == (
        "https://book.example"
    )


def test_the_filesystem_broker_writes_only_under_var():
    environment = {
        k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL")
    }
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print('\\n'.join(settings.CELERY_BROKER_TRANSPORT_OPTIONS[k] for k in "
        "('data_folder_in', 'data_folder_out', 'processed_folder', 'control_folder')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "salonbook.settings.local"},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    for folder in done.stdout.split():
        assert Path(folder).is_relative_to(ROOT / "var")
    assert not (ROOT / "control").exists()


def test_the_root_favicon_address_leads_to_ours(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.ico") and "/static/" in response["Location"]
