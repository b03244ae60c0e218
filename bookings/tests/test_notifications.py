from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from bookings.models import Appointment
from bookings.notifications import appointments_send_reminders, format_local
from bookings.services.booking import (
    BookingRequest,
    appointment_book,
    appointment_reschedule,
    appointment_set_status,
)
from bookings.tests.test_booking_service import next_wednesday_at
from notices.models import Notice
from tests.factories import ClientFactory


def book(shop, starts_at, client):
    return appointment_book(
        salon=shop["salon"],
        request=BookingRequest(
            location=shop["location"], service=shop["service"], starts_at=starts_at
        ),
        client=client,
    )


def test_format_local_names_the_zone_and_uses_local_time():
    moment = dt.datetime(2026, 6, 10, 7, 0, tzinfo=dt.UTC)
    assert format_local(moment, time_zone="Europe/Tallinn", language="en") == (
        "Wednesday, 10 June 2026, 10:00 (Europe/Tallinn)"
    )
    assert format_local(moment, time_zone="Europe/Berlin", language="de") == (
        "Mittwoch, 10. Juni 2026, 09:00 Uhr (Europe/Berlin)"
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Wednesday, 2 December 2026, 10:00"),
        ("et", "kolmapäev, 2. detsember 2026 kell 10:00"),
        ("da", "onsdag den 2. december 2026 kl. 10.00"),
        ("ro", "miercuri, 2 decembrie 2026, ora 10:00"),
        ("fi", "keskiviikkona 2. joulukuuta 2026 klo 10.00"),
        ("de", "Mittwoch, 2. Dezember 2026, 10:00 Uhr"),
    ],
)
def test_format_local_writes_dates_as_each_language_does(language, expected):
    moment = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)
    assert format_local(moment, time_zone="Europe/Helsinki", language=language) == (
        f"{expected} (Europe/Helsinki)"
    )


def test_booking_sends_one_confirmation_by_email(shop, django_capture_on_commit_callbacks):
    # given a client who prefers email
    client = ClientFactory(
        salon=shop["salon"], email="anna@example.test", preferred_channel="email"
    )
    # when
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(shop, next_wednesday_at(10), client)
    # then one notice is recorded and delivered, with the local time and the zone named
    notice = Notice.objects.get(kind="booking_confirmation")
    assert notice.client == client
    assert notice.status == "sent"
    assert len(mail.outbox) == 1
    local = appointment.starts_at.astimezone(shop["location"].tzinfo)
    assert f"{local:%H:%M} (Europe/Tallinn)" in mail.outbox[0].body
    assert mail.outbox[0].to == ["anna@example.test"]


def test_reschedule_and_cancel_send_their_notices(shop, django_capture_on_commit_callbacks):
    client = ClientFactory(salon=shop["salon"])
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(shop, next_wednesday_at(10), client)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_reschedule(appointment=appointment, starts_at=next_wednesday_at(12))
    with django_capture_on_commit_callbacks(execute=True):
        appointment_set_status(appointment=appointment, status="cancelled")
    kinds = list(Notice.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["booking_confirmation", "booking_rescheduled", "booking_cancelled"]


def test_reminders_are_sent_once_inside_the_window(shop, django_capture_on_commit_callbacks):
    # given two appointments, one inside the 24 h window and one outside
    shop["salon"].reminder_hours_before = 24
    shop["salon"].save()
    client = ClientFactory(salon=shop["salon"])
    soon = book(shop, next_wednesday_at(10), client)
    later = book(shop, next_wednesday_at(10) + dt.timedelta(days=7), client)
    # booked days ahead (one booked inside the window gets no separate reminder)
    Appointment.objects.update(created_at=soon.starts_at - dt.timedelta(days=3))
    Notice.objects.all().delete()
    now = soon.starts_at - dt.timedelta(hours=23)
    # when the sweep runs twice
    with django_capture_on_commit_callbacks(execute=True):
        first = appointments_send_reminders(now=now)
        second = appointments_send_reminders(now=now)
    # then exactly one reminder, for the appointment inside the window
    assert (first, second) == (1, 0)
    reminder = Notice.objects.get(kind="booking_reminder")
    assert reminder.client == client
    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.reminder_sent_at == now
    assert later.reminder_sent_at is None


def test_cancelled_appointments_get_no_reminder(shop):
    client = ClientFactory(salon=shop["salon"])
    appointment = book(shop, next_wednesday_at(10), client)
    appointment_set_status(appointment=appointment, status="cancelled")
    assert appointments_send_reminders(now=appointment.starts_at - dt.timedelta(hours=1)) == 0
    assert Appointment.objects.get().reminder_sent_at is None
