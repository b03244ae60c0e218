"""The salon hears about bookings: e-mails to the salon's address and to the staff member
concerned when a client books online, cancels or moves an appointment on the public site or
through the public API.

Subscribed to `bookings.events` in `OnboardingConfig.ready()` (bookings never imports this).
Only changes made by clients count: a new booking whose source is `online`, and cancellations
and moves published while `bookings.events.acting_as(Actor.CLIENT)` (the client's own cancel
and reschedule in bookings/services/self_service.py). What the salon does itself is not news
to it.

Per salon (`SalonBookingNotices`, dashboard: Notices → Booking e-mails; owner API:
`/api/v1/salons/<slug>/booking-notices/`): which of the three events, to the salon's address
(its own or the salon's contact e-mail) and/or to the staff member (their e-mail, else their
account's) — unless that staff member switched theirs off (`StaffBookingNotices`, on their
"My day" page; owner API: `staff/<id>/booking-notices/`). Each send has a dedupe key, so a
retried event never e-mails twice.

Each e-mail is written in its reader's language: the staff member's in the language of their
account (`User.language`), the salon's address in that of the member whose account has the
address, else of the owner — else the salon's default language.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse

from bookings.events import Actor, BookingEvent, current_actor, subscribe
from bookings.models import Appointment, Membership, Salon, StaffMember
from languages.formats import LocalMoment
from notices.registry import Channel
from notices.services import notice_send

from .models import SalonBookingNotices, StaffBookingNotices
from .notice_kinds import (
    SALON_BOOKING_CANCELLED,
    SALON_BOOKING_CREATED,
    SALON_BOOKING_RESCHEDULED,
)

logger = logging.getLogger(__name__)

SETTINGS_FIELDS = (
    "on_created",
    "on_cancelled",
    "on_rescheduled",
    "to_salon",
    "salon_email",
    "to_staff",
)

_KIND_AND_SWITCH = {
    BookingEvent.CREATED: (SALON_BOOKING_CREATED.key, "on_created"),
    BookingEvent.CANCELLED: (SALON_BOOKING_CANCELLED.key, "on_cancelled"),
    BookingEvent.RESCHEDULED: (SALON_BOOKING_RESCHEDULED.key, "on_rescheduled"),
}


# --- Settings -------------------------------------------------------------------------------


def booking_notices_get(*, salon: Salon) -> SalonBookingNotices:
    """The salon's settings; an unsaved row with the defaults when it never changed them."""
    found = SalonBookingNotices.objects.for_salon(salon).first()
    return found if found is not None else SalonBookingNotices(salon=salon)


@transaction.atomic
def booking_notices_update(*, salon: Salon, **data: Any) -> SalonBookingNotices:
    """Change some of `SETTINGS_FIELDS`. ValidationError per field (a bad address); nothing
    is saved then."""
    unknown = set(data) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"Not booking notice settings: {', '.join(sorted(unknown))}")
    Salon.objects.select_for_update().filter(pk=salon.pk).first()
    row = SalonBookingNotices.objects.for_salon(salon).first() or SalonBookingNotices(salon=salon)
    for name, value in data.items():
        setattr(row, name, value.strip() if isinstance(value, str) else value)
    row.full_clean(validate_unique=False, validate_constraints=False)
    row.save()
    return row


def staff_booking_notices_enabled(*, salon: Salon, staff: StaffMember) -> bool:
    """The staff member's own switch (on unless they switched it off)."""
    row = StaffBookingNotices.objects.for_salon(salon).filter(staff=staff).first()
    return row.enabled if row is not None else True


def staff_booking_notices_off(*, salon: Salon) -> QuerySet[StaffMember]:
    """The salon's staff members who switched their booking e-mails off."""
    muted = StaffBookingNotices.objects.for_salon(salon).filter(enabled=False).values("staff")
    return StaffMember.objects.for_salon(salon).filter(pk__in=muted).order_by("name", "pk")


@transaction.atomic
def staff_booking_notices_set(*, salon: Salon, staff: StaffMember, enabled: bool) -> bool:
    """Switch the booking e-mails to one staff member on or off (the staff member themself on
    "My day", or an owner or manager through the API)."""
    if staff.salon_id != salon.pk:
        raise ValueError("The staff member belongs to another salon.")
    StaffBookingNotices.objects.update_or_create(
        salon=salon, staff=staff, defaults={"enabled": enabled}
    )
    return enabled


# --- Sending ----------------------------------------------------------------------------------


def _appointment(appointment_id: int) -> Appointment | None:
    return (
        Appointment.objects.select_related(
            "salon", "location", "service", "staff", "staff__user", "client"
        )
        .filter(pk=appointment_id)
        .first()
    )


