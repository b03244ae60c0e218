"""With Redis down the cache-backed throttles fail open (salonbook/cache.py) instead of
answering 500. The test starts its own redis-server on a free port and stops it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.test import Client as HttpClient

from bookings.passcodes import location_passcode_set
from bookings.tests.test_api_passcodes import CODE, availability, book, unlock
from bookings.tests.test_api_token import PASSWORD

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="needs the redis-server program"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def own_redis() -> Iterator[dict]:
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    client = redis.Redis(host="127.0.0.1", port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    state = {"url": f"redis://127.0.0.1:{port}/0", "process": process}
    try:
        yield state
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)


def stop(state: dict) -> None:
    state["process"].terminate()
    state["process"].wait(timeout=10)


@pytest.fixture
def redis_cache(own_redis, settings) -> dict:
    settings.CACHES = {
        "default": {"BACKEND": "salonbook.cache.ResilientRedisCache", "LOCATION": own_redis["url"]}
    }
    return own_redis


def test_a_plain_redis_cache_raises_ours_fails_open(redis_cache, caplog):
    # given: both work while Redis is up
    plain = RedisCache(redis_cache["url"], {})
    cache.set("k", 1)
    assert cache.get("k") == 1 and plain.get("k") == 1

    # when
    stop(redis_cache)

    # then
    with pytest.raises(redis.ConnectionError):
        plain.get("k")
    assert cache.get("k", "fallback") == "fallback"
    assert cache.add("n", 0) is False
    assert cache.incr("n") == 1
    assert cache.get_many(["a", "b"]) == {}
    cache.set("k", 2)
    cache.delete("k")
    assert "cache unavailable" in caplog.text


def test_public_requests_do_not_answer_500_while_redis_is_down(shop, redis_cache):
    # given: a locked location, and Redis stops
    shop["location"] = location_passcode_set(location=shop["location"], enabled=True, code=CODE)
    http = HttpClient(REMOTE_ADDR="203.0.113.5")
    assert availability(http, shop).status_code == 403  # works while Redis is up
    stop(redis_cache)

    # when / then: availability (DRF anon throttle), wrong and right passcodes, a booking
    assert availability(http, shop).status_code == 403
    assert availability(http, shop, headers={"X-Booking-Passcode": CODE}).status_code == 200
    assert unlock(http, location=shop["location"].pk, code="0000").status_code == 403
    assert unlock(http, location=shop["location"].pk, code=CODE).status_code == 200
    assert book(http, shop).status_code == 201
    site = HttpClient(REMOTE_ADDR="203.0.113.5").get("/s/alpha/")
    assert site.status_code < 500


def test_token_login_works_while_redis_is_down(owner, redis_cache):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    stop(redis_cache)
    http = HttpClient(REMOTE_ADDR="203.0.113.5")

    wrong = http.post("/api/v1/auth/token/", {"email": owner.email, "password": "nope"})
    right = http.post("/api/v1/auth/token/", {"email": owner.email, "password": PASSWORD})

    assert wrong.status_code == 400
    assert right.status_code == 200
