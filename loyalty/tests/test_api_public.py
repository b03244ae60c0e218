"""The logged-in client's loyalty API (`/api/v1/public/<slug>/loyalty/…`): balance and history,
their gift cards, the types they can take with points, and redeeming points for a card."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from accounts.tokens import api_token_create
from loyalty.codes import code_display
from loyalty.models import (
    GiftCard,
    GiftCardType,
    LoyaltyProgram,
    PointsEntry,
)
from loyalty.selectors import points_balance, points_balance_from_ledger
from loyalty.services.gift_cards import gift_card_issue
from loyalty.services.points import points_adjust
from loyalty.tests.factories import card_type, loyalty_row_counts
from tests.factories import ClientFactory, UserFactory

BASE = "/api/v1/public/alpha/loyalty/"
TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")


@pytest.fixture
def kati(loyal):
    """The loyal client with an account, logged in to the API."""
    user = UserFactory(email="kati@example.test")
    client = loyal["client"]
    client.user = user
    client.save(update_fields=["user"])
    api = APIClient()
    api.force_authenticate(user)
    return {"user": user, "client": client, "api": api}


def give(loyal: dict[str, Any], points: int, description: str = "Welcome") -> PointsEntry:
    return points_adjust(
        salon=loyal["salon"],
        client=loyal["client"],
        points=points,
        description=description,
        actor=None,
    )


# --- Balance and history --------------------------------------------------------------------


def test_client_sees_balance_and_history(loyal, kati):
    # given
    welcome = give(loyal, 300, "Welcome")
    taken = give(loyal, -50, "Correction")

    # when
    response = kati["api"].get(BASE)

    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["enabled"], body["balance"]) == (True, 250)
    assert [{k: v for k, v in row.items() if k != "created_at"} for row in body["history"]] == [
        {"id": taken.pk, "kind": "manual", "points": -50, "description": "Correction"},
        {"id": welcome.pk, "kind": "manual", "points": 300, "description": "Welcome"},
    ]
    assert parse_datetime(body["history"][0]["created_at"]) == taken.created_at


def test_history_describes_a_redemption_by_its_card(loyal, kati):
    # given
    give(loyal, 300)
    voucher = card_type(loyal["salon"], name="Spa voucher", points_price=200)
    kati["api"].post(f"{BASE}gift-card-types/{voucher.pk}/redeem/")

    # when
    history = kati["api"].get(BASE).json()["history"]

    # then
    assert [(row["kind"], row["points"], row["description"]) for row in history] == [
        ("redeemed", -200, "Gift card: Spa voucher"),
        ("manual", 300, "Welcome"),
    ]


def test_a_user_without_a_client_record_here_has_no_points(loyal, other_salon):
    # given a user who is a client of another salon only
    user = UserFactory(email="new@example.test")
    ClientFactory(salon=other_salon, user=user)
    api = APIClient()
    api.force_authenticate(user)

    # when
    home = api.get(BASE)
    cards = api.get(f"{BASE}gift-cards/")

    # then
    assert home.json() == {"enabled": True, "balance": 0, "history": []}
    assert cards.json() == []


def test_loyalty_off_is_said(loyal, kati):
    # given
    LoyaltyProgram.objects.update(enabled=False)

    # when
    body = kati["api"].get(BASE).json()

    # then
    assert (body["enabled"], body["balance"]) == (False, 0)


def test_a_token_works_like_a_session(loyal, kati):
    # given
    give(loyal, 30)
    _row, token = api_token_create(user=kati["user"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    # when
    response = api.get(BASE)

    # then
    assert (response.status_code, response.json()["balance"]) == (200, 30)


def test_a_session_login_works(loyal, kati):
    # given
    give(loyal, 30)
    api = APIClient()
    api.force_login(kati["user"])

    # when
    response = api.get(BASE)

    # then
    assert (response.status_code, response.json()["balance"]) == (200, 30)


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", ""), ("get", "gift-cards/"), ("post", "gift-card-types/{type}/redeem/")],
    ids=["home", "gift-cards", "redeem"],
)
def test_anonymous_gets_401(loyal, api_client, method, path):
    # given
    voucher = card_type(loyal["salon"])
    give(loyal, 500)
    before = loyalty_row_counts()

    # when
    response = getattr(api_client, method)(BASE + path.format(type=voucher.pk))

    # then
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert loyalty_row_counts() == before


def test_unknown_salon_is_404(loyal, kati):
    # when
    response = kati["api"].get("/api/v1/public/no-such-salon/loyalty/")

    # then
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


# --- My gift cards --------------------------------------------------------------------------


def test_client_sees_their_gift_cards_with_code_value_and_expiry(loyal, kati):
    # given one valid card, one expired card, and someone else's card
    salon = loyal["salon"]
    voucher = card_type(salon, name="Voucher 20")
    valid = gift_card_issue(salon=salon, card_type=voucher, client=kati["client"], actor=None)
    GiftCard.objects.filter(pk=valid.pk).update(
        expires_at=dt.datetime(2030, 1, 1, tzinfo=TALLINN), balance=Decimal("7.50")
    )
    old = gift_card_issue(salon=salon, card_type=voucher, client=kati["client"], actor=None)
    GiftCard.objects.filter(pk=old.pk).update(expires_at=dt.datetime(2025, 6, 1, tzinfo=TALLINN))
    gift_card_issue(salon=salon, card_type=voucher, client=ClientFactory(salon=salon), actor=None)

    # when
    response = kati["api"].get(f"{BASE}gift-cards/")

    # then
    assert response.status_code == 200
    assert [{k: v for k, v in row.items() if k != "created_at"} for row in response.json()] == [
        {
            "id": old.pk,
            "name": "Voucher 20",
            "code": code_display(old.code),
            "initial_value": "20.00",
            "balance": "20.00",
            "currency": "EUR",
            "valid_until": "2025-05-31",
            "expired": True,
        },
        {
            "id": valid.pk,
            "name": "Voucher 20",
            "code": code_display(valid.code),
            "initial_value": "20.00",
            "balance": "7.50",
            "currency": "EUR",
            "valid_until": "2029-12-31",
            "expired": False,
        },
    ]


# --- Gift card types for points -------------------------------------------------------------


def test_types_for_points_say_what_the_client_can_afford(loyal, kati):
    # given a balance of 250
    salon = loyal["salon"]
    give(loyal, 250)
    small = card_type(
        salon, name="Small", value=Decimal("10"), points_price=100, validity_days=None
    )
    exact = card_type(salon, name="Exact", points_price=250)
    big = card_type(salon, name="Big", value=Decimal("50"), points_price=500)
    card_type(salon, name="Desk only", for_points=False, points_price=None)
    card_type(salon, name="Retired", is_active=False)

    # when
    response = kati["api"].get(f"{BASE}gift-card-types/")

    # then
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": small.pk,
            "name": "Small",
            "description": "",
            "value": "10.00",
            "currency": "EUR",
            "validity_days": None,
            "points_price": 100,
            "affordable": True,
        },
        {
            "id": exact.pk,
            "name": "Exact",
            "description": "",
            "value": "20.00",
            "currency": "EUR",
            "validity_days": 365,
            "points_price": 250,
            "affordable": True,
        },
        {
            "id": big.pk,
            "name": "Big",
            "description": "",
            "value": "50.00",
            "currency": "EUR",
            "validity_days": 365,
            "points_price": 500,
            "affordable": False,
        },
    ]


def test_anonymous_sees_the_types_but_can_afford_none(loyal, api_client):
    # given
    give(loyal, 1000)
    voucher = card_type(loyal["salon"])

    # when
    response = api_client.get(f"{BASE}gift-card-types/")

    # then
    assert response.status_code == 200
    assert [(row["id"], row["affordable"]) for row in response.json()] == [(voucher.pk, False)]


def test_with_loyalty_off_nothing_is_affordable(loyal, kati):
    # given
    give(loyal, 1000)
    card_type(loyal["salon"])
    LoyaltyProgram.objects.update(enabled=False)

    # when
    response = kati["api"].get(f"{BASE}gift-card-types/")

    # then
    assert [row["affordable"] for row in response.json()] == [False]


# --- Redeeming ------------------------------------------------------------------------------


def test_redeem_points_for_a_gift_card(loyal, kati, mailoutbox, django_capture_on_commit_callbacks):
    # given a balance of 250 and a card for 200 points
    salon, client = loyal["salon"], kati["client"]
    give(loyal, 250)
    voucher = card_type(salon, name="Voucher 20", points_price=200, validity_days=30)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = kati["api"].post(f"{BASE}gift-card-types/{voucher.pk}/redeem/")

    # then
    assert response.status_code == 201
    card = GiftCard.objects.get()
    assert [m.to for m in mailoutbox] == [[client.email]]
    assert code_display(card.code) in mailoutbox[0].body
    today = timezone.now().astimezone(TALLINN).date()
    assert {k: v for k, v in response.json().items() if k != "created_at"} == {
        "id": card.pk,
        "name": "Voucher 20",
        "code": code_display(card.code),
        "initial_value": "20.00",
        "balance": "20.00",
        "currency": "EUR",
        "valid_until": (today + dt.timedelta(days=30)).isoformat(),
        "expired": False,
    }
    assert (card.client, card.source, card.card_type) == (client, "points", voucher)
    assert points_balance(salon=salon, client=client) == 50
    assert points_balance_from_ledger(salon=salon, client=client) == 50
    redeemed = PointsEntry.objects.get(kind=PointsEntry.Kind.REDEEMED)
    assert (redeemed.points, redeemed.gift_card, redeemed.actor) == (-200, card, kati["user"])
    assert kati["api"].get(BASE).json()["balance"] == 50
    assert [row["id"] for row in kati["api"].get(f"{BASE}gift-cards/").json()] == [card.pk]


def test_redeem_until_the_points_run_out(loyal, kati):
    # given points for two cards and a bit
    salon, client = loyal["salon"], kati["client"]
    give(loyal, 450)
    voucher = card_type(salon, points_price=200)

    # when
    answers = [
        kati["api"].post(f"{BASE}gift-card-types/{voucher.pk}/redeem/").status_code
        for _ in range(3)
    ]

    # then
    assert answers == [201, 201, 400]
    assert GiftCard.objects.count() == 2
    assert points_balance(salon=salon, client=client) == 50
    assert points_balance_from_ledger(salon=salon, client=client) == 50


@pytest.mark.parametrize(
    ("setup", "errors"),
    [
        (
            "short",
            {"points": ["Not enough points: the balance is 150, this takes 200."]},
        ),
        (
            "not-for-points",
            {"gift_card_type": ["This gift card cannot be bought with points."]},
        ),
        ("inactive", {"gift_card_type": ["This gift card cannot be bought with points."]}),
        (
            "loyalty-off",
            {"non_field_errors": ["The loyalty system of this salon is switched off."]},
        ),
    ],
)
def test_bad_redemptions_are_refused(loyal, kati, setup, errors):
    # given a balance of 150
    salon = loyal["salon"]
    give(loyal, 150)
    voucher = card_type(salon, points_price=100 if setup != "short" else 200)
    if setup == "not-for-points":
        GiftCardType.objects.filter(pk=voucher.pk).update(for_points=False, points_price=None)
    elif setup == "inactive":
        GiftCardType.objects.filter(pk=voucher.pk).update(is_active=False)
    elif setup == "loyalty-off":
        LoyaltyProgram.objects.update(enabled=False)
    before = loyalty_row_counts()

    # when
    response = kati["api"].post(f"{BASE}gift-card-types/{voucher.pk}/redeem/")

    # then
    assert response.status_code == 400
    assert response.json() == errors
    assert loyalty_row_counts() == before
    assert points_balance(salon=salon, client=kati["client"]) == 150


def test_a_user_without_a_client_record_cannot_redeem(loyal):
    # given
    user = UserFactory(email="new@example.test")
    api = APIClient()
    api.force_authenticate(user)
    voucher = card_type(loyal["salon"])

    # when
    response = api.post(f"{BASE}gift-card-types/{voucher.pk}/redeem/")

    # then
    assert response.status_code == 400
    assert response.json() == {"points": ["You have no points at this salon yet."]}
    assert not GiftCard.objects.exists()


@pytest.mark.parametrize("which", ["other-salon", "missing"])
def test_a_type_of_another_salon_is_404(loyal, kati, other_salon, which):
    # given
    give(loyal, 1000)
    pk = card_type(other_salon, points_price=10).pk if which == "other-salon" else 999_999
    before = loyalty_row_counts()

    # when
    response = kati["api"].post(f"{BASE}gift-card-types/{pk}/redeem/")

    # then
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    assert loyalty_row_counts() == before


def test_a_client_of_another_salon_sees_nothing_of_this_one(loyal, kati, other_salon):
    # given points and a card here
    give(loyal, 300)
    gift_card_issue(
        salon=loyal["salon"], card_type=card_type(loyal["salon"]), client=kati["client"], actor=None
    )

    # when the same user asks the other salon
    home = kati["api"].get("/api/v1/public/beta/loyalty/")
    cards = kati["api"].get("/api/v1/public/beta/loyalty/gift-cards/")

    # then
    assert home.json() == {"enabled": False, "balance": 0, "history": []}
    assert cards.json() == []


# --- Queries do not grow with the rows ------------------------------------------------------


def _more_history(loyal: dict[str, Any], count: int) -> None:
    for _ in range(count):
        loyal["appointment"]()
    from loyalty.services.award import points_award_due

    points_award_due()


def _more_cards(loyal: dict[str, Any], count: int) -> None:
    voucher = GiftCardType.objects.first() or card_type(loyal["salon"])
    for _ in range(count):
        gift_card_issue(salon=loyal["salon"], card_type=voucher, client=loyal["client"], actor=None)


def _more_types(loyal: dict[str, Any], count: int) -> None:
    give(loyal, 500)
    start = GiftCardType.objects.count()
    for n in range(count):
        card_type(loyal["salon"], name=f"Voucher {start + n}", points_price=100 + n * 50)


@pytest.mark.parametrize(
    ("path", "make"),
    [("", _more_history), ("gift-cards/", _more_cards), ("gift-card-types/", _more_types)],
    ids=["home", "gift-cards", "gift-card-types"],
)
def test_list_query_count_does_not_grow(loyal, kati, django_assert_max_num_queries, path, make):
    # given 3 rows, then 30
    make(loyal, 3)
    with django_assert_max_num_queries(10) as few:
        kati["api"].get(BASE + path)
    make(loyal, 27)

    # when
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = kati["api"].get(BASE + path)

    # then
    assert response.status_code == 200
    body = response.json()
    rows = body["history"] if path == "" else body
    assert len(rows) >= 30
