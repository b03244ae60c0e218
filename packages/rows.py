"""A held package and its ledger as pages show them (the dashboard, the client's own page):
its state, what is left, its colour, and a description of each ledger row — in the active
language."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from packages.models import ClientPackage, PackageEntry, PackageKind

# CSS class of each kind (static/css/app.css): time = yellow, credit = purple, visits = green.
KIND_CLASS = {
    PackageKind.TIME: "package-time",
    PackageKind.CREDIT: "package-credit",
    PackageKind.VISITS: "package-visits",
}


def validity_text(count: int | None, unit: str) -> str:
    """ "6 months", "1 year", or "No expiry"."""
    if not count:
        return _("No expiry")
    if unit == "days":
        return ngettext("%(count)d day", "%(count)d days", count) % {"count": count}
    if unit == "months":
        return ngettext("%(count)d month", "%(count)d months", count) % {"count": count}
    return ngettext("%(count)d year", "%(count)d years", count) % {"count": count}


def kind_class(kind: str) -> str:
    return KIND_CLASS.get(kind, "")  # type: ignore[call-overload]


def package_state(held: ClientPackage, today: dt.date) -> tuple[str, str]:
    """(state, its label): waiting for payment, not paid (lapsed), expired, used up, not yet
    valid, or valid."""
    if held.status == ClientPackage.Status.PENDING:
        return "pending", _("Waiting for payment")
    if held.status == ClientPackage.Status.LAPSED:
        return "lapsed", _("Not paid")
    if held.is_expired_on(today):
        return "expired", _("Expired")
    if held.is_used_up:
        return "used_up", _("Used up")
    if held.starts_on > today:
        return "not_yet", _("Not valid yet")
    return "valid", _("Valid")


def package_left(held: ClientPackage) -> str:
    """What is left, in words."""
    if held.kind == PackageKind.CREDIT:
        return _("%(left)s of %(total)s %(currency)s left") % {
            "left": held.credit_left,
            "total": held.credit_total,
            "currency": held.currency,
        }
    if held.kind == PackageKind.VISITS:
        return _("%(left)d of %(total)d visits left") % {
            "left": held.visits_left or 0,
            "total": held.visits_total or 0,
        }
    return _("Unlimited bookings in its period")


def client_package_row(
    held: ClientPackage, *, entries: list[PackageEntry], today: dt.date | None = None
) -> dict[str, Any]:
    if today is None:
        today = timezone.localdate(timezone.now(), zoneinfo.ZoneInfo(held.salon.time_zone))
    state, state_label = package_state(held, today)
    return {
        "held": held,
        "state": state,
        "state_label": state_label,
        "left": package_left(held),
        "kind_label": held.get_kind_display(),
        "kind_class": kind_class(held.kind),
        "entries": entry_rows(entries),
    }


def _visit(entry: PackageEntry) -> str:
    appointment = entry.appointment
    if appointment is None:
        return ""
    tz = zoneinfo.ZoneInfo(appointment.location.time_zone)
    when = formats.date_format(appointment.starts_at.astimezone(tz), "SHORT_DATETIME_FORMAT")
    return _("%(service)s on %(date)s") % {"service": appointment.service.name, "date": when}


def entry_description(entry: PackageEntry) -> str:
    if entry.kind == PackageEntry.Kind.ISSUED:
        return _("Package added")
    if entry.kind == PackageEntry.Kind.USED:
        return _("Paid: %(visit)s") % {"visit": _visit(entry)}
    return _("Returned: %(visit)s was cancelled or moved") % {"visit": _visit(entry)}


def entry_amount(entry: PackageEntry) -> str:
    """The movement: "−1 visit", "−40.00", "+1 visit", "booking" (a time pass)."""
    if entry.visits:
        return f"{entry.visits:+d}"
    if entry.credit:
        return f"{entry.credit:+}"
    return "±0"


def entry_rows(entries: list[PackageEntry]) -> list[dict[str, Any]]:
    return [
        {
            "entry": e,
            "kind": e.get_kind_display(),
            "description": entry_description(e),
            "amount": entry_amount(e),
            "appointment": e.appointment,
        }
        for e in entries
    ]
