"""How referrals react to bookings (registered in `ReferralsConfig.ready()`):

- the after-booking hook (bookings/checkout.py) records the referral of a booking that carried
  a referral code — from the public API's `referral_code`, or the code a referral link left in
  the visitor's session on the booking site;
- the booking events credit a pending referral when the new client's visit is completed (the
  salon credits after the first visit), and take the points back when the appointment that
  credited them turns into a no-show or is cancelled.

The event handlers run after the booking's transaction committed; each is one quick service
call, safe to repeat.
"""

from __future__ import annotations

from collections.abc import Mapping

from bookings.client_events import ClientsMerge
from bookings.models import Appointment, Client
from referrals.services.merge import referrals_move_to_client
from referrals.services.referrals import (
    referral_award_for_visit,
    referral_record_by_code,
    referral_reverse_for_appointment,
)

REFERRAL_CODE_EXTRA = "referral_code"


def on_booking(
    appointment: Appointment, client: Client, extras: Mapping[str, str], is_new_client: bool
) -> None:
    """Record who invited the booking's client, if the booking carried a code. A code that is
    refused raises ValidationError on `referral_code` (the API answers 400; the site ignores
    a stale code)."""
    code = extras.get(REFERRAL_CODE_EXTRA, "")
    if code:
        referral_record_by_code(
            salon=appointment.salon, referred=client, code=code, appointment=appointment
        )


def on_appointment_completed(appointment_id: int) -> None:
    referral_award_for_visit(appointment_id=appointment_id)


def on_appointment_not_taken_place(appointment_id: int) -> None:
    """Cancelled or no-show: the points it credited (if any) go back."""
    appointment = Appointment.objects.select_related("salon").filter(pk=appointment_id).first()
    if appointment is not None:
        referral_reverse_for_appointment(salon=appointment.salon, appointment_id=appointment_id)


def on_clients_merged(merge: ClientsMerge) -> None:
    """Inside the merge's transaction: the duplicate's referrals and code become the kept
    client's, one referrer per client kept (referrals/services/merge.py)."""
    referrals_move_to_client(
        salon=merge.salon, kept=merge.kept, merged=merge.merged, actor=merge.actor
    )
