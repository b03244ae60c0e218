"""Fixtures of the referral tests: the loyalty fixtures (a salon with loyalty on, a service,
a stylist, an appointment helper), referral settings with the thank-you SMS on, and three
clients — Anna who refers (opted in, with a phone), Liis who is new, and Mari."""

from __future__ import annotations

from typing import Any

import pytest

from bookings.tests.conftest import shop  # noqa: F401 - a bookable location, for booking tests
from loyalty.tests.conftest import loyal  # noqa: F401 - the salon with loyalty on
from referrals.models import ReferralSettings
from tests.factories import ClientFactory


@pytest.fixture
def ref(loyal) -> dict[str, Any]:  # noqa: F811
    salon = loyal["salon"]
    settings = ReferralSettings.objects.create(
        salon=salon, points=100, send_sms=True, award_on=ReferralSettings.AwardOn.FIRST_VISIT
    )
    anna = ClientFactory(
        salon=salon,
        first_name="Anna",
        last_name="Tamm",
        phone="+372 5551 2345",
        marketing_consent=True,
    )
    liis = ClientFactory(salon=salon, first_name="Liis", last_name="Lepp")
    mari = ClientFactory(salon=salon, first_name="Mari", last_name="Maasikas")
    return {**loyal, "settings": settings, "anna": anna, "liis": liis, "mari": mari}


@pytest.fixture
def bookable(shop) -> dict[str, Any]:  # noqa: F811
    """The bookable `shop` (two stylists, open every day) with loyalty on, the referral
    settings and Anna, who refers, with her code."""
    import datetime as dt

    from django.utils import timezone

    from loyalty.models import LoyaltyProgram
    from referrals.services.codes import referral_code_get_or_create

    salon = shop["salon"]
    LoyaltyProgram.objects.create(
        salon=salon, enabled=True, enabled_at=timezone.now() - dt.timedelta(days=1)
    )
    settings = ReferralSettings.objects.create(
        salon=salon, points=100, send_sms=True, award_on=ReferralSettings.AwardOn.FIRST_VISIT
    )
    anna = ClientFactory(
        salon=salon,
        first_name="Anna",
        last_name="Tamm",
        phone="+372 5551 2345",
        marketing_consent=True,
    )
    code = referral_code_get_or_create(salon=salon, client=anna)
    return {**shop, "settings": settings, "anna": anna, "code": code.code}
