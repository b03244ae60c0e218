"""Booking events: the one place feature apps hook into what happens to appointments.

`bookings` never imports a feature app. A feature app subscribes in its `AppConfig.ready()`:

    from bookings.events import BookingEvent, subscribe

    subscribe(BookingEvent.COMPLETED, award_points_later)   # handler(appointment_id: int)

Services publish with `publish(event, appointment)`; handlers run after the transaction
commits (never for a rolled-back change), in the Celery worker (`bookings.tasks.
booking_event_deliver`, queued after the commit; here and now only while the broker is
unreachable), each one isolated, so one failing handler neither breaks the booking nor the
other handlers. Delivery is at least once (a worker lost mid-task runs it again): handlers
must be idempotent (dedupe keys, conditional updates).

Who made the change: a service acting for a client wraps its work in
`with acting_as(Actor.CLIENT): …` (bookings/services/self_service.py does, for the client's
cancel and move on the public site). `publish` remembers the actor of that moment, and while a
handler runs `current_actor()` returns it (None when nobody said), e.g. so the salon is told
about changes its clients made online but not about its own.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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


class Actor(StrEnum):
    CLIENT = "client"
    SALON = "salon"


_subscribers: dict[BookingEvent, list[Handler]] = defaultdict(list)
_actor: ContextVar[Actor | None] = ContextVar("booking_event_actor", default=None)


@contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    """Events published inside this block are marked as made by `actor`."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> Actor | None:
    """Inside a handler: who made the change (`acting_as` when it was published), or None."""
    return _actor.get()


def subscribe(event: BookingEvent, handler: Handler) -> Handler:
    if handler not in _subscribers[event]:
        _subscribers[event].append(handler)
    return handler


def unsubscribe(event: BookingEvent, handler: Handler) -> None:
    if handler in _subscribers[event]:
        _subscribers[event].remove(handler)


def subscribers(event: BookingEvent) -> list[Handler]:
    return list(_subscribers[event])


def deliver(event: BookingEvent | str, appointment_id: int, actor: str | None = None) -> None:
    """Run the handlers of `event` (each isolated), with `current_actor()` set to `actor`. In
    the worker: `bookings.tasks.booking_event_deliver`."""
    token = _actor.set(Actor(actor) if actor else None)
    try:
        for handler in subscribers(BookingEvent(event)):
            try:
                handler(appointment_id)
            except Exception:
                logger.exception("booking event %s handler %r failed", event, handler)
    finally:
        _actor.reset(token)


def publish(event: BookingEvent, appointment: Appointment) -> None:
    """After the commit, queue the event's delivery for the worker (issue 15: the request does
    no handler's work — notices rendered, points fixed, the salon told — after its own).
    When the broker can't take the message, the handlers run here and now instead."""
    appointment_id = appointment.pk
    actor = _actor.get()
    transaction.on_commit(lambda: _deliver_later(event, appointment_id, actor))


def _deliver_later(event: BookingEvent, appointment_id: int, actor: Actor | None) -> None:
    from bookings.tasks import booking_event_deliver
    from salonbook.tasks_publish import publish as publish_task

    actor_value = str(actor) if actor else None
    if not publish_task(booking_event_deliver, str(event), appointment_id, actor_value):
        deliver(event, appointment_id, actor_value)
