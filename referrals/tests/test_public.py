"""The public side: a client's referral page, the referral link, and a booking through it — on
the booking site (the code from the session; a stale one is ignored) and through the public
API (`referral_code`; a refused code is a 400 and nothing is booked)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.utils import timezone

from bookings.models import Appointment, Client
from bookings.services.booking import appointment_set_status
from bookings.tests.test_public_booking import next_wednesday_at, pick_details
from loyalty.models import LoyaltyProgram
from loyalty.tests.conftest import make_appointment
from referrals.models import Referral, ReferralCode
from referrals.services.codes import referral_code_get_or_create
from tests.factories import ClientFactory, SalonFactory, UserFactory

from .helpers import referral_entries

API = "/api/v1/public/alpha/bookings/"


def booking_body(shop, starts_at: dt.datetime, **extra) -> dict:
    return {
        "location": shop["location"].pk,
        "service": shop["service"].pk,
        "staff": shop["staff"][0].pk,
        "starts_at": starts_at.isoformat(),
        "client": {"first_name": "Kati", "last_name": "Karu", "email": "kati@example.test"},
        **extra,
    }


def counts() -> tuple[int, int, int]:
    return Appointment.objects.count(), Client.objects.count(), Referral.objects.count()


# --- The referral page ----------------------------------------------------------------------


@pytest.fixture
def logged_in_anna(bookable) -> HttpClient:
    user = UserFactory(email="anna@example.test")
    Client.objects.filter(pk=bookable["anna"].pk).update(user=user)
    http = HttpClient()
    http.force_login(user)
    return http


def test_the_referral_page_needs_a_login(bookable):
    response = HttpClient().get("/s/alpha/referral/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_client_sees_their_link_with_a_copy_button_and_no_inline_script(bookable, logged_in_anna):
    # when
    response = logged_in_anna.get("/s/alpha/referral/")

    # then
    page = response.content.decode()
    code = bookable["code"]
    assert response.status_code == 200
    assert f'value="{settings.SITE_URL}/s/alpha/r/{code}/"' in page
    assert 'data-copy-target="referral-link-text"' in page
    assert "100 bonus points after their first visit" in page
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert any("js/copy.js" in attrs for attrs, _body in scripts)
    assert all("src=" in attrs and not body.strip() for attrs, body in scripts)
    assert "style=" not in page
    # and the top bar links to it
    assert 'href="/s/alpha/referral/"' in logged_in_anna.get("/s/alpha/my/").content.decode()


def test_a_logged_in_person_who_is_not_a_client_yet_is_told_how_to_get_a_link(bookable):
    http = HttpClient()
    http.force_login(UserFactory(email="new@example.test"))
    response = http.get("/s/alpha/referral/")
    assert response.status_code == 200
    assert "book your first visit while logged in" in response.content.decode()
    assert ReferralCode.objects.count() == 1  # Anna's only


def test_the_page_is_404_while_loyalty_is_off(bookable, logged_in_anna):
    LoyaltyProgram.objects.filter(salon=bookable["salon"]).update(enabled=False)
    assert logged_in_anna.get("/s/alpha/referral/").status_code == 404


# --- The link -------------------------------------------------------------------------------


def test_the_link_remembers_the_code_and_goes_to_the_booking_home(bookable):
    http = HttpClient()
    code = bookable["code"]

    response = http.get(f"/s/alpha/r/{code.lower()}/", follow=True)

    assert response.redirect_chain[0] == ("/s/alpha/", 302)
    assert "Anna invited you to Alpha Hair" in response.content.decode()
    assert http.session[f"public_booking_extras:{bookable['salon'].pk}"] == {"referral_code": code}


def test_an_unknown_or_another_salons_code_is_not_remembered(bookable):
    other = SalonFactory(slug="beta")
    foreign = referral_code_get_or_create(salon=other, client=ClientFactory(salon=other)).code
    for code in ("NOPE2345", foreign, "x" * 300, "%00"):
        http = HttpClient()
        response = http.get(f"/s/alpha/r/{code}/", follow=True)
        assert response.status_code == 200
        assert "This invitation link is not valid here" in response.content.decode()
        assert f"public_booking_extras:{bookable['salon'].pk}" not in http.session


# --- Booking on the site --------------------------------------------------------------------


def test_a_new_client_who_books_through_the_link_is_recorded_and_credits_after_the_visit(
    bookable, django_capture_on_commit_callbacks
):
    # given a visitor who came through Anna's link
    http = HttpClient()
    http.get(f"/s/alpha/r/{bookable['code']}/")
    starts_at = next_wednesday_at(10)

    # when she books
    pick_details(http, bookable, starts_at)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post("/s/alpha/checkout/", {"payment_method": "pay_at_salon"})

    # then the booking and the referral, pending until the visit
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    referral = Referral.objects.get()
    assert (referral.referrer, referral.referred, referral.source, referral.status) == (
        bookable["anna"],
        appointment.client,
        Referral.Source.LINK,
        Referral.Status.PENDING,
    )
    assert f"public_booking_extras:{bookable['salon'].pk}" not in http.session  # used up

    # when her visit is completed, Anna is credited
    with django_capture_on_commit_callbacks(execute=True):
        appointment_set_status(appointment=appointment, status=Appointment.Status.COMPLETED)
    assert referral_entries(bookable["anna"]) == [100]


def test_a_stale_code_never_stops_a_booking_on_the_site(bookable):
    # given a returning client (a visit last week) who opens Anna's link
    kati = ClientFactory(salon=bookable["salon"], first_name="Kati", email="kati@example.test")
    make_appointment(
        salon=bookable["salon"],
        client=kati,
        service=bookable["service"],
        staff=bookable["staff"][1],
        location=bookable["location"],
        ends_at=timezone.now() - dt.timedelta(days=7),
    )
    http = HttpClient()
    http.get(f"/s/alpha/r/{bookable['code']}/")

    # when she books
    pick_details(http, bookable, next_wednesday_at(10))
    response = http.post("/s/alpha/checkout/", {"payment_method": "pay_at_salon"})

    # then booked, and no referral
    assert response.status_code == 302
    assert Appointment.objects.filter(client=kati).count() == 2
    assert Referral.objects.count() == 0


# --- Booking through the public API ---------------------------------------------------------


def test_the_api_books_with_a_referral_code(bookable, api_client):
    response = api_client.post(
        API,
        booking_body(bookable, next_wednesday_at(10), referral_code=bookable["code"].lower()),
        format="json",
    )
    assert response.status_code == 201, response.json()
    referral = Referral.objects.get()
    assert referral.referrer == bookable["anna"]
    assert referral.referred.email == "kati@example.test"


def test_the_api_without_a_code_books_as_before(bookable, api_client):
    response = api_client.post(API, booking_body(bookable, next_wednesday_at(10)), format="json")
    assert response.status_code == 201
    assert Referral.objects.count() == 0


def test_refused_codes_through_the_api_are_400_and_nothing_is_booked(bookable, api_client):
    # given another salon's code, Anna's own, and a returning client
    other = SalonFactory(slug="beta")
    foreign = referral_code_get_or_create(salon=other, client=ClientFactory(salon=other)).code
    returning = ClientFactory(salon=bookable["salon"], email="back@example.test")
    make_appointment(
        salon=bookable["salon"],
        client=returning,
        service=bookable["service"],
        staff=bookable["staff"][1],
        location=bookable["location"],
        ends_at=timezone.now() - dt.timedelta(days=7),
    )
    anna_email = "anna.tamm@example.test"
    Client.objects.filter(pk=bookable["anna"].pk).update(email=anna_email)
    code = bookable["code"]
    cases = [
        ("kati@example.test", "NOPE2345", "This referral code is not valid at Alpha Hair."),
        ("kati@example.test", foreign, "This referral code is not valid at Alpha Hair."),
        (
            anna_email,
            code,
            "This is your own referral code: it is for the people you invite.",
        ),
        (
            "back@example.test",
            code,
            "Referral codes are for new clients; you have visited the salon before.",
        ),
    ]
    before = counts()
    for email, given, message in cases:
        body = booking_body(bookable, next_wednesday_at(10), referral_code=given)
        body["client"]["email"] = email

        # when
        response = api_client.post(API, body, format="json")

        # then
        assert response.status_code == 400, (email, given)
        assert response.json() == {"referral_code": [message]}
        assert counts() == before
