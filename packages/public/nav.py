"""The packages links in the public site's top bar (bookings/public/extensions.py):
"Packages" where the salon sells packages online, "My packages" for a logged-in visitor where
the salon has packages at all. `PackagesConfig.ready()` calls `register_nav()`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from bookings.public.extensions import PublicNavItem, register_public_nav
from packages.selectors import packages_nav_flags_cached

PACKAGES_NAV = "packages_public:packages"
MINE_NAV = "packages_public:mine"


def _flags(salon: Any) -> tuple[bool, bool]:
    """From the cache (no query; the type services clear it), kept on the salon object for the
    second link."""
    flags = getattr(salon, "_packages_nav_flags", None)
    if flags is None:
        flags = packages_nav_flags_cached(salon=salon)
        salon._packages_nav_flags = flags
    return flags


def packages_sold_online(salon: Any) -> bool:
    return _flags(salon)[0]


def packages_exist(salon: Any) -> bool:
    return _flags(salon)[1]


def register_nav() -> None:
    register_public_nav(
        PublicNavItem(
            url_name=PACKAGES_NAV,
            label=_("Packages"),
            position=40,
            visible=packages_sold_online,
        )
    )
    register_public_nav(
        PublicNavItem(
            url_name=MINE_NAV,
            label=_("My packages"),
            position=41,
            login_required=True,
            visible=packages_exist,
        )
    )
