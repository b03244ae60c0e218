"""Owner API of payments (`/api/v1/salons/<slug>/payments/…`): orders with filters and totals,
an order's detail and actions, recording a payment at the salon, settings and service
prepayments — exact answers, bad input next to the good case (400 per field, nothing
written), owners and managers only (staff 403, reading too), other salons 404, flat query
counts, and the paths in the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from bookings.tests.conftest import shop  # noqa: F401 - a bookable location
from payments.models import Order, PaymentSettings, Refund, ServicePayment
from tests.factories import ClientFactory, ServiceFactory

from .surfaces import make_appointment, make_order, tallinn

BASE = "/api/v1/salons/alpha/payments/"


@pytest.fixture
def staff_api(staff_user) -> APIClient:
    api = APIClient()
    api.force_authenticate(staff_user)
    return api


@pytest.fixture
def other_api(other_owner) -> APIClient:
    api = APIClient()
    api.force_authenticate(other_owner)
    return api


@pytest.fixture
def kati(salon):
    return ClientFactory(salon=salon, first_name="Kati", last_name="Tamm", email="kati@x.test")


# --- Access ---------------------------------------------------------------------------------


def every_endpoint(order: Order, service: Any) -> list[tuple[str, str]]:
    return [
        ("get", "orders/"),
        ("get", "orders/totals/"),
        ("get", f"orders/{order.pk}/"),
        ("post", f"orders/{order.pk}/mark-paid/"),
        ("post", f"orders/{order.pk}/cancel/"),
        ("post", f"orders/{order.pk}/refund/"),
        ("post", "record-at-salon/"),
        ("get", "settings/"),
        ("put", "settings/"),
        ("patch", "settings/"),
        ("get", "service-prepayments/"),
        ("get", f"service-prepayments/{service.pk}/"),
        ("put", f"service-prepayments/{service.pk}/"),
    ]


def test_staff_get_403_everywhere_reading_too(salon, staff_api):
    order = make_order(salon, status="pending", provider="pay_at_salon")
    service = ServiceFactory(salon=salon)
    for method, path in every_endpoint(order, service):
        response = getattr(staff_api, method)(f"{BASE}{path}", {}, format="json")
        assert response.status_code == 403, (method, path)
    order.refresh_from_db()
    assert order.status == "pending"


def test_non_members_get_404_and_anonymous_401(salon, other_api, api_client):
    order = make_order(salon)
    service = ServiceFactory(salon=salon)
    for method, path in every_endpoint(order, service):
        assert getattr(other_api, method)(f"{BASE}{path}", {}).status_code == 404, path
        assert getattr(api_client, method)(f"{BASE}{path}", {}).status_code == 401, path


def test_another_salons_ids_are_404(salon, other_salon, owner_api):
    theirs = make_order(other_salon, status="pending", provider="pay_at_salon")
    service = ServiceFactory(salon=other_salon)
    for path in ("", "mark-paid/", "cancel/", "refund/"):
        method = owner_api.get if not path else owner_api.post
        response = method(f"{BASE}orders/{theirs.pk}/{path}", {}, format="json")
        assert response.status_code == 404, path
    assert owner_api.get(f"{BASE}service-prepayments/{service.pk}/").status_code == 404
    put = owner_api.put(
        f"{BASE}service-prepayments/{service.pk}/", {"prepayment": "full"}, format="json"
    )
    assert put.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "pending"
    assert not ServicePayment.objects.exists()


# --- Orders ---------------------------------------------------------------------------------


def test_list_orders(salon, owner_api, kati, other_salon):
    order = make_order(salon, client=kati, status="paid", total="40.00", kind="deposit")
    make_order(other_salon)

    response = owner_api.get(f"{BASE}orders/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == order.pk
    assert row["status"] == "paid"
    assert row["provider"] == "stripe"
    assert row["client"] == kati.pk and row["client_name"] == "Kati Tamm"
    assert row["total"] == "40.00" and row["currency"] == "EUR"
    assert row["items"] == [
        {
            "id": order.items.get().pk,
            "kind": "deposit",
            "object_id": None,
            "description": "Haircut",
            "amount": "40.00",
        }
    ]


def test_filters_and_totals(salon, owner_api, kati):
    make_order(salon, client=kati, status="paid", provider="pay_at_salon", total="10.00")
    make_order(salon, status="partly_refunded", total="60.00", refunded="15.50", kind="package")
    make_order(salon, status="pending", total="20.00")

    totals = owner_api.get(f"{BASE}orders/totals/").json()
    assert totals == {
        "count": 3,
        "paid": "70.00",
        "refunded": "15.50",
        "net": "54.50",
        "refund_pending": "0.00",
        "currency": "EUR",
    }
    online = owner_api.get(f"{BASE}orders/totals/", {"provider": "online"}).json()
    assert (online["count"], online["paid"]) == (2, "60.00")
    assert owner_api.get(f"{BASE}orders/", {"kind": "package"}).json()["count"] == 1
    assert owner_api.get(f"{BASE}orders/", {"client": "tamm"}).json()["count"] == 1
    assert owner_api.get(f"{BASE}orders/", {"status": "pending"}).json()["count"] == 1
    today = timezone.localdate(timezone.now(), salon.tzinfo)
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert owner_api.get(f"{BASE}orders/", {"date_from": tomorrow}).json()["count"] == 0
    assert (
        owner_api.get(
            f"{BASE}orders/", {"date_from": today.isoformat(), "date_to": today.isoformat()}
        ).json()["count"]
        == 3
    )


@pytest.mark.parametrize("path", ["orders/", "orders/totals/"])
@pytest.mark.parametrize(
    "params, field",
    [
        ({"status": "stolen"}, "status"),
        ({"provider": "bitcoin"}, "provider"),
        ({"kind": "car"}, "kind"),
        ({"date_from": "2026-02-30"}, "date_from"),
        ({"date_to": "tomorrow"}, "date_to"),
        ({"date_from": "1999-12-31"}, "date_from"),
        ({"date_from": "2026-03-10", "date_to": "2026-03-01"}, "date_to"),
        ({"client": "x" * 101}, "client"),
    ],
)
def test_bad_filters_are_400_per_field(salon, owner_api, path, params, field):
    response = owner_api.get(f"{BASE}{path}", params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


@pytest.mark.parametrize("count", [1, 30])
def test_list_query_count_is_flat(salon, owner_api, kati, count, django_assert_max_num_queries):
    for index in range(count):
        make_order(salon, client=kati if index % 2 else None, extra_kinds=("gift_card",))
    with django_assert_max_num_queries(8):
        response = owner_api.get(f"{BASE}orders/")
    assert response.json()["count"] == count


def test_order_detail(shop, owner_api):  # noqa: F811
    salon = shop["salon"]
    client = ClientFactory(salon=salon)
    appointment = make_appointment(
        shop, client, starts_at=tallinn(timezone.localdate() + dt.timedelta(days=3), 10)
    )
    order = make_order(
        salon,
        client=client,
        status="partly_refunded",
        total="40.00",
        refunded="5.00",
        appointment=appointment,
    )

    body = owner_api.get(f"{BASE}orders/{order.pk}/").json()

    assert body["appointment"] == appointment.pk
    assert body["refundable"] == "35.00"
    assert len(body["payments"]) == 1
    payment = body["payments"][0]
    assert (payment["status"], payment["amount"], payment["amount_refunded"]) == (
        "partly_refunded",
        "40.00",
        "5.00",
    )
    assert payment["refunds"][0]["amount"] == "5.00"
    assert payment["refunds"][0]["reason"] == "salon"
    assert owner_api.get(f"{BASE}orders/999999/").status_code == 404


def test_mark_paid(salon, owner_api):
    order = make_order(salon, status="pending", provider="pay_at_salon", total="30.00")
    response = owner_api.post(f"{BASE}orders/{order.pk}/mark-paid/")
    assert response.status_code == 200
    assert response.json()["status"] == "paid"
    order.refresh_from_db()
    assert order.status == "paid"


def test_mark_paid_an_online_order_is_400(salon, owner_api):
    order = make_order(salon, status="pending", provider="stripe")
    response = owner_api.post(f"{BASE}orders/{order.pk}/mark-paid/")
    assert response.status_code == 400
    assert "order" in response.json()
    order.refresh_from_db()
    assert order.status == "pending"


def test_cancel(salon, owner_api):
    order = make_order(salon, status="pending", provider="stripe")
    response = owner_api.post(f"{BASE}orders/{order.pk}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_cancel_a_paid_order_is_400(salon, owner_api):
    order = make_order(salon, status="paid", provider="stripe")
    response = owner_api.post(f"{BASE}orders/{order.pk}/cancel/")
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == "paid"


def test_refund_all_and_part(salon, owner_api, owner):
    order = make_order(salon, status="paid", provider="pay_at_salon", total="40.00")
    part = owner_api.post(f"{BASE}orders/{order.pk}/refund/", {"amount": "15.00"}, format="json")
    assert part.status_code == 200
    assert (part.json()["status"], part.json()["refundable"]) == ("partly_refunded", "25.00")
    rest = owner_api.post(f"{BASE}orders/{order.pk}/refund/", {}, format="json")
    assert rest.status_code == 200
    assert (rest.json()["status"], rest.json()["amount_refunded"]) == ("refunded", "40.00")
    assert set(Refund.objects.values_list("created_by", flat=True)) == {owner.pk}
    nothing_left = owner_api.post(f"{BASE}orders/{order.pk}/refund/", {}, format="json")
    assert nothing_left.status_code == 400
    assert "amount" in nothing_left.json()


@pytest.mark.parametrize("amount", ["-5", "0", "40.01", "abc", "1.234", "1e400", "NaN", True])
def test_bad_refund_amounts_are_400(salon, owner_api, amount):
    order = make_order(salon, status="paid", provider="pay_at_salon", total="40.00")
    response = owner_api.post(f"{BASE}orders/{order.pk}/refund/", {"amount": amount}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["amount"]
    order.refresh_from_db()
    assert order.amount_refunded == Decimal("0.00")
    assert not Refund.objects.exists()


def test_a_retried_refund_with_the_same_idempotency_key_refunds_once(salon, owner_api):
    order = make_order(salon, status="paid", provider="pay_at_salon", total="40.00")
    url = f"{BASE}orders/{order.pk}/refund/"
    first = owner_api.post(url, {"amount": "15.00"}, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    again = owner_api.post(url, {"amount": "15.00"}, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["amount_refunded"] == "15.00"
    other = owner_api.post(url, {"amount": "5.00"}, format="json", HTTP_IDEMPOTENCY_KEY="r-2")
    assert other.json()["amount_refunded"] == "20.00"
    assert Refund.objects.count() == 2


@pytest.mark.parametrize("key", ["", "   ", "x" * 201, "a\x00b"])
def test_a_bad_idempotency_key_is_400(salon, owner_api, key):
    order = make_order(salon, status="paid", provider="pay_at_salon", total="40.00")
    response = owner_api.post(
        f"{BASE}orders/{order.pk}/refund/", {}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert response.status_code == 400
    assert list(response.json()) == ["Idempotency-Key"]
    assert not Refund.objects.exists()


def test_refund_an_unpaid_order_is_400(salon, owner_api):
    order = make_order(salon, status="pending", provider="pay_at_salon")
    response = owner_api.post(f"{BASE}orders/{order.pk}/refund/", {}, format="json")
    assert response.status_code == 400


# --- Record payment at the salon ------------------------------------------------------------


@pytest.fixture
def booking(shop):  # noqa: F811
    client = ClientFactory(salon=shop["salon"])
    today = timezone.localdate(timezone.now(), shop["salon"].tzinfo)
    return make_appointment(shop, client, starts_at=tallinn(today, 10))


def test_record_paid_at_salon(booking, owner_api):
    response = owner_api.post(f"{BASE}record-at-salon/", {"appointment": booking.pk}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["provider"], body["status"], body["total"]) == (
        "pay_at_salon",
        "paid",
        str(booking.price),
    )
    again = owner_api.post(
        f"{BASE}record-at-salon/", {"appointment": booking.pk, "amount": "5.00"}, format="json"
    )
    assert again.status_code == 400
    assert "appointment" in again.json()
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "appointment"),
        ({"appointment": "x"}, "appointment"),
        ({"appointment": 999999}, "appointment"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"amount": ""}, "amount"),
        ({"amount": "  "}, "amount"),
    ],
)
def test_record_bad_input(booking, owner_api, body, field):
    if field == "amount":
        body = {"appointment": booking.pk, **body}
    response = owner_api.post(f"{BASE}record-at-salon/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Order.objects.exists()


def test_record_another_salons_booking_is_400_like_unknown(booking, other_api):
    response = other_api.post(
        "/api/v1/salons/beta/payments/record-at-salon/", {"appointment": booking.pk}, format="json"
    )
    assert response.status_code == 400
    assert "appointment" in response.json()
    assert not Order.objects.exists()


# --- Settings -------------------------------------------------------------------------------


def test_settings_defaults_and_put(salon, owner_api):
    assert owner_api.get(f"{BASE}settings/").json() == {
        "online_payments_enabled": False,
        "refund_policy": "full",
        "hold_minutes": 10,
        "provider_configured": False,
    }
    body = {"online_payments_enabled": False, "refund_policy": "none", "hold_minutes": 20}
    response = owner_api.put(f"{BASE}settings/", body, format="json")
    assert response.status_code == 200
    assert response.json()["refund_policy"] == "none"
    row = PaymentSettings.objects.get(salon=salon)
    assert (row.refund_policy, row.hold_minutes) == ("none", 20)


def test_settings_patch_keeps_the_rest(salon, owner_api):
    owner_api.put(
        f"{BASE}settings/",
        {"online_payments_enabled": False, "refund_policy": "deposit_kept", "hold_minutes": 20},
        format="json",
    )
    response = owner_api.patch(f"{BASE}settings/", {"hold_minutes": 30}, format="json")
    assert response.status_code == 200
    assert (response.json()["refund_policy"], response.json()["hold_minutes"]) == (
        "deposit_kept",
        30,
    )


def test_switching_online_on_needs_stripe(salon, owner_api, settings):
    response = owner_api.patch(f"{BASE}settings/", {"online_payments_enabled": True}, format="json")
    assert response.status_code == 400
    assert "online_payments_enabled" in response.json()
    assert not PaymentSettings.objects.exists()

    settings.STRIPE_SECRET_KEY = "sk_test_x"
    response = owner_api.patch(f"{BASE}settings/", {"online_payments_enabled": True}, format="json")
    assert response.status_code == 200
    assert response.json()["online_payments_enabled"] is True
    assert response.json()["provider_configured"] is True


def test_settings_patch_after_the_stripe_keys_were_removed(salon, owner_api):
    PaymentSettings.objects.create(salon=salon, online_payments_enabled=True)
    response = owner_api.patch(f"{BASE}settings/", {"hold_minutes": 25}, format="json")
    assert response.status_code == 200
    assert (response.json()["hold_minutes"], response.json()["online_payments_enabled"]) == (
        25,
        False,
    )


@pytest.mark.parametrize(
    "body, field",
    [
        ({"hold_minutes": 4}, "hold_minutes"),
        ({"hold_minutes": 61}, "hold_minutes"),
        ({"hold_minutes": "ten"}, "hold_minutes"),
        ({"refund_policy": "all"}, "refund_policy"),
        ({"online_payments_enabled": "maybe"}, "online_payments_enabled"),
    ],
)
def test_bad_settings_are_400(salon, owner_api, body, field):
    response = owner_api.patch(f"{BASE}settings/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not PaymentSettings.objects.exists()


def test_settings_put_needs_every_field(salon, owner_api):
    response = owner_api.put(f"{BASE}settings/", {"hold_minutes": 20}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"online_payments_enabled", "refund_policy"}


# --- Service prepayments --------------------------------------------------------------------


def test_service_prepayments(salon, owner_api):
    cut = ServiceFactory(salon=salon, name="Cut")
    colour = ServiceFactory(salon=salon, name="Colour")
    ServicePayment.objects.create(
        salon=salon, service=colour, prepayment="deposit_percent", amount=Decimal("25")
    )

    rows = owner_api.get(f"{BASE}service-prepayments/").json()

    assert rows == [
        {
            "service": colour.pk,
            "service_name": "Colour",
            "prepayment": "deposit_percent",
            "amount": "25.00",
        },
        {"service": cut.pk, "service_name": "Cut", "prepayment": "none", "amount": None},
    ]
    one = owner_api.get(f"{BASE}service-prepayments/{cut.pk}/").json()
    assert one == {"service": cut.pk, "service_name": "Cut", "prepayment": "none", "amount": None}

    put = owner_api.put(
        f"{BASE}service-prepayments/{cut.pk}/",
        {"prepayment": "deposit_fixed", "amount": "15.00"},
        format="json",
    )
    assert put.status_code == 200
    assert put.json()["amount"] == "15.00"
    full = owner_api.put(
        f"{BASE}service-prepayments/{cut.pk}/",
        {"prepayment": "full", "amount": "15.00"},
        format="json",
    )
    assert full.json() == {
        "service": cut.pk,
        "service_name": "Cut",
        "prepayment": "full",
        "amount": None,
    }


@pytest.mark.parametrize(
    "body",
    [
        {"prepayment": "deposit_percent", "amount": "0"},
        {"prepayment": "deposit_percent", "amount": "101"},
        {"prepayment": "deposit_fixed"},
        {"prepayment": "deposit_fixed", "amount": None},
        {"prepayment": "deposit_fixed", "amount": "-2"},
        {"prepayment": "deposit_fixed", "amount": "abc"},
    ],
)
def test_bad_prepayment_amounts_are_400(salon, owner_api, body):
    service = ServiceFactory(salon=salon)
    response = owner_api.put(f"{BASE}service-prepayments/{service.pk}/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["amount"]
    assert not ServicePayment.objects.exists()


@pytest.mark.parametrize("body", [{}, {"prepayment": "half"}, {"prepayment": None}])
def test_bad_prepayment_kind_is_400(salon, owner_api, body):
    service = ServiceFactory(salon=salon)
    response = owner_api.put(f"{BASE}service-prepayments/{service.pk}/", body, format="json")
    assert response.status_code == 400
    assert "prepayment" in response.json()
    assert not ServicePayment.objects.exists()


# --- Schema ---------------------------------------------------------------------------------


def test_the_schema_lists_the_payments_api(db, client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = response.json()["paths"]
    prefix = "/api/v1/salons/{salon_slug}/payments/"
    assert set(paths) >= {
        f"{prefix}orders/",
        f"{prefix}orders/totals/",
        f"{prefix}orders/{{order_id}}/",
        f"{prefix}orders/{{order_id}}/mark-paid/",
        f"{prefix}orders/{{order_id}}/cancel/",
        f"{prefix}orders/{{order_id}}/refund/",
        f"{prefix}record-at-salon/",
        f"{prefix}settings/",
        f"{prefix}service-prepayments/",
        f"{prefix}service-prepayments/{{service_id}}/",
    }
    order_list = paths[f"{prefix}orders/"]["get"]
    assert {p["name"] for p in order_list["parameters"]} >= {
        "status",
        "provider",
        "kind",
        "date_from",
        "date_to",
        "client",
        "limit",
        "offset",
    }
