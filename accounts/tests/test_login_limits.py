"""Failed logins are limited per account on every way to log in (accounts/login_limits.py),
whatever address — or forged X-Forwarded-For — the guesser uses."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.test import Client as HttpClient
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from tests.factories import UserFactory

TOKEN_URL = "/api/v1/auth/token/"
PASSWORD = "correct-horse-battery"  # tests/factories.py UserFactory


def verified(email: str, **extra):
    user = UserFactory(email=email, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.fixture
def victim(db):
    return verified("victim@alpha.test")


@pytest.fixture
def bystander(db):
    return verified("bystander@alpha.test")


@pytest.fixture
def limits(settings):
    settings.LOGIN_MAX_FAILURES_PER_ACCOUNT = 10
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 900
    return settings


def token_post(api: APIClient, email: str, password: str, **headers):
    return api.post(TOKEN_URL, {"email": email, "password": password}, format="json", **headers)


def test_forged_forwarded_headers_do_not_escape_the_per_ip_token_throttle(victim, limits):
    # given: one host, a new X-Forwarded-For on every guess (the attack of issue 14)
    limits.LOGIN_MAX_FAILURES_PER_ACCOUNT = 1000  # only the per-IP throttle in play here
    api = APIClient(REMOTE_ADDR="203.0.113.5")
    statuses = [
        token_post(
            api, "victim@alpha.test", f"guess-{n}", HTTP_X_FORWARDED_FOR=f"10.1.{n}.1"
        ).status_code
        for n in range(108)
    ]

    # when
    right = token_post(api, "victim@alpha.test", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9")

    # then
    assert statuses[:10] == [400] * 10
    assert set(statuses[10:]) == {429}
    assert right.status_code == 429
    assert not ApiToken.objects.exists()


def test_108_guesses_from_changing_addresses_lock_the_account_even_for_the_right_password(
    victim, bystander, limits
):
    # given: every guess from another address and another forged header
    statuses = [
        token_post(
            APIClient(REMOTE_ADDR=f"198.51.{n // 250}.{n % 250 + 1}"),
            "Victim@Alpha.test " if n % 2 else "victim@alpha.test",
            f"guess-{n}",
            HTTP_X_FORWARDED_FOR=f"10.2.{n}.1",
        ).status_code
        for n in range(108)
    ]

    # when: the owner, from a fresh address, with the right password
    right = token_post(APIClient(REMOTE_ADDR="192.0.2.77"), "victim@alpha.test", PASSWORD)

    # then
    assert statuses[:10] == [400] * 10
    assert set(statuses[10:]) == {429}
    assert right.status_code == 429
    assert "Too many failed logins for this account" in right.json()["detail"]
    assert "Retry-After" in right.headers
    assert not ApiToken.objects.filter(user=victim).exists()
    # another account is not affected
    other = token_post(APIClient(REMOTE_ADDR="192.0.2.78"), "bystander@alpha.test", PASSWORD)
    assert other.status_code == 200


def test_below_the_limit_the_right_password_still_works(victim, limits):
    for n in range(9):
        token_post(APIClient(REMOTE_ADDR=f"198.51.100.{n + 1}"), "victim@alpha.test", "guess")

    response = token_post(APIClient(REMOTE_ADDR="192.0.2.77"), "victim@alpha.test", PASSWORD)

    assert response.status_code == 200


def test_the_lock_ends_with_the_window(victim, limits):
    # given
    limits.LOGIN_FAILURE_WINDOW_SECONDS = 1
    for n in range(10):
        token_post(APIClient(REMOTE_ADDR=f"198.51.100.{n + 1}"), "victim@alpha.test", "guess")
    assert token_post(APIClient(), "victim@alpha.test", PASSWORD).status_code == 429

    # when
    import time

    time.sleep(1.2)

    # then
    assert token_post(APIClient(), "victim@alpha.test", PASSWORD).status_code == 200


def admin_login(email: str, password: str, addr: str):
    http = HttpClient(REMOTE_ADDR=addr)
    return http, http.post(
        reverse("admin:login"), {"username": email, "password": password, "next": "/admin/"}
    )


def test_admin_login_is_limited_per_account(db, limits):
    # given: an operator and 50 wrong passwords from 50 addresses
    verified("ops@salonbook.test", is_staff=True, is_superuser=True)
    verified("ops2@salonbook.test", is_staff=True, is_superuser=True)
    for n in range(50):
        _http, response = admin_login("ops@salonbook.test", "wrong", f"198.51.100.{n + 1}")
        assert response.status_code == 200  # the form again, with its error

    # when
    http, response = admin_login("ops@salonbook.test", PASSWORD, "192.0.2.1")

    # then: not logged in
    assert response.status_code == 200
    assert "_auth_user_id" not in http.session
    # another operator is not affected
    http2, response2 = admin_login("ops2@salonbook.test", PASSWORD, "192.0.2.2")
    assert response2.status_code == 302
    assert "_auth_user_id" in http2.session


def test_admin_login_works_below_the_limit(db, limits):
    verified("ops@salonbook.test", is_staff=True, is_superuser=True)
    for n in range(3):
        admin_login("ops@salonbook.test", "wrong", f"198.51.100.{n + 1}")

    http, response = admin_login("ops@salonbook.test", PASSWORD, "192.0.2.1")

    assert response.status_code == 302
    assert "_auth_user_id" in http.session


def test_site_login_is_limited_per_account_across_addresses(victim, bystander, limits):
    # given: allauth's own per-key limit out of the way, only ours in play
    limits.ACCOUNT_RATE_LIMITS = {"login_failed": "1000/m/ip,1000/300s/key"}
    url = reverse("account_login")
    for n in range(10):
        HttpClient(REMOTE_ADDR=f"198.51.100.{n + 1}").post(
            url, {"login": "victim@alpha.test", "password": "wrong"}
        )

    # when
    http = HttpClient(REMOTE_ADDR="192.0.2.1")
    http.post(url, {"login": "victim@alpha.test", "password": PASSWORD})

    # then
    assert "_auth_user_id" not in http.session
    other = HttpClient(REMOTE_ADDR="192.0.2.2")
    other.post(url, {"login": "bystander@alpha.test", "password": PASSWORD})
    assert "_auth_user_id" in other.session
