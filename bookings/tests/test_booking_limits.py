"""Online booking is throttled per client IP and per salon (bookings/booking_limits.py), and
booking confirmations per recipient (notices/services.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient

from bookings.models import Appointment
from bookings.tests.test_api_public import BASE, booking_body
from bookings.tests.test_public_booking import next_wednesday_at, pick_details
from notices import sms
from notices.models import Notice


@pytest.fixture
def limits(settings):
    settings.PUBLIC_BOOKING_MAX_PER_IP = 3
    settings.PUBLIC_BOOKING_MAX_PER_SALON = 100
    settings.PUBLIC_BOOKING_WINDOW_SECONDS = 3600
    settings.TRUSTED_PROXY_HEADER = ""
    return settings


def api_book(shop, n: int, addr: str, email: str | None = None, **headers):
    body = booking_body(shop, next_wednesday_at(9) + dt.timedelta(days=7 * n))
    body["client"]["email"] = email or f"client{n}@example.test"
    return HttpClient(REMOTE_ADDR=addr).post(
        f"{BASE}/bookings/", body, content_type="application/json", **headers
    )


def test_api_bookings_are_limited_per_ip_whatever_header_is_forged(shop, limits):
    statuses = [
        api_book(shop, n, "203.0.113.5", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(5)
    ]

    assert statuses == [201, 201, 201, 429, 429]
    assert Appointment.objects.count() == 3
    # another address still books
    assert api_book(shop, 6, "203.0.113.6").status_code == 201


def test_throttled_api_booking_says_why(shop, limits):
    limits.PUBLIC_BOOKING_MAX_PER_IP = 0
    response = api_book(shop, 0, "203.0.113.5")
    assert response.status_code == 429
    assert response.json()["code"] == "booking_throttled"


def test_api_bookings_are_limited_per_salon_from_all_addresses(shop, limits):
    limits.PUBLIC_BOOKING_MAX_PER_SALON = 2
    statuses = [api_book(shop, n, f"198.51.100.{n + 1}").status_code for n in range(3)]
    assert statuses == [201, 201, 429]


def test_site_checkout_is_limited_per_ip(shop, limits):
    limits.PUBLIC_BOOKING_MAX_PER_IP = 1
    statuses = []
    for n in range(2):
        http = HttpClient(REMOTE_ADDR="203.0.113.5")
        pick_details(http, shop, next_wednesday_at(10) + dt.timedelta(days=7 * n))
        response = http.post("/s/alpha/checkout/", {"payment_method": "pay_at_salon"})
        statuses.append(response.status_code)

    assert statuses == [302, 429]
    assert "Too many bookings were made just now" in response.content.decode()
    assert Appointment.objects.count() == 1


def test_confirmations_per_recipient_are_limited_and_the_reason_recorded(
    shop, settings, django_capture_on_commit_callbacks
):
    # given: many bookings from many addresses, all for one victim's email
    settings.PUBLIC_BOOKING_MAX_PER_IP = 100
    settings.NOTICE_MAX_PER_RECIPIENT_PER_HOUR = 3
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            response = api_book(shop, n, f"198.51.100.{n + 1}", email="victim@example.test")
            assert response.status_code == 201  # the booking itself never fails for it

    # then
    assert len(mail.outbox) == 3
    skipped = Notice.objects.filter(recipient="victim@example.test", status="failed")
    assert skipped.count() == 2
    assert all("Not sent: more than 3" in n.last_error for n in skipped)
    # another recipient is not affected
    with django_capture_on_commit_callbacks(execute=True):
        api_book(shop, 9, "198.51.100.99", email="other@example.test")
    assert len(mail.outbox) == 4
    assert sms.outbox == []
