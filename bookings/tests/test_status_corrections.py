"""An owner corrects a completed appointment to a no-show or cancelled
(bookings/services/booking.py `appointment_set_status`): through the service, the owner API
and the calendar; the event is published once; other changes stay refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError

from bookings.events import BookingEvent, subscribe, unsubscribe
from bookings.models import Appointment
from bookings.services.booking import (
    appointment_set_status,
    appointment_status_choices,
    appointments_complete_ended,
)
from bookings.services.self_service import appointment_cancel_by_client
from bookings.tests.test_api_appointments import make_appointment
from bookings.tests.test_booking_service import next_wednesday_at
from bookings.tests.test_calendar import at, book, week_monday

API = "/api/v1/salons/alpha/appointments/{pk}/status/"
CALENDAR_STATUS = "/dashboard/alpha/calendar/appointments/{pk}/status/"
CALENDAR_DETAIL = "/dashboard/alpha/calendar/appointments/{pk}/"


@pytest.fixture
def events() -> Iterator[dict[BookingEvent, list[int]]]:
    """Appointment ids each status event was delivered for."""
    seen: dict[BookingEvent, list[int]] = {}
    handlers = {}
    for event in (BookingEvent.COMPLETED, BookingEvent.CANCELLED, BookingEvent.NO_SHOW):
        seen[event] = []
        handlers[event] = seen[event].append
        subscribe(event, handlers[event])
    yield seen
    for event, handler in handlers.items():
        unsubscribe(event, handler)


def status_of(appointment: Appointment) -> str:
    appointment.refresh_from_db()
    return appointment.status


# --- the service --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("new_status", "event"),
    [("no_show", BookingEvent.NO_SHOW), ("cancelled", BookingEvent.CANCELLED)],
)
def test_a_completed_appointment_is_corrected_once(
    shop, events, django_capture_on_commit_callbacks, new_status, event
):
    # given
    appointment = make_appointment(shop, next_wednesday_at(10))
    with django_capture_on_commit_callbacks(execute=True):
        appointment_set_status(appointment=appointment, status="completed")

    # when: the correction, then the same again (a retry, a double click)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_set_status(appointment=appointment, status=new_status)
    with django_capture_on_commit_callbacks(execute=True):
        again = appointment_set_status(appointment=appointment, status=new_status)

    # then
    assert again.status == new_status
    assert status_of(appointment) == new_status
    assert events[BookingEvent.COMPLETED] == [appointment.pk]
    assert events[event] == [appointment.pk]
    assert appointment.status_changed_at is not None


@pytest.mark.parametrize(
    ("start", "new_status"),
    [
        ("cancelled", "completed"),
        ("no_show", "completed"),
        ("cancelled", "no_show"),
        ("no_show", "cancelled"),
    ],
)
def test_changes_out_of_cancelled_or_no_show_are_refused(
    shop, events, django_capture_on_commit_callbacks, start, new_status
):
    # given
    appointment = make_appointment(shop, next_wednesday_at(10), status=start)

    # when
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as exc:
        appointment_set_status(appointment=appointment, status=new_status)

    # then
    assert list(exc.value.message_dict) == ["status"]
    assert "This appointment is already" in exc.value.message_dict["status"][0]
    assert status_of(appointment) == start
    assert all(seen == [] for seen in events.values())


def test_booked_is_never_a_target(shop):
    appointment = make_appointment(shop, next_wednesday_at(10), status="completed")
    with pytest.raises(ValidationError):
        appointment_set_status(appointment=appointment, status="booked")
    assert status_of(appointment) == "completed"


def test_a_stale_copy_publishes_nothing_twice(shop, events, django_capture_on_commit_callbacks):
    """Two callers holding the same completed row: one correction wins, the other (to another
    status) is refused — the conditional UPDATE sees the row as it is now."""
    appointment = make_appointment(shop, next_wednesday_at(10), status="completed")
    first = Appointment.objects.get(pk=appointment.pk)
    second = Appointment.objects.get(pk=appointment.pk)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_set_status(appointment=first, status="no_show")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        appointment_set_status(appointment=second, status="cancelled")
    assert status_of(appointment) == "no_show"
    assert events[BookingEvent.NO_SHOW] == [appointment.pk]
    assert events[BookingEvent.CANCELLED] == []


def test_booked_only_refuses_the_correction(shop):
    appointment = make_appointment(shop, next_wednesday_at(10), status="completed")
    with pytest.raises(ValidationError):
        appointment_set_status(appointment=appointment, status="cancelled", booked_only=True)
    assert status_of(appointment) == "completed"


def test_a_client_cancelling_from_a_stale_page_does_not_undo_a_completion(shop):
    # given: the client's page still shows it booked; the owner marked it completed meanwhile
    appointment = make_appointment(shop, next_wednesday_at(10))
    Appointment.objects.filter(pk=appointment.pk).update(status="completed")

    # when
    with pytest.raises(ValidationError):
        appointment_cancel_by_client(appointment=appointment)

    # then
    assert status_of(appointment) == "completed"


def test_the_sweep_still_completes_booked_appointments_only(shop):
    booked = make_appointment(shop, next_wednesday_at(10))
    no_show = make_appointment(shop, next_wednesday_at(12), status="no_show")
    assert appointments_complete_ended(now=no_show.ends_at) == 1
    assert status_of(booked) == "completed"
    assert status_of(no_show) == "no_show"


@pytest.mark.parametrize(
    ("start", "choices"),
    [
        ("booked", ["completed", "no_show", "cancelled"]),
        ("completed", ["no_show", "cancelled"]),
        ("no_show", []),
        ("cancelled", []),
    ],
)
def test_status_choices(shop, start, choices):
    appointment = make_appointment(shop, next_wednesday_at(10), status=start)
    assert appointment_status_choices(appointment) == choices


# --- the owner API ------------------------------------------------------------------------


@pytest.mark.parametrize("new_status", ["no_show", "cancelled"])
def test_api_corrects_a_completed_appointment(
    shop, owner_api, events, django_capture_on_commit_callbacks, new_status
):
    # given
    appointment = make_appointment(shop, next_wednesday_at(10), status="completed")
    url = API.format(pk=appointment.pk)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        first = owner_api.post(url, {"status": new_status}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        again = owner_api.post(url, {"status": new_status}, format="json")

    # then
    assert first.status_code == 200
    assert first.json()["status"] == new_status
    assert again.status_code == 200
    assert status_of(appointment) == new_status
    assert sum(len(seen) for seen in events.values()) == 1


@pytest.mark.parametrize(
    ("start", "new_status"), [("cancelled", "completed"), ("no_show", "completed")]
)
def test_api_refuses_other_changes(shop, owner_api, start, new_status):
    appointment = make_appointment(shop, next_wednesday_at(10), status=start)
    response = owner_api.post(API.format(pk=appointment.pk), {"status": new_status}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["status"]
    assert status_of(appointment) == start


def test_api_correction_by_staff_member_is_refused(shop, staff_user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(staff_user)
    appointment = make_appointment(shop, next_wednesday_at(10), status="completed")
    response = api.post(API.format(pk=appointment.pk), {"status": "no_show"}, format="json")
    assert response.status_code == 403
    assert status_of(appointment) == "completed"


# --- the calendar -------------------------------------------------------------------------


def test_the_panel_of_a_completed_appointment_offers_the_corrections(shop, owner_client):
    # given
    appointment = book(shop, shop["staff"][0], at(week_monday(), 14))
    appointment_set_status(appointment=appointment, status="completed")

    # when
    page = owner_client.get(CALENDAR_DETAIL.format(pk=appointment.pk), HTTP_HX_REQUEST="true")

    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert "Correct the status" in html
    assert 'name="status" value="no_show"' in html
    assert 'name="status" value="cancelled"' in html
    assert 'name="status" value="completed"' not in html
    assert "cal-move-form" not in html  # a completed appointment is not moved


@pytest.mark.parametrize("start", ["cancelled", "no_show"])
def test_the_panel_of_a_cancelled_or_no_show_appointment_offers_no_status_change(
    shop, owner_client, start
):
    appointment = book(shop, shop["staff"][0], at(week_monday(), 14))
    appointment_set_status(appointment=appointment, status=start)
    html = owner_client.get(CALENDAR_DETAIL.format(pk=appointment.pk)).content.decode()
    assert 'name="status"' not in html


def test_the_panel_offers_a_staff_member_no_status_change(shop, staff_user):
    from django.test import Client as HttpClient

    http = HttpClient()
    http.force_login(staff_user)
    appointment = book(shop, shop["staff"][0], at(week_monday(), 14))
    appointment_set_status(appointment=appointment, status="completed")
    html = http.get(CALENDAR_DETAIL.format(pk=appointment.pk)).content.decode()
    assert 'name="status"' not in html
    assert "Only owners and managers can change appointments." in html


@pytest.mark.parametrize(
    ("new_status", "message"),
    [("no_show", "Appointment marked as a no-show."), ("cancelled", "Appointment cancelled.")],
)
def test_calendar_corrects_a_completed_appointment_once(
    shop, owner_client, events, django_capture_on_commit_callbacks, new_status, message
):
    # given
    appointment = book(shop, shop["staff"][0], at(week_monday(), 14))
    appointment_set_status(appointment=appointment, status="completed")
    url = CALENDAR_STATUS.format(pk=appointment.pk)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        first = owner_client.post(url, {"status": new_status}, HTTP_ACCEPT="application/json")
    with django_capture_on_commit_callbacks(execute=True):
        again = owner_client.post(url, {"status": new_status}, HTTP_ACCEPT="application/json")

    # then
    assert first.status_code == 200
    assert first.json() == {"ok": True, "message": message, "status": new_status}
    assert again.status_code == 200
    assert status_of(appointment) == new_status
    assert sum(len(seen) for seen in events.values()) == 1


def test_calendar_form_post_of_a_correction_redirects_back(shop, owner_client):
    appointment = book(shop, shop["staff"][0], at(week_monday(), 14))
    appointment_set_status(appointment=appointment, status="completed")
    response = owner_client.post(CALENDAR_STATUS.format(pk=appointment.pk), {"status": "no_show"})
    assert response.status_code == 302
    assert status_of(appointment) == "no_show"


def test_calendar_refuses_completing_a_no_show(shop, owner_client):
    appointment = book(shop, shop["staff"][0], at(week_monday(), 14))
    appointment_set_status(appointment=appointment, status="no_show")
    response = owner_client.post(
        CALENDAR_STATUS.format(pk=appointment.pk),
        {"status": "completed"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 409
    assert response.json()["message"] == "This appointment is already No-show."
    assert status_of(appointment) == "no_show"


def test_correcting_a_past_visit_to_cancelled_sends_the_client_nothing(
    salon, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.utils import timezone

    from bookings.models import Appointment
    from bookings.services.booking import appointment_set_status
    from notices.models import Notice
    from tests.factories import ClientFactory, LocationFactory, ServiceFactory, StaffMemberFactory

    # given a visit that ended yesterday and was completed
    location = LocationFactory(salon=salon)
    service = ServiceFactory(salon=salon)
    ends_at = timezone.now() - dt.timedelta(days=1)
    appointment = Appointment.objects.create(
        salon=salon,
        location=location,
        staff=StaffMemberFactory(salon=salon),
        service=service,
        client=ClientFactory(salon=salon),
        starts_at=ends_at - dt.timedelta(hours=1),
        ends_at=ends_at,
        block_starts_at=ends_at - dt.timedelta(hours=1),
        block_ends_at=ends_at,
        status=Appointment.Status.COMPLETED,
        source=Appointment.Source.DASHBOARD,
        price=service.price,
    )
    # when the owner corrects it to cancelled
    with django_capture_on_commit_callbacks(execute=True):
        appointment_set_status(appointment=appointment, status=Appointment.Status.CANCELLED)
    # then no "cancelled" notice goes out
    assert not Notice.objects.filter(kind="booking_cancelled").exists()
