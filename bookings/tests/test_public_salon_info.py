"""What the public site tells clients about the salon: each location's address (with a map
link), this week's hours, contact and description; the cancellation and change policy before
confirming, on the confirmation page and in the e-mail; the error pages; and no separate
reminder for a booking made inside the reminder window."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.defaults import server_error

from bookings.models import Appointment, Location
from bookings.notifications import appointment_notice_context, appointments_send_reminders
from bookings.policy import cancellation_policy
from bookings.public.selectors import public_locations_with_info
from bookings.services.booking import BookingRequest, appointment_book
from bookings.signing import appointment_token
from bookings.tests.test_public_booking import next_wednesday_at, pick_details
from notices.models import Notice
from tests.factories import ClientFactory, LocationClosureFactory, LocationFactory

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def assert_no_inline_code(html: str) -> None:
    assert not re.search(r"\sstyle=", html)
    assert INLINE_SCRIPT.findall(html) == []


@pytest.fixture
def described(shop) -> dict[str, Any]:
    location = shop["location"]
    location.address = "Raekoja plats 1"
    location.city = "Tallinn"
    location.postal_code = "10146"
    location.country = "EE"
    location.phone = "+372 5123 4567"
    location.email = "oldtown@alpha.test"
    location.description = "Entrance from the courtyard.\nParking behind the house."
    location.save()
    return shop


def book(shop, starts_at, client) -> Appointment:
    return appointment_book(
        salon=shop["salon"],
        request=BookingRequest(
            location=shop["location"], service=shop["service"], starts_at=starts_at
        ),
        client=client,
    )


# --- Location info ----------------------------------------------------------------------


def test_services_page_shows_address_map_hours_contact_and_description(described):
    # given
    location = described["location"]
    today = timezone.now().astimezone(location.tzinfo).date()
    LocationClosureFactory(
        location=location, date=today + dt.timedelta(days=2), reason="Public holiday"
    )

    # when
    response = HttpClient().get(f"/s/alpha/l/{location.pk}/")

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Raekoja plats 1, 10146 Tallinn" in html
    assert (
        'href="https://www.openstreetmap.org/search?query=Raekoja+plats+1%2C+10146%2C+Tallinn%2C+EE"'
        in html
    )
    assert 'href="tel:+37251234567"' in html
    assert 'href="mailto:oldtown@alpha.test"' in html
    assert "Entrance from the courtyard.<br>Parking behind the house." in html
    assert "Opening hours this week" in html
    assert html.count("08:00–20:00") == 6
    assert "Public holiday" in html
    assert "<iframe" not in html
    assert_no_inline_code(html)


def test_location_without_own_contact_shows_the_salons(shop):
    # given
    salon = shop["salon"]
    salon.phone = "+372 600 0000"
    salon.email = "hello@alpha.test"
    salon.save()

    # when
    html = HttpClient().get(f"/s/alpha/l/{shop['location'].pk}/").content.decode()

    # then
    assert 'href="mailto:hello@alpha.test"' in html
    assert 'href="tel:+3726000000"' in html


def test_locations_page_shows_each_locations_info(described):
    # given
    salon = described["salon"]
    LocationFactory(salon=salon, name="Kalamaja", address="Kalaranna 2", city="Tallinn")

    # when
    response = HttpClient().get("/s/alpha/")

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="location-info"') == 2
    assert "Kalaranna+2%2C+Tallinn" in html
    assert "Entrance from the courtyard." in html
    assert_no_inline_code(html)


def test_week_hours_start_today_in_the_location_zone(shop):
    # given
    location = shop["location"]
    now = dt.datetime(2030, 6, 9, 22, 30, tzinfo=dt.UTC)  # Monday 01:30 in Tallinn

    # when
    [info] = public_locations_with_info(salon=shop["salon"], locations=[location], now=now)

    # then
    assert [day.date for day in info.week][:2] == [dt.date(2030, 6, 10), dt.date(2030, 6, 11)]
    assert info.week[0].is_today
    assert info.week[0].ranges == [("08:00", "20:00")]


def test_location_info_queries_do_not_grow_with_locations(shop, django_assert_max_num_queries):
    # given
    locations = [shop["location"]] + [
        LocationFactory(salon=shop["salon"], name=f"Branch {n}") for n in range(5)
    ]

    # when / then
    with django_assert_max_num_queries(2):
        public_locations_with_info(salon=shop["salon"], locations=locations)


def test_location_without_address_has_no_map_link(shop):
    # when
    html = HttpClient().get(f"/s/alpha/l/{shop['location'].pk}/").content.decode()

    # then
    assert "openstreetmap" not in html


def test_owner_writes_the_location_description(owner_client, salon):
    # given
    location = LocationFactory(salon=salon, name="Old Town")

    # when
    response = owner_client.post(
        reverse("dashboard:location_edit", kwargs={"salon_slug": "alpha", "pk": location.pk}),
        {
            "name": "Old Town",
            "time_zone": "Europe/Tallinn",
            "description": "Second floor.",
            "is_active": "on",
        },
    )

    # then
    location.refresh_from_db()
    assert response.status_code == 302
    assert location.description == "Second floor."


def test_owner_api_reads_and_writes_the_location_description(salon, owner_api):
    # given
    location = LocationFactory(salon=salon, name="Old Town")

    # when
    response = owner_api.patch(
        f"/api/v1/salons/alpha/locations/{location.pk}/",
        {"description": "Second floor."},
        format="json",
    )

    # then
    assert response.status_code == 200
    assert response.json()["description"] == "Second floor."
    assert Location.objects.get(pk=location.pk).description == "Second floor."


# --- The policy -------------------------------------------------------------------------


def test_policy_combines_the_cutoff_and_the_salons_text(salon):
    # given
    salon.cancellation_cutoff_hours = 12
    salon.cancellation_policy = "  Late cancellations are charged 50%.  "

    # when
    policy = cancellation_policy(salon)

    # then
    assert policy.rule == (
        "You can cancel or reschedule online until 12 hours before your appointment; "
        "after that, please contact the salon."
    )
    assert str(policy) == f"{policy.rule}\nLate cancellations are charged 50%."


def test_policy_without_a_cutoff(salon):
    # given
    salon.cancellation_cutoff_hours = 0

    # when / then
    assert str(cancellation_policy(salon)) == (
        "You can cancel or reschedule online until your appointment starts."
    )


def test_checkout_and_confirmation_show_the_policy(described):
    # given
    salon = described["salon"]
    salon.cancellation_cutoff_hours = 48
    salon.cancellation_policy = "Late cancellations are charged 50%."
    salon.save()
    http = HttpClient()
    pick_details(http, described, next_wednesday_at(10))

    # when
    checkout = http.get("/s/alpha/checkout/")
    booked = http.post("/s/alpha/checkout/", {"payment_method": "pay_at_salon"})
    confirmation = http.get(booked["Location"])

    # then
    for response in (checkout, confirmation):
        html = response.content.decode()
        assert response.status_code == 200
        assert "Cancellation and change policy" in html
        assert "until 48 hours before your appointment" in html
        assert "Late cancellations are charged 50%." in html
        assert_no_inline_code(html)
    checkout_html = checkout.content.decode()
    assert checkout_html.index("Cancellation and change policy") < checkout_html.index("Book now")


def test_manage_page_says_how_to_contact_the_salon(described):
    # given
    appointment = book(described, next_wednesday_at(10), ClientFactory(salon=described["salon"]))
    token = appointment_token(appointment)

    # when
    response = HttpClient().get(f"/s/alpha/a/{token}/")

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Contact the salon" in html
    assert 'href="tel:+37251234567"' in html
    assert 'href="mailto:oldtown@alpha.test"' in html


def test_confirmation_email_carries_the_policy(shop, django_capture_on_commit_callbacks):
    # given
    salon = shop["salon"]
    salon.cancellation_cutoff_hours = 24
    salon.cancellation_policy = "Late cancellations are charged 50%."
    salon.save()
    client = ClientFactory(salon=salon, email="anna@example.test", preferred_channel="email")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        book(shop, next_wednesday_at(10), client)

    # then
    [message] = mail.outbox
    assert "until 24 hours before your appointment" in message.body
    assert "Late cancellations are charged 50%." in message.body


def test_notice_context_has_the_policy_in_the_salons_language(shop):
    # given
    salon = shop["salon"]
    salon.cancellation_cutoff_hours = 3
    salon.save()
    appointment = book(shop, next_wednesday_at(10), ClientFactory(salon=salon))

    # when
    context = appointment_notice_context(appointment)

    # then
    assert context["policy"].startswith("You can cancel or reschedule online until 3 hours")


def test_owner_writes_the_policy_on_the_preferences_page(owner_client, salon):
    # when
    response = owner_client.get(reverse("dashboard:online_booking", kwargs={"salon_slug": "alpha"}))

    # then
    assert 'name="cancellation_policy"' in response.content.decode()


# --- Reminders ---------------------------------------------------------------------------


def test_booking_inside_the_reminder_window_gets_no_separate_reminder(shop):
    # given
    salon = shop["salon"]
    salon.reminder_hours_before = 24
    salon.save()
    client = ClientFactory(salon=salon)
    late = book(shop, next_wednesday_at(10), client)
    early = book(shop, next_wednesday_at(12), client)
    Appointment.objects.filter(pk=late.pk).update(created_at=late.starts_at - dt.timedelta(hours=5))
    Appointment.objects.filter(pk=early.pk).update(
        created_at=early.starts_at - dt.timedelta(days=3)
    )
    Notice.objects.all().delete()

    # when
    sent = appointments_send_reminders(now=late.starts_at - dt.timedelta(hours=4))

    # then
    assert sent == 1
    late.refresh_from_db()
    early.refresh_from_db()
    assert late.reminder_sent_at is None
    assert early.reminder_sent_at is not None


# --- Error pages ------------------------------------------------------------------------


def test_404_page_is_ours(db):
    # when
    response = HttpClient().get("/s/no-such-salon/")

    # then
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html
    assert "css/app.css" in html
    assert_no_inline_code(html)


def test_500_page_renders_without_a_request_or_database(django_assert_num_queries, db):
    # when
    with django_assert_num_queries(0):
        html = render_to_string("500.html")

    # then
    assert "Something went wrong" in html
    assert "css/app.css" in html
    assert_no_inline_code(html)


def test_500_handler_serves_our_page(db):
    # given
    request = RequestFactory().get("/")

    # when
    response = server_error(request)

    # then
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
