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


class CounterThrottleMixin:
    """A rate limit kept as one counter per client and time window (`cache.add` + `incr`):
    constant work per request. DRF's own throttles keep a list of every request's time in
    the window, read, pickled and written back whole on every request — at a busy public
    endpoint's rate thousands of floats per request (issue 15: it was most of a warm
    availability request's cost through the server). The window is fixed (it starts on a
    multiple of the rate's duration), so a client can spend at most twice the rate across a
    window's edge; keep the exact sliding window (DRF's) for password guessing."""

    cache: Any
    duration: int
    num_requests: int
    rate: str | None
    timer: Any

    def allow_request(self, request: Any, view: Any) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)  # type: ignore[attr-defined]
        if key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        counter = f"{key}:w{window}"
        if self.cache.add(counter, 1, self.duration + 1):
            return self.num_requests >= 1
        try:
            count = self.cache.incr(counter)
        except ValueError:  # expired between add and incr: this is the window's first
            self.cache.add(counter, 1, self.duration + 1)
            count = 1
        return count <= self.num_requests

    def wait(self) -> float | None:
        return max(0.0, self.window_ends - self.now)


class PublicRateThrottle(CounterThrottleMixin, AnonRateThrottle):
    """The public API's anonymous rate (`API_ANON_RATE`), per client address, as a counter."""
