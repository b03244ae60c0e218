"""Sharing booking passcodes with clients: the ready-to-send text the owner copies, and sending
the code to chosen clients as a (transactional) notice. The codes themselves are set in
`bookings.passcodes`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from bookings.models import Client, Location, Salon, StaffMember
from bookings.notice_kinds import BOOKING_PASSCODE, BOOKING_STAFF_PASSCODE
from notices.models import Notice
from notices.registry import Channel
from notices.services import notice_send, notice_send_to_client

# Whom to send to in one request (the request sends them one by one).
MAX_RECIPIENTS = 500

PREFERENCE = "preference"


def passcode_booking_url(*, salon: Salon) -> str:
    """The absolute link of the salon's public booking site."""
    return settings.SITE_URL + reverse("public:home", kwargs={"salon_slug": salon.slug})


def passcode_share_text(*, salon: Salon, target: Location | StaffMember) -> str:
    """A message the owner can paste into a chat, an email or an SMS (in the active language).
    Empty when the target has no active code."""
    if target.salon_id != salon.pk:
        raise ValueError("The location or staff member belongs to another salon.")
    if not target.passcode_active:
        return ""
    values = {
        "salon": salon.name,
        "code": target.booking_passcode,
        "url": passcode_booking_url(salon=salon),
    }
    if isinstance(target, Location):
        return _(
            "Online booking at %(salon)s, %(location)s needs a code. "
            "Open %(url)s and enter the code %(code)s."
        ) % {**values, "location": target.name}
    return _(
        "To book %(staff)s at %(salon)s online, open %(url)s and enter the code %(code)s "
        "when you choose %(staff)s."
    ) % {**values, "staff": target.name}


@dataclass(frozen=True)
class PasscodeSendResult:
    queued: int
    skipped: int


@transaction.atomic
def passcode_send_to_clients(
    *,
    salon: Salon,
    target: Location | StaffMember,
    clients: Iterable[Client],
    channel: str = PREFERENCE,
) -> PasscodeSendResult:
    """Send the target's active code to each client as a notice, by the client's preferred
    channel (`channel="preference"`) or by email or SMS only. A client with no address on that
    channel (or an invalid one) is skipped. ValidationError if the target has no active code;
    ValueError for a client or target of another salon (the caller's bug)."""
    if target.salon_id != salon.pk:
        raise ValueError("The location or staff member belongs to another salon.")
    if channel not in (PREFERENCE, *Channel.values):
        raise ValidationError({"channel": _("Unknown channel.")}, code="invalid")
    if not target.passcode_active:
        raise ValidationError(
            _("There is no active code to send. Switch the code on first."), code="no_passcode"
        )
    clients = list(clients)
    if any(client.salon_id != salon.pk for client in clients):
        raise ValueError("A client belongs to another salon.")
    if len(clients) > MAX_RECIPIENTS:
        raise ValidationError(
            {"clients": _("Choose at most %(max)d clients at a time.") % {"max": MAX_RECIPIENTS}},
            code="too_many",
        )
    if isinstance(target, Location):
        kind = BOOKING_PASSCODE.key
        context = {"location": target.name}
    else:
        kind = BOOKING_STAFF_PASSCODE.key
        context = {"staff": target.name}
    context |= {
        "passcode": target.booking_passcode,
        "booking_url": passcode_booking_url(salon=salon),
    }
    queued = skipped = 0
    for client in clients:
        try:
            notice = _send_one(client=client, kind=kind, channel=channel, context=context)
        except ValidationError:  # a stored address that is not valid
            notice = None
        if notice is None:
            skipped += 1
        else:
            queued += 1
    return PasscodeSendResult(queued=queued, skipped=skipped)


def _send_one(*, client: Client, kind: str, channel: str, context: dict[str, str]) -> Notice | None:
    if channel == PREFERENCE:
        return notice_send_to_client(client=client, kind=kind, context=context, dedupe_key=None)
    address = client.email if channel == Channel.EMAIL else str(client.phone or "")
    if not address:
        return None
    return notice_send(
        salon=client.salon,
        kind=kind,
        channel=channel,
        recipient=address,
        context={"client": client, **context},
        client=client,
        dedupe_key=None,
    )
