"""Hooks of the public booking site for feature apps: links in the top navigation, and values
a booking carries to the after-booking hooks (`booking_extra_remember`, at the end).

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

Booking extras
--------------
A feature app's page may remember a value for the visitor's next booking at this salon — a
referral link stores the code it carries:

    from bookings.public.extensions import booking_extra_remember

    def landing(request, salon_slug, code):
        salon = …
        booking_extra_remember(request, salon=salon, name="referral_code", value=code)
        return redirect("public:home", salon_slug=salon.slug)

The checkout passes what is remembered for the salon as `extras` to `checkout_complete`
(not strict: a stale value never stops a booking) and forgets it once the booking is made
(bookings/checkout.py, "After-booking hooks"). Names follow the rules of payment input names.

Booking scopes (invitation links)
---------------------------------
A feature app that hands out private booking links (client segments) opens a scope of the
booking flow (bookings/booking_scope.py: its services, its staff, no location passcode, extras
recorded with the booking). It registers one provider in `ready()`:

    from bookings.public.extensions import BookingScopeProvider, register_booking_scope_provider

    register_booking_scope_provider(
        BookingScopeProvider(
            resolve=segment_scope_for_token,          # (salon, token) -> BookingScope | None
            for_appointment=segment_scope_for_booking,  # (appointment) -> BookingScope | None
        )
    )

The token travels as the `segment` query parameter (`SCOPE_PARAM`) through every step of the
booking site (services, staff, times, details, checkout — the pages add it to their links),
and as the `segment` query parameter or body field of the public API. `booking_scope_get`
resolves it: no token is no scope (the public rules); a token the provider does not accept —
unknown, regenerated, deactivated — raises `BookingScopeInvalid` (the site shows "this link
is no longer valid" with 404, the API answers 404). A booking's own pages (its signed manage
link) ask `booking_scope_of_appointment`, so a client can move a booking made through a link
with the link's staff. Without a provider every token is invalid. Tests can
`unregister_booking_scope_provider()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from bookings.booking_scope import BookingScope
from bookings.checkout import booking_extras_clean


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


# --- Booking extras (see the module docstring) ----------------------------------------------

BOOKING_EXTRAS_SESSION_KEY = "public_booking_extras:{salon_id}"
MAX_BOOKING_EXTRAS = 10


def _extras_key(salon: Any) -> str:
    return BOOKING_EXTRAS_SESSION_KEY.format(salon_id=salon.pk)


def booking_extra_remember(request: HttpRequest, *, salon: Any, name: str, value: str) -> None:
    """Keep `value` under `name` for this visitor's next booking at `salon` (in the session)."""
    if not booking_extras_clean({name: value}):
        raise ValueError(f"Booking extra {name!r} is not a well-formed name and text.")
    extras = dict(booking_extras(request, salon=salon))
    extras[name] = value
    if len(extras) > MAX_BOOKING_EXTRAS:
        raise ValueError("Too many booking extras.")
    request.session[_extras_key(salon)] = booking_extras_clean(extras)


def booking_extras(request: HttpRequest, *, salon: Any) -> dict[str, str]:
    """What is remembered for the visitor's next booking at `salon` (cleaned again: the
    session is ours, but never trust a stored shape)."""
    stored = request.session.get(_extras_key(salon))
    return booking_extras_clean(stored if isinstance(stored, dict) else None)


def booking_extras_forget(request: HttpRequest, *, salon: Any) -> None:
    request.session.pop(_extras_key(salon), None)


# --- Booking scopes (see the module docstring) ----------------------------------------------

SCOPE_PARAM = "segment"
# A token longer than this is not looked up.
SCOPE_TOKEN_MAX_LENGTH = 64


class BookingScopeInvalid(Exception):
    """A link token that opens nothing (unknown, regenerated or deactivated)."""


@dataclass(frozen=True)
class BookingScopeProvider:
    resolve: Callable[[Any, str], BookingScope | None]
    for_appointment: Callable[[Any], BookingScope | None]


_scope_provider: list[BookingScopeProvider] = []


def register_booking_scope_provider(provider: BookingScopeProvider) -> BookingScopeProvider:
    """The one provider of invitation links (registering again replaces it)."""
    _scope_provider[:] = [provider]
    return provider


def unregister_booking_scope_provider() -> None:
    _scope_provider.clear()


def booking_scope_get(*, salon: Any, token: str | None) -> BookingScope | None:
    """The scope a link token opens at `salon`; None without a token. Raises
    `BookingScopeInvalid` for a token that opens nothing."""
    if token is None or token == "":
        return None
    if not isinstance(token, str) or len(token) > SCOPE_TOKEN_MAX_LENGTH or not _scope_provider:
        raise BookingScopeInvalid(token)
    scope = _scope_provider[0].resolve(salon, token)
    if scope is None:
        raise BookingScopeInvalid(token)
    return scope


def booking_scope_of_appointment(appointment: Any) -> BookingScope | None:
    """The scope of the link an appointment was booked through (None: the public site)."""
    if not _scope_provider:
        return None
    return _scope_provider[0].for_appointment(appointment)
