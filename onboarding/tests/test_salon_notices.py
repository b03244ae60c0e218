"""The salon hears about its clients' online bookings, cancellations and moves
(onboarding/salon_notices.py), as its settings say — and not about its own changes."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from bookings.models import Appointment
from bookings.services.booking import BookingRequest, appointment_book, appointment_set_status
from bookings.services.self_service import (
    appointment_cancel_by_client,
    appointment_reschedule_by_client,
)
from bookings.tests.test_booking_service import next_wednesday_at
from notices.models import Notice
from onboarding.models import SalonBookingNotices
from onboarding.salon_notices import booking_notices_update
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

SALON_KINDS = ("salon_booking_created", "salon_booking_cancelled", "salon_booking_rescheduled")


@pytest.fixture
def contact(shop):
    salon = shop["salon"]
    salon.email = "desk@alpha.test"
    salon.save()
    anna = shop["staff"][0]
    anna.email = "anna@alpha.test"
    anna.save()
    return shop


def _book(shop, *, source="online", hour=10):
    client = ClientFactory(
        salon=shop["salon"], first_name="Liis", last_name="Lepp", email=f"liis{hour}@example.test"
    )
    return appointment_book(
        salon=shop["salon"],
        request=BookingRequest(
            location=shop["location"],
            service=shop["service"],
            starts_at=next_wednesday_at(hour),
            staff=shop["staff"][0],
        ),
        client=client,
        source=source,
    )


def _salon_mail(kind: str) -> list[str]:
    return sorted(
        Notice.objects.filter(kind=kind).values_list("recipient", flat=True),
    )


def test_an_online_booking_is_emailed_to_the_salon_and_the_staff_member(
    contact, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        appointment = _book(contact)
    # then
    assert _salon_mail("salon_booking_created") == ["anna@alpha.test", "desk@alpha.test"]
    to_desk = next(m for m in mail.outbox if m.to == ["desk@alpha.test"])
    assert "Liis Lepp" in to_desk.body
    assert "Haircut" in to_desk.subject
    assert f"/dashboard/alpha/calendar/appointments/{appointment.pk}/" in to_desk.body


def test_a_booking_made_in_the_dashboard_is_not_emailed_to_the_salon(
    contact, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _book(contact, source=Appointment.Source.DASHBOARD)
    assert _salon_mail("salon_booking_created") == []


def test_the_clients_cancel_and_move_are_emailed_but_the_salons_own_cancel_is_not(
    contact, django_capture_on_commit_callbacks
):
    # given two booked appointments
    first = _book(contact, hour=10)
    second = _book(contact, hour=13)
    # when the client moves the first and cancels it, and the salon cancels the second
    with django_capture_on_commit_callbacks(execute=True):
        appointment_reschedule_by_client(appointment=first, starts_at=next_wednesday_at(11))
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel_by_client(appointment=first)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_set_status(appointment=second, status="cancelled")
    # then
    assert _salon_mail("salon_booking_rescheduled") == ["anna@alpha.test", "desk@alpha.test"]
    assert _salon_mail("salon_booking_cancelled") == ["anna@alpha.test", "desk@alpha.test"]
    body = Notice.objects.filter(kind="salon_booking_cancelled").first().body
    assert "11:00" in body


def test_switches_choose_events_and_recipients(contact, django_capture_on_commit_callbacks):
    # given the salon wants only new bookings, only to its own other address
    booking_notices_update(
        salon=contact["salon"],
        on_cancelled=False,
        to_staff=False,
        salon_email="boss@alpha.test",
    )
    # when
    with django_capture_on_commit_callbacks(execute=True):
        appointment = _book(contact)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel_by_client(appointment=appointment)
    # then
    assert _salon_mail("salon_booking_created") == ["boss@alpha.test"]
    assert _salon_mail("salon_booking_cancelled") == []


def test_a_staff_member_without_email_gets_it_at_their_accounts_address(
    shop, django_capture_on_commit_callbacks
):
    # given no salon address, and Anna has an account but no staff e-mail
    anna = shop["staff"][0]
    anna.user = UserFactory(email="anna.account@example.test")
    anna.email = ""
    anna.save()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        _book(shop)
    # then
    assert _salon_mail("salon_booking_created") == ["anna.account@example.test"]


def test_a_repeated_event_emails_once(contact, django_capture_on_commit_callbacks):
    from onboarding.salon_notices import on_created

    with django_capture_on_commit_callbacks(execute=True):
        appointment = _book(contact)
    on_created(appointment.pk)
    assert len(_salon_mail("salon_booking_created")) == 2


def test_bad_address_is_a_field_error_and_nothing_is_saved(salon):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        booking_notices_update(salon=salon, salon_email="not an address", to_staff=False)
    assert "salon_email" in caught.value.message_dict
    assert not SalonBookingNotices.objects.filter(salon=salon).exists()


# --- dashboard -------------------------------------------------------------------------------


def test_dashboard_page_saves_the_switches(salon, owner_client):
    url = reverse("dashboard:booking_notices", kwargs={"salon_slug": "alpha"})
    assert owner_client.get(url).status_code == 200
    response = owner_client.post(
        url, {"on_created": "on", "to_salon": "on", "salon_email": "desk@alpha.test"}
    )
    assert response.status_code == 302
    row = SalonBookingNotices.objects.get(salon=salon)
    assert (row.on_created, row.on_cancelled, row.on_rescheduled) == (True, False, False)
    assert (row.to_salon, row.to_staff, row.salon_email) == (True, False, "desk@alpha.test")


def test_dashboard_page_shows_errors_and_writes_nothing(salon, owner_client):
    url = reverse("dashboard:booking_notices", kwargs={"salon_slug": "alpha"})
    response = owner_client.post(url, {"on_created": "on", "salon_email": "nope"})
    assert response.status_code == 200
    assert "valid email" in response.content.decode()
    assert not SalonBookingNotices.objects.filter(salon=salon).exists()


def test_staff_cannot_open_the_settings(salon, staff_user):
    from django.test import Client as HttpClient

    http = HttpClient()
    http.force_login(staff_user)
    url = reverse("dashboard:booking_notices", kwargs={"salon_slug": "alpha"})
    assert http.get(url).status_code == 403


# --- owner API -------------------------------------------------------------------------------


def test_api_reads_the_defaults_and_patches(salon, owner_api):
    url = "/api/v1/salons/alpha/booking-notices/"
    assert owner_api.get(url).json() == {
        "on_created": True,
        "on_cancelled": True,
        "on_rescheduled": True,
        "to_salon": True,
        "salon_email": "",
        "to_staff": True,
    }
    response = owner_api.patch(url, {"to_staff": False, "on_rescheduled": False}, format="json")
    assert response.status_code == 200
    assert response.json()["to_staff"] is False
    row = SalonBookingNotices.objects.get(salon=salon)
    assert (row.to_staff, row.on_rescheduled, row.on_created) == (False, False, True)


def test_api_bad_input_is_400_per_field(salon, owner_api):
    response = owner_api.patch(
        "/api/v1/salons/alpha/booking-notices/",
        {"salon_email": "nope", "on_created": "maybe"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"salon_email", "on_created"}
    assert not SalonBookingNotices.objects.filter(salon=salon).exists()


def test_api_staff_may_read_but_not_write(salon, staff_user):
    api = APIClient()
    api.force_authenticate(staff_user)
    url = "/api/v1/salons/alpha/booking-notices/"
    assert api.get(url).status_code == 200
    assert api.patch(url, {"to_staff": False}, format="json").status_code == 403


def test_api_another_salon_is_404(salon, owner_api, other_salon):
    url = "/api/v1/salons/beta/booking-notices/"
    assert owner_api.get(url).status_code == 404
    assert owner_api.patch(url, {"to_staff": False}, format="json").status_code == 404
    assert not SalonBookingNotices.objects.exists()


# --- a staff member's own switch --------------------------------------------------------------


def test_a_staff_member_who_switched_off_gets_nothing(contact, django_capture_on_commit_callbacks):
    from onboarding.salon_notices import staff_booking_notices_set

    staff_booking_notices_set(salon=contact["salon"], staff=contact["staff"][0], enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        _book(contact)
    assert _salon_mail("salon_booking_created") == ["desk@alpha.test"]


def test_staff_switch_their_own_emails_on_my_day(shop, django_capture_on_commit_callbacks):
    from django.test import Client as HttpClient

    from onboarding.models import StaffBookingNotices
    from tests.factories import MembershipFactory

    # given Anna has a staff account
    user = UserFactory(email="anna.account@example.test")
    MembershipFactory(salon=shop["salon"], user=user, role="staff")
    anna = shop["staff"][0]
    anna.user = user
    anna.save()
    http = HttpClient()
    http.force_login(user)
    url = reverse("dashboard:my_booking_emails", kwargs={"salon_slug": "alpha"})
    # when she switches them off
    assert (
        "Switch these e-mails off"
        in http.get(reverse("dashboard:my_day", kwargs={"salon_slug": "alpha"})).content.decode()
    )
    assert http.post(url, {}).status_code == 302
    # then
    assert StaffBookingNotices.objects.get(staff=anna).enabled is False
    with django_capture_on_commit_callbacks(execute=True):
        _book(shop)
    assert _salon_mail("salon_booking_created") == []
    # and on again
    http.post(url, {"enabled": "on"})
    assert StaffBookingNotices.objects.get(staff=anna).enabled is True


def test_an_account_without_a_staff_member_cannot_switch(salon, owner_client):
    url = reverse("dashboard:my_booking_emails", kwargs={"salon_slug": "alpha"})
    assert owner_client.post(url, {}).status_code == 404


def test_api_staff_switch_and_tenant_isolation(shop, owner, owner_api, other_salon):
    from tests.factories import StaffMemberFactory

    anna = shop["staff"][0]
    url = f"/api/v1/salons/alpha/staff/{anna.pk}/booking-notices/"
    assert owner_api.get(url).json() == {"enabled": True}
    assert owner_api.put(url, {"enabled": "maybe"}, format="json").status_code == 400
    assert owner_api.put(url, {"enabled": False}, format="json").json() == {"enabled": False}
    foreign = StaffMemberFactory(salon=other_salon)
    foreign_url = f"/api/v1/salons/alpha/staff/{foreign.pk}/booking-notices/"
    assert owner_api.get(foreign_url).status_code == 404
    assert owner_api.put(foreign_url, {"enabled": False}, format="json").status_code == 404


# --- end to end through the public API ----------------------------------------------------------


def test_public_api_booking_and_cancel_reach_the_salon(
    contact, client, django_capture_on_commit_callbacks
):
    # when a client books through the public API
    body = {
        "location": contact["location"].pk,
        "service": contact["service"].pk,
        "staff": contact["staff"][0].pk,
        "starts_at": next_wednesday_at(10).isoformat(),
        "client": {"first_name": "Kati", "last_name": "Kask", "email": "kati@example.test"},
    }
    with django_capture_on_commit_callbacks(execute=True):
        booked = client.post(
            "/api/v1/public/alpha/bookings/", body, content_type="application/json"
        )
    assert booked.status_code == 201
    # and cancels it by its token
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = client.post(
            f"/api/v1/public/alpha/bookings/{booked.json()['token']}/cancel/",
            content_type="application/json",
        )
    assert cancelled.status_code == 200
    # then the salon and Anna heard of both
    assert _salon_mail("salon_booking_created") == ["anna@alpha.test", "desk@alpha.test"]
    assert _salon_mail("salon_booking_cancelled") == ["anna@alpha.test", "desk@alpha.test"]
    assert (
        "Kati Kask"
        in Notice.objects.get(kind="salon_booking_created", recipient="desk@alpha.test").body
    )


def test_a_busy_salon_gets_every_new_booking_email_past_the_per_recipient_cap(
    contact, settings, django_capture_on_commit_callbacks
):
    # given: the per-recipient cap that protects clients' addresses is low
    settings.NOTICE_MAX_PER_RECIPIENT_PER_HOUR = 2
    # when: four clients book online
    with django_capture_on_commit_callbacks(execute=True):
        for hour in (10, 12, 14, 16):
            _book(contact, hour=hour)
    # then: the salon's desk and the staff member hear about every one of them
    created = Notice.objects.filter(kind="salon_booking_created")
    assert created.filter(recipient="desk@alpha.test", status="sent").count() == 4
    assert created.filter(recipient="anna@alpha.test", status="sent").count() == 4
    assert not created.filter(status="failed").exists()
