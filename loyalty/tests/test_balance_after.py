"""`PointsEntry.balance_after`: every ledger row carries the balance it left, and that is always
the running sum of the client's ledger in (created_at, id) order — whoever writes (manual
adjustments, the award sweep, redemptions, reversals), concurrently, backdated, after a client
merge, and after the migration's backfill."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction

from bookings.models import Appointment
from loyalty.models import PointsAccount, PointsEntry
from loyalty.services.award import points_award_due
from loyalty.services.gift_cards import gift_card_buy_with_points, gift_card_type_create
from loyalty.services.merge import loyalty_move_to_client
from loyalty.services.points import (
    points_adjust,
    points_balances_recompute,
    points_entry_add,
    points_reverse_for_appointment,
)
from tests.concurrency import race
from tests.factories import ClientFactory


def running_sums_match(salon: Any, client: Any) -> list[tuple[int, int, int]]:
    """(points, balance_after, running sum) of each row that does not match; [] when all do."""
    total, wrong = 0, []
    rows = PointsEntry.objects.filter(salon=salon, client=client).order_by("created_at", "id")
    for points, balance_after in rows.values_list("points", "balance_after"):
        total += points
        if balance_after != total:
            wrong.append((points, balance_after, total))
    return wrong


def last_balance(salon: Any, client: Any) -> int | None:
    row = PointsEntry.objects.filter(salon=salon, client=client).order_by("created_at", "id").last()
    return row.balance_after if row else None


def test_each_service_writes_the_balance_the_row_leaves(loyal):
    # given a visit that earns 50, a manual +100, a gift card for 120 points, then a no-show
    salon, client = loyal["salon"], loyal["client"]
    visit = loyal["appointment"]()
    assert points_award_due() == 1
    points_adjust(salon=salon, client=client, points=100, description="x", actor=None)
    card_type = gift_card_type_create(
        salon=salon, name="Card", value=Decimal("10"), for_points=True, points_price=120
    )
    gift_card_buy_with_points(salon=salon, client=client, card_type=card_type)
    Appointment.objects.filter(pk=visit.pk).update(status=Appointment.Status.NO_SHOW)
    points_reverse_for_appointment(salon=salon, appointment_id=visit.pk)

    # then 50, 150, 30 and the reversal takes what is left (30 of 50)
    rows = PointsEntry.objects.filter(client=client).order_by("created_at", "id")
    assert list(rows.values_list("kind", "points", "balance_after")) == [
        ("earned", 50, 50),
        ("manual", 100, 150),
        ("redeemed", -120, 30),
        ("reversal", -30, 0),
    ]
    assert PointsAccount.objects.get(client=client).balance == 0


def test_a_backdated_row_puts_the_later_balances_right(loyal):
    salon, client = loyal["salon"], loyal["client"]
    points_adjust(salon=salon, client=client, points=10, description="first", actor=None)
    with transaction.atomic():
        entry, _account = points_entry_add(
            salon=salon,
            client=client,
            kind="manual",
            points=5,
            created_at=PointsEntry.objects.get().created_at - dt.timedelta(days=1),
        )
    assert entry.balance_after == 5
    assert running_sums_match(salon, client) == []
    assert last_balance(salon, client) == 15


def test_a_row_written_without_the_service_gets_the_running_sum(loyal):
    salon, client = loyal["salon"], loyal["client"]
    points_adjust(salon=salon, client=client, points=40, description="x", actor=None)
    entry = PointsEntry.objects.create(salon=salon, client=client, kind="manual", points=-15)
    assert entry.balance_after == 25


def test_a_merge_recomputes_the_kept_clients_balances(loyal):
    # given two clients' ledgers that interleave in time
    salon, kept = loyal["salon"], loyal["client"]
    merged = ClientFactory(salon=salon, first_name="Kati (duplicate)")
    for client, points in ((kept, 10), (merged, 100), (kept, 20), (merged, -40)):
        points_adjust(salon=salon, client=client, points=points, description="x", actor=None)

    # when the duplicate's rows move to the kept client
    loyalty_move_to_client(salon=salon, kept=kept, merged=merged)

    # then
    assert running_sums_match(salon, kept) == []
    assert [e.balance_after for e in PointsEntry.objects.order_by("created_at", "id")] == [
        10,
        110,
        130,
        90,
    ]
    assert PointsAccount.objects.get(client=kept).balance == 90


def test_the_migrations_backfill_gives_the_running_sums(loyal):
    from importlib import import_module

    backfill = import_module("loyalty.migrations.0002_points_balance_after").BACKFILL
    salon, client = loyal["salon"], loyal["client"]
    other = ClientFactory(salon=salon)
    for who, points in ((client, 30), (other, 5), (client, -10), (other, 7), (client, 2)):
        points_adjust(salon=salon, client=who, points=points, description="x", actor=None)
    PointsEntry.objects.update(balance_after=0)

    with connection.cursor() as cursor:
        cursor.execute(backfill)

    assert running_sums_match(salon, client) == []
    assert running_sums_match(salon, other) == []
    assert (last_balance(salon, client), last_balance(salon, other)) == (22, 12)


def test_recompute_changes_nothing_on_a_consistent_ledger(loyal):
    salon, client = loyal["salon"], loyal["client"]
    for points in (5, 6, -3):
        points_adjust(salon=salon, client=client, points=points, description="x", actor=None)
    assert points_balances_recompute(salon=salon, client=client) == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_balance_after_is_the_running_sum_after_concurrent_appends(loyal):
    # given 30 due visits of the client (50 points each) and a starting balance of 200
    salon, client = loyal["salon"], loyal["client"]
    points_adjust(salon=salon, client=client, points=200, description="start", actor=None)
    for _ in range(30):
        loyal["appointment"]()
    card_type = gift_card_type_create(
        salon=salon, name="Card", value=Decimal("10"), for_points=True, points_price=70
    )

    def adjust(points: int) -> Callable[[], None]:
        return lambda: points_adjust(
            salon=salon, client=client, points=points, description="race", actor=None
        )

    def sweep() -> None:
        points_award_due(batch_size=7)

    def buy() -> None:
        gift_card_buy_with_points(salon=salon, client=client, card_type=card_type)

    # when adjustments, debits, redemptions and two award sweeps all race
    contenders = [adjust(p) for p in (13, -40, 25, -60, 7, -90, 33, 11)]
    contenders += [sweep, sweep, buy, buy, buy]
    outcomes = race(contenders)

    # then nothing failed but refusals, and every row's balance_after is the running sum
    assert all(outcome in ("ok", "refused") for outcome in outcomes), outcomes
    assert running_sums_match(salon, client) == []
    account = PointsAccount.objects.get(client=client)
    assert last_balance(salon, client) == account.balance
    assert PointsEntry.objects.filter(client=client, kind="earned").count() == 30
    assert min(PointsEntry.objects.values_list("balance_after", flat=True)) >= 0
