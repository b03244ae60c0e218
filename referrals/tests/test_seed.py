"""The demo: after `seed_demo`, `seed_demo_loyalty` and `seed_demo_referrals`, the referral
bonus is on with the SMS, and the example referral credited Mari once."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from bookings.models import Client
from loyalty.models import PointsEntry
from notices.models import Notice
from referrals.models import Referral, ReferralSettings


def seed() -> str:
    out = StringIO()
    call_command("seed_demo_referrals", stdout=out)
    return out.getvalue()


def test_the_demo_has_referrals_on_and_an_example_credited_once(db):
    # given
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo_loyalty", stdout=StringIO())

    # when
    first = seed()
    again = seed()

    # then
    mari = Client.objects.get(email="mari.kask@example.com")
    settings = ReferralSettings.objects.get(salon=mari.salon)
    assert (settings.points, settings.send_sms, settings.award_on) == (100, True, "first_visit")
    referral = Referral.objects.get()
    assert (referral.referrer, referral.referred.first_name, referral.status) == (
        mari,
        "Liis",
        Referral.Status.AWARDED,
    )
    assert PointsEntry.objects.filter(client=mari, kind="referral").count() == 1
    notice = Notice.objects.get(kind="referral_thank_you")
    assert notice.body.startswith("Hi Mari, thank you for recommending")
    assert "Liis" in notice.body and "100 bonus points" in notice.body
    assert "/s/demo/r/" in first
    assert "nothing created" in again
