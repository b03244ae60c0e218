"""Account e-mails (verify, reset) carry the product's name and the salon's — never the host
("[127.0.0.1:8000]", "[testserver]") allauth falls back to without the sites framework."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client as HttpClient

from tests.factories import ClientFactory, MembershipFactory, SalonFactory, UserFactory

from .helpers import PASSWORD


@pytest.mark.django_db
def test_signup_from_a_salons_booking_page_names_the_salon_and_the_product():
    # given: the "log in to book" link of the salon's checkout carries `next`
    SalonFactory(slug="alpha", name="Alpha Hair")
    http = HttpClient()

    # when
    http.post(
        "/accounts/signup/",
        {
            "email": "kati@example.test",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": "/s/alpha/checkout/",
        },
    )

    # then
    (message,) = mail.outbox
    assert message.subject.startswith("[Alpha Hair on SalonBook] ")
    assert "testserver" not in message.subject and "127.0.0.1" not in message.subject
    assert "Hello from Alpha Hair on SalonBook!" in message.body


@pytest.mark.django_db
def test_signup_from_the_signup_page_reached_from_a_salon_reads_the_referer():
    # given
    SalonFactory(slug="alpha", name="Alpha Hair")
    http = HttpClient()

    # when: the form page's address carried the salon's page as `next`
    http.post(
        "/accounts/signup/",
        {"email": "kati@example.test", "password1": PASSWORD, "password2": PASSWORD},
        HTTP_REFERER="http://testserver/accounts/signup/?next=/s/alpha/",
    )

    # then
    assert mail.outbox[0].subject.startswith("[Alpha Hair on SalonBook] ")


@pytest.mark.django_db
def test_signup_with_no_salon_carries_the_product_name():
    # when: "Create your salon" (no salon yet), or a referer of another site
    HttpClient().post(
        "/accounts/signup/",
        {"email": "new@example.test", "password1": PASSWORD, "password2": PASSWORD},
        HTTP_REFERER="https://evil.example/s/alpha/",
    )

    # then
    (message,) = mail.outbox
    assert message.subject.startswith("[SalonBook] ")
    assert "Hello from SalonBook!" in message.body
    assert "testserver" not in message.subject


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["owner", "client"])
def test_password_reset_names_the_one_salon_of_the_person(role):
    # given
    salon = SalonFactory(slug="alpha", name="Alpha Hair")
    user = UserFactory(email="kati@example.test")
    if role == "owner":
        MembershipFactory(salon=salon, user=user, role="owner")
    else:
        ClientFactory(salon=salon, user=user, email=user.email)

    # when
    HttpClient().post("/accounts/password/reset/", {"email": "kati@example.test"})

    # then
    (message,) = mail.outbox
    assert message.subject.startswith("[Alpha Hair on SalonBook] ")
    assert "Alpha Hair on SalonBook" in message.body


@pytest.mark.django_db
def test_password_reset_of_a_person_in_two_salons_names_only_the_product():
    # given
    user = UserFactory(email="kati@example.test")
    for slug in ("alpha", "beta"):
        MembershipFactory(salon=SalonFactory(slug=slug, name=slug.title()), user=user)

    # when
    HttpClient().post("/accounts/password/reset/", {"email": "kati@example.test"})

    # then
    (message,) = mail.outbox
    assert message.subject.startswith("[SalonBook] ")
