"""What a client may do to their own appointment from the public site (by its signed link).

Clients may cancel or move a booked appointment until the salon's cutoff
(`Salon.cancellation_cutoff_hours` before the start); after that they must call the salon.
The rule is checked here, on every write, not only when the buttons are drawn. A move into
that window (a new time less than the cutoff from now) is made only when the client accepted
that they could not change it online afterwards (`accept_no_change`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bookings.booking_scope import BookingScope
from bookings.events import Actor, acting_as
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
    with acting_as(Actor.CLIENT):
        return appointment_set_status(
            appointment=appointment, status=Appointment.Status.CANCELLED, booked_only=True
        )


def no_change_from(salon_cutoff_hours: int, *, now: dt.datetime | None = None) -> dt.datetime:
    """Appointments starting before this moment are inside the no-change window: once there,
    the client can no longer change or cancel them online."""
    return (now or timezone.now()) + dt.timedelta(hours=salon_cutoff_hours)


class NoChangeWindow(ValidationError):
    """The new time is so soon that the moved booking could no longer be changed online; the
    client must say they accept that (`accept_no_change=True`)."""


def appointment_reschedule_by_client(
    *,
    appointment: Appointment,
    starts_at: dt.datetime,
    scope: BookingScope | None = None,
    accept_no_change: bool = True,
) -> Appointment:
    """Move to another offered time with the same staff member (raises SlotTaken).

    A move into the no-change window (the new start less than the cutoff from now) raises
    NoChangeWindow unless `accept_no_change`: the public site asks the client first (it passes
    False until they confirm); the default keeps API callers' behaviour."""
    _ensure_allowed(appointment)
    cutoff = appointment.salon.cancellation_cutoff_hours
    now = timezone.now()
    if not accept_no_change and cutoff and now < starts_at < no_change_from(cutoff, now=now):
        raise NoChangeWindow(
            ngettext(
                "At the new time your appointment would start in less than %(hours)d hour: "
                "after moving it you could no longer change or cancel it online. "
                "Confirm to move it anyway.",
                "At the new time your appointment would start in less than %(hours)d hours: "
                "after moving it you could no longer change or cancel it online. "
                "Confirm to move it anyway.",
                cutoff,
            )
            % {"hours": cutoff},
            code="no_change_window",
        )
    with acting_as(Actor.CLIENT):
        return appointment_reschedule(
            appointment=appointment, starts_at=starts_at, by_owner=False, scope=scope
        )
