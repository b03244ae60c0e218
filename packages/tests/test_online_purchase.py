"""Packages bought online and paid by card (issue 17): the buy button makes a pending package
and an order and sends the client to the pay page; the package becomes active only when the
PACKAGE fulfilment's `on_paid` runs (once, whatever is delivered twice); an abandoned payment
lets the client buy again; without online payments the flow is the pay-at-the-salon one."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

import pytest
import stripe
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from rest_framework.test import APIClient

from bookings.models import Salon
from packages.models import ClientPackage
from packages.services.holdings import client_package_buy, client_package_mark_paid
from packages.services.online import client_package_buy_online
from payments.fulfilment import fulfilment_for
from payments.models import Order, OrderItem, Payment, PaymentSettings
from payments.services.orders import order_cancel, order_pay_path
from tests.factories import ClientFactory, SalonFactory, ServiceFactory, UserFactory

from .conftest import make_type, package_row_counts

PAGE = "/s/alpha/packages/"
MINE = "/s/alpha/my-packages/"
API = "/api/v1/public/alpha/packages/"
WEBHOOK_SECRET = "whsec_test_packages"


def online_on(settings: Any, salon: Salon) -> None:
    settings.STRIPE_SECRET_KEY = "sk_test_packages"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    PaymentSettings.objects.update_or_create(
        salon=salon, defaults={"online_payments_enabled": True}
    )


@pytest.fixture
def online(pkg, settings):
    online_on(settings, pkg["salon"])
    return pkg


@pytest.fixture
def visits(pkg):
    return make_type(pkg["salon"], [pkg["service"]], name="Five visits")


def buy_url(package_type: Any) -> str:
    return f"/s/alpha/packages/{package_type.pk}/buy/"


def only_item() -> OrderItem:
    return OrderItem.objects.get()


def pay(item: OrderItem) -> None:
    """What the payments core does when the order is paid."""
    fulfilment = fulfilment_for(OrderItem.Kind.PACKAGE)
    assert fulfilment is not None
    fulfilment.on_paid(item)


# --- Buying on the site -----------------------------------------------------------------


def test_buying_online_makes_a_pending_package_and_an_order_and_goes_to_the_pay_page(
    online, visits, kati_http
):
    page = kati_http.get(PAGE).content.decode()
    assert 'name="payment_method" value="online_card"' in page
    response = kati_http.post(buy_url(visits), {"payment_method": "online_card"})
    held = ClientPackage.objects.get()
    order = Order.objects.get()
    item = only_item()
    assert response.status_code == 303
    assert response["Location"] == order_pay_path(order) == f"/pay/{order.reference}/"
    assert (held.status, held.source, held.client) == ("pending", "purchase", online["client"])
    assert (order.status, order.provider, order.client, order.total, order.amount_online) == (
        "pending",
        "stripe",
        online["client"],
        Decimal("150.00"),
        Decimal("150.00"),
    )
    assert (item.kind, item.object_id, item.amount) == ("package", held.pk, Decimal("150.00"))
    assert Payment.objects.get().status == "pending"


def test_the_package_is_active_only_after_the_paid_fulfilment(online, visits, kati_http):
    kati_http.post(buy_url(visits), {"payment_method": "online_card"})
    held = ClientPackage.objects.get()
    assert held.status == "pending"
    assert "Continue to payment" in kati_http.get(MINE).content.decode()
    pay(only_item())
    held.refresh_from_db()
    assert held.status == "active" and held.paid_at is not None and held.paid_by is None


def test_a_duplicate_paid_activates_once(online, visits):
    bought = client_package_buy_online(
        salon=online["salon"], client=online["client"], package_type=visits
    )
    item = only_item()
    pay(item)
    first = ClientPackage.objects.get(pk=bought.client_package.pk)
    pay(item)
    again = ClientPackage.objects.get(pk=bought.client_package.pk)
    assert again.status == "active" and again.paid_at == first.paid_at


def test_buying_again_while_the_payment_is_open_continues_the_same_order(online, visits, kati_http):
    first = kati_http.post(buy_url(visits), {"payment_method": "online_card"})
    second = kati_http.post(buy_url(visits), {"payment_method": "online_card"})
    assert second.status_code == 303 and second["Location"] == first["Location"]
    assert ClientPackage.objects.count() == 1 and Order.objects.count() == 1


def test_an_abandoned_payment_lets_the_client_buy_again(online, visits, kati_http):
    kati_http.post(buy_url(visits), {"payment_method": "online_card"})
    order = Order.objects.get()
    order_cancel(salon=online["salon"], order_id=order.pk)  # the client left the pay page
    lapsed = ClientPackage.objects.get()
    assert lapsed.status == "lapsed"
    assert "Not paid" in kati_http.get(MINE).content.decode()
    response = kati_http.post(buy_url(visits), {"payment_method": "online_card"})
    assert response.status_code == 303
    assert ClientPackage.objects.filter(status="pending").count() == 1
    assert Order.objects.filter(status="pending").count() == 1
    # and a lapsed package is never usable, nor can the owner mark it paid
    with pytest.raises(ValidationError):
        client_package_mark_paid(salon=online["salon"], client_package=lapsed, actor=None)


def test_a_payment_arriving_after_the_order_lapsed_still_activates_the_package(online, visits):
    bought = client_package_buy_online(
        salon=online["salon"], client=online["client"], package_type=visits
    )
    item = only_item()
    fulfilment_for(OrderItem.Kind.PACKAGE).on_cancelled(item)  # type: ignore[union-attr]
    pay(item)
    assert ClientPackage.objects.get(pk=bought.client_package.pk).status == "active"


def test_the_owner_cannot_mark_paid_a_package_being_paid_online(online, visits):
    bought = client_package_buy_online(
        salon=online["salon"], client=online["client"], package_type=visits
    )
    with pytest.raises(ValidationError, match="being paid online"):
        client_package_mark_paid(
            salon=online["salon"], client_package=bought.client_package, actor=None
        )
    assert ClientPackage.objects.get().status == "pending"


def test_pay_at_the_salon_stays_possible_with_online_payments(online, visits, kati_http):
    response = kati_http.post(buy_url(visits), {"payment_method": "pay_at_salon"})
    assert response.status_code == 302 and response["Location"] == MINE
    assert ClientPackage.objects.get().status == "pending"
    assert not Order.objects.exists()


def test_without_online_payments_the_flow_is_pay_at_the_salon(pkg, visits, kati_http, settings):
    settings.STRIPE_SECRET_KEY = ""
    page = kati_http.get(PAGE).content.decode()
    assert "online_card" not in page
    before = package_row_counts()
    response = kati_http.post(buy_url(visits), {"payment_method": "online_card"}, follow=True)
    assert "Choose how you would like to pay." in response.content.decode()
    assert package_row_counts() == before and not Order.objects.exists()
    with pytest.raises(ValidationError) as exc:
        client_package_buy_online(salon=pkg["salon"], client=pkg["client"], package_type=visits)
    assert "payment_method" in exc.value.message_dict


def test_enabled_by_the_salon_but_no_provider_configured_is_off(pkg, visits, settings):
    online_on(settings, pkg["salon"])
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(ValidationError):
        client_package_buy_online(salon=pkg["salon"], client=pkg["client"], package_type=visits)


# --- Bad input --------------------------------------------------------------------------


def test_inactive_or_not_offered_types_are_refused_and_nothing_is_written(online, kati_http):
    inactive = make_type(online["salon"], [online["service"]], name="Old", is_active=False)
    desk = make_type(online["salon"], [online["service"]], name="Desk", offered_online=False)
    for package_type in (inactive, desk):
        response = kati_http.post(
            buy_url(package_type), {"payment_method": "online_card"}, follow=True
        )
        assert "not sold online" in response.content.decode()
    assert not ClientPackage.objects.exists() and not Order.objects.exists()


def test_another_salons_type_is_404(online, kati_http):
    other = SalonFactory(slug="beta")
    service = ServiceFactory(salon=other)
    theirs = make_type(other, [service], name="Theirs")
    assert kati_http.post(buy_url(theirs), {"payment_method": "online_card"}).status_code == 404
    api = APIClient()
    api.force_login(online["user"])
    response = api.post(f"{API}package-types/{theirs.pk}/buy/", {"payment_method": "online_card"})
    assert response.status_code == 404
    assert not Order.objects.exists()


def test_not_logged_in_goes_to_login_and_the_api_says_401(online, visits, client):
    response = client.post(buy_url(visits), {"payment_method": "online_card"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    api = APIClient()
    assert api.post(f"{API}package-types/{visits.pk}/buy/", {}).status_code == 401
    assert not Order.objects.exists()


def test_a_pending_pay_at_salon_purchase_blocks_an_online_one(online, visits):
    client_package_buy(salon=online["salon"], client=online["client"], package_type=visits)
    with pytest.raises(ValidationError):
        client_package_buy_online(
            salon=online["salon"], client=online["client"], package_type=visits
        )
    assert not Order.objects.exists()


# --- The public API ---------------------------------------------------------------------


def test_the_api_buys_online_by_default_and_returns_the_payment_url(online, visits):
    api = APIClient()
    api.force_login(online["user"])
    response = api.post(f"{API}package-types/{visits.pk}/buy/", {}, format="json")
    assert response.status_code == 201, response.content
    order = Order.objects.get()
    body = response.json()
    assert body["payment_method"] == "online_card"
    assert body["payment_url"] == f"http://testserver/pay/{order.reference}/"
    assert body["state"] == "pending"
    pay(only_item())
    mine = api.get(f"{API}mine/").json()
    assert [p["state"] for p in mine] == ["valid"]


def test_the_api_pays_at_the_salon_when_asked_or_without_online_payments(pkg, visits, settings):
    api = APIClient()
    api.force_login(pkg["user"])
    response = api.post(f"{API}package-types/{visits.pk}/buy/", {}, format="json")
    assert response.status_code == 201
    assert (response.json()["payment_method"], response.json()["payment_url"]) == (
        "pay_at_salon",
        "",
    )
    refused = api.post(
        f"{API}package-types/{visits.pk}/buy/", {"payment_method": "online_card"}, format="json"
    )
    assert refused.status_code == 400 and "payment_method" in refused.json()


# --- Tenancy ----------------------------------------------------------------------------


def test_a_paid_item_of_one_salon_never_touches_another_salons_package(online, visits):
    other = SalonFactory(slug="beta")
    their_client = ClientFactory(salon=other)
    theirs = make_type(other, [ServiceFactory(salon=other)], name="Theirs")
    their_package = client_package_buy(salon=other, client=their_client, package_type=theirs)
    client_package_buy_online(salon=online["salon"], client=online["client"], package_type=visits)
    item = only_item()
    item.object_id = their_package.pk  # a forged item of salon alpha naming beta's package
    pay(item)
    assert ClientPackage.objects.get(pk=their_package.pk).status == "pending"


# --- End to end: the signed webhook -------------------------------------------------------


def signed(payload: dict[str, Any]) -> tuple[str, str]:
    body = json.dumps(payload)
    header = stripe.WebhookSignature.generate_signature_header(
        body, WEBHOOK_SECRET, timestamp=int(time.time())
    )
    return body, header


def completed_event(order: Order, payment: Payment, event_id: str) -> dict[str, Any]:
    return {
        "id": event_id,
        "object": "event",
        "type": "checkout.session.completed",
        "data": {
            "object": {
                "id": payment.provider_session_id or "cs_test_packages",
                "object": "checkout.session",
                "client_reference_id": order.reference,
                "metadata": {"order_reference": order.reference},
                "payment_intent": "pi_test_packages",
                "payment_status": "paid",
                "amount_total": 15000,
                "currency": "eur",
            }
        },
    }


def post_webhook(payload: dict[str, Any]) -> Any:
    body, header = signed(payload)
    return HttpClient().post(
        "/payments/webhooks/stripe/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )


def test_end_to_end_the_signed_webhook_activates_the_package_once(online, visits, kati_http):
    kati_http.post(buy_url(visits), {"payment_method": "online_card"})
    order = Order.objects.get()
    payment = Payment.objects.get()
    payload = completed_event(order, payment, "evt_pkg_1")
    assert post_webhook(payload).status_code == 200
    held = ClientPackage.objects.get()
    assert held.status == "active"
    assert Order.objects.get().status == "paid"
    assert post_webhook(payload).status_code == 200  # delivered again
    assert ClientPackage.objects.get().paid_at == held.paid_at


def test_a_forged_webhook_activates_nothing(online, visits, kati_http):
    kati_http.post(buy_url(visits), {"payment_method": "online_card"})
    payload = completed_event(Order.objects.get(), Payment.objects.get(), "evt_pkg_forged")
    body = json.dumps(payload)
    header = stripe.WebhookSignature.generate_signature_header(body, "whsec_wrong")
    response = HttpClient().post(
        "/payments/webhooks/stripe/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )
    assert response.status_code == 400
    assert ClientPackage.objects.get().status == "pending"


def test_a_staff_user_of_the_salon_cannot_buy_for_someone_else(online, visits):
    """The buyer is always the logged-in person's own client record."""
    user = UserFactory(email="someone@example.test")
    api = APIClient()
    api.force_login(user)
    response = api.post(f"{API}package-types/{visits.pk}/buy/", {}, format="json")
    assert response.status_code == 201
    assert ClientPackage.objects.get().client.user == user


