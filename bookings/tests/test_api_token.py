"""Token authentication for integrations: email + password -> an expiring token stored only as
a digest; the token opens the API until it expires or its user revokes it (accounts/tokens.py).
"""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import api_token_create
from tests.factories import UserFactory

TOKEN_URL = "/api/v1/auth/token/"
TOKENS_URL = "/api/v1/auth/tokens/"
LOGOUT_URL = "/api/v1/auth/logout/"
PASSWORD = "correct-horse-battery"  # tests/factories.py UserFactory


@pytest.fixture
def verified_owner(owner):
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    return owner


def token_api(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def test_email_and_password_give_a_token_stored_only_as_a_digest(verified_owner, api_client):
    # when
    response = api_client.post(
        TOKEN_URL,
        {"email": "Owner@Alpha.test", "password": PASSWORD, "label": "Accounting export"},
        format="json",
        HTTP_USER_AGENT="export-script/1.0",
        REMOTE_ADDR="203.0.113.9",
    )

    # then
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"id", "token", "expiry"}
    row = ApiToken.objects.get(user=verified_owner)
    assert row.pk == body["id"]
    assert body["token"] not in {row.digest, row.token_key}
    assert row.digest != body["token"] and len(row.digest) == 128
    assert body["token"].startswith(row.token_key)
    assert (row.label, row.user_agent, row.created_ip) == (
        "Accounting export",
        "export-script/1.0",
        "203.0.113.9",
    )
    expires = row.expiry - row.created
    assert dt.timedelta(days=29, hours=23) < expires <= dt.timedelta(days=30)


def test_asking_twice_gives_two_tokens_that_both_work(verified_owner, api_client, salon):
    # when
    first = api_client.post(TOKEN_URL, {"email": "owner@alpha.test", "password": PASSWORD})
    second = api_client.post(TOKEN_URL, {"email": "owner@alpha.test", "password": PASSWORD})

    # then
    assert first.json()["token"] != second.json()["token"]
    assert ApiToken.objects.count() == 2
    for response in (first, second):
        api = token_api(response.json()["token"])
        assert api.get("/api/v1/salons/alpha/locations/").status_code == 200


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"email": "owner@alpha.test", "password": "wrong"},
            {"non_field_errors": ["Unable to log in with provided credentials."]},
        ),
        (
            {"email": "nobody@alpha.test", "password": PASSWORD},
            {"non_field_errors": ["Unable to log in with provided credentials."]},
        ),
        (
            {"email": "owner", "password": PASSWORD},
            {"email": ["Enter a valid email address."]},
        ),
        ({"email": "owner@alpha.test"}, {"password": ["This field is required."]}),
        (
            {"email": "owner@alpha.test", "password": PASSWORD, "label": "x" * 101},
            {"label": ["Ensure this field has no more than 100 characters."]},
        ),
    ],
    ids=["wrong-password", "unknown-email", "malformed-email", "no-password", "long-label"],
)
def test_bad_credentials_give_no_token(verified_owner, api_client, body, errors):
    # when
    response = api_client.post(TOKEN_URL, body, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == errors
    assert ApiToken.objects.count() == 0


def test_unverified_email_gives_no_token(owner, api_client):
    # given
    EmailAddress.objects.create(user=owner, email=owner.email, verified=False, primary=True)

    # when
    response = api_client.post(TOKEN_URL, {"email": owner.email, "password": PASSWORD})

    # then
    assert response.status_code == 400
    assert response.json() == {"email": ["Confirm this email address before requesting a token."]}
    assert ApiToken.objects.count() == 0


def test_a_user_has_at_most_the_configured_number_of_tokens(verified_owner, settings):
    # given
    settings.API_TOKEN_MAX_PER_USER = 2
    api_token_create(user=verified_owner)
    api_token_create(user=verified_owner)

    # when
    refused = APIClient().post(TOKEN_URL, {"email": "owner@alpha.test", "password": PASSWORD})

    # then
    assert refused.status_code == 400
    assert "already has 2 API tokens" in refused.json()["non_field_errors"][0]
    assert ApiToken.objects.count() == 2


def test_expired_tokens_do_not_count_against_the_limit(verified_owner, settings):
    settings.API_TOKEN_MAX_PER_USER = 1
    old, _raw = api_token_create(user=verified_owner)
    ApiToken.objects.filter(pk=old.pk).update(expiry=timezone.now() - dt.timedelta(seconds=1))

    response = APIClient().post(TOKEN_URL, {"email": "owner@alpha.test", "password": PASSWORD})

    assert response.status_code == 200
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [response.json()["id"]]


def test_token_opens_the_api_and_records_its_last_use(verified_owner, salon):
    # given
    token = APIClient().post(TOKEN_URL, {"email": "owner@alpha.test", "password": PASSWORD})
    api = token_api(token.json()["token"])
    assert ApiToken.objects.get().last_used_at is None

    # when
    read = api.get("/api/v1/salons/alpha/locations/")
    write = api.post("/api/v1/salons/alpha/service-categories/", {"name": "Hair"})

    # then
    assert read.status_code == 200
    assert write.status_code == 201  # token requests need no CSRF token
    assert ApiToken.objects.get().last_used_at is not None


def test_token_does_not_open_another_salon(verified_owner, other_salon):
    # given
    _row, token = api_token_create(user=verified_owner)

    # when
    response = token_api(token).get("/api/v1/salons/beta/locations/")

    # then
    assert response.status_code == 404


@pytest.mark.parametrize(
    "header", ["Token not-a-real-token", "Token ", "Token a b", "Token 0123456789abcdef"]
)
def test_bad_token_is_401(salon, owner, header):
    # given
    api_token_create(user=owner)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=header)

    # when
    response = api.get("/api/v1/salons/alpha/locations/")

    # then
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_token_of_a_deactivated_user_is_401(salon, owner):
    # given
    _row, token = api_token_create(user=owner)
    owner.is_active = False
    owner.save()

    # when
    response = token_api(token).get("/api/v1/salons/alpha/locations/")

    # then
    assert response.status_code == 401


