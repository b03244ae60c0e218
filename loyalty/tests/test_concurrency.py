"""Races on PostgreSQL, each contender on its own connection: the award happens once, and no
balance (points, gift card value) goes below zero however spending races."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bookings.models import Appointment
from bookings.services.booking import appointment_set_status
from loyalty.models import GiftCard, GiftCardEntry, PointsAccount, PointsEntry
from loyalty.selectors import points_balance, points_balance_from_ledger
from loyalty.services.award import points_award_due
from loyalty.services.gift_cards import (
    gift_card_buy_with_points,
    gift_card_issue,
    gift_card_pay_appointment,
    gift_card_type_create,
)
from loyalty.services.points import points_adjust, points_reverse_for_appointment
from tests.concurrency import race
from tests.factories import ClientFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_sweeps_at_once_award_each_appointment_once(loyal):
    # given 300 due visits of 30 clients
    clients = [ClientFactory(salon=loyal["salon"]) for _ in range(30)]
    for i in range(300):
        loyal["appointment"](client=clients[i % 30])
    awarded: list[int] = []

    def sweep() -> None:
        awarded.append(points_award_due(batch_size=25))

    # when four sweeps run at once
    assert race([sweep] * 4) == ["ok"] * 4
    # then each visit earned once, and every balance is the sum of its ledger
    assert sum(awarded) == 300
    assert PointsEntry.objects.filter(kind="earned").count() == 300
    assert PointsEntry.objects.values("appointment").distinct().count() == 300
    for client in clients:
        assert points_balance(salon=loyal["salon"], client=client) == 500
        assert points_balance_from_ledger(salon=loyal["salon"], client=client) == 500
    assert points_award_due() == 0


def test_concurrent_redemptions_never_drive_a_balance_below_zero(loyal):
    # given 250 points and a gift card costing 100
    points_adjust(
        salon=loyal["salon"], client=loyal["client"], points=250, description="x", actor=None
    )
    card_type = gift_card_type_create(
        salon=loyal["salon"], name="Card", value=Decimal("10"), for_points=True, points_price=100
    )

    def buy() -> None:
        gift_card_buy_with_points(salon=loyal["salon"], client=loyal["client"], card_type=card_type)

    # when ten redemptions race
    results = race([buy] * 10)
    # then exactly two succeed and the balance is 50, never below zero
    assert results == ["ok"] * 2 + ["refused"] * 8
    assert GiftCard.objects.count() == 2
    assert points_balance(salon=loyal["salon"], client=loyal["client"]) == 50
    assert points_balance_from_ledger(salon=loyal["salon"], client=loyal["client"]) == 50


def test_concurrent_manual_debits_never_overdraw(loyal):
    points_adjust(
        salon=loyal["salon"], client=loyal["client"], points=100, description="x", actor=None
    )

    def take() -> None:
        points_adjust(
            salon=loyal["salon"], client=loyal["client"], points=-30, description="y", actor=None
        )

    assert race([take] * 8) == ["ok"] * 3 + ["refused"] * 5
    assert PointsAccount.objects.get(client=loyal["client"]).balance == 10
    assert points_balance_from_ledger(salon=loyal["salon"], client=loyal["client"]) == 10


def test_concurrent_payments_with_one_card_cannot_overspend_it(loyal):
    # given a card worth 50 and eight bookings of 35 each
    card_type = gift_card_type_create(salon=loyal["salon"], name="Card", value=Decimal("50"))
    card = gift_card_issue(salon=loyal["salon"], card_type=card_type, client=None, actor=None)
    appointments = [
        loyal["appointment"](status=Appointment.Status.BOOKED, price=Decimal("35"))
        for _ in range(8)
    ]

    def pay(appointment: Appointment) -> Callable[[], None]:
        return lambda: gift_card_pay_appointment(
            salon=loyal["salon"], appointment=appointment, code=card.code
        )

    # when all pay with it at once
    results = race([pay(a) for a in appointments])
    # then it pays 35 + 15 and refuses the rest
    assert results == ["ok"] * 2 + ["refused"] * 6
    card.refresh_from_db()
    assert card.balance == Decimal("0")
    paid = sorted(-e.amount for e in GiftCardEntry.objects.filter(gift_card=card, kind="redeemed"))
    assert paid == [Decimal("15.00"), Decimal("35.00")]


def test_a_no_show_racing_the_sweep_ends_with_no_points(loyal):
    # given 40 due visits
    appointments = [loyal["appointment"]() for _ in range(40)]

    def sweep() -> None:
        points_award_due(batch_size=5)

    def correct(appointment: Appointment) -> Callable[[], None]:
        def run() -> None:
            appointment_set_status(appointment=appointment, status=Appointment.Status.NO_SHOW)
            # what the booking event's handler does after the commit
            points_reverse_for_appointment(salon=loyal["salon"], appointment_id=appointment.pk)

        return run

    # when the owner corrects ten of them to no-show while the sweep runs
    results = race([sweep] + [correct(a) for a in appointments[:10]])
    assert results == ["ok"] * 11
    points_award_due()
    # then each corrected visit nets zero points and the rest earned once
    for appointment in appointments[:10]:
        net = sum(
            PointsEntry.objects.filter(appointment=appointment).values_list("points", flat=True)
        )
        assert net == 0
    assert points_balance(salon=loyal["salon"], client=loyal["client"]) == 30 * 50
    assert points_balance_from_ledger(salon=loyal["salon"], client=loyal["client"]) == 30 * 50


def test_concurrent_redeem_requests_through_the_public_api(loyal):
    from rest_framework.test import APIClient

    from tests.factories import UserFactory

    # given a logged-in client with 250 points and a gift card type costing 100
    user = UserFactory(email="kati@example.test")
    client = loyal["client"]
    client.user = user
    client.save()
    points_adjust(salon=loyal["salon"], client=client, points=250, description="x", actor=None)
    card_type = gift_card_type_create(
        salon=loyal["salon"], name="Card", value=Decimal("10"), for_points=True, points_price=100
    )
    url = f"/api/v1/public/{loyal['salon'].slug}/loyalty/gift-card-types/{card_type.pk}/redeem/"
    statuses: list[int] = []

    def post() -> None:
        api = APIClient()
        api.force_authenticate(user)
        response = api.post(url)
        statuses.append(response.status_code)
        if response.status_code == 400:
            raise ValidationError("refused")

    # when ten requests race
    results = race([post] * 10)
    # then two cards are issued, eight requests are refused with 400, the balance is 50
    assert results == ["ok"] * 2 + ["refused"] * 8
    assert sorted(statuses) == [201, 201] + [400] * 8
    assert points_balance(salon=loyal["salon"], client=client) == 50
    assert points_balance_from_ledger(salon=loyal["salon"], client=client) == 50
