"""Scheduled work of the booking engine (thin shells; the rules are in the services)."""

from celery import shared_task

from bookings import notifications
from bookings.services import booking


@shared_task(name="bookings.tasks.appointments_send_reminders")
def appointments_send_reminders() -> int:
    return notifications.appointments_send_reminders()


@shared_task(name="bookings.tasks.appointments_complete_ended")
def appointments_complete_ended() -> int:
    return booking.appointments_complete_ended()