def test_an_expired_token_is_401_and_deleted(salon, owner):
    # given
    row, token = api_token_create(user=owner)
    ApiToken.objects.filter(pk=row.pk).update(expiry=timezone.now() - dt.timedelta(seconds=1))

    # when
    response = token_api(token).get("/api/v1/salons/alpha/locations/")

    # then
    assert response.status_code == 401
    assert not ApiToken.objects.exists()


def test_password_guessing_is_throttled(verified_owner, api_client):
    # given
    for _ in range(10):
        api_client.post(TOKEN_URL, {"email": "owner@alpha.test", "password": "guess"})

    # when
    response = api_client.post(TOKEN_URL, {"email": "owner@alpha.test", "password": PASSWORD})

    # then
    assert response.status_code == 429
    assert ApiToken.objects.count() == 0


# --- The user's own tokens: list, revoke, log out --------------------------------------------


def test_the_token_list_shows_the_callers_live_tokens_without_secrets(owner, stranger, salon):
    # given
    current, token = api_token_create(user=owner, label="Zapier", user_agent="zapier/2")
    older, _other = api_token_create(user=owner, label="Old script")
    expired, _gone = api_token_create(user=owner)
    ApiToken.objects.filter(pk=expired.pk).update(expiry=timezone.now() - dt.timedelta(hours=1))
    api_token_create(user=stranger, label="not yours")

    # when
    response = token_api(token).get(TOKENS_URL)

    # then
    assert response.status_code == 200
    rows = response.json()
    assert [r["id"] for r in rows] == [older.pk, current.pk]  # newest first
    by_id = {r["id"]: r for r in rows}
    assert set(by_id) == {current.pk, older.pk}
    assert by_id[current.pk]["label"] == "Zapier"
    assert by_id[current.pk]["client"] == "zapier/2"
    assert by_id[current.pk]["current"] is True
    assert by_id[older.pk]["current"] is False
    assert set(by_id[current.pk]) == {
        "id", "label", "client", "prefix", "created_at", "expires_at", "last_used_at", "current",
    }  # fmt: skip
    assert token not in response.content.decode()


