"""Dashboard pages of clients: search (full page and htmx partial), pages, create, edit."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from bookings.models import Client
from tests.factories import ClientFactory

GOOD_CLIENT = {
    "first_name": "Liis",
    "last_name": "Kask",
    "email": "Liis.Kask@Example.test",
    "phone": "+372 5123 4567",
    "notes": "Prefers mornings.",
    "marketing_consent": "on",
    "preferred_channel": "sms",
}


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"dashboard:{name}", kwargs={"salon_slug": "alpha", **kwargs})


def clients_state() -> list[dict[str, Any]]:
    return list(Client.objects.order_by("pk").values())


def names(response: Any) -> list[str]:
    return [client.full_name for client in response.context["page_obj"].object_list]


# --- Create and edit --------------------------------------------------------------------


def test_owner_creates_a_client(owner_client, salon):
    # when
    response = owner_client.post(url("client_create"), GOOD_CLIENT)

    # then
    client = Client.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("client_detail", pk=client.pk)
    assert (client.salon, client.first_name, client.last_name) == (salon, "Liis", "Kask")
    assert client.email == "liis.kask@example.test"
    assert str(client.phone) == "+37251234567"
    assert client.notes == "Prefers mornings."
    assert client.marketing_consent is True
    assert client.marketing_consent_at is not None
    assert client.preferred_channel == "sms"


def test_owner_edits_a_client(owner_client, salon):
    # given
    client = ClientFactory(salon=salon, first_name="Liis", marketing_consent=False)

    # when
    response = owner_client.post(
        url("client_edit", pk=client.pk),
        {**GOOD_CLIENT, "first_name": "Liisa", "marketing_consent": "", "phone": ""},
    )

    # then
    client.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == url("client_detail", pk=client.pk)
    assert (client.first_name, client.phone, client.marketing_consent) == ("Liisa", "", False)
    assert client.marketing_consent_at is None


def test_a_client_keeps_their_own_email_when_edited(owner_client, salon):
    # given
    client = ClientFactory(salon=salon, email="liis.kask@example.test")

    # when
    response = owner_client.post(url("client_edit", pk=client.pk), GOOD_CLIENT)

    # then
    assert response.status_code == 302


def test_another_salon_may_have_a_client_with_the_same_email(owner_client, salon, other_salon):
    # given
    ClientFactory(salon=other_salon, email="liis.kask@example.test")

    # when
    response = owner_client.post(url("client_create"), GOOD_CLIENT)

    # then
    assert response.status_code == 302
    assert Client.objects.filter(email="liis.kask@example.test").count() == 2


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"first_name": ""}, {"first_name": ["This field is required."]}),
        ({"email": "liis@@example"}, {"email": ["Enter a valid email address."]}),
        (
            {"email": "TAKEN@example.test"},
            {"email": ["Another client of this salon already has this email."]},
        ),
        (
            {"phone": "+372 12"},
            {
                "phone": [
                    "Enter a valid phone number (e.g. 321 2345) or a number with an "
                    "international call prefix."
                ]
            },
        ),
        (
            {"notes": "x" * 4001},
            {"notes": ["Ensure this value has at most 4000 characters (it has 4001)."]},
        ),
        (
            {"last_name": "x" * 101},
            {"last_name": ["Ensure this value has at most 100 characters (it has 101)."]},
        ),
        (
            {"preferred_channel": "pigeon"},
            {
                "preferred_channel": [
                    "Select a valid choice. pigeon is not one of the available choices."
                ]
            },
        ),
    ],
    ids=[
        "no-first-name",
        "email",
        "duplicate-email",
        "phone",
        "long-notes",
        "long-name",
        "channel",
    ],
)
def test_bad_client_input_is_a_form_error(owner_client, salon, changes, errors):
    # given
    ClientFactory(salon=salon, email="taken@example.test")
    existing = ClientFactory(salon=salon, email="existing@example.test")
    before = clients_state()

    # when
    created = owner_client.post(url("client_create"), {**GOOD_CLIENT, **changes})
    edited = owner_client.post(url("client_edit", pk=existing.pk), {**GOOD_CLIENT, **changes})

    # then
    for response in (created, edited):
        assert response.status_code == 200
        assert response.context["form"].errors == errors
    assert clients_state() == before


def test_client_detail_shows_the_client(owner_client, salon):
    # given
    client = ClientFactory(salon=salon, first_name="Liis", last_name="Kask", notes="Allergic")

    # when
    response = owner_client.get(url("client_detail", pk=client.pk))

    # then
    content = response.content.decode()
    assert response.status_code == 200
    assert "Liis Kask" in content and "Allergic" in content
    assert url("client_edit", pk=client.pk) in content


# --- List, search and pages -------------------------------------------------------------


@pytest.fixture
def searchable(salon, other_salon) -> None:
    ClientFactory(salon=salon, first_name="Liis", last_name="Kask", email="liis@alpha.test")
    ClientFactory(
        salon=salon,
        first_name="Mart",
        last_name="Tamm",
        email="mart@alpha.test",
        phone="+37255511122",
    )
    ClientFactory(salon=salon, first_name="Kadri", last_name="Kask", email="kadri@alpha.test")
    ClientFactory(
        salon=other_salon,
        first_name="Liis",
        last_name="Kask",
        email="liis@beta.test",
        phone="+37255511133",
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Kadri Kask", "Liis Kask", "Mart Tamm"]),
        ("liis", ["Liis Kask"]),
        ("KASK", ["Kadri Kask", "Liis Kask"]),
        ("kask kadri", ["Kadri Kask"]),
        ("mart@alpha", ["Mart Tamm"]),
        ("alpha.test", ["Kadri Kask", "Liis Kask", "Mart Tamm"]),
        ("beta.test", []),
        ("55511", ["Mart Tamm"]),
        ("55511133", []),
        ("nobody", []),
    ],
)
def test_client_search_finds_by_name_email_and_phone_in_this_salon_only(
    owner_client, searchable, query, expected
):
    # when
    response = owner_client.get(url("client_list"), {"q": query})

    # then
    assert response.status_code == 200
    assert names(response) == expected
    assert "liis@beta.test" not in response.content.decode()


def test_full_page_search_renders_the_whole_page(owner_client, searchable):
    # when
    response = owner_client.get(url("client_list"), {"q": "liis"})

    # then
    content = response.content.decode()
    assert [t.name for t in response.templates][0] == "dashboard/clients/list.html"
    assert "<html" in content
    assert 'id="client-results"' in content
    assert "HX-Request" in [v.strip() for v in response["Vary"].split(",")]


def test_htmx_search_returns_only_the_results(owner_client, searchable):
    # when
    response = owner_client.get(url("client_list"), {"q": "liis"}, headers={"HX-Request": "true"})

    # then
    content = response.content.decode()
    assert response.status_code == 200
    assert [t.name for t in response.templates] == ["dashboard/clients/_results.html"]
    assert "<html" not in content
    assert 'id="client-results"' not in content
    assert "liis@alpha.test" in content
    assert "mart@alpha.test" not in content


def test_htmx_history_restore_gets_the_whole_page(owner_client, searchable):
    # when
    response = owner_client.get(
        url("client_list"),
        {"q": "liis"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )

    # then
    assert "<html" in response.content.decode()


def test_no_match_says_so(owner_client, searchable):
    # when
    response = owner_client.get(url("client_list"), {"q": "zzz"}, headers={"HX-Request": "true"})

    # then
    assert "No clients match “zzz”." in response.content.decode()


def test_clients_are_shown_25_to_a_page(owner_client, salon):
    # given
    for n in range(60):
        ClientFactory(salon=salon, first_name=f"C{n:02d}", last_name="Kask")

    # when
    first = owner_client.get(url("client_list"))
    third = owner_client.get(url("client_list"), {"page": "3"})
    beyond = owner_client.get(url("client_list"), {"page": "99"})
    garbage = owner_client.get(url("client_list"), {"page": "abc"})

    # then
    assert names(first) == [f"C{n:02d} Kask" for n in range(25)]
    assert names(third) == [f"C{n:02d} Kask" for n in range(50, 60)]
    assert names(beyond) == names(third)
    assert names(garbage) == names(first)
    assert "Page 1 of 3" in first.content.decode()
    assert "?page=2" in first.content.decode()


def test_page_links_keep_the_search(owner_client, salon):
    # given
    for n in range(30):
        ClientFactory(salon=salon, first_name=f"Mari{n:02d}")

    # when
    response = owner_client.get(url("client_list"), {"q": "mari"}, headers={"HX-Request": "true"})

    # then
    assert 'hx-get="?q=mari&amp;page=2"' in response.content.decode()


def test_a_very_long_search_is_cut_not_refused(owner_client, searchable):
    # when
    response = owner_client.get(url("client_list"), {"q": "liis" + " " * 200 + "x" * 5000})

    # then
    assert response.status_code == 200
    assert len(response.context["query"]) == 100


@pytest.mark.parametrize("rows", [5, 50])
def test_client_list_queries_do_not_grow_with_rows(
    owner_client, salon, rows, django_assert_max_num_queries
):
    # given
    ClientFactory.create_batch(rows, salon=salon)

    # when / then
    with django_assert_max_num_queries(6):
        response = owner_client.get(url("client_list"))
    assert len(response.context["page_obj"].object_list) == min(rows, 25)


def test_a_nul_character_in_the_search_is_ignored(owner_client, searchable):
    # when
    response = owner_client.get(url("client_list"), {"q": "li\x00is"})

    # then
    assert response.status_code == 200
    assert names(response) == ["Liis Kask"]
