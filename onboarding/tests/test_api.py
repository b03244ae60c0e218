"""`POST /api/v1/salons/`: a salon owned by the caller, with field errors for bad input."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from bookings.models import Membership, Salon
from tests.factories import MembershipFactory, SalonFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/salons/"


@pytest.fixture
def caller():
    return UserFactory(email="new@example.test")


@pytest.fixture
def api(caller) -> APIClient:
    client = APIClient()
    client.force_authenticate(caller)
    return client


def test_create_salon(api, caller):
    # when
    response = api.post(
        URL, {"name": "Studio Anna", "slug": "studio-anna", "country": "FI"}, format="json"
    )

    # then
    assert response.status_code == 201
    body = response.json()
    assert {k: v for k, v in body.items() if k != "id"} == {
        "slug": "studio-anna",
        "name": "Studio Anna",
        "country": "FI",
        "time_zone": "Europe/Helsinki",
        "currency": "EUR",
        "default_language": "fi",
    }
    membership = Membership.objects.get(salon_id=body["id"])
    assert (membership.user, membership.role) == (caller, "owner")
    # the caller can use the owner API of the new salon at once
    assert api.get(f"{URL}studio-anna/locations/").status_code == 200


def test_create_salon_with_explicit_settings(api):
    response = api.post(
        URL,
        {
            "name": "Klip",
            "slug": "klip",
            "country": "DK",
            "time_zone": "Europe/Copenhagen",
            "currency": "EUR",
            "default_language": "en",
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["currency"] == "EUR"
    assert response.json()["default_language"] == "en"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"slug": "taken"}, "slug"),
        ({"slug": "dashboard"}, "slug"),
        ({"slug": "not a slug"}, "slug"),
        ({"time_zone": "Nowhere/City"}, "time_zone"),
        ({"currency": "QQQ"}, "currency"),
        ({"default_language": "xx"}, "default_language"),
        ({"country": "E"}, "country"),
    ],
)
def test_bad_input_is_a_400_per_field_and_writes_nothing(api, caller, data, field):
    # given
    SalonFactory(slug="taken")

    # when
    response = api.post(
        URL, {"name": "Studio", "slug": "studio", "country": "EE", **data}, format="json"
    )

    # then
    assert response.status_code == 400
    assert field in response.json()
    assert list(Salon.objects.values_list("slug", flat=True)) == ["taken"]
    assert not Membership.objects.filter(user=caller).exists()


def test_anonymous_gets_401(db):
    response = APIClient().post(URL, {"name": "X", "slug": "x", "country": "EE"}, format="json")
    assert response.status_code == 401
    assert not Salon.objects.exists()


def test_token_caller_creates_a_salon(caller):
    from accounts.tokens import api_token_create

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=caller)[1]}")
    response = client.post(URL, {"name": "T", "slug": "t-salon", "country": "EE"}, format="json")
    assert response.status_code == 201


def test_salon_create_is_in_the_schema(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert "post" in response.json()["paths"]["/api/v1/salons/"]


def test_get_is_not_allowed(api):
    assert api.get(URL).status_code == 405


def test_another_owners_slug_is_taken_and_their_salon_untouched(api):
    # given
    other = SalonFactory(slug="beta", name="Beta")
    MembershipFactory(salon=other, user=UserFactory())

    # when
    response = api.post(URL, {"name": "Mine", "slug": "beta", "country": "EE"}, format="json")

    # then
    assert response.status_code == 400
    assert Salon.objects.get(slug="beta").name == "Beta"
    assert not Membership.objects.filter(salon=other, user__email="new@example.test").exists()
