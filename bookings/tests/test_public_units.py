"""The building blocks of the public site: iCalendar text, signed tokens, the client of an
online booking, and the checkout's payment-method registry."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.http import Http404

from bookings.checkout import (
    ClientDetails,
    PaymentContext,
    PaymentMethod,
    checkout_complete,
    payment_methods_available,
    register,
    unregister,
)
from bookings.ics import appointment_ics, escape_text, fold_line
from bookings.models import Appointment, Client
from bookings.passcodes import PasscodeUnlocks
from bookings.services.booking import BookingRequest, appointment_book
from bookings.services.clients import client_for_booking
from bookings.signing import appointment_from_token, appointment_token
from tests.factories import ClientFactory, LocationFactory, UserFactory

TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")
DETAILS = ClientDetails(
    first_name="Kati", last_name="Karu", email="kati@example.test", phone="+37255512345"
)


def next_wednesday_at(hour: int, minute: int = 0) -> dt.datetime:
    today = dt.datetime.now(TALLINN).date()
    days = (2 - today.weekday()) % 7 or 7
    day = today + dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TALLINN)


def request_for(shop, starts_at: dt.datetime, staff=None) -> BookingRequest:
    return BookingRequest(
        location=shop["location"], service=shop["service"], starts_at=starts_at, staff=staff
    )


# --- iCalendar --------------------------------------------------------------------------


def test_ics_text_is_escaped():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_ics_long_lines_are_folded_at_75_octets_without_splitting_characters():
    # given
    line = "SUMMARY:" + "ä" * 100

    # when
    folded = fold_line(line)

    # then
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_ics_of_an_appointment_with_special_characters(shop):
    # given
    salon, location = shop["salon"], shop["location"]
    service = shop["service"]
    service.name = "Cut, wash; dry"
    service.save()
    location.address = "Raekoja plats 1"
    location.city = "Tallinn"
    location.postal_code = "10146"
    location.save()
    appointment = appointment_book(
        salon=salon,
        request=request_for(shop, next_wednesday_at(10)),
        client=ClientFactory(salon=salon),
    )
    now = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)

    # when
    text = appointment_ics(appointment, now=now)

    # then
    lines = text.split("\r\n")
    assert "SUMMARY:Cut\\, wash\\; dry · Alpha Hair" in lines
    assert "LOCATION:Old Town\\, Raekoja plats 1\\, 10146 Tallinn" in lines
    assert "DTSTAMP:20260102T030405Z" in lines
    assert "STATUS:CONFIRMED" in lines
    assert "\n" not in text.replace("\r\n", "")


# --- tokens -----------------------------------------------------------------------------


def test_token_round_trip_and_other_salon(shop, other_salon):
    # given
    appointment = appointment_book(
        salon=shop["salon"],
        request=request_for(shop, next_wednesday_at(10)),
        client=ClientFactory(salon=shop["salon"]),
    )
    token = appointment_token(appointment)

    # when / then
    assert appointment_from_token(shop["salon"], token) == appointment
    assert appointment_token(appointment) == token
    with pytest.raises(Http404):
        appointment_from_token(other_salon, token)
    with pytest.raises(Http404):
        appointment_from_token(shop["salon"], token + "x")


# --- the client of an online booking ----------------------------------------------------


def test_client_for_booking_fills_only_blank_fields_and_never_withdraws_consent(salon):
    # given
    existing = ClientFactory(
        salon=salon,
        first_name="Katrin",
        last_name="",
        email="kati@example.test",
        phone="",
        marketing_consent=True,
    )

    # when
    client = client_for_booking(
        salon=salon,
        user=None,
        first_name="Kati",
        last_name="Karu",
        email="KATI@example.test",
        phone="+37255512345",
        marketing_consent=False,
    )

    # then
    client.refresh_from_db()
    assert client == existing
    assert (client.first_name, client.last_name, str(client.phone)) == (
        "Katrin",
        "Karu",
        "+37255512345",
    )
    assert client.marketing_consent is True
    assert Client.objects.count() == 1


def test_client_for_booking_sets_consent_with_its_time_only_when_ticked(salon):
    # given
    existing = ClientFactory(salon=salon, email="kati@example.test")

    # when
    client = client_for_booking(
        salon=salon,
        user=None,
        first_name="Kati",
        last_name="Karu",
        email="kati@example.test",
        phone="",
        marketing_consent=True,
    )

    # then
    assert client == existing
    client.refresh_from_db()
    assert client.marketing_consent is True
    assert client.marketing_consent_at is not None


def test_client_for_booking_links_an_existing_client_only_by_a_verified_email(salon):
    # given
    user = UserFactory(email="kati@example.test")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    existing = ClientFactory(salon=salon, email="kati@example.test")
    stranger = UserFactory(email="someone@example.test")
    other = ClientFactory(salon=salon, email="victim@example.test")

    # when
    mine = client_for_booking(
        salon=salon,
        user=user,
        first_name="Kati",
        last_name="Karu",
        email="kati@example.test",
        phone="",
        marketing_consent=False,
    )
    theirs = client_for_booking(
        salon=salon,
        user=stranger,
        first_name="X",
        last_name="Y",
        email="victim@example.test",
        phone="",
        marketing_consent=False,
    )

    # then
    existing.refresh_from_db()
    other.refresh_from_db()
    assert mine == existing
    assert existing.user == user
    assert theirs == other
    assert other.user is None  # typing someone's email does not hand their record over


def test_client_for_booking_creates_a_client_in_this_salon_only(salon, other_salon):
    # given
    ClientFactory(salon=other_salon, email="kati@example.test")

    # when
    client = client_for_booking(
        salon=salon,
        user=None,
        first_name="Kati",
        last_name="Karu",
        email="kati@example.test",
        phone="+37255512345",
        marketing_consent=False,
    )

    # then
    assert client.salon == salon
    assert Client.objects.for_salon(salon).count() == 1
    assert Client.objects.for_salon(other_salon).count() == 1


# --- checkout registry ------------------------------------------------------------------


class OnlyForKnownClients(PaymentMethod):
    key = "test_known"
    label = "Known clients only"
    position = 1

    def is_available(self, salon, client, service) -> bool:  # noqa: ANN001
        return client is not None


class Refusing(PaymentMethod):
    key = "test_refusing"
    label = "Refuses"

    def apply(self, appointment: Appointment, payment: PaymentContext) -> None:
        raise ValidationError({"payment_method": "No balance left."})


@pytest.fixture
def extra_methods():
    register(OnlyForKnownClients())
    register(Refusing())
    yield
    unregister("test_known")
    unregister("test_refusing")


def test_payment_methods_are_offered_by_availability_and_position(shop, extra_methods):
    # given
    known = ClientFactory(salon=shop["salon"])

    # when
    for_guest = payment_methods_available(salon=shop["salon"], client=None, service=shop["service"])
    for_known = payment_methods_available(
        salon=shop["salon"], client=known, service=shop["service"]
    )

    # then
    assert [m.key for m in for_guest] == ["test_refusing", "pay_at_salon"]
    assert [m.key for m in for_known] == ["test_known", "test_refusing", "pay_at_salon"]


def test_a_method_not_available_to_this_client_is_refused(shop, extra_methods):
    # when
    with pytest.raises(ValidationError) as exc:
        checkout_complete(
            salon=shop["salon"],
            request=request_for(shop, next_wednesday_at(10)),
            details=DETAILS,
            payment_method="test_known",
            unlocks=PasscodeUnlocks(),
        )

    # then
    assert exc.value.message_dict == {
        "payment_method": ["Choose one of the ways to pay shown on the page."]
    }
    assert Appointment.objects.count() == 0
    assert Client.objects.count() == 0


def test_a_method_refusing_in_apply_leaves_nothing_written(shop, extra_methods):
    # when
    with pytest.raises(ValidationError):
        checkout_complete(
            salon=shop["salon"],
            request=request_for(shop, next_wednesday_at(10)),
            details=DETAILS,
            payment_method="test_refusing",
            unlocks=PasscodeUnlocks(),
        )

    # then
    assert Appointment.objects.count() == 0
    assert Client.objects.count() == 0


def test_registering_another_method_under_a_taken_key_fails():
    class Impostor(PaymentMethod):
        key = "pay_at_salon"

    with pytest.raises(ValueError):
        register(Impostor())


def test_checkout_sends_one_confirmation_notice_after_commit(
    shop, django_capture_on_commit_callbacks
):
    from notices.models import Notice

    # when
    with django_capture_on_commit_callbacks(execute=True):
        appointment = checkout_complete(
            salon=shop["salon"],
            request=request_for(shop, next_wednesday_at(10)),
            details=DETAILS,
            payment_method="pay_at_salon",
            unlocks=PasscodeUnlocks(),
        )

    # then the booking event's handler sent exactly one confirmation
    notice = Notice.objects.get()
    assert notice.kind == "booking_confirmation"
    assert notice.client == appointment.client


def test_checkout_refuses_another_salons_location(shop, other_salon):
    # given
    beta_location = LocationFactory(salon=other_salon)
    request = BookingRequest(
        location=beta_location, service=shop["service"], starts_at=next_wednesday_at(10)
    )

    # when
    with pytest.raises(ValidationError):
        checkout_complete(
            salon=shop["salon"],
            request=request,
            details=DETAILS,
            payment_method="pay_at_salon",
            unlocks=PasscodeUnlocks(),
        )

    # then
    assert Appointment.objects.count() == 0
    assert Client.objects.count() == 0
