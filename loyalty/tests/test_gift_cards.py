"""Gift cards: buying with points, codes, paying a booking at checkout, refunds on cancel."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings.checkout import ClientDetails, checkout_complete
from bookings.models import Appointment
from bookings.passcodes import PasscodeUnlocks
from bookings.services.booking import BookingRequest, appointment_set_status
from loyalty.codes import ALPHABET, CODE_LENGTH, code_display, code_normalize
from loyalty.models import GiftCard, GiftCardEntry, LoyaltyProgram, PointsEntry
from loyalty.selectors import points_balance, points_balance_from_ledger
from loyalty.services.gift_cards import (
    gift_card_buy_with_points,
    gift_card_issue,
    gift_card_pay_appointment,
    gift_card_type_create,
    gift_card_valid_until,
)
from loyalty.services.points import points_adjust
from notices.models import Notice
from tests.factories import ClientFactory, SalonFactory

TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")


def _card_type(salon, **kwargs):
    data = {
        "name": "Gift card 20",
        "value": Decimal("20.00"),
        "validity_days": 365,
        "for_points": True,
        "points_price": 100,
    }
    data.update(kwargs)
    return gift_card_type_create(salon=salon, **data)


def _card_ledger_matches(card: GiftCard) -> None:
    card.refresh_from_db()
    assert card.balance == sum(e.amount for e in card.entries.all())


def test_buying_a_card_with_points_spends_them_and_emails_the_code(loyal, owner):
    # given a client with 120 points
    points_adjust(
        salon=loyal["salon"], client=loyal["client"], points=120, description="x", actor=owner
    )
    card_type = _card_type(loyal["salon"])
    # when
    card = gift_card_buy_with_points(
        salon=loyal["salon"], client=loyal["client"], card_type=card_type
    )
    # then
    assert points_balance(salon=loyal["salon"], client=loyal["client"]) == 20
    assert points_balance_from_ledger(salon=loyal["salon"], client=loyal["client"]) == 20
    redeemed = PointsEntry.objects.get(kind="redeemed")
    assert (redeemed.points, redeemed.gift_card) == (-100, card)
    assert (card.balance, card.initial_value, card.client) == (
        Decimal("20.00"),
        Decimal("20.00"),
        loyal["client"],
    )
    assert len(card.code) == CODE_LENGTH and set(card.code) <= set(ALPHABET)
    notice = Notice.objects.get(kind="loyalty_gift_card_issued")
    assert code_display(card.code) in notice.body
    _card_ledger_matches(card)


def test_not_enough_points_writes_nothing(loyal, owner):
    points_adjust(
        salon=loyal["salon"], client=loyal["client"], points=99, description="x", actor=owner
    )
    with pytest.raises(ValidationError):
        gift_card_buy_with_points(
            salon=loyal["salon"], client=loyal["client"], card_type=_card_type(loyal["salon"])
        )
    assert not GiftCard.objects.exists()
    assert points_balance(salon=loyal["salon"], client=loyal["client"]) == 99


def test_a_type_not_for_points_cannot_be_bought_with_points(loyal, owner):
    points_adjust(
        salon=loyal["salon"], client=loyal["client"], points=500, description="x", actor=owner
    )
    card_type = _card_type(loyal["salon"], for_points=False, points_price=None)
    with pytest.raises(ValidationError):
        gift_card_buy_with_points(salon=loyal["salon"], client=loyal["client"], card_type=card_type)
    assert not GiftCard.objects.exists()


def test_loyalty_off_cannot_buy(loyal, owner):
    points_adjust(
        salon=loyal["salon"], client=loyal["client"], points=500, description="x", actor=owner
    )
    LoyaltyProgram.objects.update(enabled=False)
    with pytest.raises(ValidationError):
        gift_card_buy_with_points(
            salon=loyal["salon"], client=loyal["client"], card_type=_card_type(loyal["salon"])
        )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"value": Decimal("0")}, "value"),
        ({"value": Decimal("-5")}, "value"),
        ({"for_points": True, "points_price": None}, "points_price"),
        ({"validity_days": 0}, "validity_days"),
    ],
)
def test_bad_gift_card_types_are_refused(salon, data, field):
    with pytest.raises(ValidationError) as exc:
        _card_type(salon, **data)
    assert field in exc.value.message_dict


def test_codes_are_read_as_people_type_them():
    assert code_normalize(" k7qm-3xtr 9hwa_p2nd ") == "K7QM3XTR9HWAP2ND"
    assert code_display("K7QM3XTR9HWAP2ND") == "K7QM-3XTR-9HWA-P2ND"


def test_cards_expire_after_the_last_valid_day_in_the_salons_zone(loyal, owner):
    card = gift_card_issue(
        salon=loyal["salon"],
        card_type=_card_type(loyal["salon"], validity_days=30),
        client=None,
        actor=owner,
    )
    today = timezone.now().astimezone(TALLINN).date()
    assert gift_card_valid_until(card) == today + dt.timedelta(days=30)


# --- Paying ----------------------------------------------------------------------------------


def _booking(shop, hour=10):
    today = dt.datetime.now(TALLINN).date()
    day = today + dt.timedelta(days=(2 - today.weekday()) % 7 or 7)
    starts_at = dt.datetime(day.year, day.month, day.day, hour, tzinfo=TALLINN)
    return BookingRequest(location=shop["location"], service=shop["service"], starts_at=starts_at)


def _checkout(shop, code, hour=10, email="guest@example.test"):
    return checkout_complete(
        salon=shop["salon"],
        request=_booking(shop, hour),
        details=ClientDetails(first_name="Guest", last_name="G", email=email, phone=""),
        payment_method="gift_card",
        unlocks=PasscodeUnlocks(),
        payment_details={"gift_card_code": code},
        client_ip="10.0.0.1",
    )


@pytest.fixture
def card(shop, owner):
    shop["service"].price = Decimal("35.00")
    shop["service"].save()
    card_type = _card_type(shop["salon"], value=Decimal("50.00"))
    return gift_card_issue(salon=shop["salon"], card_type=card_type, client=None, actor=owner)


def test_a_card_pays_the_booking_and_the_rest_is_left_on_it(shop, card):
    # when a guest books with the code, typed loosely
    appointment = _checkout(shop, code_display(card.code).lower())
    # then the card pays the 35.00 and keeps 15.00
    card.refresh_from_db()
    assert card.balance == Decimal("15.00")
    entry = GiftCardEntry.objects.get(kind="redeemed")
    assert (entry.amount, entry.appointment) == (Decimal("-35.00"), appointment)
    # and the next booking takes the 15.00 left (the rest is paid at the salon)
    _checkout(shop, card.code, hour=12, email="second@example.test")
    card.refresh_from_db()
    assert card.balance == Decimal("0.00")
    _card_ledger_matches(card)
    # and a used-up card is refused, the booking with it not made
    with pytest.raises(ValidationError, match="used up"):
        _checkout(shop, card.code, hour=14, email="third@example.test")
    assert Appointment.objects.count() == 2


def test_cancelling_gives_the_value_back_to_the_card(
    shop,
    card,
    django_capture_on_commit_callbacks,
):
    appointment = _checkout(shop, card.code)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_set_status(appointment=appointment, status=Appointment.Status.CANCELLED)
    card.refresh_from_db()
    assert card.balance == Decimal("50.00")
    assert list(card.entries.order_by("pk").values_list("kind", flat=True)) == [
        "issued",
        "redeemed",
        "refund",
    ]
    _card_ledger_matches(card)


def test_a_no_show_keeps_the_gift_card_payment(
    shop,
    card,
    django_capture_on_commit_callbacks,
):
    appointment = _checkout(shop, card.code)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_set_status(appointment=appointment, status=Appointment.Status.NO_SHOW)
    card.refresh_from_db()
    assert card.balance == Decimal("15.00")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Enter the code"),
        ("NOPE", "no gift card with this code"),
        ("ABCD-EFGH-JKMN-PQRS", "no gift card with this code"),
    ],
)
def test_wrong_codes_get_a_clear_message_and_no_booking(shop, card, code, message):
    with pytest.raises(ValidationError, match=message) as exc:
        _checkout(shop, code)
    assert "gift_card_code" in exc.value.message_dict
    assert not Appointment.objects.exists()
    card.refresh_from_db()
    assert card.balance == Decimal("50.00")


def test_expired_card_is_refused(shop, card):
    GiftCard.objects.filter(pk=card.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="expired"):
        _checkout(shop, card.code)


def test_another_salons_card_is_refused_with_a_clear_message(shop, owner):
    elsewhere = SalonFactory(slug="gamma")
    foreign = gift_card_issue(
        salon=elsewhere, card_type=_card_type(elsewhere), client=None, actor=None
    )
    gift_card_issue(
        salon=shop["salon"], card_type=_card_type(shop["salon"]), client=None, actor=None
    )
    with pytest.raises(ValidationError, match="another salon"):
        _checkout(shop, foreign.code)
    foreign.refresh_from_db()
    assert foreign.balance == Decimal("20.00")


def test_guessing_codes_is_throttled_per_ip(shop, card, settings):
    settings.GIFT_CARD_MAX_FAILURES_PER_IP = 3
    for _ in range(3):
        with pytest.raises(ValidationError, match="no gift card"):
            _checkout(shop, "ABCD-EFGH-JKMN-PQRS")
    # then even the right code is refused while the window lasts
    with pytest.raises(ValidationError, match="Too many"):
        _checkout(shop, card.code)
    assert not Appointment.objects.exists()


def test_a_free_booking_needs_no_card(loyal, owner):
    card = gift_card_issue(
        salon=loyal["salon"], card_type=_card_type(loyal["salon"]), client=None, actor=owner
    )
    appointment = loyal["appointment"](status=Appointment.Status.BOOKED, price=Decimal("0"))
    with pytest.raises(ValidationError, match="nothing to pay"):
        gift_card_pay_appointment(salon=loyal["salon"], appointment=appointment, code=card.code)


def test_the_gift_card_choice_is_offered_only_where_cards_exist(shop, owner):
    from bookings.checkout import payment_methods_available

    keys = [
        m.key
        for m in payment_methods_available(
            salon=shop["salon"], client=None, service=shop["service"]
        )
    ]
    assert "gift_card" not in keys
    gift_card_issue(
        salon=shop["salon"], card_type=_card_type(shop["salon"]), client=None, actor=owner
    )
    keys = [
        m.key
        for m in payment_methods_available(
            salon=shop["salon"], client=None, service=shop["service"]
        )
    ]
    assert keys.index("gift_card") < keys.index("pay_at_salon")


def test_issued_card_for_another_salons_client_is_refused(loyal, other_salon):
    with pytest.raises(ValueError):
        gift_card_issue(
            salon=loyal["salon"],
            card_type=_card_type(loyal["salon"]),
            client=ClientFactory(salon=other_salon),
            actor=None,
        )


def test_a_type_no_longer_offered_cannot_be_issued(loyal, owner):
    card_type = _card_type(loyal["salon"], is_active=False)
    with pytest.raises(ValidationError) as exc:
        gift_card_issue(salon=loyal["salon"], card_type=card_type, client=None, actor=owner)
    assert "gift_card_type" in exc.value.message_dict
    assert not GiftCard.objects.exists()
