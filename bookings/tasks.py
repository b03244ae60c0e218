"""Scheduled work of the booking engine (thin shells; the rules are in the services)."""

from celery import shared_task

from bookings import events, notifications
from bookings.services import booking, holds


@shared_task(name="bookings.tasks.appointments_send_reminders")
def appointments_send_reminders() -> int:
    return notifications.appointments_send_reminders()


@shared_task(name="bookings.tasks.appointments_complete_ended")
def appointments_complete_ended() -> int:
    return booking.appointments_complete_ended()


@shared_task(name="bookings.tasks.holds_release_expired")
def holds_release_expired() -> int:
    """Holds for payment that expired are released (bookings/services/holds.py)."""
    return holds.appointments_release_expired_holds()


@shared_task(
    name="bookings.tasks.booking_event_deliver",
)
def booking_event_deliver(event: str, appointment_id: int, actor: str | None = None) -> None:
    """Run a booking event's handlers (queued after the commit by `bookings.events.publish`)."""
    events.deliver(event, appointment_id, actor)
