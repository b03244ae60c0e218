"""Signed links that let a client manage one appointment without an account.

The token carries the appointment id and the salon id, signed with the project's secret and a
salt of its own (a token made for any other purpose does not verify here). It does not expire:
the client keeps it in their confirmation email; what they may still do with it (cancel,
reschedule) is decided by the salon's cutoff at the time they use it.
"""

from __future__ import annotations

from django.core import signing
from django.http import Http404

from bookings.models import Appointment, Salon

SALT = "bookings.public.manage-appointment"


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def appointment_token(appointment: Appointment) -> str:
    """The same token every time for one appointment (no timestamp), so links in an earlier
    email and on the "my appointments" page stay the same."""
    return _signer().sign_object({"a": appointment.pk, "s": appointment.salon_id})


def appointment_from_token(salon: Salon, token: str) -> Appointment:
    """The appointment the token was made for; 404 for a bad, tampered or other salon's token."""
    try:
        payload = _signer().unsign_object(token)
    except (signing.BadSignature, ValueError, UnicodeDecodeError) as exc:
        raise Http404("No appointment matches the given link.") from exc
    if not isinstance(payload, dict) or payload.get("s") != salon.pk:
        raise Http404("No appointment matches the given link.")
    appointment_id = payload.get("a")
    if not isinstance(appointment_id, int):
        raise Http404("No appointment matches the given link.")
    appointment = (
        Appointment.objects.for_salon(salon)
        .select_related("location", "service", "staff", "client")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        raise Http404("No appointment matches the given link.")
    return appointment
