"""The account page's API tokens (`/accounts/tokens/`): the user's live tokens with created,
expires, last used and client; revoke one or all; a new one shown once after a recent login."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import user_create
from accounts.tokens import api_token_create

from .helpers import PASSWORD, csp_violations, log_in

URL = "/accounts/tokens/"


@pytest.fixture
def kati(db):
    return user_create(email="kati@example.com", password=PASSWORD, email_verified=True)


@pytest.fixture
def other(db):
    return user_create(email="other@example.com", password=PASSWORD, email_verified=True)


@pytest.fixture
def kati_http(kati) -> HttpClient:
    http = HttpClient()
    http.force_login(kati, backend="django.contrib.auth.backends.ModelBackend")
    return http


def test_the_page_lists_my_live_tokens_only(kati, other, kati_http):
    # given
    mine, raw = api_token_create(user=kati, label="Accounting export", user_agent="curl/8.5")
    ApiToken.objects.filter(pk=mine.pk).update(last_used_at=timezone.now())
    gone, _raw = api_token_create(user=kati, label="Expired one")
    ApiToken.objects.filter(pk=gone.pk).update(expiry=timezone.now() - dt.timedelta(minutes=1))
    api_token_create(user=other, label="Someone else's")

    # when
    response = kati_http.get(URL)

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "Accounting export" in html
    assert "curl/8.5" in html
    assert mine.token_key[:8] in html
    assert raw not in html and mine.digest not in html
    assert "Expired one" not in html
    assert "Someone else" not in html
    assert "not yet" not in html  # it has a last use
    assert 'href="/accounts/tokens/"' in html  # in the account menu
    assert csp_violations(response) == []
    assert response["Cache-Control"].startswith("max-age=0")


def test_revoke_one(kati, kati_http):
    # given
    revoked, _a = api_token_create(user=kati)
    kept, _b = api_token_create(user=kati)

    # when
    response = kati_http.post(URL, {"action": "revoke", "token": revoked.pk}, follow=True)

    # then
    assert response.status_code == 200
    assert "The token was revoked." in response.content.decode()
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [kept.pk]


@pytest.mark.parametrize("token", ["", "abc", "999999", "-1"])
def test_revoking_an_unknown_or_bad_id_changes_nothing(kati, kati_http, token):
    api_token_create(user=kati)
    response = kati_http.post(URL, {"action": "revoke", "token": token}, follow=True)
    assert response.status_code == 200
    assert "does not exist" in response.content.decode()
    assert ApiToken.objects.count() == 1


def test_another_users_token_cannot_be_revoked(kati, other, kati_http):
    theirs, _raw = api_token_create(user=other)
    kati_http.post(URL, {"action": "revoke", "token": theirs.pk})
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_revoke_all_mine(kati, other, kati_http):
    api_token_create(user=kati)
    api_token_create(user=kati)
    api_token_create(user=other)

    response = kati_http.post(URL, {"action": "revoke_all"}, follow=True)

    assert "2 tokens were revoked." in response.content.decode()
    assert not ApiToken.objects.filter(user=kati).exists()
    assert ApiToken.objects.filter(user=other).count() == 1


def confirmed_password(email: str) -> HttpClient:
    """A session that has just confirmed its password (allauth's reauthentication)."""
    http = HttpClient()
    log_in(http, email)
    assert http.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    return http


def test_creating_a_token_asks_for_the_password_then_shows_the_token_once(kati):
    # given: logged in
    http = HttpClient()
    log_in(http, "kati@example.com")

    # when: asking for a token, then confirming the password
    asked = http.post(URL, {"action": "create", "label": "Booking widget"})
    assert asked.status_code == 302
    assert asked["Location"].startswith("/accounts/reauthenticate/")
    assert not ApiToken.objects.exists()
    http.post("/accounts/reauthenticate/", {"password": PASSWORD})
    # within the next minutes no password is asked again
    response = http.post(URL, {"action": "create", "label": "Booking widget"})

    # then
    assert response.status_code == 200
    row = ApiToken.objects.filter(user=kati).latest("id")
    html = response.content.decode()
    assert "Copy it now" in html
    assert row.label == "Booking widget"
    shown = html.split('<code id="new-token">')[1].split("</code>")[0]
    assert shown.startswith(row.token_key) and len(shown) == 64
    # not on the next visit
    assert shown not in http.get(URL).content.decode()


def test_creating_a_token_without_a_recent_login_asks_for_the_password_first(kati, kati_http):
    response = kati_http.post(URL, {"action": "create", "label": "x"})
    assert response.status_code == 302
    assert "/accounts/reauthenticate/" in response["Location"]
    assert not ApiToken.objects.exists()


def test_a_too_long_label_or_too_many_tokens_is_a_form_error(kati, settings):
    http = confirmed_password("kati@example.com")

    too_long = http.post(URL, {"action": "create", "label": "x" * 101})
    settings.API_TOKEN_MAX_PER_USER = 1
    api_token_create(user=kati)
    too_many = http.post(URL, {"action": "create", "label": "second"})

    assert too_long.status_code == 400
    assert "At most 100 characters." in too_long.content.decode()
    assert too_many.status_code == 400
    assert "already has 1 API tokens" in too_many.content.decode()
    assert ApiToken.objects.count() == 1


def test_unknown_action_is_a_400(kati_http):
    assert kati_http.post(URL, {"action": "explode"}).status_code == 400


def test_anonymous_is_sent_to_log_in(db):
    response = HttpClient().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_label_with_a_null_character_is_a_form_error_not_a_500(kati):
    # (QA) PostgreSQL refuses NUL in text: the label must be refused before the insert
    http = confirmed_password("kati@example.com")
    response = http.post(URL, {"action": "create", "label": "Widget\x00"})
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()
    assert not ApiToken.objects.exists()
    # the service refuses it too, and a NUL in the client's User-Agent is dropped, not stored
    token, _raw = api_token_create(user=kati, label="Widget", user_agent="curl\x00/8")
    assert token.user_agent == "curl/8"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_on_the_tokens_page_are_405(kati_http, method):
    assert getattr(kati_http, method)(URL).status_code == 405
