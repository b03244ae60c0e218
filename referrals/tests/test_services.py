"""The referral rules and the bonus (referrals/services/): each refusal next to the good case,
and on a refusal nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings.models import Appointment
from loyalty.models import LoyaltyProgram, PointsEntry
from loyalty.selectors import points_balance, points_balance_from_ledger
from loyalty.services.points import points_adjust
from notices.models import Notice
from referrals.models import Referral, ReferralCode, ReferralSettings
from referrals.services.codes import referral_code_get_or_create
from referrals.services.program import referral_settings_update, thank_you_text_get
from referrals.services.referrals import (
    referral_award,
    referral_clear,
    referral_record_by_code,
    referral_set,
    referral_set_check,
)
from tests.factories import ClientFactory

from .helpers import referral_entries, written


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- Recording and crediting --------------------------------------------------------------


def test_setting_referred_by_with_award_credits_the_referrer_once_with_one_ledger_row(ref):
    # given
    salon, anna, liis = ref["salon"], ref["anna"], ref["liis"]

    # when
    referral = referral_set(salon=salon, referred=liis, referrer=anna, actor=None, award=True)

    # then
    referral.refresh_from_db()
    assert referral.status == Referral.Status.AWARDED
    assert referral.source == Referral.Source.MANUAL
    assert referral.points == 100
    entry = PointsEntry.objects.get(client=anna)
    assert (entry.kind, entry.points) == (PointsEntry.Kind.REFERRAL, 100)
    assert entry.description == "Referral bonus: Liis became a client"
    assert referral.points_entry == entry
    assert points_balance(salon=salon, client=anna) == 100
    assert points_balance_from_ledger(salon=salon, client=anna) == 100


def test_setting_it_again_changes_nothing_and_awards_once(ref):
    # given a credited referral
    salon, anna, liis = ref["salon"], ref["anna"], ref["liis"]
    first = referral_set(salon=salon, referred=liis, referrer=anna, actor=None, award=True)

    # when the same is asked again (a double click, a retry), and the award too
    again = referral_set(salon=salon, referred=liis, referrer=anna, actor=None, award=True)
    awarded = referral_award(salon=salon, referral=first, actor=None)

    # then
    assert again.pk == first.pk == awarded.pk
    assert Referral.objects.count() == 1
    assert referral_entries(anna) == [100]
    assert Notice.objects.count() == 1


def test_recording_without_award_leaves_it_pending_and_award_credits_it_later(ref):
    salon, anna, liis = ref["salon"], ref["anna"], ref["liis"]
    referral = referral_set(salon=salon, referred=liis, referrer=anna, actor=None)
    assert referral.status == Referral.Status.PENDING
    assert referral_entries(anna) == []

    referral = referral_award(salon=salon, referral=referral, actor=None)

    assert referral.status == Referral.Status.AWARDED
    assert referral_entries(anna) == [100]


def test_the_points_are_the_salons_setting_at_the_time_of_credit(ref):
    ref["settings"].points = 250
    ref["settings"].save()
    referral_set(
        salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None, award=True
    )
    assert referral_entries(ref["anna"]) == [250]


# --- The thank-you SMS ----------------------------------------------------------------------


def test_the_thank_you_sms_is_recorded_with_its_variables_filled_in(ref):
    # when
    referral = referral_set(
        salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None, award=True
    )

    # then
    notice = Notice.objects.get()
    assert (notice.kind, notice.channel, notice.recipient) == (
        "referral_thank_you",
        "sms",
        "+37255512345",
    )
    assert notice.client == ref["anna"]
    assert notice.body == (
        "Hi Anna, thank you for recommending Alpha Hair to Liis! 100 bonus points were added; "
        "your balance is 100 points."
    )
    assert notice.dedupe_key == f"referral:{referral.pk}:thank-you"


def test_the_thank_you_uses_the_salons_own_text_and_the_new_balance(ref):
    # given the owner's text and points Anna had already
    referral_settings_update(
        salon=ref["salon"],
        points=100,
        send_sms=True,
        award_on="first_visit",
        sms_text=(
            "{{ client.first_name }}+{{ new_client.first_name }}: {{ points }} → {{ balance }}"
        ),
    )
    points_adjust(salon=ref["salon"], client=ref["anna"], points=20, description="x", actor=None)

    # when
    referral_set(
        salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None, award=True
    )

    # then
    assert Notice.objects.get(kind="referral_thank_you").body == "Anna+Liis: 100 → 120"


@pytest.mark.parametrize(
    "change",
    [
        {"marketing_consent": False},  # invariant 7: marketing only with consent
        {"phone": ""},
    ],
)
def test_no_thank_you_without_consent_or_phone(ref, change):
    # given
    for name, value in change.items():
        setattr(ref["anna"], name, value)
    ref["anna"].save()

    # when
    referral_set(
        salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None, award=True
    )

    # then the points, no SMS
    assert referral_entries(ref["anna"]) == [100]
    assert not Notice.objects.filter(kind="referral_thank_you").exists()


def test_no_thank_you_when_the_setting_is_off(ref):
    ref["settings"].send_sms = False
    ref["settings"].save()
    referral_set(
        salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None, award=True
    )
    assert referral_entries(ref["anna"]) == [100]
    assert not Notice.objects.exists()


# --- Refused: nothing written ---------------------------------------------------------------


def test_nobody_refers_themselves(ref):
    before = written()
    with pytest.raises(ValidationError) as exc:
        referral_set(
            salon=ref["salon"], referred=ref["anna"], referrer=ref["anna"], actor=None, award=True
        )
    assert errors_of(exc) == {"referrer": ["A client cannot refer themselves."]}
    assert written() == before


def test_a_client_of_another_salon_cannot_refer_or_be_referred(ref, other_salon):
    stranger = ClientFactory(salon=other_salon, first_name="Olga")
    before = written()
    for referred, referrer in ((ref["liis"], stranger), (stranger, ref["anna"])):
        with pytest.raises(ValidationError) as exc:
            referral_set(
                salon=ref["salon"], referred=referred, referrer=referrer, actor=None, award=True
            )
        assert errors_of(exc) == {"referrer": ["Choose a client of this salon."]}
    assert written() == before


def test_a_circle_is_refused_directly_and_through_others(ref):
    # given Anna referred Liis, and Liis referred Mari
    salon, anna, liis, mari = ref["salon"], ref["anna"], ref["liis"], ref["mari"]
    referral_set(salon=salon, referred=liis, referrer=anna, actor=None)
    referral_set(salon=salon, referred=mari, referrer=liis, actor=None)
    before = written()

    # when Liis would refer Anna, or Mari would refer Anna
    for referrer in (liis, mari):
        with pytest.raises(ValidationError) as exc:
            referral_set(salon=salon, referred=anna, referrer=referrer, actor=None, award=True)
        # then
        assert errors_of(exc)["referrer"] == [
            f"Anna Tamm brought {referrer.full_name} to the salon, so {referrer.full_name} "
            "cannot be Anna Tamm's referrer (a referral cannot go in a circle)."
        ]
    assert written() == before
    # while someone outside the chain can refer Anna
    kati = ref["client"]
    assert referral_set(salon=salon, referred=anna, referrer=kati, actor=None).pk


def test_a_client_who_had_appointments_before_cannot_be_referred(ref):
    # given Liis had a visit three days ago
    three_days_ago = timezone.now() - dt.timedelta(days=3)
    ref["appointment"](client=ref["liis"], ends_at=three_days_ago)
    before = written()

    # when
    with pytest.raises(ValidationError) as exc:
        referral_set(
            salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None, award=True
        )

    # then
    assert errors_of(exc) == {
        "referrer": [
            "Liis Lepp already had appointments before, so they cannot be recorded as referred "
            "(referrals are for new clients)."
        ]
    }
    assert written() == before


@pytest.mark.parametrize("which", ["today", "ahead", "cancelled before"])
def test_a_first_visit_today_a_booking_ahead_or_a_cancelled_one_do_not_count(ref, which):
    # given
    service = ref["service"]
    now = timezone.now()
    if which == "today":
        ref["appointment"](
            client=ref["liis"], ends_at=now + dt.timedelta(minutes=service.duration_minutes)
        )
    elif which == "ahead":
        ref["appointment"](
            client=ref["liis"],
            ends_at=now + dt.timedelta(days=3),
            status=Appointment.Status.BOOKED,
        )
    else:
        ref["appointment"](
            client=ref["liis"],
            ends_at=now - dt.timedelta(days=3),
            status=Appointment.Status.CANCELLED,
        )

    # when
    referral = referral_set(
        salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None, award=True
    )

    # then
    assert referral.status == Referral.Status.AWARDED


def test_awarding_while_loyalty_is_off_is_refused_and_nothing_written(ref):
    LoyaltyProgram.objects.filter(salon=ref["salon"]).update(enabled=False)
    before = written()
    with pytest.raises(ValidationError) as exc:
        referral_set(
            salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None, award=True
        )
    assert list(errors_of(exc)) == ["award"]
    assert written() == before
    # recording without points is fine
    referral = referral_set(
        salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None
    )
    assert referral.status == Referral.Status.PENDING


def test_the_check_before_the_question_refuses_what_set_refuses(ref):
    with pytest.raises(ValidationError):
        referral_set_check(salon=ref["salon"], referred=ref["anna"], referrer=ref["anna"])
    assert (
        referral_set_check(salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"]) is None
    )
    assert Referral.objects.count() == 0


# --- Changing and clearing ------------------------------------------------------------------


def test_changing_the_referrer_after_the_award_takes_the_points_back_before_the_new_award(ref):
    # given Anna was credited for Liis
    salon, anna, liis, mari = ref["salon"], ref["anna"], ref["liis"], ref["mari"]
    old = referral_set(salon=salon, referred=liis, referrer=anna, actor=None, award=True)

    # when the owner says it was Mari
    new = referral_set(salon=salon, referred=liis, referrer=mari, actor=None, award=True)

    # then Anna's points are taken back with a row of its own, and Mari is credited
    old.refresh_from_db()
    assert old.status == Referral.Status.REVERSED
    assert referral_entries(anna) == [100, -100]
    reversal = PointsEntry.objects.filter(client=anna).order_by("pk").last()
    assert reversal.reverses_id == old.points_entry_id
    assert old.reversal_entry == reversal
    assert reversal.description == (
        "Referral bonus taken back: the salon changed who referred the client"
    )
    assert reversal.pk < PointsEntry.objects.get(client=mari).pk
    assert new.status == Referral.Status.AWARDED
    assert referral_entries(mari) == [100]
    assert points_balance(salon=salon, client=anna) == 0
    assert points_balance_from_ledger(salon=salon, client=anna) == 0
    # one active referral; the history kept
    assert Referral.objects.filter(referred=liis, status__in=["pending", "awarded"]).count() == 1
    assert Referral.objects.filter(referred=liis).count() == 2


def test_changing_a_pending_referral_cancels_it_without_ledger_rows(ref):
    salon, anna, liis, mari = ref["salon"], ref["anna"], ref["liis"], ref["mari"]
    old = referral_set(salon=salon, referred=liis, referrer=anna, actor=None)
    referral_set(salon=salon, referred=liis, referrer=mari, actor=None)
    old.refresh_from_db()
    assert old.status == Referral.Status.CANCELLED
    assert PointsEntry.objects.count() == 0


def test_a_change_keeps_the_day_of_the_first_referral_for_the_new_client_rule(ref):
    # given Liis was referred five days ago, and has visited since
    salon, anna, liis, mari = ref["salon"], ref["anna"], ref["liis"], ref["mari"]
    old = referral_set(salon=salon, referred=liis, referrer=anna, actor=None)
    Referral.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=5))
    ref["appointment"](client=liis, ends_at=timezone.now() - dt.timedelta(days=2))

    # when the owner corrects the referrer
    new = referral_set(salon=salon, referred=liis, referrer=mari, actor=None)

    # then that is a change, not a new referral of a client with visits
    assert new.referrer == mari


def test_the_reversal_takes_back_only_what_is_left_when_points_were_spent(ref):
    # given Anna was credited 100 and spent 70 of them
    salon, anna, liis, mari = ref["salon"], ref["anna"], ref["liis"], ref["mari"]
    referral_set(salon=salon, referred=liis, referrer=anna, actor=None, award=True)
    points_adjust(salon=salon, client=anna, points=-70, description="spent", actor=None)

    # when
    referral_set(salon=salon, referred=liis, referrer=mari, actor=None)

    # then the balance goes to zero, not below
    assert referral_entries(anna) == [100, -30]
    assert points_balance(salon=salon, client=anna) == 0


def test_clearing_takes_back_the_points_and_clearing_twice_does_nothing(ref):
    salon, anna, liis = ref["salon"], ref["anna"], ref["liis"]
    referral_set(salon=salon, referred=liis, referrer=anna, actor=None, award=True)

    ended = referral_clear(salon=salon, referred=liis, actor=None)
    again = referral_clear(salon=salon, referred=liis, actor=None)

    assert ended is not None and ended.status == Referral.Status.REVERSED
    assert again is None
    assert referral_entries(anna) == [100, -100]


def test_an_ended_referral_cannot_be_awarded(ref):
    salon, anna, liis = ref["salon"], ref["anna"], ref["liis"]
    referral = referral_set(salon=salon, referred=liis, referrer=anna, actor=None)
    referral_clear(salon=salon, referred=liis, actor=None)
    before = written()
    with pytest.raises(ValidationError) as exc:
        referral_award(salon=salon, referral=referral, actor=None)
    assert list(errors_of(exc)) == ["referral"]
    assert written() == before


# --- Codes and bookings with a code ---------------------------------------------------------


def test_a_clients_code_is_made_once_short_and_unique_per_salon(ref, other_salon):
    first = referral_code_get_or_create(salon=ref["salon"], client=ref["anna"])
    again = referral_code_get_or_create(salon=ref["salon"], client=ref["anna"])
    other = referral_code_get_or_create(salon=ref["salon"], client=ref["liis"])
    assert first.pk == again.pk
    assert len(first.code) == 8 and first.code.isalnum() and first.code.isupper()
    assert first.code != other.code
    assert ReferralCode.objects.count() == 2
    with pytest.raises(ValueError):
        referral_code_get_or_create(salon=other_salon, client=ref["anna"])


def test_a_code_records_a_pending_referral_typed_in_any_case(ref):
    code = referral_code_get_or_create(salon=ref["salon"], client=ref["anna"]).code
    messy = f" {code[:4].lower()}-{code[4:]} "

    referral = referral_record_by_code(salon=ref["salon"], referred=ref["liis"], code=messy)

    assert (referral.referrer, referral.source, referral.status) == (
        ref["anna"],
        Referral.Source.LINK,
        Referral.Status.PENDING,
    )
    # the same code again changes nothing
    again = referral_record_by_code(salon=ref["salon"], referred=ref["liis"], code=code)
    assert again.pk == referral.pk and Referral.objects.count() == 1


def test_a_code_credits_at_once_when_the_salon_credits_on_recording(ref):
    ref["settings"].award_on = ReferralSettings.AwardOn.RECORDED
    ref["settings"].save()
    code = referral_code_get_or_create(salon=ref["salon"], client=ref["anna"]).code

    referral = referral_record_by_code(salon=ref["salon"], referred=ref["liis"], code=code)

    assert referral.status == Referral.Status.AWARDED
    assert referral_entries(ref["anna"]) == [100]


def test_codes_that_are_refused_write_nothing(ref, other_salon):
    # given Anna brought Liis; Vera visited ten days ago; a client of another salon
    salon, anna, liis, mari = ref["salon"], ref["anna"], ref["liis"], ref["mari"]
    referral_set(salon=salon, referred=liis, referrer=anna, actor=None)
    anna_code = referral_code_get_or_create(salon=salon, client=anna).code
    liis_code = referral_code_get_or_create(salon=salon, client=liis).code
    mari_code = referral_code_get_or_create(salon=salon, client=mari).code
    foreign = ClientFactory(salon=other_salon)
    foreign_code = referral_code_get_or_create(salon=other_salon, client=foreign).code
    visited = ClientFactory(salon=salon, first_name="Vera")
    ref["appointment"](client=visited, ends_at=timezone.now() - dt.timedelta(days=10))
    cases = [
        (mari, "NOPE2345", "unknown_code"),
        (mari, foreign_code, "unknown_code"),  # another salon's code is unknown here
        (mari, "", "unknown_code"),
        (anna, anna_code, "self"),
        (liis, mari_code, "already_referred"),  # Anna brought her
        (visited, anna_code, "not_new"),
        (anna, liis_code, "circular"),  # Anna brought Liis, so Liis cannot bring Anna
    ]
    before = written()

    for referred, code, expected in cases:
        # when
        with pytest.raises(ValidationError) as exc:
            referral_record_by_code(salon=salon, referred=referred, code=code)
        # then
        assert [e.code for e in exc.value.error_dict["referral_code"]] == [expected], code
        assert list(errors_of(exc)) == ["referral_code"]
    assert written() == before
    # and the good case next to them
    assert referral_record_by_code(salon=salon, referred=mari, code=anna_code).referrer == anna


def test_settings_are_checked_and_the_text_kept_or_reset_to_the_default(ref):
    salon = ref["salon"]
    default = thank_you_text_get(salon=salon)
    before = written()
    for bad in (
        {"points": 0},
        {"points": 1_000_001},
        {"award_on": "never"},
        {"sms_text": "Hi {{ client.password }}"},
        {"sms_text": "   "},
    ):
        values = {"points": 100, "send_sms": True, "award_on": "recorded", **bad}
        with pytest.raises(ValidationError) as exc:
            referral_settings_update(salon=salon, **values)
        assert set(errors_of(exc)) == {next(iter(bad))}, bad
    assert written() == before
    ref["settings"].refresh_from_db()
    assert ref["settings"].award_on == "first_visit"

    row = referral_settings_update(
        salon=salon, points=150, send_sms=False, award_on="recorded", sms_text="Thanks {{ points }}"
    )
    assert (row.points, row.send_sms, row.award_on) == (150, False, "recorded")
    assert thank_you_text_get(salon=salon) == "Thanks {{ points }}"
    referral_settings_update(
        salon=salon, points=150, send_sms=False, award_on="recorded", sms_text=default
    )
    assert thank_you_text_get(salon=salon) == default
