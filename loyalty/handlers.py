"""How loyalty reacts to booking events (subscribed in `LoyaltyConfig.ready()`).

Each handler is one quick service call after the booking's transaction committed; if one is
lost (the process died in between), the award sweep's `loyalty_reconcile` makes the same
correction on its next run.
"""

from __future__ import annotations

import logging

from bookings.client_events import ClientsMerge
from bookings.models import Appointment
from loyalty.services.gift_cards import gift_card_refund_for_appointment
from loyalty.services.merge import loyalty_move_to_client
from loyalty.services.points import (
    points_reverse_for_appointment,
    points_snapshot_for_appointment,
)

logger = logging.getLogger(__name__)


def on_appointment_created(appointment_id: int) -> None:
    """Fix the points the booking will earn (see AppointmentPoints)."""
    appointment = Appointment.objects.filter(pk=appointment_id).first()
    if appointment is not None:
        points_snapshot_for_appointment(appointment=appointment)


def on_appointment_cancelled(appointment_id: int) -> None:
    """Take back points it earned; give back what a gift card paid."""
    appointment = Appointment.objects.select_related("salon").filter(pk=appointment_id).first()
    if appointment is None:
        return
    points_reverse_for_appointment(salon=appointment.salon, appointment_id=appointment_id)
    gift_card_refund_for_appointment(salon=appointment.salon, appointment_id=appointment_id)


def on_appointment_no_show(appointment_id: int) -> None:
    """Take back points it earned (a gift card payment stays, like a no-show fee)."""
    appointment = Appointment.objects.select_related("salon").filter(pk=appointment_id).first()
    if appointment is not None:
        points_reverse_for_appointment(salon=appointment.salon, appointment_id=appointment_id)


def on_clients_merged(merge: ClientsMerge) -> None:
    """Inside the merge's transaction: the duplicate's points and gift cards become the kept
    client's (loyalty/services/merge.py)."""
    loyalty_move_to_client(salon=merge.salon, kept=merge.kept, merged=merge.merged)
