"""An account owns the salons' client records with its email, once (and only once) that email
is verified: at confirmation, when an owner adds a record later, and at each login."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client as HttpClient

from accounts.services import user_create
from bookings.models import Client
from bookings.services.clients import client_create
from tests.factories import ClientFactory, SalonFactory, UserFactory

from .helpers import PASSWORD, confirmation_path, log_in, sign_up

EMAIL = "mari.kask@example.com"


def _linked(email: str) -> dict[str, str | None]:
    """salon slug -> the email of the account each client record with `email` belongs to."""
    return {
        client.salon.slug: client.user.email if client.user else None
        for client in Client.objects.filter(email__iexact=email).select_related("salon", "user")
    }


@pytest.mark.django_db
def test_confirming_the_email_links_the_client_records_of_every_salon(salon, other_salon):
    # given the same person is a client of two salons, and someone else is a client too
    ClientFactory(salon=salon, first_name="Mari", last_name="Kask", email=EMAIL)
    ClientFactory(
        salon=other_salon, first_name="Mari", last_name="Kask", email="Mari.Kask@Example.com"
    )
    ClientFactory(salon=salon, first_name="Triin", last_name="Lepik", email="triin@example.com")
    http = HttpClient()
    sign_up(http, EMAIL)

    # when
    response = http.post(confirmation_path(EMAIL))

    # then
    assert response.status_code == 302
    user = get_user_model().objects.get(email=EMAIL)
    assert _linked(EMAIL) == {"alpha": EMAIL, "beta": EMAIL}
    assert _linked("triin@example.com") == {"alpha": None}
    assert sorted(user.clients.values_list("salon__slug", flat=True)) == ["alpha", "beta"]


@pytest.mark.django_db
def test_signing_up_with_someone_elses_email_links_nothing_until_it_is_verified(salon, other_salon):
    # given Mari is a client of two salons, and an impostor signs up with her address
    ClientFactory(salon=salon, first_name="Mari", email=EMAIL, notes="Allergic to latex")
    ClientFactory(salon=other_salon, first_name="Mari", email=EMAIL)
    impostor = HttpClient()
    sign_up(impostor, EMAIL)

    # when the impostor tries to log in without opening Mari's mailbox
    response = log_in(impostor, EMAIL)

    # then they are sent to verify, stay logged out and own no client record
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in impostor.session
    assert _linked(EMAIL) == {"alpha": None, "beta": None}
    user = get_user_model().objects.get(email=EMAIL)
    assert list(user.clients.all()) == []
    assert EmailAddress.objects.get(user=user).verified is False


@pytest.mark.django_db
def test_an_unverified_address_is_never_used_to_link(salon):
    # given an account whose only address is unverified
    user = user_create(email=EMAIL, password=PASSWORD, email_verified=False)

    # when an owner adds a client record with that email
    client = client_create(salon=salon, first_name="Mari", email=EMAIL)

    # then
    assert client.user is None
    assert list(user.clients.all()) == []


@pytest.mark.django_db
def test_a_client_created_after_verification_is_linked_at_creation(salon, other_salon):
    # given a verified account
    user = user_create(email=EMAIL, password=PASSWORD, email_verified=True)

    # when owners of two salons add Mari as a client
    first = client_create(salon=salon, first_name="Mari", last_name="Kask", email=EMAIL)
    second = client_create(salon=other_salon, first_name="Mari", email=" MARI.KASK@example.com ")

    # then
    assert (first.user, second.user) == (user, user)
    assert second.email == EMAIL
    assert sorted(user.clients.values_list("salon__slug", flat=True)) == ["alpha", "beta"]


@pytest.mark.django_db
def test_an_unlinked_record_is_linked_at_the_next_login(salon, other_salon):
    # given a verified account, and a record that was written without the link (an import)
    user = user_create(email=EMAIL, password=PASSWORD, email_verified=True)
    ClientFactory(salon=other_salon, first_name="Mari", email=EMAIL)
    assert _linked(EMAIL) == {"beta": None}
    http = HttpClient()

    # when
    response = log_in(http, EMAIL)

    # then
    assert response.status_code == 302
    assert _linked(EMAIL) == {"beta": EMAIL}
    assert list(user.clients.values_list("salon__slug", flat=True)) == ["beta"]


@pytest.mark.django_db
def test_login_links_through_verified_addresses_only(salon):
    # given a verified primary address and an unverified second one
    user = user_create(email=EMAIL, password=PASSWORD, email_verified=True)
    EmailAddress.objects.create(user=user, email="mari@work.example", primary=False, verified=False)
    ClientFactory(salon=salon, first_name="Mari", email="mari@work.example")

    # when
    log_in(HttpClient(), EMAIL)

    # then
    assert _linked("mari@work.example") == {"alpha": None}
    assert list(user.clients.all()) == []


@pytest.mark.django_db
def test_a_record_linked_to_another_account_is_not_taken_over(salon):
    # given Mari's record already belongs to her old account
    old_account = UserFactory(email="mari.old@example.com")
    record = ClientFactory(salon=salon, first_name="Mari", email=EMAIL, user=old_account)
    http = HttpClient()
    sign_up(http, EMAIL)

    # when the new account verifies the same address
    http.post(confirmation_path(EMAIL))

    # then
    record.refresh_from_db()
    assert record.user == old_account


@pytest.mark.django_db
def test_the_linked_client_data_is_reachable_through_the_account(salon):
    # given an owner's record of Mari with her salon history
    client_create(
        salon=salon,
        first_name="Mari",
        last_name="Kask",
        email=EMAIL,
        phone="+372 5012 3456",
        notes="Prefers afternoons",
        marketing_consent=True,
    )
    other_salon = SalonFactory(slug="gamma", name="Gamma Nails")
    client_create(salon=other_salon, first_name="Mari", email=EMAIL)
    http = HttpClient()
    sign_up(http, EMAIL)

    # when
    http.post(confirmation_path(EMAIL))

    # then
    user = get_user_model().objects.get(email=EMAIL)
    rows = sorted(
        user.clients.values_list(
            "salon__slug", "first_name", "last_name", "notes", "marketing_consent"
        )
    )
    assert rows == [
        ("alpha", "Mari", "Kask", "Prefers afternoons", True),
        ("gamma", "Mari", "", "", False),
    ]
    assert str(user.clients.get(salon=salon).phone) == "+37250123456"
