"""The public API's rate limit as a counter per client and window (salonbook/throttling.py
`PublicRateThrottle`): constant work per request, the limit and Retry-After as before."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from salonbook.throttling import PublicRateThrottle


@pytest.fixture
def tiny_rate() -> Any:
    rates = api_settings.DEFAULT_THROTTLE_RATES
    original = rates["anon"]
    rates["anon"] = "3/minute"
    yield
    rates["anon"] = original


def test_the_limit_holds_and_resets_in_the_next_window(salon, tiny_rate, monkeypatch):
    now = [600.0]  # the start of a minute
    monkeypatch.setattr(PublicRateThrottle, "timer", lambda self: now[0])
    api = APIClient(REMOTE_ADDR="203.0.113.9")
    url = f"/api/v1/public/{salon.slug}/availability/"
    statuses = [api.get(url).status_code for _ in range(4)]
    assert 429 not in statuses[:3] and statuses[3] == 429
    now[0] = 640.0
    throttled = api.get(url)
    assert throttled.status_code == 429
    assert throttled["Retry-After"] == "20"
    other = APIClient(REMOTE_ADDR="203.0.113.10")
    assert other.get(url).status_code != 429  # per client address
    now[0] = 660.0  # the next minute
    assert api.get(url).status_code != 429


def test_the_stored_state_is_one_number_whatever_the_traffic(salon, tiny_rate):
    api = APIClient(REMOTE_ADDR="203.0.113.11")
    for _ in range(5):
        api.get(f"/api/v1/public/{salon.slug}/availability/")
    throttle = PublicRateThrottle()
    key = throttle.cache_format % {"scope": "anon", "ident": "203.0.113.11"}
    window = int(throttle.timer() // 60)
    assert cache.get(f"{key}:w{window}") in (5, 4)  # a number, not a list of times
    assert cache.get(key) is None  # DRF's history list is not kept
