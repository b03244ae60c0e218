"""The demo: after `seed_demo` and `seed_demo_loyalty`, past visits show their points at once."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from bookings.models import Client
from loyalty.models import GiftCardType, LoyaltyProgram, PointsEntry
from loyalty.selectors import points_balance, points_balance_from_ledger


def test_the_demo_client_has_points_from_past_visits_and_can_afford_a_gift_card(db):
    # when
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo_loyalty", stdout=StringIO())
    # then
    client = Client.objects.get(email="mari.kask@example.com")
    salon = client.salon
    assert client.user is not None and client.user.check_password("demo-client-2026")
    assert LoyaltyProgram.objects.get(salon=salon).enabled
    balance = points_balance(salon=salon, client=client)
    assert balance == points_balance_from_ledger(salon=salon, client=client)
    cheapest = GiftCardType.objects.filter(salon=salon, for_points=True).order_by("points_price")[0]
    assert balance >= cheapest.points_price
    assert PointsEntry.objects.filter(salon=salon, kind="earned").count() > 10


def test_a_second_run_creates_nothing(db):
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo_loyalty", stdout=StringIO())
    entries = PointsEntry.objects.count()
    out = StringIO()
    call_command("seed_demo_loyalty", stdout=out)
    assert "nothing created" in out.getvalue()
    assert PointsEntry.objects.count() == entries
