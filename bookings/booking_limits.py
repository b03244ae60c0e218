"""Online booking is throttled per client IP and per salon.

Every online booking creates a client record and sends a confirmation (an e-mail or a paid
SMS), so an anonymous caller must not be able to book without limit. Counted are bookings
made through the public site's checkout and `POST /api/v1/public/<slug>/bookings/` (owners
booking in the dashboard or the owner API are not limited): at most
`PUBLIC_BOOKING_MAX_PER_IP` per client IP (salonbook/net.py) and `PUBLIC_BOOKING_MAX_PER_SALON`
per salon from all addresses, per `PUBLIC_BOOKING_WINDOW_SECONDS` (from the first booking).
Past a limit the booking is refused (429 in the API, the checkout page with a message) until
the window ends. Counters are in the cache; while it is down they fail open.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from bookings.models import Salon

logger = logging.getLogger(__name__)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


class BookingThrottled(Exception):
    """Too many online bookings from this address or for this salon just now."""

    def __init__(self) -> None:
        super().__init__(
            _("Too many bookings were made just now. Please try again later or call the salon.")
        )


def _keys(salon: Salon, client_ip: str) -> tuple[str, str]:
    return f"public-booking:ip:{client_ip}", f"public-booking:salon:{salon.pk}"


def public_booking_check(*, salon: Salon, client_ip: str) -> None:
    """Raise BookingThrottled if this address or this salon is at its limit."""
    per_ip, per_salon = _keys(salon, client_ip)
    counts = cache.get_many([per_ip, per_salon])
    if int(counts.get(per_ip) or 0) >= _setting("PUBLIC_BOOKING_MAX_PER_IP", 20):
        logger.warning("online booking refused: limit per IP reached by %s", client_ip)
        raise BookingThrottled
    if int(counts.get(per_salon) or 0) >= _setting("PUBLIC_BOOKING_MAX_PER_SALON", 300):
        logger.warning("online booking refused: limit per salon reached for %s", salon.slug)
        raise BookingThrottled


def public_booking_record(*, salon: Salon, client_ip: str) -> None:
    """Count one online booking against the address and the salon."""
    window = _setting("PUBLIC_BOOKING_WINDOW_SECONDS", 3600)
    for key in _keys(salon, client_ip):
        cache.add(key, 0, timeout=window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
