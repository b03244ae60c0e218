"""Races on PostgreSQL, each contender on its own connection: a referral is credited once
however many ask at once, one client never ends up with two referrers, and two requests cannot
close a circle between them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from loyalty.models import PointsEntry
from loyalty.selectors import points_balance, points_balance_from_ledger
from notices.models import Notice
from referrals.models import Referral
from referrals.services.codes import referral_code_get_or_create
from referrals.services.referrals import referral_award, referral_record_by_code, referral_set
from tests.concurrency import race
from tests.factories import ClientFactory

from .helpers import referral_entries

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_award_requests_credit_once(ref):
    # given a pending referral
    referral = referral_set(
        salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None
    )

    def award() -> None:
        referral_award(salon=ref["salon"], referral=referral, actor=None)

    # when eight requests credit it at once
    results = race([award] * 8)

    # then all answer, one ledger row, one thank-you
    assert results == ["ok"] * 8
    assert referral_entries(ref["anna"]) == [100]
    assert Notice.objects.filter(kind="referral_thank_you").count() == 1
    referral.refresh_from_db()
    assert referral.status == Referral.Status.AWARDED
    assert points_balance(salon=ref["salon"], client=ref["anna"]) == 100


def test_double_clicks_on_yes_record_and_credit_once(ref):
    def click() -> None:
        referral_set(
            salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None, award=True
        )

    assert race([click] * 6) == ["ok"] * 6
    assert Referral.objects.count() == 1
    assert referral_entries(ref["anna"]) == [100]


def test_concurrent_referrers_for_one_client_leave_one_and_the_ledger_right(ref):
    # given five possible referrers
    referrers = [ref["anna"], ref["mari"], ref["client"]] + [
        ClientFactory(salon=ref["salon"]) for _ in range(2)
    ]

    def set_by(referrer) -> Callable[[], None]:
        return lambda: referral_set(
            salon=ref["salon"], referred=ref["liis"], referrer=referrer, actor=None, award=True
        )

    # when each is set (and credited) at once
    results = race([set_by(r) for r in referrers])

    # then each change went through in turn: one referral active and credited, every other
    # credited one taken back, and every balance the sum of its ledger
    assert results == ["ok"] * 5
    active = Referral.objects.filter(referred=ref["liis"], status__in=["pending", "awarded"])
    assert active.count() == 1
    assert active.get().status == Referral.Status.AWARDED
    assert Referral.objects.filter(status=Referral.Status.REVERSED).count() == 4
    for referrer in referrers:
        balance = points_balance(salon=ref["salon"], client=referrer)
        assert balance == points_balance_from_ledger(salon=ref["salon"], client=referrer)
        assert balance == (100 if referrer == active.get().referrer else 0)
    assert PointsEntry.objects.filter(kind="referral").count() == 9


def test_two_requests_cannot_close_a_circle(ref):
    anna, liis = ref["anna"], ref["liis"]

    def anna_refers_liis() -> None:
        referral_set(salon=ref["salon"], referred=liis, referrer=anna, actor=None)

    def liis_refers_anna() -> None:
        referral_set(salon=ref["salon"], referred=anna, referrer=liis, actor=None)

    assert race([anna_refers_liis, liis_refers_anna]) == ["ok", "refused"]
    assert Referral.objects.count() == 1


def test_bookings_with_two_codes_at_once_record_one_referrer(ref):
    # given codes of Anna and Mari
    codes = [
        referral_code_get_or_create(salon=ref["salon"], client=c).code
        for c in (ref["anna"], ref["mari"])
    ]

    def book_with(code: str) -> Callable[[], None]:
        return lambda: referral_record_by_code(salon=ref["salon"], referred=ref["liis"], code=code)

    results = race([book_with(codes[0]), book_with(codes[1])] * 3)

    # then the first code wins; its repeats change nothing, the other code is refused
    assert results == ["ok"] * 3 + ["refused"] * 3
    assert Referral.objects.count() == 1
