"""The payments pages of the owner dashboard: the orders list (filters, totals, pages, flat
query counts), an order's page and its actions (mark paid, cancel, refund), "Record payment
at the salon", and the settings with the per-service prepayment table — good and bad input
side by side, owners and managers only (staff 403, not in their navigation), another salon's
ids 404."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from bookings.tests.conftest import shop  # noqa: F401 - a bookable location
from payments.models import Order, Payment, PaymentSettings, Refund, ServicePayment
from tests.factories import ClientFactory, ServiceFactory

from .surfaces import make_appointment, make_order, tallinn

BASE = "/dashboard/alpha/payments/"


@pytest.fixture
def staff_client(staff_user) -> HttpClient:
    http = HttpClient()
    http.force_login(staff_user)
    return http


@pytest.fixture
def kati(salon):
    return ClientFactory(salon=salon, first_name="Kati", last_name="Tamm", email="kati@x.test")


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


# --- Access ---------------------------------------------------------------------------------


def test_every_page_is_for_owners_and_managers_only(salon, staff_client, owner_client):
    order = make_order(salon)
    service = ServiceFactory(salon=salon)
    pages = [BASE, f"{BASE}{order.pk}/", f"{BASE}record/", f"{BASE}settings/"]
    for url in pages:
        assert staff_client.get(url).status_code == 403, url
        assert owner_client.get(url).status_code == 200, url
    posts = [
        f"{BASE}{order.pk}/mark-paid/",
        f"{BASE}{order.pk}/cancel/",
        f"{BASE}{order.pk}/refund/",
        f"{BASE}record/",
        f"{BASE}settings/",
        f"{BASE}settings/services/{service.pk}/",
    ]
    for url in posts:
        assert staff_client.post(url, {}).status_code == 403, url
    order.refresh_from_db()
    assert order.status == "paid"


def test_the_navigation_shows_payments_to_owners_not_staff(salon, owner_client, staff_client):
    owner_page = owner_client.get("/dashboard/alpha/")
    assert f'href="{BASE}"' in owner_page.content.decode()
    staff_page = staff_client.get("/dashboard/alpha/")
    assert staff_page.status_code == 200
    assert f'href="{BASE}"' not in staff_page.content.decode()


def test_another_salons_order_is_404(salon, other_salon, owner_client):
    theirs = make_order(other_salon, status="pending", provider="pay_at_salon")
    assert owner_client.get(f"{BASE}{theirs.pk}/").status_code == 404
    for action in ("mark-paid", "cancel", "refund"):
        assert owner_client.post(f"{BASE}{theirs.pk}/{action}/", {}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "pending"


def test_a_stranger_to_the_salon_gets_404(salon, other_owner_client):
    assert other_owner_client.get(BASE).status_code == 404


# --- List -----------------------------------------------------------------------------------


def test_list_shows_orders_and_totals_in_the_salons_money(salon, owner_client, kati, other_salon):
    make_order(salon, client=kati, status="paid", total="1234.50", description="Balayage")
    make_order(salon, status="partly_refunded", total="60.00", refunded="10.00")
    make_order(salon, status="pending", total="99.00")
    make_order(other_salon, status="paid", total="5555.00", description="Theirs")

    response = owner_client.get(BASE)

    assert response.status_code == 200
    page = text(response)
    assert "Kati Tamm" in page and "Balayage" in page and "Theirs" not in page
    assert 'data-total="paid">€1,294.50<' in page
    assert 'data-total="refunded">€10.00<' in page
    assert 'data-total="net">€1,284.50<' in page
    assert 'data-total="count">3<' in page


def test_money_is_formatted_in_the_dashboards_language(salon, owner, owner_client):
    owner.language = "et"
    owner.save()
    make_order(salon, status="paid", total="1234.50")
    page = text(owner_client.get(BASE))
    assert 'data-total="paid">1 234,50 €<' in page


def test_filters_narrow_the_list_and_the_totals(salon, owner_client, kati):
    make_order(salon, client=kati, status="paid", provider="pay_at_salon", total="10.00")
    make_order(salon, status="paid", provider="stripe", kind="deposit", total="15.00")
    make_order(salon, status="pending", total="20.00")

    response = owner_client.get(BASE, {"provider": "at_salon"})
    assert response.context["totals"].paid == Decimal("10.00")
    assert len(response.context["page_obj"].object_list) == 1

    response = owner_client.get(BASE, {"kind": "deposit", "status": "paid"})
    assert response.context["totals"].count == 1
    assert response.context["totals"].paid == Decimal("15.00")

    response = owner_client.get(BASE, {"client": "kati@x"})
    assert response.context["totals"].count == 1

    today = timezone.localdate(timezone.now(), salon.tzinfo)
    response = owner_client.get(BASE, {"date_from": (today + dt.timedelta(days=1)).isoformat()})
    assert response.context["totals"].count == 0
    assert "No orders match these filters." in text(response)


@pytest.mark.parametrize(
    "params, field",
    [
        ({"status": "stolen"}, "status"),
        ({"provider": "bitcoin"}, "provider"),
        ({"kind": "car"}, "kind"),
        ({"date_from": "2026-02-30"}, "date_from"),
        ({"date_to": "yesterday"}, "date_to"),
        ({"date_from": "1500-01-01"}, "date_from"),
        ({"date_from": "2026-03-10", "date_to": "2026-03-01"}, "date_to"),
        ({"client": "x" * 101}, "client"),
    ],
)
def test_bad_filters_are_form_errors_not_a_500(salon, owner_client, params, field):
    make_order(salon)
    response = owner_client.get(BASE, params)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "Some filters are not right" in text(response)
    # The invalid filter is left out: the list still shows the orders.
    assert response.context["totals"].count == 1


def test_pages_keep_the_filters(salon, owner_client):
    for _ in range(27):
        make_order(salon, status="paid")
    make_order(salon, status="pending")
    response = owner_client.get(BASE, {"status": "paid"})
    assert len(response.context["page_obj"].object_list) == 25
    assert "?status=paid&amp;page=2" in response.content.decode()
    second = owner_client.get(BASE, {"status": "paid", "page": "2"})
    assert len(second.context["page_obj"].object_list) == 2
    assert owner_client.get(BASE, {"page": "garbage"}).status_code == 200


@pytest.mark.parametrize("count", [1, 30])
def test_list_query_count_is_flat(salon, owner_client, kati, count, django_assert_max_num_queries):
    for index in range(count):
        make_order(
            salon, client=kati if index % 2 else None, extra_kinds=("package",) if index else ()
        )
    with django_assert_max_num_queries(12):
        response = owner_client.get(BASE, {"kind": "booking"})
    assert response.status_code == 200


def test_list_queries_do_not_grow_with_the_rows(
    salon, owner_client, kati, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_order(salon, client=kati)
    with CaptureQueriesContext(connection) as one:
        owner_client.get(BASE)
    for _ in range(24):
        make_order(salon, client=kati, extra_kinds=("gift_card",))
    with CaptureQueriesContext(connection) as many:
        owner_client.get(BASE)
    assert len(many) == len(one)


# --- Detail and actions ---------------------------------------------------------------------


def test_detail_shows_items_payments_refunds_client_and_booking(shop, owner_client):  # noqa: F811
    salon = shop["salon"]
    client = ClientFactory(salon=salon, first_name="Kati", last_name="Tamm")
    appointment = make_appointment(
        shop, client, starts_at=tallinn(timezone.localdate() + dt.timedelta(days=2), 10)
    )
    order = make_order(
        salon,
        client=client,
        status="partly_refunded",
        total="40.00",
        refunded="5.00",
        appointment=appointment,
        description="Haircut with Anna",
    )

    response = owner_client.get(f"{BASE}{order.pk}/")

    page = text(response)
    assert "Haircut with Anna" in page and "Kati Tamm" in page
    assert "Partly refunded" in page and "Refunded by the salon" in page
    assert "−€5.00" in page
    assert f"location={shop['location'].pk}" in page and "view=day" in page
    assert "Up to €35.00 can be refunded." in page
    assert response.context["refund_form"].initial["amount"] == Decimal("35.00")
    assert "Mark paid" not in page and "Cancel order" not in page


def test_mark_paid_a_pending_order_at_the_salon(salon, owner_client, owner):
    order = make_order(salon, status="pending", provider="pay_at_salon", total="30.00")
    page = text(owner_client.get(f"{BASE}{order.pk}/"))
    assert "Mark paid" in page and "data-confirm" in page

    response = owner_client.post(f"{BASE}{order.pk}/mark-paid/", follow=True)

    order.refresh_from_db()
    assert order.status == "paid"
    assert "The order is marked paid." in messages_of(response)
    payment = Payment.objects.get(order=order)
    assert (payment.provider, payment.status, payment.amount) == (
        "pay_at_salon",
        "paid",
        Decimal("30.00"),
    )


def test_mark_paid_refuses_an_online_order(salon, owner_client):
    order = make_order(salon, status="pending", provider="stripe")
    response = owner_client.post(f"{BASE}{order.pk}/mark-paid/", follow=True)
    order.refresh_from_db()
    assert order.status == "pending"
    assert any("paid online" in message for message in messages_of(response))


def test_mark_paid_needs_post(salon, owner_client):
    order = make_order(salon, status="pending", provider="pay_at_salon")
    assert owner_client.get(f"{BASE}{order.pk}/mark-paid/").status_code == 405
    order.refresh_from_db()
    assert order.status == "pending"


def test_cancel_a_pending_order(salon, owner_client):
    order = make_order(salon, status="pending", provider="stripe")
    response = owner_client.post(f"{BASE}{order.pk}/cancel/", follow=True)
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert "The order is cancelled." in messages_of(response)


def test_cancel_refuses_a_paid_order(salon, owner_client):
    order = make_order(salon, status="paid", provider="stripe")
    response = owner_client.post(f"{BASE}{order.pk}/cancel/", follow=True)
    order.refresh_from_db()
    assert order.status == "paid"
    assert messages_of(response)  # the service's reason


def refund_token() -> str:
    return "t" * 24


def test_refund_everything_left_by_default(salon, owner_client):
    order = make_order(salon, status="paid", provider="pay_at_salon", total="40.00")
    response = owner_client.post(
        f"{BASE}{order.pk}/refund/", {"amount": "", "token": refund_token()}, follow=True
    )
    order.refresh_from_db()
    assert order.amount_refunded == Decimal("40.00")
    assert order.status == "refunded"
    assert "Refunded €40.00." in messages_of(response)


def test_refund_a_part(salon, owner_client, owner):
    order = make_order(salon, status="paid", provider="pay_at_salon", total="40.00")
    owner_client.post(f"{BASE}{order.pk}/refund/", {"amount": "12.50", "token": refund_token()})
    order.refresh_from_db()
    assert order.amount_refunded == Decimal("12.50")
    assert order.status == "partly_refunded"
    refund = Refund.objects.get(payment__order=order)
    assert (refund.amount, refund.reason, refund.created_by) == (Decimal("12.50"), "salon", owner)


def test_the_same_refund_form_sent_twice_refunds_once(salon, owner_client):
    order = make_order(salon, status="paid", provider="pay_at_salon", total="40.00")
    body = {"amount": "10.00", "token": refund_token()}
    owner_client.post(f"{BASE}{order.pk}/refund/", body)
    response = owner_client.post(f"{BASE}{order.pk}/refund/", body, follow=True)
    order.refresh_from_db()
    assert order.amount_refunded == Decimal("10.00")
    assert Refund.objects.filter(payment__order=order).count() == 1
    assert "This refund was already made." in messages_of(response)
    # A new form (a new token) refunds again.
    owner_client.post(f"{BASE}{order.pk}/refund/", {"amount": "10.00", "token": "u" * 24})
    order.refresh_from_db()
    assert order.amount_refunded == Decimal("20.00")


@pytest.mark.parametrize(
    "amount, message",
    [
        ("-5", "greater than or equal to 0.01"),
        ("0", "greater than or equal to 0.01"),
        ("40.01", "At most"),
        ("abc", "Enter a number."),
        ("1.234", "no more than 2 decimal places"),
        ("1e400", "less than or equal to"),
        ("NaN", "Enter a number."),
        ("100000000", "less than or equal to"),
    ],
)
def test_bad_refund_amounts_are_form_errors(salon, owner_client, amount, message):
    order = make_order(salon, status="paid", provider="pay_at_salon", total="40.00")
    response = owner_client.post(
        f"{BASE}{order.pk}/refund/", {"amount": amount, "token": refund_token()}
    )
    assert response.status_code == 200
    errors = " ".join(response.context["refund_form"].errors.get("amount", []))
    assert message in errors, errors
    order.refresh_from_db()
    assert order.amount_refunded == Decimal("0.00")
    assert not Refund.objects.filter(payment__order=order).exists()


def test_refund_of_an_unpaid_order_is_refused(salon, owner_client):
    order = make_order(salon, status="pending", provider="pay_at_salon")
    response = owner_client.post(f"{BASE}{order.pk}/refund/", {"token": refund_token()})
    assert response.status_code == 200
    assert response.context["refund_form"].errors
    order.refresh_from_db()
    assert order.status == "pending"


def test_bad_refund_token_is_a_form_error(salon, owner_client):
    order = make_order(salon, status="paid", provider="pay_at_salon")
    response = owner_client.post(f"{BASE}{order.pk}/refund/", {"token": "../../x"})
    assert response.status_code == 200
    assert "token" in response.context["refund_form"].errors
    order.refresh_from_db()
    assert order.amount_refunded == Decimal("0.00")


# --- Record payment at the salon ------------------------------------------------------------


@pytest.fixture
def booking(shop):  # noqa: F811
    client = ClientFactory(salon=shop["salon"], first_name="Kati", last_name="Tamm")
    today = timezone.localdate(timezone.now(), shop["salon"].tzinfo)
    return make_appointment(shop, client, starts_at=tallinn(today, 10))


def test_record_a_booking_paid_at_the_salon(booking, owner_client, owner):
    page = owner_client.get(f"{BASE}record/")
    assert "Kati Tamm" in text(page)
    response = owner_client.post(f"{BASE}record/", {"appointment": booking.pk, "amount": ""})
    order = Order.objects.get(appointment=booking)
    assert response.status_code == 302 and response["Location"] == f"{BASE}{order.pk}/"
    assert (order.provider, order.status, order.total, order.created_by) == (
        "pay_at_salon",
        "paid",
        booking.price,
        owner,
    )
    # Recorded: no longer offered, and a second record is refused.
    assert "Kati Tamm" not in text(owner_client.get(f"{BASE}record/"))
    again = owner_client.post(f"{BASE}record/", {"appointment": booking.pk, "amount": "5"})
    assert again.status_code == 200 and again.context["form"].errors
    assert Order.objects.filter(appointment=booking).count() == 1


def test_record_a_given_amount(booking, owner_client):
    owner_client.post(f"{BASE}record/", {"appointment": booking.pk, "amount": "12.30"})
    assert Order.objects.get(appointment=booking).total == Decimal("12.30")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"appointment": "", "amount": ""}, "appointment"),
        ({"appointment": "garbage"}, "appointment"),
        ({"appointment": "999999"}, "appointment"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "abc"}, "amount"),
    ],
)
def test_record_bad_input(booking, owner_client, body, field):
    body = {"appointment": booking.pk, **body}
    response = owner_client.post(f"{BASE}record/", body)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Order.objects.exists()


def test_record_refuses_another_salons_booking(booking, other_salon, owner_client, other_owner):
    # The other salon's owner cannot record Alpha's booking through Beta's page.
    http = HttpClient()
    http.force_login(other_owner)
    response = http.post("/dashboard/beta/payments/record/", {"appointment": booking.pk})
    assert response.status_code == 200
    assert "appointment" in response.context["form"].errors
    assert not Order.objects.exists()


# --- Settings -------------------------------------------------------------------------------


def settings_body(**changes: Any) -> dict[str, Any]:
    body = {"refund_policy": "deposit_kept", "hold_minutes": "15"}
    body.update(changes)
    return body


def test_settings_page_without_stripe_explains_and_disables_the_switch(salon, owner_client):
    response = owner_client.get(f"{BASE}settings/")
    page = text(response)
    assert "Online card payments are not set up on this site yet" in page
    assert response.context["form"].fields["online_payments_enabled"].disabled
    assert re.search(r'name="online_payments_enabled"[^>]*disabled', page)


def test_save_settings(salon, owner_client):
    response = owner_client.post(f"{BASE}settings/", settings_body())
    assert response.status_code == 302
    row = PaymentSettings.objects.get(salon=salon)
    assert (row.refund_policy, row.hold_minutes, row.online_payments_enabled) == (
        "deposit_kept",
        15,
        False,
    )


def test_switching_online_on_without_stripe_changes_nothing(salon, owner_client):
    owner_client.post(f"{BASE}settings/", settings_body(online_payments_enabled="on"))
    assert PaymentSettings.objects.get(salon=salon).online_payments_enabled is False


def test_switch_online_payments_on_with_stripe_configured(salon, owner_client, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    page = owner_client.get(f"{BASE}settings/")
    assert not page.context["form"].fields["online_payments_enabled"].disabled
    owner_client.post(f"{BASE}settings/", settings_body(online_payments_enabled="on"))
    assert PaymentSettings.objects.get(salon=salon).online_payments_enabled is True


def test_settings_still_save_after_the_stripe_keys_were_removed(salon, owner_client):
    PaymentSettings.objects.create(salon=salon, online_payments_enabled=True)
    response = owner_client.post(f"{BASE}settings/", settings_body(hold_minutes="20"))
    assert response.status_code == 302
    row = PaymentSettings.objects.get(salon=salon)
    assert (row.hold_minutes, row.online_payments_enabled) == (20, False)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"hold_minutes": "4"}, "hold_minutes"),
        ({"hold_minutes": "61"}, "hold_minutes"),
        ({"hold_minutes": "ten"}, "hold_minutes"),
        ({"hold_minutes": ""}, "hold_minutes"),
        ({"refund_policy": "everything"}, "refund_policy"),
    ],
)
def test_bad_settings_are_form_errors(salon, owner_client, changes, field):
    response = owner_client.post(f"{BASE}settings/", settings_body(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not PaymentSettings.objects.filter(salon=salon).exists()


def prepay(owner_client: HttpClient, service: Any, **fields: str) -> Any:
    body = {f"service-{service.pk}-{key}": value for key, value in fields.items()}
    return owner_client.post(f"{BASE}settings/services/{service.pk}/", body)


def test_set_each_kind_of_prepayment(salon, owner_client):
    service = ServiceFactory(salon=salon, name="Balayage", price=Decimal("120.00"))
    assert "Balayage" in text(owner_client.get(f"{BASE}settings/"))

    assert prepay(owner_client, service, prepayment="deposit_fixed", amount="20").status_code == 302
    rule = ServicePayment.objects.get(service=service)
    assert (rule.prepayment, rule.amount) == ("deposit_fixed", Decimal("20.00"))

    prepay(owner_client, service, prepayment="deposit_percent", amount="30")
    rule.refresh_from_db()
    assert (rule.prepayment, rule.amount) == ("deposit_percent", Decimal("30.00"))

    prepay(owner_client, service, prepayment="full", amount="30")
    rule.refresh_from_db()
    assert (rule.prepayment, rule.amount) == ("full", None)

    prepay(owner_client, service, prepayment="none")
    rule.refresh_from_db()
    assert rule.prepayment == "none"


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"prepayment": "deposit_percent", "amount": "0"}, "greater than or equal to 0.01"),
        ({"prepayment": "deposit_percent", "amount": "101"}, "A percentage is at most 100."),
        ({"prepayment": "deposit_fixed", "amount": ""}, "Enter the deposit."),
        ({"prepayment": "deposit_fixed", "amount": "-3"}, "greater than or equal to 0.01"),
        ({"prepayment": "deposit_fixed", "amount": "lots"}, "Enter a number."),
        ({"prepayment": "half", "amount": "5"}, "Select a valid choice."),
    ],
)
def test_bad_prepayments_are_form_errors(salon, owner_client, fields, message):
    service = ServiceFactory(salon=salon, name="Balayage")
    response = prepay(owner_client, service, **fields)
    assert response.status_code == 200
    row = next(r for r in response.context["service_rows"] if r["service"].pk == service.pk)
    assert message in " ".join(e for errors in row["form"].errors.values() for e in errors)
    assert message in text(response)
    assert not ServicePayment.objects.exists()


def test_another_salons_service_is_404(salon, other_salon, owner_client):
    theirs = ServiceFactory(salon=other_salon)
    assert prepay(owner_client, theirs, prepayment="full").status_code == 404
    assert not ServicePayment.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_refund_refunds_once(salon, owner):
    from tests.concurrency import race

    order = make_order(salon, status="paid", provider="pay_at_salon", total="40.00")
    browsers = []
    for _ in range(2):
        http = HttpClient()
        http.force_login(owner)
        browsers.append(http)
    body = {"amount": "10.00", "token": refund_token()}
    url = f"{BASE}{order.pk}/refund/"

    def click(http: HttpClient) -> None:
        assert http.post(url, body).status_code == 302

    outcomes = race([lambda: click(browsers[0]), lambda: click(browsers[1])])

    assert outcomes == ["ok", "ok"]
    order.refresh_from_db()
    assert order.amount_refunded == Decimal("10.00")
    assert Refund.objects.filter(payment__order=order).count() == 1
