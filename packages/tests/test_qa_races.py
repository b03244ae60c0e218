"""QA of issue 17 on PostgreSQL: an impatient client double-clicks "Buy" (online, by card) —
one pending package and one order whatever arrives at once, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient

from packages.models import ClientPackage
from payments.models import Order, PaymentSettings
from tests.concurrency import race

from .conftest import make_type

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def online(pkg, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_packages"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_packages"
    PaymentSettings.objects.create(salon=pkg["salon"], online_payments_enabled=True)
    return pkg


def test_double_click_buy_online_makes_one_package_and_one_order(online):
    visits = make_type(online["salon"], [online["service"]], name="Five visits")
    codes: list[int] = []

    def click() -> None:
        http = HttpClient()
        http.force_login(online["user"])
        response = http.post(
            f"/s/alpha/packages/{visits.pk}/buy/", {"payment_method": "online_card"}
        )
        codes.append(response.status_code)

    outcomes = race([click, click, click])
    assert outcomes == ["ok", "ok", "ok"], outcomes
    assert all(code in (302, 303) for code in codes), codes
    assert ClientPackage.objects.count() == 1
    assert Order.objects.count() == 1


def test_double_click_buy_online_through_the_api(online):
    from rest_framework.test import APIClient

    visits = make_type(online["salon"], [online["service"]], name="Five visits")
    codes: list[Any] = []

    def click() -> None:
        api = APIClient()
        api.force_login(online["user"])
        response = api.post(
            f"/api/v1/public/alpha/packages/package-types/{visits.pk}/buy/", {}, format="json"
        )
        codes.append(response.status_code)

    outcomes = race([click, click, click])
    assert outcomes == ["ok", "ok", "ok"], outcomes
    assert all(code in (200, 201, 400, 409) for code in codes), codes
    assert ClientPackage.objects.count() == 1
    assert Order.objects.count() == 1
