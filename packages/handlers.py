"""How packages react to booking events (subscribed in `PackagesConfig.ready()`).

- created: a booking the salon made (dashboard, owner API) for a client holding a package
  that can pay it is paid by it — as the reference says, "applied automatically to every
  appointment created after the assignment". Online bookings are not touched here: the
  client chose how to pay at the checkout (packages/checkout.py). Running twice changes
  nothing (one use per appointment).
- cancelled: the use is returned. No-show: the use is kept (no handler).
- rescheduled: the use moves with the booking if the package still covers the new date;
  otherwise it is returned.

The rules are in packages/services/usage.py; each handler is one service call after the
booking's transaction committed.
"""

from __future__ import annotations

from bookings.client_events import ClientsMerge
from bookings.models import Appointment
from packages.services.merge import packages_move_to_client
from packages.services.usage import (
    package_pay_appointment,
    package_recheck_after_move,
    package_return_for_appointment,
)


def on_appointment_created(appointment_id: int) -> None:
    appointment = (
        Appointment.objects.select_related("location", "created_by")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None or appointment.source == Appointment.Source.ONLINE:
        return
    package_pay_appointment(appointment=appointment, actor=appointment.created_by)


def _salon_of(appointment_id: int) -> int | None:
    return Appointment.objects.filter(pk=appointment_id).values_list("salon_id", flat=True).first()


def on_appointment_cancelled(appointment_id: int) -> None:
    salon_id = _salon_of(appointment_id)
    if salon_id is not None:
        package_return_for_appointment(salon=salon_id, appointment_id=appointment_id)


def on_appointment_rescheduled(appointment_id: int) -> None:
    salon_id = _salon_of(appointment_id)
    if salon_id is not None:
        package_recheck_after_move(salon=salon_id, appointment_id=appointment_id)


def on_clients_merged(merge: ClientsMerge) -> None:
    """Inside the merge's transaction: the duplicate's packages become the kept client's
    (packages/services/merge.py)."""
    packages_move_to_client(salon=merge.salon, kept=merge.kept, merged=merge.merged)
