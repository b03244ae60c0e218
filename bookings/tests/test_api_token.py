"""Token authentication for integrations: email + password -> token; the token opens the API."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

TOKEN_URL = "/api/v1/auth/token/"
PASSWORD = "correct-horse-battery"  # tests/factories.py UserFactory


@pytest.fixture
def verified_owner(owner):
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    return owner


def test_email_and_password_give_a_token(verified_owner, api_client):
    # when
    response = api_client.post(
        TOKEN_URL, {"email": "Owner@Alpha.test", "password": PASSWORD}, format="json"
    )

    # then
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=verified_owner).key}


def test_asking_twice_gives_the_same_token(verified_owner, api_client):
    # when
    first = api_client.post(TOKEN_URL, {"email": "owner@alpha.test", "password": PASSWORD})
    second = api_client.post(TOKEN_URL, {"email": "owner@alpha.test", "password": PASSWORD})

    # then
    assert first.json() == second.json()
    assert Token.objects.count() == 1


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
    ],
    ids=["wrong-password", "unknown-email", "malformed-email", "no-password"],
)
def test_bad_credentials_give_no_token(verified_owner, api_client, body, errors):
    # when
    response = api_client.post(TOKEN_URL, body, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == errors
    assert Token.objects.count() == 0


def test_unverified_email_gives_no_token(owner, api_client):
    # given
    EmailAddress.objects.create(user=owner, email=owner.email, verified=False, primary=True)

    # when
    response = api_client.post(TOKEN_URL, {"email": owner.email, "password": PASSWORD})

    # then
    assert response.status_code == 400
    assert response.json() == {"email": ["Confirm this email address before requesting a token."]}
    assert Token.objects.count() == 0


def test_token_opens_the_api(verified_owner, salon):
    # given
    token = APIClient().post(TOKEN_URL, {"email": "owner@alpha.test", "password": PASSWORD})
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")

    # when
    read = api.get("/api/v1/salons/alpha/locations/")
    write = api.post("/api/v1/salons/alpha/service-categories/", {"name": "Hair"})

    # then
    assert read.status_code == 200
    assert write.status_code == 201  # token requests need no CSRF token


def test_token_does_not_open_another_salon(verified_owner, other_salon):
    # given
    token = Token.objects.create(user=verified_owner)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    # when
    response = api.get("/api/v1/salons/beta/locations/")

    # then
    assert response.status_code == 404


@pytest.mark.parametrize("header", ["Token not-a-real-token", "Token ", "Token a b"])
def test_bad_token_is_401(salon, owner, header):
    # given
    Token.objects.create(user=owner)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=header)

    # when
    response = api.get("/api/v1/salons/alpha/locations/")

    # then
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_token_of_a_deactivated_user_is_401(salon, owner):
    # given
    token = Token.objects.create(user=owner)
    owner.is_active = False
    owner.save()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    # when
    response = api.get("/api/v1/salons/alpha/locations/")

    # then
    assert response.status_code == 401


def test_password_guessing_is_throttled(verified_owner, api_client):
    # given
    for _ in range(10):
        api_client.post(TOKEN_URL, {"email": "owner@alpha.test", "password": "guess"})

    # when
    response = api_client.post(TOKEN_URL, {"email": "owner@alpha.test", "password": PASSWORD})

    # then
    assert response.status_code == 429
    assert Token.objects.count() == 0
