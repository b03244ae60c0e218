"""Generic hooks the packages app needed, tested with throw-away methods and sources:

- a payment method `account_only` is offered only to the logged-in holder of the client
  record (a guest gets its `login_hint`), `selected_by_default` chooses it on the page, and
  `is_available_at` is asked with the booking's start;
- client badges: each source is asked once per client list page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.test import Client as HttpClient

from bookings.checkout import (
    PaymentMethod,
    payment_login_hints,
    payment_method_default,
    payment_methods_available,
    register,
    unregister,
)
from bookings.dashboard.extensions import (
    ClientBadge,
    register_client_badges,
    unregister_client_badges,
)
from bookings.tests.test_public_booking import details_url, next_wednesday_at
from tests.factories import ClientFactory, UserFactory

CHECKOUT = "/s/alpha/checkout/"


class HeldThing(PaymentMethod):
    key = "test_held_thing"
    label = "Pay with what you hold"
    position = 5
    account_only = True
    selected_by_default = True

    def __init__(self) -> None:
        self.asked: list[Any] = []

    def is_available_at(self, salon: Any, client: Any, service: Any, starts_at: Any) -> bool:
        self.asked.append(starts_at)
        return True

    def login_hint(self, salon: Any, service: Any) -> str:
        return "Log in to pay with what you hold."


@pytest.fixture
def held_thing():
    method = register(HeldThing())
    yield method
    unregister(method.key)


@pytest.fixture
def holder(shop):
    user = UserFactory(email="liis@example.test")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client = ClientFactory(salon=shop["salon"], user=user, email=user.email, first_name="Liis")
    return {"user": user, "client": client}


def checked(html: str) -> list[str]:
    return re.findall(r'value="(\w+)"[^>]*checked', html)


def to_checkout(http: HttpClient, shop) -> None:
    details = {
        "first_name": "Liis",
        "last_name": "Lepp",
        "email": "liis@example.test",
        "phone": "+372 5551 2345",
    }
    assert http.post(details_url(shop, next_wednesday_at(10)), details).status_code == 302


def test_an_account_only_method_is_offered_to_the_holder_and_chosen_by_default(
    shop, held_thing, holder
):
    http = HttpClient()
    http.force_login(holder["user"])
    to_checkout(http, shop)
    html = http.get(CHECKOUT).content.decode()
    assert checked(html) == ["test_held_thing"]
    assert "Log in to pay with what you hold." not in html
    assert held_thing.asked == [next_wednesday_at(10)]


def test_a_guest_typing_the_holders_email_gets_the_hint_not_the_method(shop, held_thing, holder):
    http = HttpClient()
    to_checkout(http, shop)
    html = http.get(CHECKOUT).content.decode()
    assert "test_held_thing" not in html
    assert "Log in to pay with what you hold." in html
    assert checked(html) == ["pay_at_salon"]  # the only way left is chosen, as before
    assert http.post(CHECKOUT, {"payment_method": "test_held_thing"}).status_code == 400


def test_the_service_functions(shop, held_thing, holder):
    salon, service, client = shop["salon"], shop["service"], holder["client"]
    keys = [
        m.key
        for m in payment_methods_available(
            salon=salon, client=client, service=service, user=holder["user"]
        )
    ]
    assert keys == ["test_held_thing", "pay_at_salon"]
    assert [
        m.key
        for m in payment_methods_available(
            salon=salon, client=client, service=service, user=UserFactory()
        )
    ] == ["pay_at_salon"]
    methods = payment_methods_available(
        salon=salon, client=client, service=service, user=holder["user"]
    )
    assert payment_method_default(methods) == "test_held_thing"
    assert payment_method_default(methods[1:]) == "pay_at_salon"
    assert payment_method_default([]) is None
    assert payment_login_hints(salon=salon, service=service, user=None) == [
        "Log in to pay with what you hold."
    ]
    assert payment_login_hints(salon=salon, service=service, user=holder["user"]) == []


def test_client_badges_are_asked_once_per_page(salon, owner_client):
    marked = ClientFactory(salon=salon, first_name="Marked", last_name="Aavik")  # first
    ClientFactory.create_batch(30, salon=salon)
    calls: list[list[int]] = []

    def source(salon: Any, client_ids: list[int]) -> dict[int, ClientBadge]:
        calls.append(client_ids)
        return {marked.pk: ClientBadge(label="★", title="Star", css_class="test-star")}

    register_client_badges("test_star", source)
    try:
        response = owner_client.get("/dashboard/alpha/clients/", {"q": ""})
    finally:
        unregister_client_badges("test_star")
    assert len(calls) == 1 and len(calls[0]) == 25
    assert marked.pk in calls[0]
    assert 'class="badge client-badge test-star" title="Star">★' in response.content.decode()
