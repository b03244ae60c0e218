"""Booking events: the one place feature apps hook into what happens to appointments.

`bookings` never imports a feature app. A feature app subscribes in its `AppConfig.ready()`:

    from bookings.events import BookingEvent, subscribe

    subscribe(BookingEvent.COMPLETED, award_points_later)   # handler(appointment_id: int)

Services publish with `publish(event, appointment)`; handlers run after the transaction
commits (never for a rolled-back change), each one isolated, so one failing handler neither
breaks the booking nor the other handlers. Handlers should be quick: enqueue a Celery task.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING

from django.db import transaction

if TYPE_CHECKING:
    from bookings.models import Appointment

logger = logging.getLogger(__name__)

Handler = Callable[[int], None]


class BookingEvent(StrEnum):
    CREATED = "created"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"


_subscribers: dict[BookingEvent, list[Handler]] = defaultdict(list)


def subscribe(event: BookingEvent, handler: Handler) -> Handler:
    if handler not in _subscribers[event]:
        _subscribers[event].append(handler)
    return handler


def unsubscribe(event: BookingEvent, handler: Handler) -> None:
    if handler in _subscribers[event]:
        _subscribers[event].remove(handler)


def subscribers(event: BookingEvent) -> list[Handler]:
    return list(_subscribers[event])


def publish(event: BookingEvent, appointment: Appointment) -> None:
    appointment_id = appointment.pk

    def deliver() -> None:
        for handler in subscribers(event):
            try:
                handler(appointment_id)
            except Exception:
                logger.exception("booking event %s handler %r failed", event, handler)

    transaction.on_commit(deliver)
