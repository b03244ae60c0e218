"""`user_create`: an account with its allauth address, linked to its records when verified."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from accounts.services import user_create
from tests.factories import ClientFactory, UserFactory


@pytest.mark.django_db
def test_user_create_verified_makes_a_primary_verified_address_and_links(salon):
    # given
    record = ClientFactory(salon=salon, email="kati@example.com")

    # when
    user = user_create(
        email=" Kati@Example.com ",
        password="Lilac-Harbour-2031",
        first_name="Kati",
        email_verified=True,
    )

    # then
    assert (user.email, user.first_name) == ("kati@example.com", "Kati")
    assert user.check_password("Lilac-Harbour-2031")
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.primary, address.verified) == ("kati@example.com", True, True)
    record.refresh_from_db()
    assert record.user == user


@pytest.mark.django_db
def test_user_create_unverified_links_nothing(salon):
    # given
    record = ClientFactory(salon=salon, email="kati@example.com")

    # when
    user = user_create(email="kati@example.com", password="Lilac-Harbour-2031")

    # then
    assert EmailAddress.objects.get(user=user).verified is False
    record.refresh_from_db()
    assert record.user is None


@pytest.mark.django_db
def test_user_create_refuses_a_taken_email_and_writes_nothing():
    # given
    UserFactory(email="kati@example.com")

    # when
    with pytest.raises(ValidationError) as error:
        user_create(email="KATI@example.com", password="Lilac-Harbour-2031")

    # then
    assert list(error.value.message_dict) == ["email"]
    assert get_user_model().objects.count() == 1
    assert EmailAddress.objects.count() == 0
