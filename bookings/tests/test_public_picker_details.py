"""The details step and the confirmation (issue 18): fields checked in the browser first (HTML5
attributes and our texts; the server still validates), local phone numbers as people type
them in the location's country, and the confirmation page saying where the confirmation went
(masked). Plus the text colour of appointment blocks (bookings/contrast.py)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.test import Client as HttpClient

from bookings.contrast import contrast_ratio, text_color_on
from bookings.models import Appointment, Client
from bookings.public.confirmation import mask_email, mask_phone

TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")


def next_wednesday_at(hour: int) -> dt.datetime:
    today = dt.datetime.now(TALLINN).date()
    day = today + dt.timedelta(days=((2 - today.weekday()) % 7 or 7))
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=TALLINN)


def details_url(shop, starts_at: dt.datetime) -> tuple[str, dict[str, str]]:
    location, service = shop["location"], shop["service"]
    return (
        f"/s/alpha/l/{location.pk}/s/{service.pk}/details/",
        {"staff": "any", "start": starts_at.isoformat()},
    )


def post_details(http: HttpClient, shop, **fields: str):
    url, query = details_url(shop, next_wednesday_at(10))
    data = {
        "first_name": "Kati",
        "last_name": "Karu",
        "email": "kati.karu@example.test",
        "phone": "5551 2345",
        **fields,
    }
    return http.post(
        f"{url}?staff={query['staff']}&start={query['start'].replace('+', '%2B')}", data
    )


def test_the_details_form_carries_the_browser_checks(shop):
    # when
    url, query = details_url(shop, next_wednesday_at(10))
    html = HttpClient().get(url, query).content.decode()

    # then: the form is validated by the browser (and our script), not switched off
    form = re.search(r"<form method=\"post\" class=\"card form-card\"[^>]*>", html).group(0)
    assert "data-validate" in form and "novalidate" not in form
    email = re.search(r"<input[^>]*name=\"email\"[^>]*>", html).group(0)
    assert 'type="email"' in email and "required" in email and 'maxlength="254"' in email
    assert 'data-msg-invalid="Enter a valid email address."' in email
    phone = re.search(r"<input[^>]*name=\"phone\"[^>]*>", html).group(0)
    assert 'type="tel"' in phone and 'inputmode="tel"' in phone and "required" in phone
    assert "data-msg-invalid=" in phone and "data-msg-required=" in phone
    notes = re.search(r"<textarea[^>]*name=\"notes\"[^>]*>", html).group(0)
    assert "required" not in notes and 'maxlength="2000"' in notes
    assert "js/public.js" in html


@pytest.mark.parametrize(
    ("country", "typed", "stored"),
    [
        ("EE", "5551 2345", "+37255512345"),
        ("EE", "(5551) 23-45", "+37255512345"),
        ("EE", "5551-2345.", "+37255512345"),
        ("EE", "+372 (0) 5551 2345", "+37255512345"),
        ("EE", "00372 5551 2345", "+37255512345"),
        ("FI", "040 123 4567", "+358401234567"),
        ("FI", "(040) 123-4567", "+358401234567"),
        ("GB", "07911 123456", "+447911123456"),
        ("GB", "+44 (0)7911 123456", "+447911123456"),
        ("DE", "0151 2345 6789", "+4915123456789"),
        ("", "5551 2345", "+37255512345"),  # no country: PHONENUMBER_DEFAULT_REGION (EE)
    ],
)
def test_local_phone_numbers_are_read_in_the_locations_country(shop, country, typed, stored):
    # given
    shop["location"].country = country
    shop["location"].save()
    http = HttpClient()

    # when
    response = post_details(http, shop, phone=typed)

    # then
    assert response.status_code == 302, response.content.decode()[:3000]
    pending = http.session[f"public_booking:{shop['salon'].pk}"]
    assert pending["client"]["phone"] == stored


@pytest.mark.parametrize("typed", ["12", "abc", "0000 0000 0000 0000 0000", "+999 123"])
def test_a_wrong_phone_number_gets_the_error_with_a_local_example(shop, typed):
    # given
    shop["location"].country = "FI"
    shop["location"].save()

    # when
    response = post_details(HttpClient(), shop, phone=typed)

    # then
    assert response.status_code == 400
    assert "Enter a valid phone number, e.g. 041 2345678." in response.content.decode()
    assert Appointment.objects.count() == 0


def test_server_validation_stays_for_what_the_browser_would_have_caught(shop):
    # when: a client without our script (or a crafted request) posts empty and wrong fields
    response = post_details(HttpClient(), shop, first_name="", email="not-an-email")

    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in html
    assert "Enter a valid email address." in html


def book_through_the_site(http: HttpClient, shop, **fields: str):
    assert post_details(http, shop, **fields).status_code == 302
    return http.post("/s/alpha/checkout/", {"payment_method": "pay_at_salon"})


def test_the_confirmation_says_where_it_was_sent_masked(shop):
    # given
    http = HttpClient()

    # when
    response = book_through_the_site(http, shop)
    page = http.get(response["Location"])

    # then
    html = page.content.decode()
    assert "We sent the confirmation by e-mail to k•••u@example.test." in html
    assert "kati.karu@example.test" not in html
    # once: the same link opened again later does not repeat it
    assert "We sent the confirmation" not in http.get(response["Location"]).content.decode()


def test_a_client_preferring_sms_is_told_the_masked_phone(shop):
    # given: a returning client whose preferred channel is SMS
    Client.objects.create(
        salon=shop["salon"],
        first_name="Kati",
        last_name="Karu",
        email="kati.karu@example.test",
        phone="+37255512345",
        preferred_channel="sms",
    )
    http = HttpClient()

    # when
    response = book_through_the_site(http, shop)

    # then
    html = http.get(response["Location"]).content.decode()
    assert "We sent the confirmation by text message to +372 ••• 2345." in html


def test_another_browser_with_the_link_is_not_told(shop):
    # given
    response = book_through_the_site(HttpClient(), shop)

    # when
    html = HttpClient().get(response["Location"]).content.decode()

    # then
    assert "We sent the confirmation" not in html


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("kati.karu@example.test", "k•••u@example.test"),
        ("ab@example.test", "a•••@example.test"),
        ("a@x.ee", "a•••@x.ee"),
        ("broken", "•••"),
    ],
)
def test_mask_email(email, masked):
    assert mask_email(email) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("+37255512345", "+372 ••• 2345"), ("+447911123456", "+44 ••• 3456"), ("123", "•••")],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    "background",
    [
        "#0ea5e9",
        "#7c3aed",
        "#ea580c",
        "#db2777",
        "#2563eb",
        "#10b981",
        "#f59e0b",
        "#ffffff",
        "#000000",
        "#777777",
        "#767676",
        "#e5e7eb",
        "#84cc16",
        "#ef4444",
        "#ff0000",
        "#00ff00",
    ],
)
def test_text_on_appointment_colours_reaches_wcag_aa(background):
    # when
    text = text_color_on(background)

    # then
    assert contrast_ratio(text, background) >= 4.5


def test_text_colour_on_the_staff_default_is_black_not_white():
    # the axe-core finding: white on the default sky blue is 2.8:1
    assert contrast_ratio("#ffffff", "#0ea5e9") < 4.5
    assert text_color_on("#0ea5e9") == "#000000"
    assert text_color_on("#1f2937") == "#ffffff"
    assert text_color_on("not a colour") == "#ffffff"
