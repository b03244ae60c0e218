"""payments.selectors: the orders list's filters (dates in the salon's time zone), totals
computed by the database, tenant scoping, flat query counts, what is left to refund, and
the bookings offered to "Record payment at the salon"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from bookings.models import Appointment
from bookings.tests.conftest import shop  # noqa: F401 - a bookable location
from payments import selectors
from payments.models import OrderItem
from payments.selectors import OrderFilters, ProviderFilter
from tests.factories import ClientFactory

from .surfaces import make_appointment, make_order, tallinn


@pytest.fixture
def clients(salon):
    return {
        "kati": ClientFactory(
            salon=salon, first_name="Kati", last_name="Tamm", email="kati@x.test"
        ),
        "mari": ClientFactory(salon=salon, first_name="Mari", last_name="Mets", email="mm@y.test"),
    }


def ids(qs) -> list[int]:
    return [order.pk for order in qs]


def test_list_is_the_salons_orders_newest_first(salon, other_salon):
    old = make_order(salon, created_at=timezone.now() - dt.timedelta(days=2))
    new = make_order(salon)
    make_order(other_salon)

    assert ids(selectors.order_list(salon=salon)) == [new.pk, old.pk]


def test_filter_by_status_provider_and_kind(salon):
    paid_online = make_order(salon, status="paid", provider="stripe", kind="deposit")
    pending_online = make_order(salon, status="pending", provider="stripe", kind="booking")
    at_salon = make_order(salon, status="paid", provider="pay_at_salon", kind="package")
    card = make_order(
        salon, status="paid", provider="stripe", kind="gift_card", extra_kinds=("package",)
    )

    def found(**kwargs) -> set[int]:
        return set(ids(selectors.order_list(salon=salon, filters=OrderFilters(**kwargs))))

    assert found(status="pending") == {pending_online.pk}
    assert found(provider=ProviderFilter.AT_SALON) == {at_salon.pk}
    assert found(provider=ProviderFilter.ONLINE) == {paid_online.pk, pending_online.pk, card.pk}
    assert found(kind=OrderItem.Kind.PACKAGE) == {at_salon.pk, card.pk}
    assert found(kind=OrderItem.Kind.DEPOSIT, status="paid") == {paid_online.pk}
    # An order with two items of the kind asked for is listed once.
    assert ids(selectors.order_list(salon=salon, filters=OrderFilters(kind="gift_card"))) == [
        card.pk
    ]


def test_date_range_is_the_salons_local_dates(salon):
    day = dt.date(2026, 11, 10)
    # 23:30 in Tallinn on the 10th is 21:30 UTC: the 10th for the salon.
    late = make_order(salon, created_at=tallinn(day, 23, 30))
    # 00:30 in Tallinn on the 11th is 22:30 UTC on the 10th: the 11th for the salon.
    after_midnight = make_order(salon, created_at=tallinn(day + dt.timedelta(days=1), 0, 30))
    before = make_order(salon, created_at=tallinn(day - dt.timedelta(days=1), 12))

    only_10th = OrderFilters(date_from=day, date_to=day)
    assert ids(selectors.order_list(salon=salon, filters=only_10th)) == [late.pk]
    from_11th = OrderFilters(date_from=day + dt.timedelta(days=1))
    assert ids(selectors.order_list(salon=salon, filters=from_11th)) == [after_midnight.pk]
    until_9th = OrderFilters(date_to=day - dt.timedelta(days=1))
    assert ids(selectors.order_list(salon=salon, filters=until_9th)) == [before.pk]


def test_client_search_by_name_or_email(salon, clients):
    kati = make_order(salon, client=clients["kati"])
    mari = make_order(salon, client=clients["mari"])
    make_order(salon)  # no client

    def found(text: str) -> set[int]:
        return set(ids(selectors.order_list(salon=salon, filters=OrderFilters(client=text))))

    assert found("kati") == {kati.pk}
    assert found("METS") == {mari.pk}
    assert found("y.test") == {mari.pk}
    assert found("kati tamm") == {kati.pk}
    assert found("kati mets") == set()
    assert found("a\x00") == {kati.pk, mari.pk}  # NUL dropped, not a database error


def test_totals_of_the_filtered_set(salon, other_salon):
    make_order(salon, status="paid", total="40.00")
    make_order(salon, status="partly_refunded", total="60.00", refunded="15.50")
    make_order(salon, status="refunded", total="25.00", refunded="25.00")
    make_order(salon, status="paid", provider="pay_at_salon", total="10.00")
    make_order(salon, status="pending", total="99.00")
    make_order(salon, status="cancelled", total="77.00")
    make_order(salon, status="failed", total="33.00")
    make_order(other_salon, status="paid", total="1000.00")

    totals = selectors.order_totals(salon=salon)

    assert totals.count == 7
    assert totals.paid == Decimal("135.00")
    assert totals.refunded == Decimal("40.50")
    assert totals.net == Decimal("94.50")
    assert isinstance(totals.paid, Decimal)

    at_salon = selectors.order_totals(
        salon=salon, filters=OrderFilters(provider=ProviderFilter.AT_SALON)
    )
    assert (at_salon.count, at_salon.paid, at_salon.refunded, at_salon.net) == (
        1,
        Decimal("10.00"),
        Decimal("0.00"),
        Decimal("10.00"),
    )


def test_totals_of_nothing_are_zero(salon):
    totals = selectors.order_totals(salon=salon, filters=OrderFilters(status="paid"))
    assert totals == selectors.OrderTotals(
        count=0, paid=Decimal("0.00"), refunded=Decimal("0.00"), net=Decimal("0.00")
    )


def test_totals_are_one_query(salon, django_assert_num_queries):
    for _ in range(5):
        make_order(salon)
    with django_assert_num_queries(1):
        selectors.order_totals(salon=salon, filters=OrderFilters(kind="booking", client="x"))


@pytest.mark.parametrize("count", [1, 30])
def test_list_query_count_is_flat(salon, clients, count, django_assert_max_num_queries):
    for index in range(count):
        make_order(salon, client=clients["kati"] if index % 2 else None)
    with django_assert_max_num_queries(2):
        rows = list(selectors.order_list(salon=salon))
        for order in rows:
            _ = order.client.full_name if order.client else ""
            _ = [item.kind for item in order.items.all()]
    assert len(rows) == count


def test_order_get_is_404_for_another_salons_order(salon, other_salon):
    from django.http import Http404

    theirs = make_order(other_salon)
    with pytest.raises(Http404):
        selectors.order_get(salon=salon, order_id=theirs.pk)
    with pytest.raises(Http404):
        selectors.order_get(salon=salon, order_id="garbage")


def test_refundable(salon):
    assert selectors.order_refundable(make_order(salon, status="paid")) == Decimal("40.00")
    partly = make_order(salon, status="partly_refunded", total="60.00", refunded="15.50")
    assert selectors.order_refundable(partly) == Decimal("44.50")
    refunded = make_order(salon, status="refunded", total="25.00", refunded="25.00")
    assert selectors.order_refundable(refunded) == Decimal("0.00")
    assert selectors.order_refundable(make_order(salon, status="pending")) == Decimal("0.00")


def test_bookings_to_record_paid(shop, other_salon):  # noqa: F811
    salon = shop["salon"]
    client = ClientFactory(salon=salon, first_name="Kati")
    today = timezone.localdate(timezone.now(), salon.tzinfo)
    at = [tallinn(today - dt.timedelta(days=days), 10) for days in range(4)]
    unpaid = make_appointment(shop, client, starts_at=at[0])
    deposit_paid = make_appointment(shop, client, starts_at=at[1])
    make_order(salon, status="paid", kind="deposit", total="10.00", appointment=deposit_paid)
    paid_online = make_appointment(shop, client, starts_at=at[2])
    make_order(salon, status="paid", kind="booking", appointment=paid_online)
    recorded = make_appointment(shop, client, starts_at=at[3])
    make_order(salon, status="paid", provider="pay_at_salon", appointment=recorded)
    make_appointment(shop, client, starts_at=tallinn(today + dt.timedelta(days=1), 10))
    make_appointment(shop, client, starts_at=tallinn(today - dt.timedelta(days=30), 10))
    make_appointment(
        shop, client, starts_at=tallinn(today, 14), status=Appointment.Status.CANCELLED
    )
    cancelled_record = make_appointment(shop, client, starts_at=tallinn(today, 12))
    make_order(salon, status="cancelled", provider="pay_at_salon", appointment=cancelled_record)

    found = [a.pk for a in selectors.appointments_to_record_paid(salon=salon)]

    assert found == [cancelled_record.pk, unpaid.pk, deposit_paid.pk]
    assert not selectors.appointments_to_record_paid(salon=other_salon)
