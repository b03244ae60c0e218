"""The online card method at the checkout: the held booking, its order and pending payment,
the pay page (session created once, reused), the return pages, and nothing offered without
Stripe configured."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient

from bookings.checkout import payment_methods_available
from bookings.models import Appointment
from bookings.policy import cancellation_policy
from payments.models import Order, OrderItem, Payment, PaymentSettings, Prepayment, RefundPolicy
from payments.services.settings import service_payment_set
from payments.tests.conftest import book_online, open_session, order_of


def _keys(shop) -> list[str]:
    return [
        m.key
        for m in payment_methods_available(
            salon=shop["salon"], client=None, service=shop["service"]
        )
    ]


def test_without_stripe_settings_the_online_method_is_not_offered(shop, settings):
    settings.STRIPE_SECRET_KEY = ""
    PaymentSettings.objects.create(salon=shop["salon"], online_payments_enabled=True)
    assert "online_card" not in _keys(shop)
    assert "pay_at_salon" in _keys(shop)
    with pytest.raises(ValidationError) as exc:
        book_online(shop)
    assert "payment_method" in exc.value.message_dict
    assert Appointment.objects.count() == 0


def test_not_enabled_by_the_salon_not_offered(shop, fake_stripe):
    assert "online_card" not in _keys(shop)


def test_online_booking_is_held_with_an_order_and_a_pending_payment(online_shop):
    appointment = book_online(online_shop)
    assert appointment.status == Appointment.Status.HELD
    assert appointment.hold_expires_at is not None
    order = order_of(appointment)
    assert appointment.payment_url == f"/pay/{order.reference}/"
    assert order.status == Order.Status.PENDING
    assert order.expires_at == appointment.hold_expires_at
    assert order.total == Decimal("40.00") and order.amount_online == Decimal("40.00")
    item = order.items.get()
    assert (item.kind, item.object_id, item.amount) == (
        OrderItem.Kind.BOOKING, appointment.pk, Decimal("40.00"),
    )  # fmt: skip
    payment = Payment.objects.get(order=order)
    assert payment.status == Payment.Status.PENDING and payment.provider == "stripe"
    assert payment.provider_session_id == ""  # no provider call at the checkout


def test_deposit_rule_makes_a_deposit_item_and_requires_prepayment(online_shop):
    service_payment_set(
        salon=online_shop["salon"], service=online_shop["service"],
        prepayment=Prepayment.DEPOSIT_PERCENT, amount=Decimal("25"),
    )  # fmt: skip
    assert _keys(online_shop) == ["online_card"]  # pay at the salon disappears
    appointment = book_online(online_shop)
    order = order_of(appointment)
    assert order.items.get().kind == OrderItem.Kind.DEPOSIT
    assert order.amount_online == Decimal("10.00")
    summary = [
        m.summary(online_shop["salon"], online_shop["service"], Decimal("40.00"))
        for m in payment_methods_available(
            salon=online_shop["salon"], client=None, service=online_shop["service"]
        )
    ]
    assert "deposit" in summary[0] and "10" in summary[0]


def test_the_refund_policy_is_shown_with_the_cancellation_policy(online_shop):
    policy = cancellation_policy(online_shop["salon"])
    assert any("refunded in full" in extra for extra in policy.extras)
    PaymentSettings.objects.filter(salon=online_shop["salon"]).update(
        refund_policy=RefundPolicy.DEPOSIT_KEPT
    )
    assert any("keeps the deposit" in e for e in cancellation_policy(online_shop["salon"]).extras)


def test_pay_page_creates_the_session_once_and_a_second_click_reuses_it(online_shop, fake_stripe):
    appointment = book_online(online_shop)
    order = order_of(appointment)
    http = HttpClient()
    payment = open_session(http, order)
    assert payment.provider_session_id == "cs_test_1"
    second = http.get(f"/pay/{order.reference}/")
    assert second.status_code == 303
    assert second["Location"] == payment.redirect_url
    creates = fake_stripe.posts("/v1/checkout/sessions")
    assert len(creates) == 1
    params = creates[0]["params"]
    assert params["line_items[0][price_data][unit_amount]"] == "4000"
    assert params["line_items[0][price_data][currency]"] == "eur"
    assert params["client_reference_id"] == order.reference
    assert params["metadata[order_reference]"] == order.reference
    assert creates[0]["key"] == f"checkout-{payment.pk}-{params['expires_at']}"
    # Stripe's minimum expiry is 30 minutes: the session lasts at least that long
    import time

    assert int(params["expires_at"]) >= time.time() + 30 * 60
    assert params["success_url"].endswith(
        f"/pay/{order.reference}/done/?session_id={{CHECKOUT_SESSION_ID}}"
    )


def test_unknown_or_garbage_reference_is_404(db):
    http = HttpClient()
    for ref in ("nope", "x" * 300, "%00", "../../etc"):
        assert http.get(f"/pay/{ref}/").status_code == 404
        assert http.get(f"/pay/{ref}/done/").status_code == 404
        assert http.get(f"/pay/{ref}/cancelled/").status_code == 404


def test_cancel_return_cancels_the_order_and_releases_the_hold(
    online_shop, fake_stripe, django_capture_on_commit_callbacks
):
    appointment = book_online(online_shop)
    order = order_of(appointment)
    http = HttpClient()
    open_session(http, order)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.get(f"/pay/{order.reference}/cancelled/")
    assert response.status_code == 200
    assert b"cancelled" in response.content
    order.refresh_from_db()
    appointment.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert appointment.status == Appointment.Status.RELEASED
    assert Payment.objects.get(order=order).status == Payment.Status.CANCELLED
    # the provider's page is closed too (best effort)
    assert fake_stripe.posts("/v1/checkout/sessions/cs_test_1/expire")
    # paying page for a cancelled order: a page, not a redirect
    assert http.get(f"/pay/{order.reference}/").status_code == 200


def test_done_page_before_the_webhook_says_confirming(online_shop):
    order = order_of(book_online(online_shop))
    response = HttpClient().get(f"/pay/{order.reference}/done/")
    assert response.status_code == 200
    assert b"confirming" in response.content


def test_pay_page_when_stripe_is_switched_off_meanwhile(online_shop, settings):
    order = order_of(book_online(online_shop))
    settings.STRIPE_SECRET_KEY = ""
    response = HttpClient().get(f"/pay/{order.reference}/")
    assert response.status_code == 503
    assert b"not possible right now" in response.content


def test_pay_page_of_a_pay_at_salon_order_says_so(shop, settings):
    from payments.services.orders import ItemSpec, order_create

    order = order_create(
        salon=shop["salon"], client=None, provider="pay_at_salon",
        items=[ItemSpec(kind="booking", description="Haircut", amount=Decimal("40"))],
    )  # fmt: skip
    response = HttpClient().get(f"/pay/{order.reference}/")
    assert response.status_code == 200
    assert b"paid at the salon" in response.content


def test_paying_for_an_expired_hold_creates_no_session(online_shop, fake_stripe):
    import datetime as dt

    from django.utils import timezone

    order = order_of(book_online(online_shop))
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = HttpClient().get(f"/pay/{order.reference}/")
    assert response.status_code == 200
    assert b"run out" in response.content
    assert not fake_stripe.posts("/v1/checkout/sessions")


def test_the_booking_site_sends_the_client_to_pay_and_the_webhook_confirms(
    online_shop, fake_stripe, django_capture_on_commit_callbacks
):
    from bookings.tests.test_public_booking import next_wednesday_at, pick_details
    from notices.models import Notice
    from payments.tests.conftest import post_event, session_event

    http = HttpClient()
    pick_details(http, online_shop, next_wednesday_at(10))
    page = http.get("/s/alpha/checkout/").content.decode()
    assert "Pay online by card" in page
    assert "refunded in full" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post("/s/alpha/checkout/", {"payment_method": "online_card"})
    assert response.status_code == 303
    order = Order.objects.get()
    assert response["Location"] == f"/pay/{order.reference}/"
    assert Notice.objects.filter(kind="booking_confirmation").count() == 0  # held, not booked
    to_stripe = http.get(response["Location"])
    assert to_stripe.status_code == 303
    assert to_stripe["Location"].startswith("https://checkout.stripe.test/")
    payment = Payment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(HttpClient(), session_event(payment)).status_code == 200
    assert Appointment.objects.get().status == Appointment.Status.BOOKED
    assert Notice.objects.filter(kind="booking_confirmation").count() == 1
    done = http.get(f"/pay/{order.reference}/done/?session_id={payment.provider_session_id}")
    assert b"your payment was received" in done.content


def test_a_deposit_below_the_providers_minimum_is_paid_at_the_salon(salon, settings):
    """Stripe refuses a charge below its minimum (0.50 EUR): such a deposit is not asked
    online (the card is not offered, pay at the salon is) instead of a page that fails."""
    from bookings.checkout import payment_methods_available, prepayment_required
    from payments.models import PaymentSettings, Prepayment, ServicePayment
    from tests.factories import ServiceFactory

    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_x"
    PaymentSettings.objects.update_or_create(
        salon=salon, defaults={"online_payments_enabled": True}
    )
    tiny = ServiceFactory(salon=salon, price=Decimal("30.00"))
    ServicePayment.objects.create(
        salon=salon, service=tiny, prepayment=Prepayment.DEPOSIT_PERCENT, amount=Decimal("1")
    )
    fine = ServiceFactory(salon=salon, price=Decimal("30.00"))
    ServicePayment.objects.create(
        salon=salon, service=fine, prepayment=Prepayment.DEPOSIT_FIXED, amount=Decimal("0.50")
    )
    keys = lambda service: {  # noqa: E731
        m.key for m in payment_methods_available(salon=salon, client=None, service=service)
    }
    assert not prepayment_required(salon=salon, service=tiny)
    assert keys(tiny) == {"pay_at_salon"}
    assert prepayment_required(salon=salon, service=fine)
    assert keys(fine) == {"online_card"}
