"""What the booking engine tells clients: confirmation, reminder, moved, cancelled.

Hooked to the booking events (see `BookingsConfig.ready`), so every way of booking — public
site, dashboard, API — sends the same notices. The handlers run in the worker
(bookings/events.py: the request only queues the event after the commit), which renders and
stores the notice, then delivers it.
Each send has a dedupe key, so a retried event or task never sends twice. Reminders are
claimed with a conditional UPDATE before they are sent.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from bookings.events import BookingEvent, subscribe
from bookings.models import Appointment, Salon
from bookings.notice_kinds import (
    BOOKING_CANCELLED,
    BOOKING_CONFIRMATION,
    BOOKING_REMINDER,
    BOOKING_RESCHEDULED,
)
from bookings.policy import cancellation_policy
from languages.formats import notice_datetime
from notices.renderer import recipient_language
from notices.services import notice_send_to_client

logger = logging.getLogger(__name__)


def format_local(moment: dt.datetime, *, time_zone: str, language: str) -> str:
    """'Wednesday, 10 June 2026, 10:00 (Europe/Tallinn)' as `language` writes a date and a time
    ("keskiviikkona 10. kesäkuuta 2026 klo 10.00 …"; `languages.formats.notice_datetime`)."""
    local = moment.astimezone(zoneinfo.ZoneInfo(time_zone))
    return f"{notice_datetime(local, language)} ({time_zone})"


def _absolute(name: str, appointment: Appointment) -> str:
    from bookings.signing import appointment_token

    try:
        path = reverse(
            name,
            kwargs={"salon_slug": appointment.salon.slug, "token": appointment_token(appointment)},
        )
    except NoReverseMatch:
        return settings.SITE_URL + "/"
    return settings.SITE_URL + path


def appointment_notice_context(
    appointment: Appointment, *, language: str | None = None
) -> dict[str, Any]:
    """The variables of an appointment's notices, written in `language` (default: the
    client's language — `notices.renderer.recipient_language`)."""
    language = language or recipient_language(salon=appointment.salon, client=appointment.client)
    location = appointment.location
    address = ", ".join(p for p in (location.address, location.postal_code, location.city) if p)
    with translation.override(language):
        policy = str(cancellation_policy(appointment.salon))
    return {
        "service": appointment.service.name,
        "staff": appointment.staff.name,
        "location": location.name,
        "address": address,
        "starts_at": format_local(
            appointment.starts_at,
            time_zone=location.time_zone,
            language=language,
        ),
        # The pages open in the language of the notice (bookings/public/mixins.py: ?lang=).
        "manage_url": f"{_absolute('public:appointment', appointment)}?lang={language}",
        "calendar_url": f"{_absolute('public:appointment_ics', appointment)}?lang={language}",
        "policy": policy,
    }


def _appointment(appointment_id: int) -> Appointment | None:
    return (
        Appointment.objects.select_related("salon", "location", "service", "staff", "client")
        .filter(pk=appointment_id)
        .first()
    )


def _send(appointment_id: int, kind: str, dedupe: str) -> None:
    appointment = _appointment(appointment_id)
    if appointment is None:
        return
    notice_send_to_client(
        client=appointment.client,
        kind=kind,
        context=appointment_notice_context(appointment),
        dedupe_key=f"{kind}:{appointment.pk}:{dedupe}",
    )


def appointment_confirmation_send(appointment: Appointment) -> None:
    _send(appointment.pk, BOOKING_CONFIRMATION.key, "1")


def appointment_event_notice_send(appointment_id: int, event: str) -> None:
    """The client's notice of a booking event (`BookingEvent` value: created, rescheduled,
    cancelled), rendered and stored. Runs where the event's handlers run — in the worker
    (bookings/events.py), not in the request. Safe to run twice: the dedupe key sends it once."""
    if event == BookingEvent.CREATED:
        _send(appointment_id, BOOKING_CONFIRMATION.key, "1")
    elif event == BookingEvent.RESCHEDULED:
        appointment = _appointment(appointment_id)
        if appointment is not None:
            _send(appointment_id, BOOKING_RESCHEDULED.key, appointment.starts_at.isoformat())
    elif event == BookingEvent.CANCELLED:
        # Tell the client — unless the visit is already over: the owner correcting a past
        # (completed) appointment to cancelled is bookkeeping, not news for the client.
        appointment = _appointment(appointment_id)
        if appointment is None or appointment.ends_at <= timezone.now():
            return
        _send(appointment_id, BOOKING_CANCELLED.key, "1")


def on_created(appointment_id: int) -> None:
    appointment_event_notice_send(appointment_id, BookingEvent.CREATED)


def on_rescheduled(appointment_id: int) -> None:
    appointment_event_notice_send(appointment_id, BookingEvent.RESCHEDULED)


def on_cancelled(appointment_id: int) -> None:
    appointment_event_notice_send(appointment_id, BookingEvent.CANCELLED)


def connect() -> None:
    subscribe(BookingEvent.CREATED, on_created)
    subscribe(BookingEvent.RESCHEDULED, on_rescheduled)
    subscribe(BookingEvent.CANCELLED, on_cancelled)


def appointments_send_reminders(*, now: dt.datetime | None = None, batch_size: int = 500) -> int:
    """Send the reminder of every booked appointment that starts within its salon's reminder
    window and has had none. Each one is claimed first (`reminder_sent_at` set only while
    null), so overlapping runs send one reminder. Returns how many were sent.

    An appointment booked when its start was already within the window gets no reminder:
    its confirmation, sent minutes earlier, is the reminder."""
    now = now or timezone.now()
    sent = 0
    for salon in Salon.objects.filter(reminder_hours_before__gt=0).order_by("pk"):
        window = dt.timedelta(hours=salon.reminder_hours_before)
        due = (
            Appointment.objects.for_salon(salon)
            .filter(
                status=Appointment.Status.BOOKED,
                reminder_sent_at__isnull=True,
                starts_at__gt=now,
                starts_at__lte=now + window,
                created_at__lte=F("starts_at") - window,
            )
            .values_list("pk", flat=True)[:batch_size]
        )
        for appointment_id in list(due):
            with transaction.atomic():
                claimed = Appointment.objects.filter(
                    pk=appointment_id, reminder_sent_at__isnull=True
                ).update(reminder_sent_at=now)
                if claimed:
                    _send(appointment_id, BOOKING_REMINDER.key, "1")
                    sent += 1
    return sent