def test_the_token_list_works_with_a_session_too(owner_api_session):
    api, owner = owner_api_session
    api_token_create(user=owner)
    response = api.get(TOKENS_URL)
    assert response.status_code == 200
    assert len(response.json()) == 1


@pytest.fixture
def owner_api_session(owner):
    api = APIClient()
    api.force_login(owner)
    return api, owner


def test_revoking_one_token_ends_it_and_leaves_the_others(owner, salon):
    # given
    revoked_row, revoked = api_token_create(user=owner)
    _kept_row, kept = api_token_create(user=owner)

    # when
    response = token_api(kept).delete(f"{TOKENS_URL}{revoked_row.pk}/")

    # then
    assert response.status_code == 204
    assert token_api(revoked).get("/api/v1/salons/alpha/locations/").status_code == 401
    assert token_api(kept).get("/api/v1/salons/alpha/locations/").status_code == 200


def test_another_users_token_id_is_404_and_stays(owner, stranger):
    # given
    theirs, their_token = api_token_create(user=stranger)
    _mine, token = api_token_create(user=owner)

    # when
    response = token_api(token).delete(f"{TOKENS_URL}{theirs.pk}/")

    # then
    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_logout_revokes_the_token_in_use_only(owner, salon):
    # given
    _a, used = api_token_create(user=owner)
    _b, other = api_token_create(user=owner)

    # when
    response = token_api(used).post(LOGOUT_URL)

    # then
    assert response.status_code == 204
    assert token_api(used).get(TOKENS_URL).status_code == 401
    assert token_api(other).get(TOKENS_URL).status_code == 200


def test_revoke_all_ends_every_token_of_the_caller_only(owner, stranger):
    # given
    _a, token = api_token_create(user=owner)
    api_token_create(user=owner)
    _c, theirs = api_token_create(user=stranger)

    # when
    response = token_api(token).post(f"{TOKENS_URL}revoke-all/")

    # then
    assert (response.status_code, response.json()) == (200, {"revoked": 2})
    assert not ApiToken.objects.filter(user=owner).exists()
    assert token_api(theirs).get(TOKENS_URL).status_code == 200


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", TOKENS_URL),
        ("post", LOGOUT_URL),
        ("post", f"{TOKENS_URL}revoke-all/"),
        ("delete", f"{TOKENS_URL}1/"),
    ],
)
def test_token_management_needs_a_login(db, method, url):
    response = getattr(APIClient(), method)(url)
    assert response.status_code == 401


def test_the_token_list_reads_a_flat_number_of_queries(db, django_assert_max_num_queries, settings):
    settings.API_TOKEN_MAX_PER_USER = 0
    user = UserFactory(email="many@alpha.test")
    _row, token = api_token_create(user=user)
    for _ in range(30):
        api_token_create(user=user)
    api = token_api(token)
    api.get(TOKENS_URL)  # records the last use once

    with django_assert_max_num_queries(4):
        response = api.get(TOKENS_URL)

    assert len(response.json()) == 31


@pytest.mark.parametrize("token", ["é", "ÿ" * 64, "abc\x00def", "\x00" * 15])
def test_a_token_with_bytes_no_token_has_is_401_not_a_500(salon, owner, token):
    # (QA) knox decodes the header as UTF-8 and looks its prefix up: a Latin-1 byte was a
    # UnicodeDecodeError and a NUL a DataError from PostgreSQL — a 500 on every API URL
    api_token_create(user=owner)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    for response in (
        api.get("/api/v1/salons/alpha/locations/"),
        api.get("/api/v1/auth/tokens/"),
        api.post("/api/v1/auth/logout/"),
    ):
        assert response.status_code == 401
