"""The loyalty links in the public site's top bar (bookings/public/extensions.py), shown only
on the sites of salons whose loyalty system is on. `LoyaltyConfig.ready()` calls
`register_nav()`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from bookings.public.extensions import PublicNavItem, register_public_nav
from loyalty.selectors import loyalty_is_enabled

LOYALTY_NAV = "loyalty_public:loyalty"
GIFT_CARDS_NAV = "loyalty_public:gift_cards"


def loyalty_shown(salon: Any) -> bool:
    """One query per page for both links: the answer is kept on the salon object."""
    shown = getattr(salon, "_loyalty_nav_shown", None)
    if shown is None:
        shown = loyalty_is_enabled(salon=salon)
        salon._loyalty_nav_shown = shown
    return shown


def register_nav() -> None:
    register_public_nav(
        PublicNavItem(url_name=LOYALTY_NAV, label=_("Loyalty"), position=20, visible=loyalty_shown)
    )
    register_public_nav(
        PublicNavItem(
            url_name=GIFT_CARDS_NAV, label=_("Gift cards"), position=30, visible=loyalty_shown
        )
    )
