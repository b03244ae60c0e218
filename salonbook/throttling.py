"""DRF throttles that identify the client by `salonbook.net.client_ip`.

DRF's own `get_ident` believes `X-Forwarded-For` whenever `NUM_PROXIES` is unset, so a caller
could pick a new "address" per request. Every throttle of the project subclasses these.
"""

from __future__ import annotations

from typing import Any

from rest_framework import throttling

from salonbook.net import client_ip


class ClientIpMixin:
    def get_ident(self, request: Any) -> str:
        return client_ip(request)


class AnonRateThrottle(ClientIpMixin, throttling.AnonRateThrottle):
    """Anonymous callers per client address (rate: `API_ANON_RATE`)."""


class UserRateThrottle(ClientIpMixin, throttling.UserRateThrottle):
    """Logged-in callers per user, anonymous ones per client address."""
