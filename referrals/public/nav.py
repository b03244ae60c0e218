"""The "Invite friends" link in the public site's top bar (bookings/public/extensions.py), for
logged-in visitors of salons whose loyalty system is on (the bonus is loyalty points).
`ReferralsConfig.ready()` calls `register_nav()`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from bookings.public.extensions import PublicNavItem, register_public_nav
from loyalty.selectors import loyalty_is_enabled_cached

REFERRAL_NAV = "referrals_public:referral"


def referral_shown(salon: Any) -> bool:
    """Asked on every public page: loyalty's cached switch (no query)."""
    return loyalty_is_enabled_cached(salon=salon)


def register_nav() -> None:
    register_public_nav(
        PublicNavItem(
            url_name=REFERRAL_NAV,
            label=_("Invite friends"),
            position=40,
            login_required=True,
            visible=referral_shown,
        )
    )
