"""iCalendar (RFC 5545) text for one appointment, so a client can add it to their calendar.

Written by hand: one VEVENT, times in UTC ("Z" form, so no VTIMEZONE is needed), text values
escaped (section 3.3.11), lines ended by CRLF and folded at 75 octets (section 3.1).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Appointment

CRLF = "\r\n"
MAX_LINE_OCTETS = 75
PRODID = "-//SalonBook//Online booking//EN"


def escape_text(value: str) -> str:
    """TEXT value escaping: backslash, semicolon, comma and newlines."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def format_utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def fold_line(line: str) -> str:
    """Split a content line into parts of at most 75 octets, never inside a UTF-8 character;
    each continuation starts with one space (which counts towards its 75)."""
    parts: list[str] = []
    current, size, limit = "", 0, MAX_LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, MAX_LINE_OCTETS - 1
        current += char
        size += width
    parts.append(current)
    return (CRLF + " ").join(parts)


def _location_text(appointment: Appointment) -> str:
    location = appointment.location
    pieces = [
        location.name,
        location.address,
        " ".join(p for p in (location.postal_code, location.city) if p),
    ]
    return ", ".join(p for p in pieces if p)


def appointment_ics(appointment: Appointment, *, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    salon = appointment.salon
    cancelled = appointment.status == Appointment.Status.CANCELLED
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:appointment-{appointment.pk}-salon-{appointment.salon_id}@salonbook",
        f"DTSTAMP:{format_utc(now)}",
        f"DTSTART:{format_utc(appointment.starts_at)}",
        f"DTEND:{format_utc(appointment.ends_at)}",
        f"SUMMARY:{escape_text(f'{appointment.service.name} · {salon.name}')}",
        f"LOCATION:{escape_text(_location_text(appointment))}",
        "DESCRIPTION:" + escape_text(_("With %(staff)s") % {"staff": appointment.staff.name}),
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold_line(line) + CRLF for line in lines)
