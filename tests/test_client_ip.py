"""One trusted-proxy setting for every throttle (salonbook/net.py): a forwarded header counts
only when TRUSTED_PROXY_HEADER names it, and then only its last entry (our proxy's)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from bookings.passcodes import client_ip as passcodes_client_ip
from salonbook.net import client_ip
from salonbook.throttling import AnonRateThrottle


@pytest.fixture
def no_proxy(settings):
    settings.TRUSTED_PROXY_HEADER = ""
    settings.PASSCODE_TRUSTED_PROXY_HEADER = ""
    return settings


def request(**meta):
    return RequestFactory().get("/", **meta)


def test_without_the_setting_forwarded_headers_are_ignored(no_proxy):
    forged = request(REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(forged) == "203.0.113.5"
    assert passcodes_client_ip(forged) == "203.0.113.5"


def test_with_the_setting_the_last_entry_is_the_client(no_proxy):
    no_proxy.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    # the client forged "1.2.3.4"; our proxy appended the address it saw
    behind_proxy = request(REMOTE_ADDR="172.18.0.3", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    assert client_ip(behind_proxy) == "198.51.100.9"
    assert passcodes_client_ip(behind_proxy) == "198.51.100.9"
    # no header (a request that did not come through the proxy): REMOTE_ADDR
    assert client_ip(request(REMOTE_ADDR="172.18.0.3")) == "172.18.0.3"


def test_the_header_may_be_named_as_sent(no_proxy):
    no_proxy.TRUSTED_PROXY_HEADER = "X-Real-IP"
    assert client_ip(request(REMOTE_ADDR="172.18.0.3", HTTP_X_REAL_IP="198.51.100.9")) == (
        "198.51.100.9"
    )


def test_the_old_passcode_setting_name_still_works(no_proxy):
    no_proxy.PASSCODE_TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    assert client_ip(request(REMOTE_ADDR="172.18.0.3", HTTP_X_FORWARDED_FOR="9.9.9.9")) == (
        "9.9.9.9"
    )


def test_drf_throttles_use_the_same_address(no_proxy):
    forged = request(REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert AnonRateThrottle().get_ident(forged) == "203.0.113.5"
    no_proxy.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    assert AnonRateThrottle().get_ident(forged) == "1.2.3.4"


def test_public_api_throttle_is_not_escaped_with_forged_headers(no_proxy, salon):
    # given: a tiny anonymous rate
    from rest_framework.settings import api_settings

    rates = api_settings.DEFAULT_THROTTLE_RATES
    original = rates["anon"]
    rates["anon"] = "3/minute"
    try:
        api = APIClient(REMOTE_ADDR="203.0.113.5")
        url = f"/api/v1/public/{salon.slug}/availability/"
        statuses = [api.get(url, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code for n in range(5)]
    finally:
        rates["anon"] = original

    # then: the 4th and 5th requests are throttled whatever header they forged
    assert statuses[3:] == [429, 429]
