"""What a client may do to their own appointment from the public site (by its signed link).

Clients may cancel or move a booked appointment until the salon's cutoff
(`Salon.cancellation_cutoff_hours` before the start); after that they must call the salon.
The rule is checked here, on every write, not only when the buttons are drawn.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Appointment

from .booking import appointment_reschedule, appointment_set_status


@dataclass(frozen=True)
class ClientChange:
    allowed: bool
    reason: str = ""
    deadline: dt.datetime | None = None


def client_change_check(
    appointment: Appointment, *, now: dt.datetime | None = None
) -> ClientChange:
    now = now or timezone.now()
    deadline = appointment.starts_at - dt.timedelta(
        hours=appointment.salon.cancellation_cutoff_hours
    )
    if appointment.status != Appointment.Status.BOOKED:
        return ClientChange(
            False,
            _("This appointment is %(status)s.") % {"status": appointment.get_status_display()},
            deadline,
        )
    if appointment.starts_at <= now:
        return ClientChange(False, _("This appointment has already started."), deadline)
    if now >= deadline:
        return ClientChange(
            False,
            _(
                "Online changes are possible until %(hours)d hours before the appointment. "
                "Please contact the salon."
            )
            % {"hours": appointment.salon.cancellation_cutoff_hours},
            deadline,
        )
    return ClientChange(True, "", deadline)


def _ensure_allowed(appointment: Appointment) -> None:
    check = client_change_check(appointment)
    if not check.allowed:
        raise ValidationError(check.reason)


def appointment_cancel_by_client(*, appointment: Appointment) -> Appointment:
    _ensure_allowed(appointment)
    # booked_only: an owner's mark (completed) made meanwhile is not undone by the client.
    return appointment_set_status(
        appointment=appointment, status=Appointment.Status.CANCELLED, booked_only=True
    )


def appointment_reschedule_by_client(
    *, appointment: Appointment, starts_at: dt.datetime
) -> Appointment:
    """Move to another offered time with the same staff member (raises SlotTaken)."""
    _ensure_allowed(appointment)
    return appointment_reschedule(appointment=appointment, starts_at=starts_at, by_owner=False)
