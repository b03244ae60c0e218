"""Refund visibility (issue 17 follow-up): the totals count as "refunded" only refunds that
went back (SUCCEEDED); refunds pending at the provider or failed there are shown apart
(`refund_pending`), on the order's page and in the owner API with their status, attempts and
the provider's last error (failed ones) — while the refund services keep them reserved, so
they can never be refunded twice."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from payments import selectors
from payments.models import Order, Payment, Refund
from payments.services.refunds import WHOLE_PAYMENT_KEY_PREFIX, refund_create
from tests.factories import ClientFactory

from .surfaces import make_order

API = "/api/v1/salons/alpha/payments/"
DASHBOARD = "/dashboard/alpha/payments/"
_keys = itertools.count(1)


def add_refund(order: Order, amount: str, status: str, **kwargs: Any) -> Refund:
    """A refund of the order's (first) payment, counted in the order's figures unless its key
    marks a payment given back whole."""
    payment = Payment.objects.filter(order=order).first()
    assert payment is not None
    amount_ = Decimal(amount)
    key = kwargs.pop("idempotency_key", f"vis-{next(_keys)}")
    refund = Refund.objects.create(
        salon=order.salon,
        payment=payment,
        amount=amount_,
        status=status,
        reason=Refund.Reason.SALON,
        idempotency_key=key,
        **kwargs,
    )
    Payment.objects.filter(pk=payment.pk).update(amount_refunded=payment.amount_refunded + amount_)
    if not key.startswith(WHOLE_PAYMENT_KEY_PREFIX):
        Order.objects.filter(pk=order.pk).update(
            amount_refunded=order.amount_refunded + amount_, status="partly_refunded"
        )
        order.refresh_from_db()
    return refund


@pytest.fixture
def orders(salon) -> dict[str, Order]:
    kati = ClientFactory(salon=salon, first_name="Kati", email="kati@x.test")
    mixed = make_order(salon, client=kati, status="paid", total="60.00")
    add_refund(mixed, "10.00", Refund.Status.SUCCEEDED, attempts=1)
    add_refund(mixed, "5.00", Refund.Status.PENDING)
    add_refund(
        mixed,
        "7.00",
        Refund.Status.FAILED,
        attempts=3,
        last_error="Your card was declined: charge_already_refunded",
    )
    # A duplicate payment given back whole: never part of the order's figures.
    plain = make_order(salon, client=kati, status="paid", total="40.00")
    Payment.objects.create(
        salon=salon,
        order=plain,
        provider="stripe",
        status="refunded",
        amount=Decimal("40.00"),
        currency=salon.currency,
    )
    duplicate = Payment.objects.filter(order=plain).order_by("-pk").first()
    assert duplicate is not None
    Refund.objects.create(
        salon=salon,
        payment=duplicate,
        amount=Decimal("40.00"),
        status=Refund.Status.SUCCEEDED,
        reason=Refund.Reason.HOLD_EXPIRED,
        idempotency_key=f"{WHOLE_PAYMENT_KEY_PREFIX}{duplicate.pk}",
    )
    return {"mixed": mixed, "plain": plain, "kati": kati}  # type: ignore[dict-item]


def test_totals_count_only_succeeded_refunds_and_show_the_rest_apart(salon, other_salon, orders):
    other = make_order(other_salon, status="paid", total="50.00")
    add_refund(other, "20.00", Refund.Status.PENDING)

    totals = selectors.order_totals(salon=salon)

    assert totals.count == 2
    assert totals.paid == Decimal("100.00")
    assert totals.refunded == Decimal("10.00")  # not 22.00 (what the order has reserved)
    assert totals.refund_pending == Decimal("12.00")
    assert totals.net == Decimal("90.00")
    client_totals = selectors.client_order_totals(salon=salon, client=orders["kati"])
    assert (client_totals.refunded, client_totals.refund_pending) == (
        Decimal("10.00"),
        Decimal("12.00"),
    )


def test_totals_stay_one_query(salon, orders, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.order_totals(salon=salon)


def test_list_rows_carry_what_went_back_and_what_did_not_yet(salon, orders):
    rows = {order.pk: order for order in selectors.order_list(salon=salon)}
    mixed = rows[orders["mixed"].pk]
    assert (mixed.refunds_done, mixed.refunds_open) == (Decimal("10.00"), Decimal("12.00"))
    plain = rows[orders["plain"].pk]
    assert (plain.refunds_done, plain.refunds_open) == (Decimal("0.00"), Decimal("0.00"))


def test_refund_summary_of_one_order(salon, orders):
    order = selectors.order_get(salon=salon, order_id=orders["mixed"].pk)
    assert selectors.order_refund_summary(order) == selectors.RefundSummary(
        refunded=Decimal("10.00"), pending=Decimal("5.00"), failed=Decimal("7.00")
    )


def test_pending_and_failed_refunds_stay_reserved_in_the_service(salon, orders, owner):
    # 60.00 paid, 22.00 asked for (10 back, 5 pending, 7 failed): at most 38.00 is left
    with pytest.raises(ValidationError) as refused:
        refund_create(
            salon=salon, order_id=orders["mixed"].pk, amount=Decimal("38.01"), actor=owner
        )
    assert "amount" in refused.value.message_dict
    assert selectors.order_refundable(orders["mixed"]) == Decimal("38.00")


def test_the_order_page_shows_each_refunds_status_attempts_and_error(salon, orders, owner_client):
    html = owner_client.get(f"{DASHBOARD}{orders['mixed'].pk}/").content.decode()
    assert 'data-refunds="succeeded"' in html and 'data-refunds="pending"' in html
    assert 'data-refunds="failed"' in html
    assert 'data-refund-status="succeeded"' in html
    assert 'data-refund-status="pending"' in html
    assert 'data-refund-status="failed"' in html
    assert "charge_already_refunded" in html
    assert "3 attempts" in html and "1 attempt" in html


def test_the_list_page_says_refunded_only_for_money_that_went_back(salon, orders, owner_client):
    html = owner_client.get(DASHBOARD).content.decode()
    assert 'data-total="refund_pending"' in html
    refunded = html.split('data-total="refunded">', 1)[1].split("<", 1)[0]
    assert "10" in refunded and "22" not in refunded


def test_staff_cannot_open_the_order_page(salon, orders, staff_user):
    from django.test import Client as HttpClient

    http = HttpClient()
    http.force_login(staff_user)
    response = http.get(f"{DASHBOARD}{orders['mixed'].pk}/")
    assert response.status_code in (403, 404)
    assert "charge_already_refunded" not in response.content.decode()


@pytest.fixture
def api(owner) -> APIClient:
    client = APIClient()
    client.force_authenticate(owner)
    return client


def test_the_api_order_detail_shows_refund_statuses(salon, orders, api):
    data = api.get(f"{API}orders/{orders['mixed'].pk}/").json()
    assert (data["refunds_succeeded"], data["refunds_pending"], data["refunds_failed"]) == (
        "10.00",
        "5.00",
        "7.00",
    )
    refunds = {r["status"]: r for r in data["payments"][0]["refunds"]}
    assert set(refunds) == {"succeeded", "pending", "failed"}
    assert refunds["failed"]["attempts"] == 3
    assert "charge_already_refunded" in refunds["failed"]["last_error"]
    assert refunds["pending"]["last_error"] == "" and refunds["succeeded"]["attempts"] == 1
    assert refunds["failed"]["status_label"] == "Failed"


def test_the_api_totals_count_only_succeeded_refunds(salon, orders, api):
    data = api.get(f"{API}orders/totals/").json()
    assert (data["refunded"], data["refund_pending"], data["net"]) == ("10.00", "12.00", "90.00")


def test_the_api_order_detail_is_404_for_another_salon_and_403_for_staff(
    salon, other_salon, orders, api, staff_user
):
    theirs = make_order(other_salon, status="paid")
    assert api.get(f"{API}orders/{theirs.pk}/").status_code == 404
    staff = APIClient()
    staff.force_authenticate(staff_user)
    assert staff.get(f"{API}orders/{orders['mixed'].pk}/").status_code == 403


def test_a_second_payment_given_back_whole_is_not_counted_as_refunded(salon):
    from payments.services.orders import order_payment_paid

    order = make_order(salon, status="paid", total="40.00")
    second = Payment.objects.create(
        salon=salon,
        order=order,
        provider="stripe",
        status="pending",
        amount=Decimal("40.00"),
        currency=salon.currency,
    )
    outcome = order_payment_paid(
        payment_id=second.pk, salon_id=salon.pk, amount_minor=4000, currency="eur"
    )
    assert outcome.outcome == "refunding"
    refund = Refund.objects.get(payment=second)
    assert refund.idempotency_key == f"{WHOLE_PAYMENT_KEY_PREFIX}{second.pk}"
    Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.SUCCEEDED)
    totals = selectors.order_totals(salon=salon)
    assert (totals.paid, totals.refunded, totals.refund_pending, totals.net) == (
        Decimal("40.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("40.00"),
    )