def booking_notice_recipients(
    *, appointment: Appointment, notices: SalonBookingNotices
) -> list[str]:
    """Addresses to tell, without duplicates (a one-person salon: the owner is the staff)."""
    return [address for address, _language in _recipients(appointment, notices)]


def salon_address_language(*, salon: Salon, address: str) -> str:
    """The language of an e-mail to one of the salon's addresses: the own language
    (`User.language`) of the member whose account has that address, else of the salon's first
    owner who chose one; "" — the salon's default language."""
    members = (
        Membership.objects.for_salon(salon)
        .filter(user__is_active=True)
        .exclude(user__language="")
        .order_by("pk")
        .values_list("role", "user__email", "user__language")
    )
    owner_language = ""
    for role, email, language in members:
        if address and (email or "").lower() == address.lower():
            return language
        if role == Membership.Role.OWNER and not owner_language:
            owner_language = language
    return owner_language


def _recipients(appointment: Appointment, notices: SalonBookingNotices) -> list[tuple[str, str]]:
    """(address, language) to tell: the salon's address in its owner's language, the staff
    member's in their own account's language ("": the salon's default language)."""
    salon = appointment.salon
    found: list[tuple[str, str | None]] = []
    if notices.to_salon:
        found.append((notices.salon_email or salon.email, None))
    staff = appointment.staff
    if notices.to_staff and staff_booking_notices_enabled(salon=salon, staff=staff):
        user = staff.user if staff.user_id else None
        found.append((staff.email or (user.email if user else ""), getattr(user, "language", "")))
    unique: list[tuple[str, str]] = []
    for address, language in found:
        address = (address or "").strip()
        if address and address.lower() not in {a.lower() for a, _language in unique}:
            if language is None:
                language = salon_address_language(salon=salon, address=address)
            unique.append((address, language or ""))
    return unique


def _context(appointment: Appointment) -> dict[str, Any]:
    salon = appointment.salon
    path = reverse(
        "dashboard:appointment_detail", kwargs={"salon_slug": salon.slug, "pk": appointment.pk}
    )
    client = appointment.client
    return {
        "client_name": client.full_name,
        "client_phone": str(client.phone or ""),
        "client_email": client.email or "",
        "service": appointment.service.name,
        "staff": appointment.staff.name,
        "location": appointment.location.name,
        # Printed in each recipient's language (`notices.services.notice_send` renders it).
        "starts_at": LocalMoment(appointment.starts_at, appointment.location.time_zone),
        "dashboard_url": settings.SITE_URL + path,
    }


def booking_notices_send(*, event: BookingEvent, appointment: Appointment) -> int:
    """E-mail the salon about a client's change, as its settings say. Returns how many were
    queued (0 when the event is switched off or nobody has an address)."""
    kind, switch = _KIND_AND_SWITCH[event]
    notices = booking_notices_get(salon=appointment.salon)
    if not getattr(notices, switch):
        return 0
    recipients = _recipients(appointment, notices)
    if not recipients:
        return 0
    context = _context(appointment)
    # A move may happen more than once: each new time is news.
    version = appointment.starts_at.isoformat() if event == BookingEvent.RESCHEDULED else "1"
    for address, language in recipients:
        digest = hashlib.sha256(address.lower().encode()).hexdigest()[:16]
        notice_send(
            salon=appointment.salon,
            kind=kind,
            channel=Channel.EMAIL,
            recipient=address,
            context=context,
            language=language or None,
            dedupe_key=f"{kind}:{appointment.pk}:{version}:{digest}",
        )
    return len(recipients)


def _by_client(event: BookingEvent, appointment: Appointment) -> bool:
    if event == BookingEvent.CREATED:
        return appointment.source == Appointment.Source.ONLINE
    return current_actor() == Actor.CLIENT


def _handler(event: BookingEvent) -> Any:
    def handle(appointment_id: int) -> None:
        appointment = _appointment(appointment_id)
        if appointment is None or not _by_client(event, appointment):
            return
        booking_notices_send(event=event, appointment=appointment)

    handle.__name__ = f"salon_notices_on_{event.value}"
    return handle


on_created = _handler(BookingEvent.CREATED)
on_cancelled = _handler(BookingEvent.CANCELLED)
on_rescheduled = _handler(BookingEvent.RESCHEDULED)


def connect() -> None:
    subscribe(BookingEvent.CREATED, on_created)
    subscribe(BookingEvent.CANCELLED, on_cancelled)
    subscribe(BookingEvent.RESCHEDULED, on_rescheduled)
