"""Time held while the client pays online (issue 17).

An online booking paid at a provider is booked as *held* (`appointment_book(hold_until=…)`,
from the checkout when the payment method's `hold_minutes` says so): status "held" until
`hold_expires_at`. While the hold is live nobody else can book the time (availability, the
booking service and — on PostgreSQL — the no-overlap and no-duplicate constraints all count
it); once it expired the time is free again, and whoever books it releases the hold on the
way (bookings/services/booking.py `holds_release_in_the_way`); the sweep
(`appointments_release_expired_holds`, every minute) releases the rest.

- paid → `appointment_hold_confirm`: held (live or expired) or released → booked, and the
  CREATED event (the confirmation notice, the salon's e-mail) goes out now;
- not paid (cancelled at the provider) → `appointment_hold_release`: held → released.

A held or released appointment is not a booking: no event, no notice, not in reports
(`Appointment.ACTIVE_STATUSES` leaves them out).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings.events import Actor, BookingEvent, acting_as, publish
from bookings.models import Appointment, Salon
from bookings.services.booking import (
    SlotTaken,
    _is_duplicate_error,
    _overlaps_existing,
    holds_release_in_the_way,
)


def appointment_hold_confirm(*, salon: Salon, appointment_id: int) -> Appointment:
    """The client paid: held (live or expired) or released → booked (`hold_expires_at`
    cleared), and BookingEvent.CREATED is published (actor: the client) after the commit.

    Already booked → returned unchanged (a repeated webhook). Released and its time taken
    meanwhile (by another booking, or the client's own identical one) → `SlotTaken`; the
    change runs in a savepoint of its own, so the caller's transaction survives it (to
    refund). Cancelled or any other status → ValueError. Unknown in this salon →
    `Appointment.DoesNotExist`."""
    with transaction.atomic():
        appointment = (
            Appointment.objects.for_salon(salon).select_for_update().get(pk=appointment_id)
        )
        status = appointment.status
        if status == Appointment.Status.BOOKED:
            return appointment
        if status not in (Appointment.Status.HELD, Appointment.Status.RELEASED):
            raise ValueError(
                f"Appointment {appointment_id} is {status}: only a held or released "
                "appointment can be confirmed."
            )
        now = timezone.now()
        if not appointment.hold_is_live(now):
            # Released (back under the constraints) or lapsed: its time may have been taken
            # meanwhile (on SQLite, which has no exclusion constraint, even while "held").
            _take_back(appointment, now=now)
        appointment.status = Appointment.Status.BOOKED
        appointment.hold_expires_at = None
        appointment.status_changed_at = now
        try:
            with transaction.atomic():
                appointment.save(
                    update_fields=["status", "hold_expires_at", "status_changed_at", "updated_at"]
                )
        except IntegrityError as exc:
            if Appointment.NO_OVERLAP_CONSTRAINT in str(exc) or _is_duplicate_error(exc):
                raise SlotTaken([]) from exc
            raise
        with acting_as(Actor.CLIENT):
            publish(BookingEvent.CREATED, appointment)
        return appointment


def _take_back(appointment: Appointment, *, now: dt.datetime) -> None:
    """A released or lapsed hold about to be booked: other expired holds in its way are
    released; a live hold or a booking there is SlotTaken (checked here — SQLite has no
    exclusion constraint — and refused by PostgreSQL's constraints on save as well)."""
    holds_release_in_the_way(appointment, now=now)
    if _overlaps_existing(appointment, exclude_pk=appointment.pk):
        raise SlotTaken([])
    duplicate = (
        Appointment.objects.for_salon(appointment.salon_id)
        .blocking(now)
        .filter(
            client_id=appointment.client_id,
            service_id=appointment.service_id,
            starts_at=appointment.starts_at,
        )
        .exclude(pk=appointment.pk)
        .exists()
    )
    if duplicate:
        raise SlotTaken([])


def appointment_hold_release(*, salon: Salon, appointment_id: int) -> bool:
    """Held → released (the client did not pay: cancelled at the provider, or the order was
    cancelled). A conditional UPDATE: False when it was not held (already released,
    confirmed, …). No event, no notice."""
    now = timezone.now()
    changed = (
        Appointment.objects.for_salon(salon)
        .filter(pk=appointment_id, status=Appointment.Status.HELD)
        .update(status=Appointment.Status.RELEASED, status_changed_at=now, updated_at=now)
    )
    return bool(changed)


def appointments_release_expired_holds(now: dt.datetime | None = None) -> int:
    """Release every hold that expired by `now` (the task `bookings.tasks.
    holds_release_expired`, every minute): salon by salon, one conditional UPDATE each, so a
    hold confirmed meanwhile stays booked. Safe to run twice or concurrently; how many were
    released."""
    now = now or timezone.now()
    # Across salons on purpose (a maintenance sweep): the partial index `appt_held_expiry`
    # reads only held rows.
    salon_ids = (
        Appointment.objects.filter(status=Appointment.Status.HELD, hold_expires_at__lte=now)
        .order_by()
        .values_list("salon_id", flat=True)
        .distinct()
    )
    total = 0
    for salon_id in list(salon_ids):
        total += (
            Appointment.objects.for_salon(salon_id)
            .expired_holds(now)
            .update(status=Appointment.Status.RELEASED, status_changed_at=now, updated_at=now)
        )
    return total
