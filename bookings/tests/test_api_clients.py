"""Clients API: search, limit/offset pages, create and update through the client services."""

from __future__ import annotations

import pytest

from bookings.models import Client
from tests.factories import ClientFactory

CLIENTS_URL = "/api/v1/salons/alpha/clients/"


def test_create_client(salon, owner_api):
    # when
    response = owner_api.post(
        CLIENTS_URL,
        {
            "first_name": "Kati",
            "last_name": "Karu",
            "email": "  Kati@Example.TEST ",
            "phone": "+372 5123 4567",
            "marketing_consent": True,
            "preferred_channel": "sms",
        },
        format="json",
    )

    # then
    assert response.status_code == 201
    client = Client.objects.get()
    body = response.json()
    assert body["marketing_consent_at"] is not None
    assert {k: v for k, v in body.items() if k not in ("created_at", "updated_at")} == {
        "id": client.pk,
        "first_name": "Kati",
        "last_name": "Karu",
        "email": "kati@example.test",
        "phone": "+37251234567",
        "notes": "",
        "marketing_consent": True,
        "marketing_consent_at": body["marketing_consent_at"],
        "preferred_channel": "sms",
        "preferred_language": "",
        "has_account": False,
    }
    assert client.marketing_consent_at is not None


def test_retrieve_and_update_client(salon, owner_api):
    # given
    client = ClientFactory(salon=salon, first_name="Kati", marketing_consent=False)

    # when
    updated = owner_api.patch(
        f"{CLIENTS_URL}{client.pk}/", {"notes": "Prefers mornings"}, format="json"
    )
    retrieved = owner_api.get(f"{CLIENTS_URL}{client.pk}/")

    # then
    assert updated.status_code == 200
    assert (retrieved.json()["first_name"], retrieved.json()["notes"]) == (
        "Kati",
        "Prefers mornings",
    )


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"first_name": "A", "email": "a@b"}, {"email": ["Enter a valid email address."]}),
        ({"first_name": "A", "phone": "+372 1"}, {"phone": ["Enter a valid phone number."]}),
        (
            {"first_name": "A", "email": "taken@example.test"},
            {
                "email": ["Taken Client already has this e-mail address."],
                "reason": "duplicate_client",
            },
        ),
        (
            {"first_name": "A", "email": "TAKEN@example.test"},
            {
                "email": ["Taken Client already has this e-mail address."],
                "reason": "duplicate_client",
            },
        ),
        (
            {"first_name": "x" * 101},
            {"first_name": ["Ensure this field has no more than 100 characters."]},
        ),
        (
            {"first_name": "A", "notes": "x" * 4001},
            {"notes": ["Ensure this field has no more than 4000 characters."]},
        ),
        (
            {"first_name": "A", "preferred_channel": "fax"},
            {"preferred_channel": ['"fax" is not a valid choice.']},
        ),
        ({"last_name": "A"}, {"first_name": ["This field is required."]}),
    ],
    ids=[
        "email",
        "phone",
        "duplicate-email",
        "duplicate-email-other-case",
        "too-long-name",
        "too-long-notes",
        "channel",
        "missing-name",
    ],
)
def test_bad_client_is_rejected(salon, owner_api, body, errors):
    # given
    ClientFactory(salon=salon, first_name="Taken", last_name="Client", email="taken@example.test")

    # when
    response = owner_api.post(CLIENTS_URL, body, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == errors
    assert Client.objects.count() == 1


def test_same_email_in_another_salon_is_fine(salon, other_salon, owner_api):
    # given
    ClientFactory(salon=other_salon, email="kati@example.test")

    # when
    response = owner_api.post(
        CLIENTS_URL, {"first_name": "Kati", "email": "kati@example.test"}, format="json"
    )

    # then
    assert response.status_code == 201


def test_bad_update_changes_nothing(salon, owner_api):
    # given
    ClientFactory(salon=salon, first_name="Taken", last_name="Client", email="taken@example.test")
    client = ClientFactory(salon=salon, first_name="Kati", email="kati@example.test")

    # when
    response = owner_api.patch(
        f"{CLIENTS_URL}{client.pk}/",
        {"first_name": "Katrin", "email": "taken@example.test"},
        format="json",
    )

    # then
    assert response.status_code == 400
    assert response.json() == {
        "email": ["Taken Client already has this e-mail address."],
        "reason": "duplicate_client",
    }
    client.refresh_from_db()
    assert (client.first_name, client.email) == ("Kati", "kati@example.test")


def test_search_finds_clients_of_this_salon_only(salon, other_salon, owner_api):
    # given
    kati = ClientFactory(salon=salon, first_name="Kati", last_name="Karu")
    ClientFactory(salon=salon, first_name="Mari", last_name="Mets")
    ClientFactory(salon=other_salon, first_name="Kati", last_name="Karu")

    # when
    response = owner_api.get(CLIENTS_URL, {"search": "kat karu"})

    # then
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert [c["id"] for c in response.json()["results"]] == [kati.pk]


def test_clients_are_paged_by_limit_and_offset(salon, owner_api):
    # given
    clients = [ClientFactory(salon=salon, first_name=f"C{n:02}") for n in range(5)]

    # when
    response = owner_api.get(CLIENTS_URL, {"limit": 2, "offset": 2})

    # then
    body = response.json()
    assert body["count"] == 5
    assert [c["id"] for c in body["results"]] == [clients[2].pk, clients[3].pk]
    assert body["next"] == "http://testserver/api/v1/salons/alpha/clients/?limit=2&offset=4"
    assert body["previous"] == "http://testserver/api/v1/salons/alpha/clients/?limit=2"


def test_client_list_query_count_does_not_grow(salon, owner_api, django_assert_max_num_queries):
    # given
    ClientFactory.create_batch(5, salon=salon)
    with django_assert_max_num_queries(5) as few:
        owner_api.get(CLIENTS_URL, {"search": "tamm"})
    ClientFactory.create_batch(45, salon=salon)

    # when
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = owner_api.get(CLIENTS_URL, {"search": "tamm"})

    # then
    assert response.json()["count"] == 50
    assert len(response.json()["results"]) == 50
