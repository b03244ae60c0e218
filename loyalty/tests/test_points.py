"""The points ledger: manual adjustments, reversals, snapshots, and the balance = ledger rule."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bookings.models import Appointment
from bookings.services.booking import appointment_set_status
from loyalty.models import AppointmentPoints, PointsAccount, PointsEntry, ServicePoints
from loyalty.selectors import (
    points_balance,
    points_balance_from_ledger,
    points_entry_description,
)
from loyalty.services.award import loyalty_reconcile, points_award_due
from loyalty.services.points import (
    points_adjust,
    points_reverse_for_appointment,
    points_snapshot_for_appointment,
)
from notices.models import Notice
from tests.factories import ClientFactory


def _balance(loyal) -> int:
    cached = points_balance(salon=loyal["salon"], client=loyal["client"])
    assert cached == points_balance_from_ledger(salon=loyal["salon"], client=loyal["client"])
    return cached


def test_manual_adjustment_adds_points_and_tells_the_client(
    loyal, owner, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        entry = points_adjust(
            salon=loyal["salon"],
            client=loyal["client"],
            points=30,
            description="Welcome bonus",
            actor=owner,
        )
    # then
    assert (entry.kind, entry.points, entry.description, entry.actor) == (
        "manual",
        30,
        "Welcome bonus",
        owner,
    )
    assert _balance(loyal) == 30
    notice = Notice.objects.get(kind="loyalty_points_adjusted")
    assert notice.client == loyal["client"]
    assert "+30" in notice.body and "Welcome bonus" in notice.body and "30 points" in notice.body


def test_manual_adjustment_is_not_sent_to_a_client_who_did_not_opt_in(
    loyal, owner, django_capture_on_commit_callbacks
):
    client = ClientFactory(salon=loyal["salon"], marketing_consent=False)
    with django_capture_on_commit_callbacks(execute=True):
        points_adjust(salon=loyal["salon"], client=client, points=5, description="x", actor=owner)
    assert not Notice.objects.exists()
    assert points_balance(salon=loyal["salon"], client=client) == 5


@pytest.mark.parametrize(
    ("points", "description", "field"),
    [
        (0, "Nothing", "points"),
        ("abc", "Letters", "points"),
        (10, "   ", "description"),
        (10, "x" * 256, "description"),
        (10**9, "Too many", "points"),
        (-1, "More than the balance", "points"),
    ],
)
def test_bad_adjustments_are_refused_and_write_nothing(loyal, owner, points, description, field):
    with pytest.raises(ValidationError) as exc:
        points_adjust(
            salon=loyal["salon"],
            client=loyal["client"],
            points=points,
            description=description,
            actor=owner,
        )
    assert field in exc.value.message_dict
    assert not PointsEntry.objects.exists()
    assert _balance(loyal) == 0


def test_taking_points_down_to_zero_is_allowed(loyal, owner):
    points_adjust(
        salon=loyal["salon"], client=loyal["client"], points=20, description="a", actor=owner
    )
    points_adjust(
        salon=loyal["salon"], client=loyal["client"], points=-20, description="b", actor=owner
    )
    assert _balance(loyal) == 0
    assert PointsEntry.objects.count() == 2


def test_no_show_after_the_award_is_reversed_and_the_original_row_stays(
    loyal, django_capture_on_commit_callbacks
):
    # given a visit whose points were credited
    appointment = loyal["appointment"]()
    points_award_due()
    assert _balance(loyal) == 50
    # when the owner corrects it to no-show
    with django_capture_on_commit_callbacks(execute=True):
        appointment_set_status(appointment=appointment, status=Appointment.Status.NO_SHOW)
    # then a reversal row takes the points back; the earned row stays
    rows = list(PointsEntry.objects.order_by("pk").values_list("kind", "points"))
    assert rows == [("earned", 50), ("reversal", -50)]
    reversal = PointsEntry.objects.get(kind="reversal")
    assert reversal.reverses == PointsEntry.objects.get(kind="earned")
    assert _balance(loyal) == 0
    # and the sweep does not award it again
    assert points_award_due() == 0


def test_cancelled_after_the_award_is_reversed(loyal, django_capture_on_commit_callbacks):
    appointment = loyal["appointment"]()
    points_award_due()
    with django_capture_on_commit_callbacks(execute=True):
        appointment_set_status(appointment=appointment, status=Appointment.Status.CANCELLED)
    assert _balance(loyal) == 0


def test_reversal_when_points_were_already_spent_stops_at_zero(loyal, owner):
    # given 50 points credited and 40 of them spent
    appointment = loyal["appointment"]()
    points_award_due()
    points_adjust(
        salon=loyal["salon"], client=loyal["client"], points=-40, description="Spent", actor=owner
    )
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.NO_SHOW)
    # when the visit is reversed
    reversal = points_reverse_for_appointment(salon=loyal["salon"], appointment_id=appointment.pk)
    # then it takes the 10 points left, not 50, and says so
    assert reversal is not None and reversal.points == -10
    assert _balance(loyal) == 0
    assert "10 of 50" in points_entry_description(reversal)


def test_reversal_when_nothing_is_left_writes_no_row(loyal, owner):
    appointment = loyal["appointment"]()
    points_award_due()
    points_adjust(
        salon=loyal["salon"], client=loyal["client"], points=-50, description="Spent", actor=owner
    )
    assert (
        points_reverse_for_appointment(salon=loyal["salon"], appointment_id=appointment.pk) is None
    )
    assert _balance(loyal) == 0


def test_reversal_happens_once(loyal):
    appointment = loyal["appointment"]()
    points_award_due()
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.NO_SHOW)
    assert points_reverse_for_appointment(salon=loyal["salon"], appointment_id=appointment.pk)
    assert (
        points_reverse_for_appointment(salon=loyal["salon"], appointment_id=appointment.pk) is None
    )
    assert PointsEntry.objects.filter(kind="reversal").count() == 1


def test_reconcile_reverses_what_a_lost_handler_did_not(loyal):
    # given an awarded visit changed to no-show without its event handler running
    appointment = loyal["appointment"]()
    points_award_due()
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.NO_SHOW)
    # when
    fixed = loyalty_reconcile()
    # then
    assert fixed == 1
    assert _balance(loyal) == 0
    assert loyalty_reconcile() == 0


def test_points_are_fixed_when_booked(loyal):
    # given an appointment booked while the service earned 50
    appointment = loyal["appointment"]()
    snapshot = points_snapshot_for_appointment(appointment=appointment)
    assert snapshot is not None and snapshot.points == 50
    # when the owner raises the service to 80 before the award
    ServicePoints.objects.filter(service=loyal["service"]).update(points=80)
    points_award_due()
    # then the booking earns what it was booked with; a booking without a snapshot earns 80
    assert PointsEntry.objects.get(appointment=appointment).points == 50
    later = loyal["appointment"]()
    points_award_due()
    assert PointsEntry.objects.get(appointment=later).points == 80


def test_a_service_outside_the_loyalty_system_earns_nothing(loyal):
    ServicePoints.objects.filter(service=loyal["service"]).update(enabled=False)
    appointment = loyal["appointment"]()
    assert points_snapshot_for_appointment(appointment=appointment) is None
    assert points_award_due() == 0
    assert not AppointmentPoints.objects.exists()


def test_booking_through_the_engine_records_the_snapshot(loyal, django_capture_on_commit_callbacks):
    from bookings.events import BookingEvent, publish

    appointment = loyal["appointment"](status=Appointment.Status.BOOKED)
    with django_capture_on_commit_callbacks(execute=True):
        publish(BookingEvent.CREATED, appointment)
    assert AppointmentPoints.objects.get(appointment=appointment).points == 50


def test_the_award_notice_goes_to_clients_who_opted_in(loyal, django_capture_on_commit_callbacks):
    refuser = ClientFactory(salon=loyal["salon"], marketing_consent=False)
    loyal["appointment"]()
    loyal["appointment"](client=refuser)
    with django_capture_on_commit_callbacks(execute=True):
        assert points_award_due() == 2
    notices = list(Notice.objects.filter(kind="loyalty_points_credited"))
    assert [n.client for n in notices] == [loyal["client"]]
    assert "50" in notices[0].body and "Haircut" in notices[0].body


def test_balances_never_cross_salons(loyal, other_salon):
    other_client = ClientFactory(salon=other_salon)
    with pytest.raises(ValueError):
        points_adjust(
            salon=loyal["salon"], client=other_client, points=5, description="x", actor=None
        )
    assert not PointsAccount.objects.exists()


def test_price_of_service_does_not_matter_for_points(loyal):
    appointment = loyal["appointment"](price=Decimal("0"))
    points_award_due()
    assert PointsEntry.objects.get(appointment=appointment).points == 50


def test_points_for_several_visits_in_one_sweep_make_one_notice(
    loyal, django_capture_on_commit_callbacks
):
    # given three due visits of one client
    for _ in range(3):
        loyal["appointment"]()
    # when the sweep credits them
    with django_capture_on_commit_callbacks(execute=True):
        assert points_award_due() == 3
    # then the client gets one notice with the sum and the new balance
    notice = Notice.objects.get(kind="loyalty_points_credited")
    assert "150 points were added" in notice.body
    assert "balance is now 150 points" in notice.body