def test_paying_at_the_salon_while_a_card_payment_is_open_says_so(online, visits, kati_http):
    kati_http.post(buy_url(visits), {"payment_method": "online_card"})
    response = kati_http.post(buy_url(visits), {"payment_method": "pay_at_salon"}, follow=True)
    assert "its payment by card is not finished" in response.content.decode()
    assert ClientPackage.objects.count() == 1 and Order.objects.count() == 1


def test_the_owner_api_refuses_to_mark_paid_a_package_being_paid_online(online, visits, owner):
    bought = client_package_buy_online(
        salon=online["salon"], client=online["client"], package_type=visits
    )
    api = APIClient()
    api.force_authenticate(owner)
    response = api.post(
        f"/api/v1/salons/alpha/packages/client-packages/{bought.client_package.pk}/mark-paid/",
        {},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert ClientPackage.objects.get().status == "pending"


def test_the_owner_sees_a_lapsed_purchase_as_not_paid(online, visits, owner):
    bought = client_package_buy_online(
        salon=online["salon"], client=online["client"], package_type=visits
    )
    order_cancel(salon=online["salon"], order_id=bought.order.pk)
    api = APIClient()
    api.force_authenticate(owner)
    listed = api.get("/api/v1/salons/alpha/packages/client-packages/?status=lapsed").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [(r["id"], r["state"]) for r in rows] == [(bought.client_package.pk, "lapsed")]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_online_purchases_at_once_make_one_package_and_one_order(pkg, settings):
    from tests.concurrency import race

    online_on(settings, pkg["salon"])
    visits = make_type(pkg["salon"], [pkg["service"]], name="Five visits")

    def buy() -> None:
        client_package_buy_online(salon=pkg["salon"], client=pkg["client"], package_type=visits)

    outcomes = race([buy] * 4)
    assert outcomes.count("ok") >= 1 and set(outcomes) <= {"ok", "refused"}
    assert ClientPackage.objects.filter(status="pending").count() == 1
    assert Order.objects.count() == 1


def test_the_owners_list_to_pay_at_the_salon_leaves_out_packages_being_paid_online(online, visits):
    from packages.selectors import pending_package_list

    desk = make_type(online["salon"], [online["service"]], name="Desk")
    at_salon = client_package_buy(salon=online["salon"], client=online["client"], package_type=desk)
    client_package_buy_online(salon=online["salon"], client=online["client"], package_type=visits)
    assert list(pending_package_list(salon=online["salon"])) == [at_salon]


# --- The owner's pages: "Being paid online" instead of "Mark paid" ---------------------------


def test_the_owner_pages_show_being_paid_online_instead_of_mark_paid(online, visits, owner_client):
    from django.urls import reverse

    desk = make_type(online["salon"], [online["service"]], name="Desk")
    at_salon = client_package_buy(salon=online["salon"], client=online["client"], package_type=desk)
    bought = client_package_buy_online(
        salon=online["salon"], client=online["client"], package_type=visits
    )
    paying = bought.client_package
    mark_paid = {
        held.pk: reverse(
            "dashboard:packages_mark_paid", kwargs={"salon_slug": "alpha", "pk": held.pk}
        )
        for held in (at_salon, paying)
    }
    client_page = reverse(
        "dashboard:client_detail", kwargs={"salon_slug": "alpha", "pk": online["client"].pk}
    )
    html = owner_client.get(client_page).content.decode()
    assert f'action="{mark_paid[at_salon.pk]}"' in html  # paid at the salon: the button stays
    assert f'action="{mark_paid[paying.pk]}"' not in html
    assert "Being paid online" in html
    detail = reverse(
        "dashboard:packages_held_detail", kwargs={"salon_slug": "alpha", "pk": paying.pk}
    )
    html = owner_client.get(detail).content.decode()
    assert f'action="{mark_paid[paying.pk]}"' not in html and "Being paid online" in html
    # the order lapses: the client no longer pays online; the package is "not paid" and has
    # no button either (it can't be marked paid)
    order_cancel(salon=online["salon"], order_id=bought.order.pk)
    html = owner_client.get(detail).content.decode()
    assert "Being paid online" not in html and f'action="{mark_paid[paying.pk]}"' not in html
    desk_detail = reverse(
        "dashboard:packages_held_detail", kwargs={"salon_slug": "alpha", "pk": at_salon.pk}
    )
    html = owner_client.get(desk_detail).content.decode()
    assert f'action="{mark_paid[at_salon.pk]}"' in html and "Being paid online" not in html


# --- Abandoned purchases lapse: the order's expiry and payments' sweep ------------------------


def test_a_package_order_expires_after_the_purchase_expiry_and_the_sweep_lapses_it(
    online, visits, kati_http, settings
):
    import datetime as dt

    from django.utils import timezone

    from payments.services.orders import orders_expire_pending

    settings.PAYMENTS_PURCHASE_EXPIRY_HOURS = 24
    before = timezone.now()
    bought = client_package_buy_online(
        salon=online["salon"], client=online["client"], package_type=visits
    )
    order = Order.objects.get()
    assert order.expires_at is not None
    assert before + dt.timedelta(hours=24) <= order.expires_at
    assert order.expires_at <= timezone.now() + dt.timedelta(hours=24)
    # not yet due: the sweep leaves it
    assert orders_expire_pending(now=order.expires_at - dt.timedelta(minutes=1)) == 0
    assert Order.objects.get().status == "pending"
    # due: cancelled, the package lapses, the client can buy the type again
    assert orders_expire_pending(now=order.expires_at + dt.timedelta(seconds=1)) == 1
    assert Order.objects.get().status == "cancelled"
    assert ClientPackage.objects.get(pk=bought.client_package.pk).status == "lapsed"
    response = kati_http.post(buy_url(visits), {"payment_method": "online_card"})
    assert response.status_code == 303
    assert ClientPackage.objects.filter(status="pending").count() == 1
    assert Order.objects.filter(status="pending").count() == 1


def test_the_purchase_expiry_follows_the_setting(online, visits, settings):
    import datetime as dt

    from django.utils import timezone

    settings.PAYMENTS_PURCHASE_EXPIRY_HOURS = 2
    client_package_buy_online(salon=online["salon"], client=online["client"], package_type=visits)
    expires_at = Order.objects.get().expires_at
    assert expires_at is not None
    assert expires_at <= timezone.now() + dt.timedelta(hours=2)
    assert expires_at > timezone.now() + dt.timedelta(hours=1, minutes=59)
