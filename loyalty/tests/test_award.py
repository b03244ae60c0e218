"""The award sweep: who earns, when, how much, and only once."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from bookings.models import Appointment
from loyalty.models import LoyaltyProgram, PointsEntry
from loyalty.selectors import points_balance, points_balance_from_ledger
from loyalty.services.award import points_award_due


def test_a_completed_visit_earns_its_points_after_the_delay(loyal):
    # given a visit that ended 4 hours ago (delay 3 hours)
    appointment = loyal["appointment"]()
    # when
    awarded = points_award_due()
    # then
    assert awarded == 1
    entry = PointsEntry.objects.get(appointment=appointment)
    assert (entry.kind, entry.points, entry.client_id) == ("earned", 50, loyal["client"].pk)
    assert points_balance(salon=loyal["salon"], client=loyal["client"]) == 50


def test_a_visit_within_the_delay_waits(loyal):
    loyal["appointment"](ends_at=timezone.now() - dt.timedelta(hours=2))
    assert points_award_due() == 0
    assert not PointsEntry.objects.exists()


def test_cancelled_and_no_show_earn_nothing(loyal):
    loyal["appointment"](status=Appointment.Status.CANCELLED)
    loyal["appointment"](status=Appointment.Status.NO_SHOW)
    loyal["appointment"](status=Appointment.Status.BOOKED)
    assert points_award_due() == 0
    assert not PointsEntry.objects.exists()


def test_a_second_sweep_awards_nothing(loyal):
    for _ in range(3):
        loyal["appointment"]()
    assert points_award_due(batch_size=2) == 3
    assert points_award_due() == 0
    assert points_balance(salon=loyal["salon"], client=loyal["client"]) == 150
    assert points_balance_from_ledger(salon=loyal["salon"], client=loyal["client"]) == 150


def test_a_salon_with_loyalty_off_earns_nothing(loyal):
    LoyaltyProgram.objects.filter(salon=loyal["salon"]).update(enabled=False)
    loyal["appointment"]()
    assert points_award_due() == 0


def test_visits_before_loyalty_was_switched_on_do_not_earn(loyal):
    loyal["appointment"](ends_at=timezone.now() - dt.timedelta(days=21))
    assert points_award_due() == 0
