"""Owner API of the loyalty system (`/api/v1/salons/<slug>/loyalty/…`): settings, service
points, a client's ledger and manual adjustments, gift card types and issued cards — and who
may call each route (members read, owners and managers write, other salons get 404)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from loyalty import api_urls
from loyalty.codes import code_display
from loyalty.models import (
    GiftCard,
    GiftCardEntry,
    GiftCardType,
    LoyaltyProgram,
    PointsEntry,
    ServicePoints,
)
from loyalty.selectors import points_balance, points_balance_from_ledger
from loyalty.services.award import points_award_due
from loyalty.services.gift_cards import gift_card_issue
from loyalty.services.points import points_adjust
from loyalty.tests.factories import card_type, loyalty_row_counts
from tests.factories import ClientFactory, ServiceCategoryFactory, ServiceFactory

BASE = "/api/v1/salons/alpha/loyalty/"


# --- Settings -------------------------------------------------------------------------------


def test_settings_of_a_salon_that_never_set_them_are_the_defaults(salon, owner_api):
    # when
    response = owner_api.get(f"{BASE}settings/")

    # then
    assert response.status_code == 200
    assert response.json() == {"enabled": False, "award_delay_minutes": 180, "enabled_at": None}
    assert not LoyaltyProgram.objects.exists()


def test_switch_loyalty_on_with_a_delay(salon, owner_api):
    # when
    response = owner_api.put(
        f"{BASE}settings/", {"enabled": True, "award_delay_minutes": 120}, format="json"
    )

    # then
    assert response.status_code == 200
    program = LoyaltyProgram.objects.get(salon=salon)
    assert (program.enabled, program.award_delay_minutes) == (True, 120)
    assert program.enabled_at is not None
    body = response.json()
    assert (body["enabled"], body["award_delay_minutes"]) == (True, 120)
    assert parse_datetime(body["enabled_at"]) == program.enabled_at


def test_switching_off_keeps_the_delay_and_the_start(loyal, owner_api):
    # given
    enabled_at = LoyaltyProgram.objects.get().enabled_at

    # when
    response = owner_api.put(f"{BASE}settings/", {"enabled": False}, format="json")

    # then
    assert response.status_code == 200
    program = LoyaltyProgram.objects.get()
    assert (program.enabled, program.award_delay_minutes, program.enabled_at) == (
        False,
        180,
        enabled_at,
    )


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"award_delay_minutes": 60}, {"enabled": ["This field is required."]}),
        (
            {"enabled": True, "award_delay_minutes": -1},
            {"award_delay_minutes": ["Ensure this value is greater than or equal to 0."]},
        ),
        (
            {"enabled": True, "award_delay_minutes": 60 * 24 * 14 + 1},
            {"award_delay_minutes": ["Ensure this value is less than or equal to 20160."]},
        ),
        (
            {"enabled": True, "award_delay_minutes": "soon"},
            {"award_delay_minutes": ["A valid integer is required."]},
        ),
    ],
    ids=["missing-switch", "negative-delay", "too-long-delay", "not-a-number"],
)
def test_bad_settings_are_refused(salon, owner_api, body, errors):
    # when
    response = owner_api.put(f"{BASE}settings/", body, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == errors
    assert not LoyaltyProgram.objects.exists()


# --- Service points -------------------------------------------------------------------------


def test_service_points_list_every_active_service(loyal, owner_api):
    # given
    salon = loyal["salon"]
    colour = ServiceFactory(
        salon=salon, name="Colour", category=ServiceCategoryFactory(salon=salon, name="Hair")
    )
    nails = ServiceFactory(salon=salon, name="Nails")
    ServicePoints.objects.create(salon=salon, service=nails, points=10, enabled=False)
    ServiceFactory(salon=salon, name="Retired", is_active=False)

    # when
    response = owner_api.get(f"{BASE}service-points/")

    # then
    assert response.status_code == 200
    assert sorted(response.json(), key=lambda row: row["name"]) == [
        {
            "service": colour.pk,
            "name": "Colour",
            "category": "Hair",
            "enabled": False,
            "points": None,
        },
        {
            "service": loyal["service"].pk,
            "name": "Haircut",
            "category": None,
            "enabled": True,
            "points": 50,
        },
        {"service": nails.pk, "name": "Nails", "category": None, "enabled": False, "points": 10},
    ]


def test_make_a_service_earn_points(salon, owner_api):
    # given
    service = ServiceFactory(salon=salon, name="Colour")

    # when
    response = owner_api.put(
        f"{BASE}service-points/{service.pk}/", {"enabled": True, "points": 30}, format="json"
    )

    # then
    assert response.status_code == 200
    assert response.json() == {
        "service": service.pk,
        "name": "Colour",
        "category": None,
        "enabled": True,
        "points": 30,
    }
    rule = ServicePoints.objects.get(salon=salon, service=service)
    assert (rule.enabled, rule.points) == (True, 30)


def test_switch_a_service_off_keeps_its_points(loyal, owner_api):
    # when
    response = owner_api.put(
        f"{BASE}service-points/{loyal['service'].pk}/", {"enabled": False}, format="json"
    )

    # then
    assert response.status_code == 200
    assert (response.json()["enabled"], response.json()["points"]) == (False, 50)
    rule = ServicePoints.objects.get(service=loyal["service"])
    assert (rule.enabled, rule.points) == (False, 50)


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"enabled": True, "points": 0}, {"points": ["Points must be 1 or more."]}),
        ({"enabled": True, "points": -5}, {"points": ["Points must be 1 or more."]}),
        ({"enabled": True}, {"points": ["Give the points a booking of it earns."]}),
        (
            {"enabled": True, "points": 1_000_001},
            {"points": ["Ensure this value is less than or equal to 1000000."]},
        ),
        ({"points": 10}, {"enabled": ["This field is required."]}),
    ],
    ids=["zero", "negative", "missing", "too-many", "missing-switch"],
)
def test_bad_service_points_are_refused(loyal, owner_api, body, errors):
    # given
    before = loyalty_row_counts()

    # when
    response = owner_api.put(f"{BASE}service-points/{loyal['service'].pk}/", body, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == errors
    assert loyalty_row_counts() == before
    rule = ServicePoints.objects.get(service=loyal["service"])
    assert (rule.enabled, rule.points) == (True, 50)


# --- A client's points ----------------------------------------------------------------------


def test_client_points_show_balance_and_ledger_latest_first(loyal, owner, owner_api):
    # given a visit that earned 50 points, then two adjustments by the owner
    salon, client = loyal["salon"], loyal["client"]
    appointment = loyal["appointment"]()
    points_award_due()
    earned = PointsEntry.objects.get(kind=PointsEntry.Kind.EARNED)
    bonus = points_adjust(
        salon=salon, client=client, points=20, description="Birthday", actor=owner
    )
    taken = points_adjust(salon=salon, client=client, points=-5, description="Typo", actor=owner)

    # when
    response = owner_api.get(f"{BASE}clients/{client.pk}/points/")

    # then
    assert response.status_code == 200
    body = response.json()
    visit_day = formats.date_format(
        appointment.starts_at.astimezone(zoneinfo.ZoneInfo("Europe/Tallinn")), "SHORT_DATE_FORMAT"
    )
    assert {k: v for k, v in body.items() if k != "results"} == {
        "balance": 65,
        "count": 3,
        "next": None,
        "previous": None,
    }
    assert [{k: v for k, v in row.items() if k != "created_at"} for row in body["results"]] == [
        {
            "id": taken.pk,
            "kind": "manual",
            "points": -5,
            "description": "Typo",
            "actor_email": "owner@alpha.test",
            "appointment": None,
            "gift_card": None,
        },
        {
            "id": bonus.pk,
            "kind": "manual",
            "points": 20,
            "description": "Birthday",
            "actor_email": "owner@alpha.test",
            "appointment": None,
            "gift_card": None,
        },
        {
            "id": earned.pk,
            "kind": "earned",
            "points": 50,
            "description": f"Visit: Haircut on {visit_day}",
            "actor_email": None,
            "appointment": appointment.pk,
            "gift_card": None,
        },
    ]
    assert parse_datetime(body["results"][0]["created_at"]) == taken.created_at


def test_client_points_are_paginated(loyal, owner, owner_api):
    # given
    for n in range(1, 4):
        points_adjust(
            salon=loyal["salon"], client=loyal["client"], points=n, description=f"#{n}", actor=owner
        )

    # when
    response = owner_api.get(f"{BASE}clients/{loyal['client'].pk}/points/", {"limit": 2})

    # then
    body = response.json()
    assert (body["balance"], body["count"]) == (6, 3)
    assert [row["description"] for row in body["results"]] == ["#3", "#2"]
    assert body["next"].endswith("/points/?limit=2&offset=2")


def test_a_client_without_points_has_balance_zero(salon, owner_api):
    # given
    client = ClientFactory(salon=salon)

    # when
    response = owner_api.get(f"{BASE}clients/{client.pk}/points/")

    # then
    assert response.json() == {
        "balance": 0,
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }


def test_add_points_by_hand(loyal, owner_api, django_capture_on_commit_callbacks):
    # given
    client = loyal["client"]

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_api.post(
            f"{BASE}clients/{client.pk}/points/adjustments/",
            {"points": 25, "description": "  Sorry   for the wait "},
            format="json",
        )

    # then
    assert response.status_code == 201
    entry = PointsEntry.objects.get()
    body = response.json()
    assert body["balance"] == 25
    assert {k: v for k, v in body["entry"].items() if k != "created_at"} == {
        "id": entry.pk,
        "kind": "manual",
        "points": 25,
        "description": "Sorry for the wait",
        "actor_email": "owner@alpha.test",
        "appointment": None,
        "gift_card": None,
    }
    assert points_balance(salon=loyal["salon"], client=client) == 25
    assert points_balance_from_ledger(salon=loyal["salon"], client=client) == 25


def test_take_points_by_hand(loyal, owner, owner_api):
    # given
    salon, client = loyal["salon"], loyal["client"]
    points_adjust(salon=salon, client=client, points=40, description="Welcome", actor=owner)

    # when
    response = owner_api.post(
        f"{BASE}clients/{client.pk}/points/adjustments/",
        {"points": -40, "description": "Given by mistake"},
        format="json",
    )

    # then
    assert response.status_code == 201
    assert (response.json()["entry"]["points"], response.json()["balance"]) == (-40, 0)
    assert points_balance_from_ledger(salon=salon, client=client) == 0


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"points": 0, "description": "Nothing"},
            {"points": ["Enter a number of points other than zero."]},
        ),
        (
            {"points": 10},
            {"description": ["Say what the points are for; the client sees this text."]},
        ),
        (
            {"points": 10, "description": "   "},
            {"description": ["Say what the points are for; the client sees this text."]},
        ),
        (
            {"points": -31, "description": "Too much"},
            {"points": ["Not enough points: the balance is 30, this takes 31."]},
        ),
        (
            {"points": 2_000_000, "description": "Lots"},
            {"points": ["At most 1000000 points at a time."]},
        ),
        ({"points": "ten", "description": "Typo"}, {"points": ["A valid integer is required."]}),
        (
            {"points": 10, "description": "x" * 256},
            {"description": ["At most 255 characters."]},
        ),
    ],
    ids=["zero", "no-description", "blank-description", "beyond-balance", "huge", "text", "long"],
)
def test_bad_adjustments_are_refused(loyal, owner, owner_api, body, errors):
    # given a balance of 30
    salon, client = loyal["salon"], loyal["client"]
    points_adjust(salon=salon, client=client, points=30, description="Start", actor=owner)
    before = loyalty_row_counts()

    # when
    response = owner_api.post(f"{BASE}clients/{client.pk}/points/adjustments/", body, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == errors
    assert loyalty_row_counts() == before
    assert points_balance(salon=salon, client=client) == 30


# --- Gift card types ------------------------------------------------------------------------


def test_create_a_gift_card_type(salon, owner_api):
    # when
    response = owner_api.post(
        f"{BASE}gift-card-types/",
        {
            "name": "Spa voucher",
            "description": "A treat",
            "value": "25.50",
            "validity_days": 90,
            "for_points": True,
            "points_price": 300,
        },
        format="json",
    )

    # then
    assert response.status_code == 201
    created = GiftCardType.objects.get(salon=salon)
    assert {k: v for k, v in response.json().items() if k != "created_at"} == {
        "id": created.pk,
        "name": "Spa voucher",
        "description": "A treat",
        "value": "25.50",
        "validity_days": 90,
        "for_points": True,
        "points_price": 300,
        "sold_online": False,
        "is_active": True,
    }
    assert created.value == Decimal("25.50")


def test_a_gift_card_type_without_expiry_and_not_for_points(salon, owner_api):
    # when
    response = owner_api.post(
        f"{BASE}gift-card-types/",
        {"name": "Desk card", "value": "50", "validity_days": None},
        format="json",
    )

    # then
    assert response.status_code == 201
    body = response.json()
    assert (body["value"], body["validity_days"], body["for_points"], body["points_price"]) == (
        "50.00",
        None,
        False,
        None,
    )


def test_a_gift_card_type_is_valid_a_year_by_default(salon, owner_api):
    # when
    response = owner_api.post(
        f"{BASE}gift-card-types/", {"name": "Desk card", "value": "50"}, format="json"
    )

    # then
    assert response.json()["validity_days"] == 365


def test_list_read_and_change_gift_card_types(salon, owner_api):
    # given
    voucher = card_type(salon, name="Voucher 20")
    big = card_type(
        salon, name="Big voucher", value=Decimal("100"), for_points=False, points_price=None
    )

    # when
    listed = owner_api.get(f"{BASE}gift-card-types/")
    changed = owner_api.patch(
        f"{BASE}gift-card-types/{voucher.pk}/",
        {"is_active": False, "points_price": 250},
        format="json",
    )
    read = owner_api.get(f"{BASE}gift-card-types/{voucher.pk}/")

    # then
    assert listed.status_code == 200
    assert listed.json()["count"] == 2
    assert [(row["id"], row["name"]) for row in listed.json()["results"]] == [
        (big.pk, "Big voucher"),
        (voucher.pk, "Voucher 20"),
    ]
    assert changed.status_code == 200
    assert (read.json()["is_active"], read.json()["points_price"], read.json()["name"]) == (
        False,
        250,
        "Voucher 20",
    )
    voucher.refresh_from_db()
    assert (voucher.is_active, voucher.points_price) == (False, 250)


def test_gift_card_types_cannot_be_deleted(salon, owner_api):
    # given
    voucher = card_type(salon)

    # when
    response = owner_api.delete(f"{BASE}gift-card-types/{voucher.pk}/")

    # then
    assert response.status_code == 405
    assert GiftCardType.objects.filter(pk=voucher.pk).exists()


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"name": "Free", "value": "0"},
            {"value": ["Ensure this value is greater than or equal to 0.01."]},
        ),
        (
            {"name": "Huge", "value": "100000.01"},
            {"value": ["Ensure this value is less than or equal to 100000."]},
        ),
        (
            {"name": "Points", "value": "10", "for_points": True},
            {"points_price": ["Give the points a client pays for this gift card."]},
        ),
        (
            {"name": "Points", "value": "10", "for_points": True, "points_price": 0},
            {"points_price": ["Ensure this value is greater than or equal to 1."]},
        ),
        (
            {"name": "Never", "value": "10", "validity_days": 0},
            {"validity_days": ["Ensure this value is greater than or equal to 1."]},
        ),
        (
            {"name": "Taken", "value": "10"},
            {"name": ["Gift card type with this Name already exists."]},
        ),
        ({"value": "10"}, {"name": ["This field is required."]}),
        (
            {"name": "Cents", "value": "1.005"},
            {"value": ["Ensure that there are no more than 2 decimal places."]},
        ),
    ],
    ids=[
        "zero-value",
        "too-much",
        "no-price",
        "zero-price",
        "zero-days",
        "same-name",
        "no-name",
        "cents",
    ],
)
def test_bad_gift_card_types_are_refused(salon, owner_api, body, errors):
    # given
    card_type(salon, name="Taken")
    before = loyalty_row_counts()

    # when
    response = owner_api.post(f"{BASE}gift-card-types/", body, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == errors
    assert loyalty_row_counts() == before


def test_a_type_for_points_keeps_its_price(salon, owner_api):
    # given
    voucher = card_type(salon, for_points=True, points_price=200)

    # when
    response = owner_api.patch(
        f"{BASE}gift-card-types/{voucher.pk}/", {"points_price": None}, format="json"
    )

    # then
    assert response.status_code == 400
    assert response.json() == {
        "points_price": ["Give the points a client pays for this gift card."]
    }
    voucher.refresh_from_db()
    assert voucher.points_price == 200


# --- Gift cards -----------------------------------------------------------------------------


def test_issue_a_gift_card_to_a_client(loyal, owner_api):
    # given
    salon, client = loyal["salon"], loyal["client"]
    voucher = card_type(salon, name="Voucher 20", validity_days=None)

    # when
    response = owner_api.post(
        f"{BASE}gift-cards/", {"gift_card_type": voucher.pk, "client": client.pk}, format="json"
    )

    # then
    assert response.status_code == 201
    card = GiftCard.objects.get()
    body = response.json()
    assert {k: v for k, v in body.items() if k != "created_at"} == {
        "id": card.pk,
        "name": "Voucher 20",
        "card_type": voucher.pk,
        "client": client.pk,
        "client_name": "Kati Tamm",
        "code": code_display(card.code),
        "masked_code": f"••••-{card.code[-4:]}",
        "initial_value": "20.00",
        "balance": "20.00",
        "currency": "EUR",
        "source": "salon",
        "expires_at": None,
        "valid_until": None,
        "is_expired": False,
    }
    assert len(body["code"]) == 19
    assert (card.client, card.created_by.email, card.balance) == (
        client,
        "owner@alpha.test",
        Decimal("20.00"),
    )
    assert list(GiftCardEntry.objects.values_list("kind", "amount")) == [
        ("issued", Decimal("20.00"))
    ]


def test_issue_a_gift_card_sold_at_the_desk(salon, owner_api):
    # given
    voucher = card_type(salon, validity_days=30)

    # when
    response = owner_api.post(f"{BASE}gift-cards/", {"gift_card_type": voucher.pk}, format="json")

    # then
    assert response.status_code == 201
    body = response.json()
    today = timezone.now().astimezone(zoneinfo.ZoneInfo("Europe/Tallinn")).date()
    assert (body["client"], body["client_name"], body["valid_until"]) == (
        None,
        None,
        (today + dt.timedelta(days=30)).isoformat(),
    )


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"gift_card_type": ["This field is required."]}),
        (
            {"gift_card_type": "@other_type"},
            {"gift_card_type": ['Invalid pk "{other_type}" - object does not exist.']},
        ),
        (
            {"gift_card_type": "@type", "client": "@other_client"},
            {"client": ['Invalid pk "{other_client}" - object does not exist.']},
        ),
    ],
    ids=["no-type", "other-salons-type", "other-salons-client"],
)
def test_bad_gift_card_issues_are_refused(salon, other_salon, owner_api, body, errors):
    # given
    ids = {
        "type": card_type(salon).pk,
        "other_type": card_type(other_salon).pk,
        "other_client": ClientFactory(salon=other_salon).pk,
    }
    payload = {k: ids[v[1:]] for k, v in body.items()}
    expected = {k: [m.format(**ids) for m in v] for k, v in errors.items()}
    before = loyalty_row_counts()

    # when
    response = owner_api.post(f"{BASE}gift-cards/", payload, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == expected
    assert loyalty_row_counts() == before


def test_gift_card_list_filters_by_client_and_search(salon, owner, owner_api):
    # given
    voucher = card_type(salon)
    kati = ClientFactory(salon=salon, first_name="Kati", last_name="Karu")
    mari = ClientFactory(salon=salon, first_name="Mari", last_name="Mets")
    katis = gift_card_issue(salon=salon, card_type=voucher, client=kati, actor=owner)
    maris = gift_card_issue(salon=salon, card_type=voucher, client=mari, actor=owner)
    desk = gift_card_issue(salon=salon, card_type=voucher, client=None, actor=owner)

    # when
    everything = owner_api.get(f"{BASE}gift-cards/")
    of_kati = owner_api.get(f"{BASE}gift-cards/", {"client": kati.pk})
    by_name = owner_api.get(f"{BASE}gift-cards/", {"search": "mets"})
    by_code = owner_api.get(f"{BASE}gift-cards/", {"search": code_display(desk.code)[5:14].lower()})

    # then
    assert [row["id"] for row in everything.json()["results"]] == [desk.pk, maris.pk, katis.pk]
    assert "code" not in everything.json()["results"][0]
    assert [row["id"] for row in of_kati.json()["results"]] == [katis.pk]
    assert [row["id"] for row in by_name.json()["results"]] == [maris.pk]
    assert [row["id"] for row in by_code.json()["results"]] == [desk.pk]


def test_gift_card_list_refuses_another_salons_client(salon, other_salon, owner_api):
    # given
    theirs = ClientFactory(salon=other_salon)

    # when
    response = owner_api.get(f"{BASE}gift-cards/", {"client": theirs.pk})

    # then
    assert response.status_code == 400
    assert response.json() == {"client": [f'Invalid pk "{theirs.pk}" - object does not exist.']}


def test_gift_card_detail_shows_its_ledger_but_not_its_code(loyal, owner, owner_api):
    # given a card that paid 12.00 of a booking
    salon = loyal["salon"]
    card = gift_card_issue(
        salon=salon, card_type=card_type(salon), client=loyal["client"], actor=owner
    )
    appointment = loyal["appointment"](price=Decimal("12.00"))
    spent = GiftCardEntry.objects.create(
        salon=salon,
        gift_card=card,
        kind=GiftCardEntry.Kind.REDEEMED,
        amount=Decimal("-12.00"),
        appointment=appointment,
    )
    GiftCard.objects.filter(pk=card.pk).update(balance=Decimal("8.00"))
    issued = GiftCardEntry.objects.get(kind=GiftCardEntry.Kind.ISSUED)

    # when
    response = owner_api.get(f"{BASE}gift-cards/{card.pk}/")

    # then
    assert response.status_code == 200
    body = response.json()
    assert "code" not in body
    assert (body["masked_code"], body["balance"], body["initial_value"]) == (
        f"••••-{card.code[-4:]}",
        "8.00",
        "20.00",
    )
    assert [{k: v for k, v in row.items() if k != "created_at"} for row in body["entries"]] == [
        {
            "id": spent.pk,
            "kind": "redeemed",
            "amount": "-12.00",
            "appointment": appointment.pk,
            "actor_email": None,
        },
        {
            "id": issued.pk,
            "kind": "issued",
            "amount": "20.00",
            "appointment": None,
            "actor_email": "owner@alpha.test",
        },
    ]


def test_an_expired_card_says_so(salon, owner, owner_api):
    # given
    card = gift_card_issue(salon=salon, card_type=card_type(salon), client=None, actor=owner)
    tallinn = zoneinfo.ZoneInfo("Europe/Tallinn")
    GiftCard.objects.filter(pk=card.pk).update(expires_at=dt.datetime(2025, 3, 1, tzinfo=tallinn))

    # when
    body = owner_api.get(f"{BASE}gift-cards/{card.pk}/").json()

    # then
    assert (body["valid_until"], body["is_expired"]) == ("2025-02-28", True)


# --- Who may call what ----------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    method: str
    name: str
    # URL kwarg -> key of the objects dict made by `make_objects`
    ids: dict[str, str] = field(default_factory=dict)
    # a value "@key" stands for the id of objects[key]
    body: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.name}"


ROUTES = [
    Route("get", "settings"),
    Route("put", "settings", body={"enabled": True}),
    Route("get", "service-points-list"),
    Route(
        "put", "service-points-detail", {"service_id": "service"}, {"enabled": True, "points": 5}
    ),
    Route("get", "client-points", {"client_id": "client"}),
    Route(
        "post",
        "client-points-adjustment",
        {"client_id": "client"},
        {"points": 5, "description": "Bonus"},
    ),
    Route("get", "gift-card-type-list"),
    Route("post", "gift-card-type-list", body={"name": "New", "value": "10.00"}),
    Route("get", "gift-card-type-detail", {"gift_card_type_id": "type"}),
    Route("patch", "gift-card-type-detail", {"gift_card_type_id": "type"}, {"name": "Renamed"}),
    Route("get", "gift-card-list"),
    Route("post", "gift-card-list", body={"gift_card_type": "@type", "client": "@client"}),
    Route("get", "gift-card-detail", {"gift_card_id": "card"}),
]
ROUTES_WITH_IDS = [route for route in ROUTES if route.ids]
SAFE_ROUTES = [route for route in ROUTES if route.method == "get"]
WRITE_ROUTES = [route for route in ROUTES if route.method != "get"]


def make_objects(salon: Any) -> dict[str, Any]:
    service = ServiceFactory(salon=salon)
    client = ClientFactory(salon=salon)
    voucher = card_type(salon)
    card = gift_card_issue(salon=salon, card_type=voucher, client=client, actor=None)
    return {"service": service, "client": client, "type": voucher, "card": card}


def call(api: APIClient, route: Route, salon: Any, objects: dict[str, Any], url_objects=None):
    kwargs = {name: (url_objects or objects)[key].pk for name, key in route.ids.items()}
    url = reverse(f"loyalty-api:{route.name}", kwargs={"salon_slug": salon.slug, **kwargs})
    body = {
        key: objects[value[1:]].pk if isinstance(value, str) and value.startswith("@") else value
        for key, value in route.body.items()
    }
    return getattr(api, route.method)(url, body, format="json")


def test_routes_cover_every_url_and_method():
    # given
    declared = {
        (method, pattern.name)
        for pattern in api_urls.urlpatterns
        for method in ("get", "post", "patch", "put", "delete")
        if hasattr(pattern.callback.view_class, method)
    }

    # then
    assert {(route.method, route.name) for route in ROUTES} == declared


@pytest.mark.parametrize("route", ROUTES_WITH_IDS, ids=str)
def test_other_salons_ids_in_our_urls_are_404(route, salon, other_salon, owner_api):
    # given
    ours = make_objects(salon)
    theirs = make_objects(other_salon)
    before = loyalty_row_counts()

    # when
    response = call(owner_api, route, salon, ours, url_objects=theirs)

    # then
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert loyalty_row_counts() == before


@pytest.mark.parametrize("route", ROUTES_WITH_IDS, ids=str)
def test_missing_ids_answer_like_other_salons_ids(route, salon, owner_api):
    # given
    ours = make_objects(salon)
    missing = {key: type(obj)(pk=999_999) for key, obj in ours.items()}
    before = loyalty_row_counts()

    # when
    response = call(owner_api, route, salon, ours, url_objects=missing)

    # then
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    assert loyalty_row_counts() == before


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_member_of_another_salon_gets_404_on_every_route(route, salon, other_owner):
    # given
    objects = make_objects(salon)
    api = APIClient()
    api.force_authenticate(other_owner)
    before = loyalty_row_counts()

    # when
    response = call(api, route, salon, objects)

    # then
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    assert loyalty_row_counts() == before


@pytest.mark.parametrize("route", SAFE_ROUTES, ids=str)
def test_staff_member_may_read(route, salon, staff_user):
    # given
    objects = make_objects(salon)
    api = APIClient()
    api.force_authenticate(staff_user)

    # when
    response = call(api, route, salon, objects)

    # then
    assert response.status_code == 200


@pytest.mark.parametrize("route", WRITE_ROUTES, ids=str)
def test_staff_member_may_not_write(route, salon, staff_user):
    # given
    objects = make_objects(salon)
    api = APIClient()
    api.force_authenticate(staff_user)
    before = loyalty_row_counts()

    # when
    response = call(api, route, salon, objects)

    # then
    assert response.status_code == 403
    assert loyalty_row_counts() == before


@pytest.mark.parametrize("route", WRITE_ROUTES, ids=str)
def test_owner_may_write_on_every_route(route, salon, owner_api):
    # given
    objects = make_objects(salon)

    # when
    response = call(owner_api, route, salon, objects)

    # then
    assert response.status_code in (200, 201)


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_anonymous_gets_401_on_every_route(route, salon, api_client):
    # given
    objects = make_objects(salon)
    before = loyalty_row_counts()

    # when
    response = call(api_client, route, salon, objects)

    # then
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert loyalty_row_counts() == before


# --- Queries do not grow with the rows ------------------------------------------------------


def _more_service_points(salon: Any, count: int) -> None:
    for _ in range(count):
        service = ServiceFactory(salon=salon, category=ServiceCategoryFactory(salon=salon))
        ServicePoints.objects.create(salon=salon, service=service, points=7)


def _more_ledger_rows(loyal: dict[str, Any], owner: Any, count: int) -> None:
    for _ in range(count):
        loyal["appointment"]()
    points_award_due()
    points_adjust(
        salon=loyal["salon"], client=loyal["client"], points=-1, description="Fix", actor=owner
    )


def _more_gift_card_types(salon: Any, count: int) -> None:
    start = GiftCardType.objects.count()
    for n in range(count):
        card_type(salon, name=f"Voucher {start + n}")


def _more_gift_cards(salon: Any, owner: Any, count: int) -> None:
    voucher = GiftCardType.objects.first() or card_type(salon)
    for _ in range(count):
        client = ClientFactory(salon=salon)
        gift_card_issue(salon=salon, card_type=voucher, client=client, actor=owner)


@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("service-points/", lambda loyal, owner, n: _more_service_points(loyal["salon"], n)),
        ("clients/{client}/points/", _more_ledger_rows),
        ("gift-card-types/", lambda loyal, owner, n: _more_gift_card_types(loyal["salon"], n)),
        ("gift-cards/", lambda loyal, owner, n: _more_gift_cards(loyal["salon"], owner, n)),
    ],
    ids=["service-points", "client-points", "gift-card-types", "gift-cards"],
)
def test_list_query_count_does_not_grow(
    loyal, owner, owner_api, django_assert_max_num_queries, url, make
):
    # given 3 rows, then 30
    url = BASE + url.format(client=loyal["client"].pk)
    make(loyal, owner, 3)
    with django_assert_max_num_queries(10) as few:
        small = owner_api.get(url)
    make(loyal, owner, 27)

    # when
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = owner_api.get(url)

    # then
    assert response.status_code == small.status_code == 200
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    assert len(rows) >= 30
