"""The booking events: a pending referral is credited when the new client's visit is completed
(the salon credits after the first visit), once; the points go back when that visit turns out
not to have happened."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from bookings.models import Appointment
from bookings.services.booking import appointment_set_status
from loyalty.models import LoyaltyProgram
from loyalty.selectors import points_balance
from notices.models import Notice
from referrals.handlers import on_appointment_completed
from referrals.models import Referral, ReferralSettings
from referrals.services.referrals import referral_set, referrals_reconcile

from .helpers import referral_entries


def booked_visit(ref, client, hours_ago: int = 1):
    """A visit of `client` that ended `hours_ago`, still booked (not yet marked)."""
    return ref["appointment"](
        client=client,
        ends_at=timezone.now() - dt.timedelta(hours=hours_ago),
        status=Appointment.Status.BOOKED,
    )


def complete(appointment, captured) -> None:
    with captured(execute=True):
        appointment_set_status(appointment=appointment, status=Appointment.Status.COMPLETED)


def test_the_first_completed_visit_credits_the_pending_referral_and_thanks(
    ref, django_capture_on_commit_callbacks
):
    # given Liis was referred by Anna (no points yet) and has a visit
    referral = referral_set(
        salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None
    )
    visit = booked_visit(ref, ref["liis"])

    # when the visit is marked completed
    complete(visit, django_capture_on_commit_callbacks)

    # then
    referral.refresh_from_db()
    assert referral.status == Referral.Status.AWARDED
    assert referral.awarded_for == visit
    assert referral_entries(ref["anna"]) == [100]
    assert Notice.objects.get().body.startswith("Hi Anna, thank you for recommending Alpha Hair")


def test_a_repeated_event_credits_once(ref, django_capture_on_commit_callbacks):
    referral_set(salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None)
    visit = booked_visit(ref, ref["liis"])
    complete(visit, django_capture_on_commit_callbacks)

    on_appointment_completed(visit.pk)
    on_appointment_completed(visit.pk)
    second = booked_visit(ref, ref["liis"], hours_ago=3)
    complete(second, django_capture_on_commit_callbacks)

    assert referral_entries(ref["anna"]) == [100]
    assert Notice.objects.count() == 1


def test_nothing_is_credited_by_a_visit_when_the_salon_credits_on_recording(
    ref, django_capture_on_commit_callbacks
):
    ref["settings"].award_on = ReferralSettings.AwardOn.RECORDED
    ref["settings"].save()
    referral_set(salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None)

    complete(booked_visit(ref, ref["liis"]), django_capture_on_commit_callbacks)

    assert referral_entries(ref["anna"]) == []


def test_nothing_is_credited_while_loyalty_is_off(ref, django_capture_on_commit_callbacks):
    referral_set(salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None)
    LoyaltyProgram.objects.filter(salon=ref["salon"]).update(enabled=False)

    complete(booked_visit(ref, ref["liis"]), django_capture_on_commit_callbacks)

    assert referral_entries(ref["anna"]) == []
    assert Referral.objects.get().status == Referral.Status.PENDING


def test_a_visit_of_someone_else_credits_nothing(ref, django_capture_on_commit_callbacks):
    referral_set(salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None)
    complete(booked_visit(ref, ref["mari"]), django_capture_on_commit_callbacks)
    assert referral_entries(ref["anna"]) == []


def test_a_credited_visit_corrected_to_no_show_takes_the_points_back_and_waits_again(
    ref, django_capture_on_commit_callbacks
):
    # given Anna was credited for Liis's completed visit
    referral_set(salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None)
    visit = booked_visit(ref, ref["liis"])
    complete(visit, django_capture_on_commit_callbacks)

    # when the owner corrects it to a no-show
    with django_capture_on_commit_callbacks(execute=True):
        appointment_set_status(appointment=visit, status=Appointment.Status.NO_SHOW)

    # then the points are taken back and the referral is pending again
    assert referral_entries(ref["anna"]) == [100, -100]
    assert points_balance(salon=ref["salon"], client=ref["anna"]) == 0
    statuses = list(Referral.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == [Referral.Status.REVERSED, Referral.Status.PENDING]

    # and Liis's next real visit credits Anna again
    complete(booked_visit(ref, ref["liis"]), django_capture_on_commit_callbacks)
    assert referral_entries(ref["anna"]) == [100, -100, 100]


def test_points_credited_by_hand_are_not_taken_back_by_a_cancelled_visit(
    ref, django_capture_on_commit_callbacks
):
    referral_set(
        salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None, award=True
    )
    visit = booked_visit(ref, ref["liis"])
    with django_capture_on_commit_callbacks(execute=True):
        appointment_set_status(appointment=visit, status=Appointment.Status.CANCELLED)
    assert referral_entries(ref["anna"]) == [100]


def test_a_corrected_visit_passes_the_points_to_another_visit_that_took_place(
    ref, django_capture_on_commit_callbacks
):
    # given two completed visits of Liis after Anna's referral; the first credited Anna
    referral_set(salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None)
    first = booked_visit(ref, ref["liis"], hours_ago=3)
    complete(first, django_capture_on_commit_callbacks)
    complete(booked_visit(ref, ref["liis"]), django_capture_on_commit_callbacks)

    # when the first is corrected to a no-show
    with django_capture_on_commit_callbacks(execute=True):
        appointment_set_status(appointment=first, status=Appointment.Status.NO_SHOW)

    # then taken back, and credited again for the second visit
    assert referral_entries(ref["anna"]) == [100, -100, 100]
    assert points_balance(salon=ref["salon"], client=ref["anna"]) == 100


def test_the_reconcile_sweep_makes_up_for_lost_events(ref):
    # given a pending referral whose visit was completed, and a credited one whose visit was
    # cancelled, both without their events (lost)
    salon = ref["salon"]
    referral_set(salon=salon, referred=ref["liis"], referrer=ref["anna"], actor=None)
    visit = booked_visit(ref, ref["liis"])
    appointment_set_status(appointment=visit, status=Appointment.Status.COMPLETED)
    referral_set(salon=salon, referred=ref["mari"], referrer=ref["anna"], actor=None)
    mari_visit = booked_visit(ref, ref["mari"], hours_ago=3)
    appointment_set_status(appointment=mari_visit, status=Appointment.Status.COMPLETED)
    on_appointment_completed(mari_visit.pk)
    assert referral_entries(ref["anna"]) == [100]
    appointment_set_status(appointment=mari_visit, status=Appointment.Status.CANCELLED)

    # when the sweep runs (twice)
    fixed = referrals_reconcile()
    again = referrals_reconcile()

    # then Liis's referral is credited, Mari's taken back
    assert (fixed, again) == (2, 0)
    assert referral_entries(ref["anna"]) == [100, 100, -100]
    liis_referral = Referral.objects.get(referred=ref["liis"])
    assert (liis_referral.status, liis_referral.awarded_for) == (Referral.Status.AWARDED, visit)
