"""The loyalty links in the public site's top bar (bookings/public/extensions.py), shown only
on the sites of salons whose loyalty system is on (the gift cards link also while the salon
sells gift cards online). `LoyaltyConfig.ready()` calls
`register_nav()`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from bookings.public.extensions import PublicNavItem, register_public_nav
from loyalty.selectors import gift_cards_on_sale_cached, loyalty_is_enabled_cached

LOYALTY_NAV = "loyalty_public:loyalty"
GIFT_CARDS_NAV = "loyalty_public:gift_cards"


def loyalty_shown(salon: Any) -> bool:
    """Asked on every public page: read from the cache (no query; the program's writes clear
    it), kept on the salon object for the second link."""
    shown = getattr(salon, "_loyalty_nav_shown", None)
    if shown is None:
        shown = loyalty_is_enabled_cached(salon=salon)
        salon._loyalty_nav_shown = shown
    return shown


def gift_cards_shown(salon: Any) -> bool:
    """The gift cards link: with loyalty on, or while gift cards are sold online (issue 17)."""
    return loyalty_shown(salon) or gift_cards_on_sale_cached(salon=salon)


def register_nav() -> None:
    register_public_nav(
        PublicNavItem(url_name=LOYALTY_NAV, label=_("Loyalty"), position=20, visible=loyalty_shown)
    )
    register_public_nav(
        PublicNavItem(
            url_name=GIFT_CARDS_NAV, label=_("Gift cards"), position=30, visible=gift_cards_shown
        )
    )
