"""Where a booking's confirmation went, as the confirmation page says it: the client's notice
channel (notices.services.client_notice_channel: their preferred one if we have that address,
else the other) and the address, masked — the page is reachable by its link, so it shows
only enough for the client to recognise their own address ("k•••a@example.com",
"+372 ••• 4567")."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from django.utils.translation import gettext as _

from bookings.models import Client
from notices.services import client_notice_channel

MASK = "•••"


@dataclass(frozen=True)
class SentTo:
    channel: str  # "email" or "sms"
    address: str  # masked

    @property
    def sentence(self) -> str:
        if self.channel == "email":
            return _("We sent the confirmation by e-mail to %(address)s.") % {
                "address": self.address
            }
        return _("We sent the confirmation by text message to %(address)s.") % {
            "address": self.address
        }


def mask_email(email: str) -> str:
    """The first and last letter of the name and the whole domain: "k•••a@example.com"."""
    name, at, domain = (email or "").partition("@")
    if not at:
        return MASK
    shown = name[0] + MASK + name[-1] if len(name) > 2 else name[:1] + MASK
    return f"{shown}@{domain}"


def mask_phone(phone: str) -> str:
    """The country code and the last four digits: "+372 ••• 4567"."""
    text = str(phone or "")
    try:
        number = phonenumbers.parse(text, None)
        country = f"+{number.country_code} "
        digits = str(number.national_number)
    except phonenumbers.NumberParseException:
        country = ""
        digits = "".join(c for c in text if c.isdigit())
    if len(digits) <= 4:
        return country + MASK
    return f"{country}{MASK} {digits[-4:]}"


def confirmation_sent_to(client: Client | None) -> SentTo | None:
    """Where the booking confirmation was sent (None: the client has no address)."""
    if client is None:
        return None
    channel = client_notice_channel(client)
    if channel == "email":
        return SentTo("email", mask_email(client.email))
    if channel == "sms":
        return SentTo("sms", mask_phone(str(client.phone)))
    return None
