"""Security headers, CSRF, password rules, the production deploy check and language switching."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client as HttpClient

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/healthz"])
def test_responses_carry_a_strict_content_security_policy(client, path):
    # when
    response = client.get(path)

    # then
    policy = dict(
        (directive.split(" ", 1) + [""])[:2]
        for directive in response["Content-Security-Policy"].split("; ")
    )
    assert policy["default-src"] == "'self'"
    assert re.fullmatch(r"'self'( 'nonce-[A-Za-z0-9_-]{16,}')?", policy["script-src"])
    assert re.fullmatch(r"'self'( 'nonce-[A-Za-z0-9_-]{16,}')?", policy["style-src"])
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_script_nonce_is_fresh_per_response_and_matches_the_page(client):
    # when
    first = client.get("/accounts/login/")
    second = client.get("/accounts/login/")

    # then
    nonces = []
    for response in (first, second):
        nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", response["Content-Security-Policy"])
        assert nonce, response["Content-Security-Policy"]
        assert f'nonce="{nonce.group(1)}"' in response.content.decode()
        nonces.append(nonce.group(1))
    assert nonces[0] != nonces[1]


@pytest.mark.django_db
def test_login_post_without_csrf_token_is_refused(owner):
    # given a verified owner, and a browser that never loaded the form
    EmailAddress.objects.create(user=owner, email=owner.email, primary=True, verified=True)
    http = HttpClient(enforce_csrf_checks=True)

    # when
    response = http.post(
        "/accounts/login/", {"login": "owner@alpha.test", "password": "correct-horse-battery"}
    )

    # then
    assert response.status_code == 403
    assert "_auth_user_id" not in http.session


@pytest.mark.django_db
def test_login_post_with_the_forms_csrf_token_is_accepted(owner):
    # given the owner's address is verified (mandatory before any login)
    EmailAddress.objects.create(user=owner, email=owner.email, primary=True, verified=True)
    http = HttpClient(enforce_csrf_checks=True)
    page = http.get("/accounts/login/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    # when
    response = http.post(
        "/accounts/login/",
        {
            "login": "owner@alpha.test",
            "password": "correct-horse-battery",
            "csrfmiddlewaretoken": token,
        },
    )

    # then
    assert response.status_code == 302
    assert http.session["_auth_user_id"] == str(owner.pk)


@pytest.mark.django_db
def test_language_switch_without_csrf_token_is_refused():
    # given
    http = HttpClient(enforce_csrf_checks=True)

    # when
    response = http.post("/i18n/setlang/", {"language": "de", "next": "/"})

    # then
    assert response.status_code == 403
    assert "django_language" not in response.cookies


@pytest.mark.django_db
def test_logged_in_dashboard_form_post_without_csrf_token_is_refused(owner):
    # given an owner logged in to the dashboard (session cookie present)
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(owner)

    # when a cross-site page submits the log-out form
    response = http.post("/accounts/logout/")

    # then
    assert response.status_code == 403
    assert http.session["_auth_user_id"] == str(owner.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1!xyz", "This password is too short. It must contain at least 8 characters."),
        ("password123", "This password is too common."),
        ("8402719365", "This password is entirely numeric."),
        ("ilves.kristiina", "The password is too similar to the email address."),
    ],
)
def test_signup_rejects_weak_passwords_and_creates_nothing(client, password, message):
    # when
    response = client.post(
        "/accounts/signup/",
        {"email": "kristiina.ilves@example.com", "password1": password, "password2": password},
    )

    # then
    assert response.status_code == 200
    assert message in response.content.decode()
    assert get_user_model().objects.count() == 0
    assert mail.outbox == []


def _deploy_check_env(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="salonbook.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="salonbook.example",
        DEBUG="false",
    )
    env.update(overrides)
    return env


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    # when
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_deploy_check_env())

    # then
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_fails_with_a_weak_secret_key():
    # when
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=_deploy_check_env(SECRET_KEY="django-insecure-short"),
    )

    # then
    assert result.returncode == 1
    assert "security.W009" in result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    # given
    env = _deploy_check_env()
    del env["SECRET_KEY"]

    # when
    result = _manage("check", env=env)

    # then
    assert result.returncode == 1
    assert "Set the SECRET_KEY environment variable" in result.stderr


@pytest.mark.django_db
def test_language_switch_sets_the_cookie_and_pages_follow_it(client):
    # when
    response = client.post("/i18n/setlang/", {"language": "de", "next": "/"})

    # then
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies["django_language"].value == "de"
    page = client.get("/")
    assert page["Content-Language"] == "de"
    assert '<html lang="de">' in page.content.decode()


@pytest.mark.django_db
def test_language_switch_ignores_an_unknown_language(client):
    # when
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/"})

    # then
    assert response.status_code == 302
    assert "django_language" not in response.cookies
    assert client.get("/")["Content-Language"] == "en"


@pytest.mark.django_db
def test_language_switch_never_redirects_off_site(client):
    # when
    response = client.post("/i18n/setlang/", {"language": "et", "next": "https://evil.example/"})

    # then
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies["django_language"].value == "et"
