"""Hooks of the public booking site for feature apps: links in the top navigation.

A feature app with pages on the public site (a client's points, packages, gift cards) adds
a link to the top bar of every public page, next to "My appointments", without `bookings`
importing it. It registers the link in its `AppConfig.ready()`:

    from bookings.public.extensions import PublicNavItem, register_public_nav

    register_public_nav(
        PublicNavItem(
            url_name="loyalty_public:points",     # reversed with salon_slug=<the salon's>
            label=_("My points"),                 # gettext_lazy: shown in the page's language
            position=10,                          # lower comes first
            login_required=True,                  # only for a logged-in visitor
        )
    )

The URL must take the salon's slug and nothing else (`/s/<salon_slug>/…`); a name that does
not reverse is left out, so a link never breaks a page. `public/base.html` draws the links
with the `{% public_nav_links as links %}` tag (bookings/templatetags/public_site.py), so
every page that extends it shows them, whatever view rendered it. Tests can
`unregister_public_nav(url_name)` what they registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class PublicNavItem:
    url_name: str
    label: Any
    position: int = 100
    login_required: bool = False
    # Shown only where this says so, e.g. `lambda salon: loyalty_is_enabled(salon=salon)`
    # (asked once per page; keep it to one cheap query).
    visible: Callable[[Any], bool] | None = None


@dataclass(frozen=True)
class PublicNavLink:
    url: str
    label: Any
    current: bool


_public_nav: dict[str, PublicNavItem] = {}


def register_public_nav(item: PublicNavItem) -> PublicNavItem:
    """Add a link (one per URL name; registering it again replaces it)."""
    if not item.url_name:
        raise ValueError("A public navigation item needs a url_name.")
    _public_nav[item.url_name] = item
    return item


def unregister_public_nav(url_name: str) -> None:
    _public_nav.pop(url_name, None)


def public_nav_items() -> list[PublicNavItem]:
    return sorted(_public_nav.values(), key=lambda item: (item.position, item.url_name))


def public_nav_links(
    *, salon_slug: str, user: Any = None, path: str = "", salon: Any = None
) -> list[PublicNavLink]:
    """The links for a page of the salon's site: those the visitor may see (and, for items
    with a `visible` condition, that the salon shows) and whose URL reverses; `current`
    marks the link of the page at `path`."""
    logged_in = bool(getattr(user, "is_authenticated", False))
    links = []
    for item in public_nav_items():
        if item.login_required and not logged_in:
            continue
        if item.visible is not None and (salon is None or not item.visible(salon)):
            continue
        try:
            url = reverse(item.url_name, kwargs={"salon_slug": salon_slug})
        except NoReverseMatch:
            continue
        links.append(PublicNavLink(url=url, label=item.label, current=bool(path) and path == url))
    return links
