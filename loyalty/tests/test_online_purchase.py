"""Gift cards bought with money, paid online (issue 17): types `sold_online` are listed with
their price while the salon takes payments online; a logged-in client's purchase is an order
that sends them to the pay page; the card is issued to the buyer only when the GIFT_CARD
fulfilment's `on_paid` runs — once, also when "paid" is delivered twice or at once — and
never for a cancelled order."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

import pytest
import stripe
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from rest_framework.test import APIClient

from bookings.models import Salon
from loyalty.models import GiftCard, GiftCardType, LoyaltyProgram
from loyalty.services.gift_cards import gift_card_buy_online, gift_card_order_paid
from notices.models import Notice
from payments.fulfilment import fulfilment_for
from payments.models import Order, OrderItem, Payment, PaymentSettings
from payments.services.orders import order_cancel
from tests.concurrency import race
from tests.factories import ClientFactory, SalonFactory, UserFactory

from .factories import loyalty_row_counts

GIFT_CARDS = "/s/alpha/gift-cards/"
API = "/api/v1/public/alpha/loyalty/"
WEBHOOK_SECRET = "whsec_test_gift_cards"


def online_on(settings: Any, salon: Salon) -> None:
    settings.STRIPE_SECRET_KEY = "sk_test_gift_cards"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    PaymentSettings.objects.update_or_create(
        salon=salon, defaults={"online_payments_enabled": True}
    )
    cache.clear()


def sale_type(salon: Salon, **kwargs: Any) -> GiftCardType:
    values: dict[str, Any] = {
        "name": "Gift 50",
        "value": Decimal("50.00"),
        "validity_days": 365,
        "sold_online": True,
    }
    values.update(kwargs)
    return GiftCardType.objects.create(salon=salon, **values)


def buy_url(card_type: GiftCardType) -> str:
    return f"/s/alpha/gift-cards/{card_type.pk}/buy/"


@pytest.fixture
def buyer(salon):
    user = UserFactory(email="kati@example.test", first_name="Kati")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    client = ClientFactory(salon=salon, first_name="Kati", email=user.email, user=user)
    http = HttpClient()
    http.force_login(user)
    return {"user": user, "client": client, "http": http}


@pytest.fixture
def online(salon, settings):
    online_on(settings, salon)
    return salon


def pay(item: OrderItem) -> None:
    fulfilment = fulfilment_for(OrderItem.Kind.GIFT_CARD)
    assert fulfilment is not None
    fulfilment.on_paid(item)


# --- The page ---------------------------------------------------------------------------


def test_types_sold_online_are_listed_with_their_price_also_with_loyalty_off(online, buyer):
    fifty = sale_type(online)
    sale_type(online, name="Points only", sold_online=False, for_points=True, points_price=10)
    sale_type(online, name="Retired", is_active=False)
    page = buyer["http"].get(GIFT_CARDS)
    html = page.content.decode()
    assert page.status_code == 200
    assert f'id="gift-card-sale-{fifty.pk}"' in html and "50.00" in html
    assert "Points only" not in html and "Retired" not in html
    assert f'action="{buy_url(fifty)}"' in html
    assert "Gift cards for points" not in html  # loyalty is off
    # the top bar links to the page
    home = buyer["http"].get("/s/alpha/").content.decode()
    assert 'href="/s/alpha/gift-cards/"' in home


def test_without_online_payments_nothing_is_for_sale(salon, buyer, settings):
    sale_type(salon)
    settings.STRIPE_SECRET_KEY = ""
    cache.clear()
    assert buyer["http"].get(GIFT_CARDS).status_code == 404  # and loyalty is off
    LoyaltyProgram.objects.create(salon=salon, enabled=True)
    html = buyer["http"].get(GIFT_CARDS).content.decode()
    assert "Buy a gift card" not in html and "Gift cards for points" in html
    before = loyalty_row_counts()
    buyer["http"].post(buy_url(GiftCardType.objects.get()))
    assert loyalty_row_counts() == before and not Order.objects.exists()


def test_a_visitor_is_asked_to_log_in(online, client):
    fifty = sale_type(online)
    html = client.get(GIFT_CARDS).content.decode()
    assert "Log in to buy a gift card" in html and f'action="{buy_url(fifty)}"' not in html
    response = client.post(buy_url(fifty))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Order.objects.exists()


# --- Buying -----------------------------------------------------------------------------


def test_buying_makes_an_order_and_no_card_until_paid(online, buyer):
    fifty = sale_type(online)
    response = buyer["http"].post(buy_url(fifty))
    order = Order.objects.get()
    item = OrderItem.objects.get()
    assert response.status_code == 303 and response["Location"] == f"/pay/{order.reference}/"
    assert (order.status, order.client, order.total, order.provider) == (
        "pending",
        buyer["client"],
        Decimal("50.00"),
        "stripe",
    )
    assert (item.kind, item.object_id, item.amount) == ("gift_card", fifty.pk, Decimal("50.00"))
    assert Payment.objects.get().amount == Decimal("50.00")
    assert not GiftCard.objects.exists()


def test_paid_issues_the_card_to_the_buyer_and_sends_it(online, buyer):
    fifty = sale_type(online)
    buyer["http"].post(buy_url(fifty))
    fifty.value = Decimal("60.00")  # changed after the purchase: the card is worth what was paid
    fifty.save()
    pay(OrderItem.objects.get())
    card = GiftCard.objects.get()
    assert (card.client, card.source, card.initial_value, card.balance, card.card_type) == (
        buyer["client"],
        "purchase",
        Decimal("50.00"),
        Decimal("50.00"),
        fifty,
    )
    assert card.order_item_id == OrderItem.objects.get().pk
    assert Notice.objects.filter(kind="loyalty_gift_card_issued").count() == 1
    assert "Your gift cards" in buyer["http"].get(GIFT_CARDS).content.decode()


def test_a_duplicate_paid_issues_one_card(online, buyer):
    fifty = sale_type(online)
    gift_card_buy_online(salon=online, client=buyer["client"], card_type=fifty)
    item = OrderItem.objects.get()
    pay(item)
    pay(item)
    assert GiftCard.objects.count() == 1
    assert Notice.objects.filter(kind="loyalty_gift_card_issued").count() == 1


def test_a_cancelled_order_issues_nothing(online, buyer):
    fifty = sale_type(online)
    bought = gift_card_buy_online(salon=online, client=buyer["client"], card_type=fifty)
    order_cancel(salon=online, order_id=bought.order.pk)
    assert Order.objects.get().status == "cancelled"
    assert not GiftCard.objects.exists()


def test_a_person_without_a_client_record_here_gets_one(online):
    fifty = sale_type(online)
    user = UserFactory(email="new@example.test")
    http = HttpClient()
    http.force_login(user)
    assert http.post(buy_url(fifty)).status_code == 303
    assert Order.objects.get().client.user == user


# --- Bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [{"is_active": False}, {"sold_online": False}],
    ids=["not offered", "not sold online"],
)
def test_a_type_not_for_sale_is_refused_and_nothing_is_written(online, buyer, kwargs):
    sale_type(online, name="Also on sale")  # keeps the page
    card_type = sale_type(online, **kwargs)
    before = loyalty_row_counts()
    response = buyer["http"].post(buy_url(card_type), follow=True)
    assert "This gift card is not sold online." in response.content.decode()
    assert loyalty_row_counts() == before and not Order.objects.exists()
    with pytest.raises(ValidationError) as exc:
        gift_card_buy_online(salon=online, client=buyer["client"], card_type=card_type)
    assert "gift_card_type" in exc.value.message_dict


def test_another_salons_type_is_404_on_the_page_and_in_the_api(online, buyer, settings):
    other = SalonFactory(slug="beta")
    online_on(settings, other)
    theirs = sale_type(other)
    assert buyer["http"].post(buy_url(theirs)).status_code == 404
    api = APIClient()
    api.force_login(buyer["user"])
    assert api.post(f"{API}gift-card-types/{theirs.pk}/buy/").status_code == 404
    assert not Order.objects.exists()


def test_a_paid_item_never_issues_another_salons_type(online, buyer):
    other = SalonFactory(slug="beta")
    theirs = sale_type(other)
    fifty = sale_type(online)
    gift_card_buy_online(salon=online, client=buyer["client"], card_type=fifty)
    item = OrderItem.objects.get()
    item.object_id = theirs.pk  # forged
    with pytest.raises(ValueError):
        pay(item)
    assert not GiftCard.objects.exists()


# --- The API ----------------------------------------------------------------------------


def test_the_api_lists_and_buys(online, buyer):
    fifty = sale_type(online)
    sale_type(online, name="Not online", sold_online=False)
    api = APIClient()
    listed = api.get(f"{API}gift-card-types/on-sale/")
    assert listed.status_code == 200
    assert [(t["id"], t["price"], t["currency"]) for t in listed.json()] == [
        (fifty.pk, "50.00", "EUR")
    ]
    assert api.post(f"{API}gift-card-types/{fifty.pk}/buy/").status_code == 401
    api.force_login(buyer["user"])
    response = api.post(f"{API}gift-card-types/{fifty.pk}/buy/")
    assert response.status_code == 201, response.content
    order = Order.objects.get()
    assert response.json() == {
        "reference": order.reference,
        "status": "pending",
        "total": "50.00",
        "currency": "EUR",
        "payment_url": f"http://testserver/pay/{order.reference}/",
    }
    assert not GiftCard.objects.exists()


def test_the_api_refuses_a_type_not_sold_online_with_400(online, buyer):
    points_only = sale_type(online, sold_online=False)
    api = APIClient()
    api.force_login(buyer["user"])
    response = api.post(f"{API}gift-card-types/{points_only.pk}/buy/")
    assert response.status_code == 400 and "gift_card_type" in response.json()
    assert not Order.objects.exists()


def test_without_online_payments_the_api_lists_nothing_and_refuses(salon, buyer):
    fifty = sale_type(salon)
    api = APIClient()
    api.force_login(buyer["user"])
    assert api.get(f"{API}gift-card-types/on-sale/").json() == []
    assert api.post(f"{API}gift-card-types/{fifty.pk}/buy/").status_code == 400


# --- The owner's side: `sold_online` on the type --------------------------------------------


def test_the_owner_api_sets_sold_online(salon, owner_api):
    response = owner_api.post(
        f"/api/v1/salons/{salon.slug}/loyalty/gift-card-types/",
        {"name": "Online 30", "value": "30.00", "sold_online": True},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["sold_online"] is True
    assert GiftCardType.objects.get().sold_online is True


def test_the_dashboard_form_sets_sold_online(salon, owner_client):
    response = owner_client.post(
        f"/dashboard/{salon.slug}/loyalty/gift-card-types/new/",
        {"name": "Online 40", "value": "40.00", "validity_days": "365", "sold_online": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert GiftCardType.objects.get().sold_online is True


# --- End to end through the signed webhook -------------------------------------------------


def post_webhook(payload: dict[str, Any], secret: str = WEBHOOK_SECRET) -> Any:
    body = json.dumps(payload)
    header = stripe.WebhookSignature.generate_signature_header(
        body, secret, timestamp=int(time.time())
    )
    return HttpClient().post(
        "/payments/webhooks/stripe/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )


def completed(order: Order, event_id: str, amount_minor: int = 5000) -> dict[str, Any]:
    return {
        "id": event_id,
        "object": "event",
        "type": "checkout.session.completed",
        "data": {
            "object": {
                "id": "cs_test_gift",
                "object": "checkout.session",
                "client_reference_id": order.reference,
                "metadata": {"order_reference": order.reference},
                "payment_intent": "pi_test_gift",
                "payment_status": "paid",
                "amount_total": amount_minor,
                "currency": "eur",
            }
        },
    }


def test_end_to_end_the_signed_webhook_issues_the_card_once(online, buyer):
    fifty = sale_type(online)
    buyer["http"].post(buy_url(fifty))
    order = Order.objects.get()
    assert post_webhook(completed(order, "evt_gift_1")).status_code == 200
    assert post_webhook(completed(order, "evt_gift_1")).status_code == 200
    assert post_webhook(completed(order, "evt_gift_2")).status_code == 200
    assert Order.objects.get().status == "paid"
    assert GiftCard.objects.filter(client=buyer["client"]).count() == 1


def test_a_forged_or_short_paid_webhook_issues_nothing(online, buyer):
    fifty = sale_type(online)
    buyer["http"].post(buy_url(fifty))
    order = Order.objects.get()
    assert post_webhook(completed(order, "evt_forged"), secret="whsec_wrong").status_code == 400
    post_webhook(completed(order, "evt_short", amount_minor=100))
    assert Order.objects.get().status == "pending"
    assert not GiftCard.objects.exists()


# --- Races (PostgreSQL) -------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_paid_deliveries_at_once_issue_one_card(salon, settings):
    online_on(settings, salon)
    client = ClientFactory(salon=salon, email="race@example.test")
    fifty = sale_type(salon)
    gift_card_buy_online(salon=salon, client=client, card_type=fifty)
    item_id = OrderItem.objects.get().pk

    def deliver() -> None:
        gift_card_order_paid(OrderItem.objects.select_related("salon", "order").get(pk=item_id))

    assert race([deliver] * 4) == ["ok"] * 4
    assert GiftCard.objects.filter(order_item_id=item_id).count() == 1


# --- Combined at checkout: the card pays part, the card payment the rest ---------------------


def _checkout(shop: dict[str, Any], code: str, hour: int = 10, email: str = "g@example.test"):
    import datetime as dt
    import zoneinfo

    from bookings.checkout import ClientDetails, checkout_complete
    from bookings.passcodes import PasscodeUnlocks
    from bookings.services.booking import BookingRequest

    tallinn = zoneinfo.ZoneInfo("Europe/Tallinn")
    today = dt.datetime.now(tallinn).date()
    day = today + dt.timedelta(days=(2 - today.weekday()) % 7 or 7)
    starts_at = dt.datetime(day.year, day.month, day.day, hour, tzinfo=tallinn)
    return checkout_complete(
        salon=shop["salon"],
        request=BookingRequest(
            location=shop["location"], service=shop["service"], starts_at=starts_at
        ),
        details=ClientDetails(first_name="Guest", last_name="G", email=email, phone=""),
        payment_method="gift_card",
        unlocks=PasscodeUnlocks(),
        payment_details={"gift_card_code": code},
        client_ip="10.0.0.1",
    )


def prepaid(shop: dict[str, Any], prepayment: str = "full", amount: Any = None) -> None:
    """The service must be paid ahead (payments' prepayment rule)."""
    from payments.services.settings import service_payment_set

    service_payment_set(
        salon=shop["salon"], service=shop["service"], prepayment=prepayment, amount=amount
    )


@pytest.fixture
def small_card(shop, owner):
    from loyalty.services.gift_cards import gift_card_issue

    shop["service"].price = Decimal("35.00")
    shop["service"].save()
    ten = GiftCardType.objects.create(salon=shop["salon"], name="Ten", value=Decimal("10.00"))
    return gift_card_issue(salon=shop["salon"], card_type=ten, client=None, actor=owner)


def test_a_card_short_of_the_price_pays_its_part_and_the_rest_goes_online(
    shop, small_card, settings, django_capture_on_commit_callbacks
):
    online_on(settings, shop["salon"])
    prepaid(shop)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = _checkout(shop, small_card.code)
    order = Order.objects.get()
    assert appointment.status == "held" and appointment.hold_expires_at is not None
    assert appointment.payment_url == f"/pay/{order.reference}/"
    assert (order.total, order.amount_online, order.appointment) == (
        Decimal("35.00"),
        Decimal("25.00"),
        appointment,
    )
    assert Payment.objects.get().amount == Decimal("25.00")
    small_card.refresh_from_db()
    assert small_card.balance == Decimal("0.00")
    assert not Notice.objects.filter(kind="booking_confirmation").exists()
    # paid: payments confirms the booking; the card's part stays spent
    booking = fulfilment_for(OrderItem.Kind.BOOKING)
    assert booking is not None
    with django_capture_on_commit_callbacks(execute=True):
        booking.on_paid(OrderItem.objects.get())
    appointment.refresh_from_db()
    small_card.refresh_from_db()
    assert appointment.status == "booked" and small_card.balance == Decimal("0.00")
    assert Notice.objects.filter(kind="booking_confirmation").exists()


def test_a_lapsed_rest_gives_the_cards_part_back(shop, small_card, settings):
    online_on(settings, shop["salon"])
    prepaid(shop)
    appointment = _checkout(shop, small_card.code)
    order_cancel(salon=shop["salon"], order_id=Order.objects.get().pk)
    appointment.refresh_from_db()
    small_card.refresh_from_db()
    assert appointment.status == "released"
    assert small_card.balance == Decimal("10.00")
    assert list(small_card.entries.order_by("pk").values_list("kind", flat=True)) == [
        "issued",
        "redeemed",
        "refund",
    ]
    # a second lapse (a repeated event) gives nothing more
    from loyalty.checkout import gift_card_booking_lapsed

    gift_card_booking_lapsed(OrderItem.objects.get())
    small_card.refresh_from_db()
    assert small_card.balance == Decimal("10.00")


def test_a_card_covering_the_price_books_at_once_without_an_order(
    shop, owner, settings, django_capture_on_commit_callbacks
):
    from loyalty.services.gift_cards import gift_card_issue

    online_on(settings, shop["salon"])
    shop["service"].price = Decimal("35.00")
    shop["service"].save()
    fifty = GiftCardType.objects.create(salon=shop["salon"], name="Fifty", value=Decimal("50"))
    card = gift_card_issue(salon=shop["salon"], card_type=fifty, client=None, actor=owner)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = _checkout(shop, card.code)
    appointment.refresh_from_db()
    assert appointment.status == "booked" and appointment.hold_expires_at is None
    assert appointment.payment_url == ""
    assert Notice.objects.filter(kind="booking_confirmation").exists()
    assert not Order.objects.exists()
    card.refresh_from_db()
    assert card.balance == Decimal("15.00")


def test_without_online_payments_the_rest_is_paid_at_the_salon(shop, small_card):
    appointment = _checkout(shop, small_card.code)
    assert appointment.status == "booked" and appointment.payment_url == ""
    assert not Order.objects.exists()
    small_card.refresh_from_db()
    assert small_card.balance == Decimal("0.00")


def test_a_bad_code_writes_nothing_also_with_online_payments(shop, small_card, settings):
    online_on(settings, shop["salon"])
    with pytest.raises(ValidationError):
        _checkout(shop, "ABCD-EFGH-JKMN-PQRS")
    assert not Order.objects.exists()
    from bookings.models import Appointment

    assert not Appointment.objects.exists()


def test_a_rest_paid_after_the_order_lapsed_is_refunded_not_booked(shop, small_card, settings):
    from bookings.models import Appointment
    from payments.services.orders import order_payment_paid

    online_on(settings, shop["salon"])
    prepaid(shop)
    appointment = _checkout(shop, small_card.code)
    order = Order.objects.get()
    order_cancel(salon=shop["salon"], order_id=order.pk)  # the card's 10.00 went back
    outcome = order_payment_paid(
        payment_id=Payment.objects.get().pk,
        salon_id=shop["salon"].pk,
        amount_minor=2500,
        currency="eur",
    )
    assert outcome.outcome == "refunding"
    assert Appointment.objects.get(pk=appointment.pk).status == "released"
    small_card.refresh_from_db()
    assert small_card.balance == Decimal("10.00")


def test_a_card_short_of_the_price_leaves_the_rest_at_the_salon_when_no_prepayment_is_required(
    shop, small_card, settings, django_capture_on_commit_callbacks
):
    from loyalty.checkout import GiftCardPayment

    online_on(settings, shop["salon"])
    method = GiftCardPayment()
    assert method.hold_minutes(shop["salon"], None, shop["service"]) is None
    assert "at the salon" in method.summary(shop["salon"], shop["service"], Decimal("35.00"))
    with django_capture_on_commit_callbacks(execute=True):
        appointment = _checkout(shop, small_card.code)
    appointment.refresh_from_db()
    assert appointment.status == "booked" and appointment.hold_expires_at is None
    assert appointment.payment_url == ""
    assert not Order.objects.exists() and not Payment.objects.exists()
    assert Notice.objects.filter(kind="booking_confirmation").exists()
    small_card.refresh_from_db()
    assert small_card.balance == Decimal("0.00")


def test_a_deposit_rule_also_sends_the_rest_online_with_a_hold(shop, small_card, settings):
    from loyalty.checkout import GiftCardPayment

    online_on(settings, shop["salon"])
    prepaid(shop, "deposit_fixed", Decimal("5.00"))
    method = GiftCardPayment()
    assert method.hold_minutes(shop["salon"], None, shop["service"]) == 10
    assert "now by card" in method.summary(shop["salon"], shop["service"], Decimal("35.00"))
    appointment = _checkout(shop, small_card.code)
    assert appointment.status == "held" and appointment.hold_expires_at is not None
    order = Order.objects.get()
    assert appointment.payment_url == f"/pay/{order.reference}/"
    assert order.amount_online == Decimal("25.00")


def test_a_card_covering_a_prepaid_service_confirms_the_held_time_at_once(
    shop, owner, settings, django_capture_on_commit_callbacks
):
    from loyalty.services.gift_cards import gift_card_issue

    online_on(settings, shop["salon"])
    shop["service"].price = Decimal("35.00")
    shop["service"].save()
    prepaid(shop)
    fifty = GiftCardType.objects.create(salon=shop["salon"], name="Fifty", value=Decimal("50"))
    card = gift_card_issue(salon=shop["salon"], card_type=fifty, client=None, actor=owner)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = _checkout(shop, card.code)
    appointment.refresh_from_db()
    assert appointment.status == "booked" and appointment.hold_expires_at is None
    assert appointment.payment_url == "" and not Order.objects.exists()
    assert Notice.objects.filter(kind="booking_confirmation").exists()
