"""The payments panel on the dashboard's client page: the client's latest orders and their
totals for owners and managers, nothing for staff, only this salon's and this client's
orders, and a flat query count however many orders the client has."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.dashboard.extensions import client_panels
from payments.dashboard.panels import ORDERS_SHOWN, PANEL_KEY
from payments.models import Order, OrderItem
from tests.factories import ClientFactory, MembershipFactory, UserFactory

from .surfaces import make_order


def page_url(client: Any) -> str:
    return f"/dashboard/alpha/clients/{client.pk}/"


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def kati(salon):
    return ClientFactory(salon=salon, first_name="Kati", last_name="Tamm", email="kati@x.test")


@pytest.fixture
def staff_client(staff_user) -> HttpClient:
    http = HttpClient()
    http.force_login(staff_user)
    return http


@pytest.fixture
def manager_client(salon) -> HttpClient:
    user = UserFactory(email="manager@alpha.test")
    MembershipFactory(salon=salon, user=user, role="manager")
    http = HttpClient()
    http.force_login(user)
    return http


def test_the_panel_is_registered_once():
    assert [p.key for p in client_panels()].count(PANEL_KEY) == 1


def test_the_owner_sees_the_clients_orders_with_totals_and_links(salon, kati, owner_client):
    paid = make_order(salon, client=kati, total="40.00", description="Haircut")
    refunded = make_order(
        salon,
        client=kati,
        total="25.00",
        refunded="10.00",
        status=Order.Status.PARTLY_REFUNDED,
        provider="pay_at_salon",
        description="Colour",
    )
    pending = make_order(
        salon,
        client=kati,
        total="15.00",
        status=Order.Status.PENDING,
        kind=OrderItem.Kind.DEPOSIT,
        description="Deposit: Colour",
    )
    response = owner_client.get(page_url(kati))
    assert response.status_code == 200
    page = text(response)
    assert 'id="client-payments"' in page
    for order in (paid, refunded, pending):
        assert f'id="client-order-{order.pk}"' in page
        assert f'href="/dashboard/alpha/payments/{order.pk}/"' in page
    assert "Booking: Haircut" in page
    assert "Deposit: Deposit: Colour" in page
    assert "Waiting for payment" in page and "Partly refunded" in page
    # paid = the two orders in which money was taken; the pending one is not counted
    assert re.search(r'data-total="paid">[^<]*65[.,]00', page), page
    assert re.search(r'data-total="refunded">[^<]*10[.,]00', page)
    assert 'data-total="count">3<' in page


def test_a_manager_sees_the_panel_too(salon, kati, manager_client):
    order = make_order(salon, client=kati)
    page = text(manager_client.get(page_url(kati)))
    assert f'id="client-order-{order.pk}"' in page


def test_staff_see_nothing_of_it(salon, kati, staff_client):
    order = make_order(salon, client=kati, description="Secret haircut")
    response = staff_client.get(page_url(kati))
    assert response.status_code == 200
    page = text(response)
    assert 'id="client-payments"' not in page
    assert f"client-order-{order.pk}" not in page
    assert "Secret haircut" not in page
    assert f"/dashboard/alpha/payments/{order.pk}/" not in page


def test_only_this_clients_orders_of_this_salon(salon, other_salon, kati, owner_client):
    mine = make_order(salon, client=kati, description="Mine")
    someone_else = make_order(
        salon, client=ClientFactory(salon=salon), description="Someone else's"
    )
    no_client = make_order(salon, description="Walk-in")
    other_client = ClientFactory(salon=other_salon, email="kati@x.test")
    theirs = make_order(other_salon, client=other_client, total="99.00", description="Theirs")
    page = text(owner_client.get(page_url(kati)))
    assert f'id="client-order-{mine.pk}"' in page
    for order in (someone_else, no_client, theirs):
        assert f'id="client-order-{order.pk}"' not in page
    assert "Theirs" not in page and "Someone else" not in page
    assert 'data-total="count">1<' in page
    # and another salon's client is not reachable through this salon at all
    assert owner_client.get(page_url(other_client)).status_code == 404


def test_no_orders_says_so(salon, kati, owner_client):
    page = text(owner_client.get(page_url(kati)))
    assert 'id="client-payments"' in page
    assert "No payments yet." in page


def test_only_the_latest_orders_are_listed(salon, kati, owner_client):
    now = timezone.now()
    orders = [
        make_order(salon, client=kati, created_at=now - dt.timedelta(days=i))
        for i in range(ORDERS_SHOWN + 2)
    ]
    page = text(owner_client.get(page_url(kati)))
    for order in orders[:ORDERS_SHOWN]:
        assert f'id="client-order-{order.pk}"' in page
    for order in orders[ORDERS_SHOWN:]:
        assert f'id="client-order-{order.pk}"' not in page
    assert f"The latest {ORDERS_SHOWN} of {ORDERS_SHOWN + 2} orders." in page
    assert f'data-total="count">{ORDERS_SHOWN + 2}<' in page


def _queries(http: HttpClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert http.get(url).status_code == 200
    return len(captured)


def test_the_page_costs_the_same_queries_for_one_and_many_orders(
    salon, kati, owner_client, django_assert_max_num_queries
):
    make_order(salon, client=kati, extra_kinds=(OrderItem.Kind.PACKAGE,))
    few = _queries(owner_client, page_url(kati))
    for i in range(25):
        make_order(
            salon,
            client=kati,
            status=Order.Status.REFUNDED if i % 2 else Order.Status.PAID,
            refunded="40.00" if i % 2 else "0.00",
            extra_kinds=(OrderItem.Kind.PACKAGE, OrderItem.Kind.GIFT_CARD),
        )
    with django_assert_max_num_queries(few):
        response = owner_client.get(page_url(kati))
    assert text(response).count('id="client-order-') == ORDERS_SHOWN
