"""QA of issue 17 in the embeddable widget: a booking paid online by card is held and the
widget sends the client on to pay in the whole window (target _top), never in the frame; a
deposit-required service refuses pay at the salon there too."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client as HttpClient

from bookings.models import Appointment
from payments.models import Order, PaymentSettings, ServicePayment
from payments.providers import stripe as stripe_provider
from payments.tests.conftest import FakeStripeHttp

from .conftest import GUEST, next_wednesday_at


@pytest.fixture
def online(vip, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_secret"
    stripe_provider.set_http_client(FakeStripeHttp())
    PaymentSettings.objects.create(salon=vip["salon"], online_payments_enabled=True)
    yield vip
    stripe_provider.set_http_client(None)


def _details(http: HttpClient, vip) -> tuple[str, str, str]:
    token = vip["segment"].token
    starts_at = next_wednesday_at(18)
    times = http.get(
        "/s/alpha/embed/book/",
        {
            "location": vip["location"].pk,
            "service": vip["vip_cut"].pk,
            "date": starts_at.date().isoformat(),
            "segment": token,
        },
    )
    link = re.search(r'href="(/s/alpha/embed/details/[^"]+)"', times.content.decode())
    assert link, times.content.decode()[:2000]
    details = http.get(link.group(1).replace("&amp;", "&"))
    page = details.content.decode()
    state = re.search(r'name="state" value="([^"]+)"', page).group(1)
    post_url = re.search(r'action="([^"]+)"', page).group(1).replace("&amp;", "&")
    return page, state, post_url


def test_embed_online_card_holds_and_links_to_pay_top_level(online):
    http = HttpClient()
    page, state, post_url = _details(http, online)
    assert 'value="online_card"' in page
    response = http.post(post_url, {**GUEST, "state": state, "payment_method": "online_card"})
    assert response.status_code == 200, response.content.decode()[:2000]
    order = Order.objects.get()
    body = response.content.decode()
    assert f"/pay/{order.reference}/" in body
    assert 'target="_top"' in body
    assert Appointment.objects.get().status == Appointment.Status.HELD
    # a second submission of the same form holds nothing more
    again = http.post(post_url, {**GUEST, "state": state, "payment_method": "online_card"})
    assert again.status_code in (400, 409)
    assert Order.objects.count() == 1 and Appointment.objects.count() == 1


def test_embed_deposit_required_service_refuses_pay_at_salon(online):
    ServicePayment.objects.create(
        salon=online["salon"],
        service=online["vip_cut"],
        prepayment="deposit_fixed",
        amount=Decimal("10.00"),
    )
    http = HttpClient()
    page, state, post_url = _details(http, online)
    assert 'value="pay_at_salon"' not in page
    response = http.post(post_url, {**GUEST, "state": state, "payment_method": "pay_at_salon"})
    assert response.status_code == 400
    assert not Appointment.objects.exists()
