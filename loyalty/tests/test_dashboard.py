"""The owner's loyalty pages: settings and service points, gift card types, issued gift cards,
and the points panel (with the manual adjustment) on the client page. Who may read and write,
other salons' ids, bad input, and flat query counts on the lists."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bookings.dashboard.extensions import client_panels, unregister_client_panel
from bookings.models import Client, Salon, Service
from loyalty.codes import code_display
from loyalty.dashboard.panels import PANEL_KEY, register_panels
from loyalty.models import (
    GiftCard,
    GiftCardEntry,
    GiftCardType,
    LoyaltyProgram,
    PointsAccount,
    PointsEntry,
    ServicePoints,
)
from loyalty.selectors import points_balance, points_balance_from_ledger
from loyalty.services.gift_cards import gift_card_issue, gift_card_pay_appointment
from loyalty.services.points import points_adjust
from tests.factories import ClientFactory, ServiceFactory
from tests.test_no_server_errors import FIELDS, assert_no_server_error, garbage_for

GOOD_TYPE = {
    "name": "Gift card 20",
    "description": "For any service.",
    "value": "20.00",
    "validity_days": "180",
    "for_points": "on",
    "points_price": "200",
    "is_active": "on",
}


def url(name: str, slug: str = "alpha", **kwargs: Any) -> str:
    return reverse(f"dashboard:{name}", kwargs={"salon_slug": slug, **kwargs})


def state() -> dict[str, list[dict[str, Any]]]:
    """Every loyalty row, to show that a refused request wrote nothing."""
    models = [
        LoyaltyProgram,
        ServicePoints,
        PointsAccount,
        PointsEntry,
        GiftCardType,
        GiftCard,
        GiftCardEntry,
    ]
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


def card_type(salon: Salon, **kwargs: Any) -> GiftCardType:
    params = {"name": "Gift card 20", "value": Decimal("20.00"), "validity_days": 365}
    params.update(kwargs)
    return GiftCardType.objects.create(salon=salon, **params)


@pytest.fixture
def panel() -> Iterator[None]:
    """The loyalty panel on the client page (registered by LoyaltyConfig.ready() once wired)."""
    registered = PANEL_KEY in [p.key for p in client_panels()]
    register_panels()
    yield
    if not registered:
        unregister_client_panel(PANEL_KEY)


@pytest.fixture
def staff_http(staff_user) -> HttpClient:
    http = HttpClient()
    http.force_login(staff_user)
    return http


@pytest.fixture
def world(loyal, other_salon):
    """Loyal salon with a gift card type and an issued card; the other salon with its own."""
    salon = loyal["salon"]
    kind = card_type(salon, for_points=True, points_price=200)
    card = gift_card_issue(salon=salon, card_type=kind, client=loyal["client"], actor=None)
    theirs_type = card_type(other_salon, name="Theirs")
    theirs_client = ClientFactory(salon=other_salon, first_name="Mari")
    theirs_card = gift_card_issue(
        salon=other_salon, card_type=theirs_type, client=theirs_client, actor=None
    )
    return {
        **loyal,
        "type": kind,
        "card": card,
        "theirs_type": theirs_type,
        "theirs_client": theirs_client,
        "theirs_card": theirs_card,
    }


def page_urls(w: dict[str, Any]) -> dict[str, str]:
    return {
        "loyalty": url("loyalty"),
        "loyalty_gift_card_type_list": url("loyalty_gift_card_type_list"),
        "loyalty_gift_card_type_create": url("loyalty_gift_card_type_create"),
        "loyalty_gift_card_type_edit": url("loyalty_gift_card_type_edit", pk=w["type"].pk),
        "loyalty_gift_card_list": url("loyalty_gift_card_list"),
        "loyalty_gift_card_issue": url("loyalty_gift_card_issue"),
        "loyalty_gift_card_detail": url("loyalty_gift_card_detail", pk=w["card"].pk),
        "client_detail": url("client_detail", pk=w["client"].pk),
    }


# --- Every page renders ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "loyalty",
        "loyalty_gift_card_type_list",
        "loyalty_gift_card_type_create",
        "loyalty_gift_card_type_edit",
        "loyalty_gift_card_list",
        "loyalty_gift_card_issue",
        "loyalty_gift_card_detail",
        "client_detail",
    ],
)
def test_each_loyalty_page_renders_for_the_owner(world, owner_client, panel, name):
    # when
    response = owner_client.get(page_urls(world)[name])

    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>" not in page  # only nonced script files (CSP)
    assert " style=" not in page


def test_the_loyalty_section_is_active_in_the_side_navigation(world, owner_client):
    # when
    response = owner_client.get(url("loyalty_gift_card_list"))

    # then
    nav = {item["label"]: item for item in response.context["dashboard_nav"]}
    assert nav["Loyalty"]["url"] == url("loyalty")
    assert nav["Loyalty"]["active"] is True
    assert nav["Loyalty"]["disabled"] is False


def test_anonymous_visitors_are_sent_to_log_in(world, client):
    # when
    response = client.get(url("loyalty"))

    # then
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- Settings and service points ------------------------------------------------------


def settings_post(loyal: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    service = loyal["service"]
    data = {
        "enabled": "on",
        "award_delay_hours": "3",
        f"earns_{service.pk}": "on",
        f"points_{service.pk}": "50",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_settings_page_shows_the_rules_the_services_and_the_notice_links(loyal, owner_client):
    # given a second, inactive service (not listed) and a third one without points
    ServiceFactory(salon=loyal["salon"], name="Retired", is_active=False)
    ServiceFactory(salon=loyal["salon"], name="Manicure")

    # when
    response = owner_client.get(url("loyalty"))

    # then
    page = response.content.decode()
    form = response.context["form"]
    assert [row["service"].name for row in form.table()] == ["Haircut", "Manicure"]
    assert form.initial["enabled"] is True
    assert form.initial["award_delay_hours"] == Decimal(3)
    assert "credited automatically 3 hours after the visit ends" in page
    assert "Retired" not in page
    for kind in ("loyalty_points_credited", "loyalty_points_adjusted"):
        edit = url("notice_template_edit", kind=kind, channel="email")
        assert f'href="{edit}"' in page
    assert url("loyalty_gift_card_type_list") in page
    assert url("loyalty_gift_card_list") in page


def test_owner_saves_the_settings_and_the_points_of_each_service(loyal, owner_client):
    # given loyalty off, and two more services: one to join, one to leave the system
    LoyaltyProgram.objects.filter(salon=loyal["salon"]).update(enabled=False)
    manicure = ServiceFactory(salon=loyal["salon"], name="Manicure")
    massage = ServiceFactory(salon=loyal["salon"], name="Massage")
    ServicePoints.objects.create(salon=loyal["salon"], service=massage, points=70)
    haircut = loyal["service"]

    # when
    response = owner_client.post(
        url("loyalty"),
        {
            "enabled": "on",
            "award_delay_hours": "4.5",
            f"earns_{haircut.pk}": "on",
            f"points_{haircut.pk}": "60",
            f"earns_{manicure.pk}": "on",
            f"points_{manicure.pk}": "25",
            f"points_{massage.pk}": "70",  # box off: leaves the system, keeps the number
        },
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == url("loyalty")
    program = LoyaltyProgram.objects.get(salon=loyal["salon"])
    assert (program.enabled, program.award_delay_minutes) == (True, 270)
    assert program.enabled_at is not None
    rows = {
        r.service_id: (r.enabled, r.points) for r in ServicePoints.objects.order_by("service_id")
    }
    assert rows == {haircut.pk: (True, 60), manicure.pk: (True, 25), massage.pk: (False, 70)}


def test_a_first_save_creates_the_program_with_the_delay_typed(salon, owner_client):
    # given a salon that never opened the loyalty settings
    service = ServiceFactory(salon=salon, name="Haircut")

    # when
    response = owner_client.post(
        url("loyalty"),
        {"award_delay_hours": "2", f"points_{service.pk}": ""},
    )

    # then
    assert response.status_code == 302
    program = LoyaltyProgram.objects.get(salon=salon)
    assert (program.enabled, program.award_delay_minutes) == (False, 120)
    assert not ServicePoints.objects.exists()


@pytest.mark.parametrize("points", ["0", "", "-5", "abc", "99999999999999999999", "\x00"])
def test_a_ticked_service_without_valid_points_is_an_error_on_its_row_and_nothing_is_saved(
    loyal, owner_client, points
):
    # given a second service that would be saved fine
    manicure = ServiceFactory(salon=loyal["salon"], name="Manicure")
    before = state()

    # when
    response = owner_client.post(
        url("loyalty"),
        settings_post(
            loyal,
            award_delay_hours="5",
            **{
                f"points_{loyal['service'].pk}": points,
                f"earns_{manicure.pk}": "on",
                f"points_{manicure.pk}": "10",
            },
        ),
    )

    # then
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [f"points_{loyal['service'].pk}"]
    assert state() == before


@pytest.mark.parametrize("hours", ["", "-1", "abc", "1000", "99999999999999999999", "\x00", "NaN"])
def test_a_bad_award_delay_is_a_form_error_and_nothing_is_saved(loyal, owner_client, hours):
    # given
    before = state()

    # when
    response = owner_client.post(url("loyalty"), settings_post(loyal, award_delay_hours=hours))

    # then
    assert response.status_code == 200
    assert "award_delay_hours" in response.context["form"].errors
    assert state() == before


def test_switching_loyalty_off_keeps_the_points_of_the_services(loyal, owner_client):
    # when
    response = owner_client.post(url("loyalty"), settings_post(loyal, enabled=None))

    # then
    assert response.status_code == 302
    assert LoyaltyProgram.objects.get(salon=loyal["salon"]).enabled is False
    rule = ServicePoints.objects.get(service=loyal["service"])
    assert (rule.enabled, rule.points) == (True, 50)


def test_a_service_not_in_the_posted_form_is_left_as_it_is(loyal, owner_client):
    # given a service added after the owner opened the page (its inputs were not posted)
    later = ServiceFactory(salon=loyal["salon"], name="Added later")
    ServicePoints.objects.create(salon=loyal["salon"], service=later, points=15)

    # when
    response = owner_client.post(url("loyalty"), settings_post(loyal))

    # then
    assert response.status_code == 302
    assert ServicePoints.objects.get(service=later).enabled is True


# --- Gift card types ------------------------------------------------------------------


def test_owner_creates_a_gift_card_type(salon, owner_client):
    # when
    response = owner_client.post(url("loyalty_gift_card_type_create"), GOOD_TYPE)

    # then
    assert response.status_code == 302
    assert response["Location"] == url("loyalty_gift_card_type_list")
    kind = GiftCardType.objects.get()
    assert kind.salon == salon
    assert (kind.name, kind.description, kind.value, kind.validity_days) == (
        "Gift card 20",
        "For any service.",
        Decimal("20.00"),
        180,
    )
    assert (kind.for_points, kind.points_price, kind.is_active) == (True, 200, True)


def test_owner_edits_a_gift_card_type(world, owner_client):
    # when
    response = owner_client.post(
        url("loyalty_gift_card_type_edit", pk=world["type"].pk),
        {"name": "Gift card 25", "value": "25.50", "validity_days": "", "points_price": "250"},
    )

    # then
    assert response.status_code == 302
    kind = GiftCardType.objects.get(pk=world["type"].pk)
    assert (kind.name, kind.value, kind.validity_days) == ("Gift card 25", Decimal("25.50"), None)
    assert (kind.for_points, kind.points_price, kind.is_active) == (False, 250, False)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"value": "0"}, "value"),
        ({"value": "-5"}, "value"),
        ({"value": ""}, "value"),
        ({"value": "abc"}, "value"),
        ({"value": "99999999999999999999999999"}, "value"),
        ({"points_price": ""}, "points_price"),
        ({"points_price": "0"}, "points_price"),
        ({"points_price": "99999999999999999999"}, "points_price"),
        ({"validity_days": "0"}, "validity_days"),
        ({"name": ""}, "name"),
        ({"name": "gift CARD 20"}, "name"),  # the world's type, another case
        ({"name": "Nul\x00l"}, "name"),
        ({"name": "x" * 300}, "name"),
    ],
)
def test_bad_gift_card_type_input_is_a_form_error_and_nothing_is_saved(
    world, owner_client, overrides, field
):
    # given
    before = state()

    # when
    response = owner_client.post(url("loyalty_gift_card_type_create"), {**GOOD_TYPE, **overrides})

    # then
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert state() == before


def test_renaming_a_type_to_a_taken_name_is_a_form_error(world, owner_client):
    # given
    card_type(world["salon"], name="Gift card 50", value=Decimal("50"))
    before = state()

    # when
    response = owner_client.post(
        url("loyalty_gift_card_type_edit", pk=world["type"].pk),
        {**GOOD_TYPE, "name": "Gift card 50"},
    )

    # then
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert state() == before


def test_the_type_list_shows_value_validity_and_points_price(world, owner_client):
    # given
    card_type(world["salon"], name="Spa 100", value=Decimal("100.00"), validity_days=None)

    # when
    response = owner_client.get(url("loyalty_gift_card_type_list"))

    # then
    page = response.content.decode()
    assert "€20.00" in page
    assert "365 days" in page
    assert "200 points" in page
    assert "€100.00" in page
    assert "No expiry" in page


# --- Issued gift cards ----------------------------------------------------------------


def test_owner_issues_a_gift_card_to_a_client(world, owner_client):
    # when
    response = owner_client.post(
        url("loyalty_gift_card_issue"),
        {"card_type": world["type"].pk, "client": world["client"].pk},
    )

    # then
    card = GiftCard.objects.for_salon(world["salon"]).exclude(pk=world["card"].pk).get()
    assert response.status_code == 302
    assert response["Location"] == url("loyalty_gift_card_detail", pk=card.pk)
    assert (card.client, card.card_type, card.initial_value, card.balance) == (
        world["client"],
        world["type"],
        Decimal("20.00"),
        Decimal("20.00"),
    )
    assert card.source == GiftCard.Source.SALON
    assert card.created_by.email == "owner@alpha.test"
    entry = GiftCardEntry.objects.get(gift_card=card)
    assert (entry.kind, entry.amount) == ("issued", Decimal("20.00"))


def test_owner_issues_a_gift_card_to_nobody_in_particular(world, owner_client):
    # when
    response = owner_client.post(url("loyalty_gift_card_issue"), {"card_type": world["type"].pk})

    # then
    assert response.status_code == 302
    card = GiftCard.objects.for_salon(world["salon"]).exclude(pk=world["card"].pk).get()
    assert card.client is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"client": "theirs_client"}, "client"),
        ({"card_type": "theirs_type"}, "card_type"),
        ({"card_type": ""}, "card_type"),
        ({"card_type": "99999999999999999999999"}, "card_type"),
        ({"client": "99999999999999999999999"}, "client"),
        ({"client": "abc"}, "client"),
        ({"card_type": "\x00"}, "card_type"),
    ],
)
def test_issuing_with_another_salons_or_bad_ids_is_a_form_error(world, owner_client, data, field):
    # given
    post = {"card_type": world["type"].pk, "client": world["client"].pk}
    for key, value in data.items():
        post[key] = world[value].pk if value in world else value
    before = state()

    # when
    response = owner_client.post(url("loyalty_gift_card_issue"), post)

    # then
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert state() == before


def test_a_type_not_offered_cannot_be_issued(world, owner_client):
    # given
    GiftCardType.objects.filter(pk=world["type"].pk).update(is_active=False)
    before = state()

    # when
    response = owner_client.post(url("loyalty_gift_card_issue"), {"card_type": world["type"].pk})

    # then
    assert response.status_code == 200
    assert "card_type" in response.context["form"].errors
    assert state() == before


def test_the_issue_form_lists_only_matching_clients_of_this_salon(world, owner_client):
    # given
    ClientFactory(salon=world["salon"], first_name="Liis", last_name="Kask")

    # when
    everyone = owner_client.get(url("loyalty_gift_card_issue"))
    searched = owner_client.get(
        url("loyalty_gift_card_issue"), {"q": "kask"}, HTTP_HX_REQUEST="true"
    )

    # then
    assert "Kati" in everyone.content.decode()
    assert "Mari" not in everyone.content.decode()  # the other salon's client
    partial = searched.content.decode()
    assert "<html" not in partial
    assert "Liis Kask" in partial
    assert "Kati" not in partial


def test_the_issue_form_preselects_the_client_from_the_client_page(world, owner_client):
    # when
    response = owner_client.get(
        url("loyalty_gift_card_issue"), {"client": world["client"].pk, "q": "nobody"}
    )

    # then
    assert response.context["form"].initial["client"] == world["client"]
    assert f'value="{world["client"].pk}" selected' in response.content.decode()


def test_the_card_list_shows_the_full_code_status_and_validity_to_the_owner(world, owner_client):
    # given an expired card and a used-up one
    expired = gift_card_issue(
        salon=world["salon"], card_type=world["type"], client=None, actor=None
    )
    GiftCard.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    used = gift_card_issue(salon=world["salon"], card_type=world["type"], client=None, actor=None)
    GiftCard.objects.filter(pk=used.pk).update(balance=0)

    # when
    response = owner_client.get(url("loyalty_gift_card_list"))

    # then
    page = response.content.decode()
    rows = {row["card"].pk: row for row in response.context["rows"]}
    assert rows[world["card"].pk]["code"] == code_display(world["card"].code)
    assert code_display(world["card"].code) in page
    assert "Kati" in page
    assert (rows[world["card"].pk]["status"], rows[expired.pk]["status"]) == ("active", "expired")
    assert rows[used.pk]["status"] == "used_up"
    assert world["theirs_card"].pk not in rows


def test_valid_until_is_the_last_day_in_the_salons_time_zone(world, owner_client):
    # given a card that ends at midnight in Tallinn (22:00 UTC the day before)
    Salon.objects.filter(pk=world["salon"].pk).update(time_zone="Europe/Tallinn")
    GiftCard.objects.filter(pk=world["card"].pk).update(
        expires_at=dt.datetime(2031, 3, 1, 22, 0, tzinfo=dt.UTC)
    )

    # when
    response = owner_client.get(url("loyalty_gift_card_list"))

    # then
    assert response.context["rows"][0]["valid_until"] == dt.date(2031, 3, 1)
    assert "2031-03-01" in response.content.decode()


@pytest.mark.parametrize("typed", ["code", "display", "lower", "tail"])
def test_the_card_list_finds_a_card_by_its_code(world, owner_client, typed):
    # given another card that must not match
    gift_card_issue(salon=world["salon"], card_type=world["type"], client=None, actor=None)
    code = world["card"].code
    query = {
        "code": code,
        "display": code_display(code),
        "lower": code_display(code).lower(),
        "tail": code[-6:],
    }[typed]

    # when
    response = owner_client.get(url("loyalty_gift_card_list"), {"q": query})

    # then
    assert [row["card"].pk for row in response.context["rows"]] == [world["card"].pk]


def test_the_card_list_finds_cards_by_client_name_and_answers_htmx_with_the_results(
    world, owner_client
):
    # given
    gift_card_issue(salon=world["salon"], card_type=world["type"], client=None, actor=None)

    # when
    response = owner_client.get(
        url("loyalty_gift_card_list"), {"q": "kati tamm"}, HTTP_HX_REQUEST="true"
    )

    # then
    assert [row["card"].pk for row in response.context["rows"]] == [world["card"].pk]
    assert "<html" not in response.content.decode()
    assert "HX-Request" in response["Vary"]


def test_the_card_list_pages(world, owner_client):
    # given 26 cards in all
    for _ in range(25):
        gift_card_issue(salon=world["salon"], card_type=world["type"], client=None, actor=None)

    # when
    first = owner_client.get(url("loyalty_gift_card_list"))
    second = owner_client.get(url("loyalty_gift_card_list"), {"page": "2"})
    garbage = owner_client.get(url("loyalty_gift_card_list"), {"page": "x\x00", "q": "\x00"})

    # then
    assert len(first.context["rows"]) == 25
    assert [row["card"].pk for row in second.context["rows"]] == [world["card"].pk]
    assert garbage.status_code == 200


def test_the_card_detail_shows_its_ledger_with_the_bookings_it_paid(world, owner_client):
    # given the card paid 20 of a haircut on a known day, which was then cancelled and refunded
    Salon.objects.filter(pk=world["salon"].pk).update(time_zone="Europe/Tallinn")
    appointment = world["appointment"](
        ends_at=dt.datetime(2031, 5, 4, 9, 30, tzinfo=dt.UTC), price=Decimal("35.00")
    )
    gift_card_pay_appointment(
        salon=world["salon"], appointment=appointment, code=world["card"].code
    )
    GiftCardEntry.objects.create(
        salon=world["salon"],
        gift_card=world["card"],
        kind=GiftCardEntry.Kind.REFUND,
        amount=Decimal("20.00"),
        appointment=appointment,
    )

    # when
    response = owner_client.get(url("loyalty_gift_card_detail", pk=world["card"].pk))

    # then
    page = response.content.decode()
    kinds = [item["entry"].kind for item in response.context["entries"]]
    assert sorted(kinds) == ["issued", "redeemed", "refund"]
    assert "Paid a booking" in page
    assert "Returned (booking cancelled)" in page
    assert "-€20.00" in page
    starts = appointment.starts_at.astimezone(ZoneInfo("Europe/Tallinn"))
    assert starts.utcoffset() == dt.timedelta(hours=3)  # summer time
    assert f"Haircut · {starts:%Y-%m-%d %H:%M}" in page
    assert code_display(world["card"].code) in page


# --- Client page panel and the manual adjustment --------------------------------------


def test_the_client_page_shows_balance_history_gift_cards_and_the_adjustment_form(
    world, owner_client, panel
):
    # given 25 ledger rows: the page shows the latest 20
    for i in range(25):
        points_adjust(
            salon=world["salon"],
            client=world["client"],
            points=i + 1,
            description=f"Row {i + 1}",
            actor=None,
        )

    # when
    response = owner_client.get(url("client_detail", pk=world["client"].pk))

    # then
    page = response.content.decode()
    assert "325 points" in page
    assert "Row 25" in page
    assert "Row 6<" in page
    assert "Row 5<" not in page
    assert "+25" in page
    assert code_display(world["card"].code) in page
    assert url("loyalty_points_adjust", client_id=world["client"].pk) in page
    assert f"{url('loyalty_gift_card_issue')}?client={world['client'].pk}" in page


def test_owner_adds_and_takes_points_by_hand(world, owner_client, panel, owner):
    # when
    added = owner_client.post(
        url("loyalty_points_adjust", client_id=world["client"].pk),
        {"points": "30", "description": "Welcome  gift"},
    )
    taken = owner_client.post(
        url("loyalty_points_adjust", client_id=world["client"].pk),
        {"points": "-10", "description": "Correction"},
    )

    # then
    for response in (added, taken):
        assert response.status_code == 302
        assert response["Location"] == url("client_detail", pk=world["client"].pk)
    entries = list(PointsEntry.objects.order_by("pk").values_list("kind", "points", "description"))
    assert entries == [("manual", 30, "Welcome gift"), ("manual", -10, "Correction")]
    assert set(PointsEntry.objects.values_list("actor", flat=True)) == {owner.pk}
    assert points_balance(salon=world["salon"], client=world["client"]) == 20
    assert points_balance_from_ledger(salon=world["salon"], client=world["client"]) == 20
    page = owner_client.get(url("client_detail", pk=world["client"].pk)).content.decode()
    assert "the balance is now 20" in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"points": "0", "description": "Nothing"}, "points"),
        ({"points": "-1", "description": "More than the balance"}, "points"),
        ({"points": "10", "description": ""}, "description"),
        ({"points": "10", "description": "   "}, "description"),
        ({"points": "10", "description": "x" * 300}, "description"),
        ({"points": "10", "description": "Nul\x00l"}, "description"),
        ({"points": "99999999999999999999", "description": "Huge"}, "points"),
        ({"points": "-99999999999999999999", "description": "Huge"}, "points"),
        ({"points": "abc", "description": "Words"}, "points"),
        ({"points": "1.5", "description": "Half"}, "points"),
        ({"points": "\x00", "description": "Nul"}, "points"),
        ({"description": "No points"}, "points"),
    ],
)
def test_a_bad_adjustment_shows_the_error_on_the_client_page_and_writes_nothing(
    world, owner_client, panel, data, field
):
    # given
    before = state()

    # when
    response = owner_client.post(url("loyalty_points_adjust", client_id=world["client"].pk), data)

    # then
    assert response.status_code == 200
    form = response.context["points_adjust_form"]
    assert field in form.errors
    page = response.content.decode()
    assert 'id="loyalty-points"' in page
    assert str(form.errors[field][0]).split(":")[0] in page.replace("&#x27;", "'")
    assert state() == before


def test_taking_more_points_than_the_balance_says_how_many_there_are(world, owner_client, panel):
    # given
    points_adjust(
        salon=world["salon"], client=world["client"], points=5, description="A", actor=None
    )
    before = state()

    # when
    response = owner_client.post(
        url("loyalty_points_adjust", client_id=world["client"].pk),
        {"points": "-6", "description": "Too much"},
    )

    # then
    assert response.status_code == 200
    assert "Not enough points: the balance is 5, this takes 6." in response.content.decode()
    assert state() == before


def test_get_on_the_adjustment_goes_back_to_the_client_page(world, owner_client):
    response = owner_client.get(url("loyalty_points_adjust", client_id=world["client"].pk))
    assert response.status_code == 302
    assert response["Location"] == url("client_detail", pk=world["client"].pk)


# --- Other salons' ids ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("loyalty_gift_card_type_edit", {"pk": "theirs_type"}),
        ("loyalty_gift_card_detail", {"pk": "theirs_card"}),
        ("loyalty_points_adjust", {"client_id": "theirs_client"}),
    ],
)
def test_another_salons_ids_are_a_404_and_nothing_is_written(world, owner_client, name, kwargs):
    # given
    target = url(name, **{key: world[value].pk for key, value in kwargs.items()})
    before = state()

    # when
    get = owner_client.get(target)
    post = owner_client.post(
        target, {**GOOD_TYPE, "name": "Intruder", "points": "10", "description": "Intruder"}
    )

    # then
    assert get.status_code == 404
    assert post.status_code in (404, 405)  # the card's page is read-only
    assert state() == before


def test_another_salons_owner_cannot_open_this_salons_loyalty_pages(world, other_owner_client):
    # when
    responses = [other_owner_client.get(u) for u in page_urls(world).values()]
    post = other_owner_client.post(url("loyalty"), settings_post(world, award_delay_hours="9"))

    # then
    assert {r.status_code for r in responses} == {404}
    assert post.status_code == 404
    assert LoyaltyProgram.objects.get(salon=world["salon"]).award_delay_minutes == 180


# --- Staff: read, not write -----------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "loyalty",
        "loyalty_gift_card_type_list",
        "loyalty_gift_card_list",
        "loyalty_gift_card_detail",
        "client_detail",
    ],
)
def test_staff_can_view_the_loyalty_pages(world, staff_http, panel, name):
    # when
    response = staff_http.get(page_urls(world)[name])

    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert code_display(world["card"].code) not in page  # staff see masked codes
    assert url("loyalty_points_adjust", client_id=world["client"].pk) not in page
    assert 'type="submit" class="btn">Save' not in page


def test_staff_see_the_settings_read_only(world, staff_http):
    # when
    response = staff_http.get(url("loyalty"))

    # then
    form = response.context["form"]
    assert all(field.disabled for field in form.fields.values())
    assert "Only the owner or a manager can change these settings." in response.content.decode()


@pytest.mark.parametrize(
    ("name", "kwargs", "data"),
    [
        ("loyalty", {}, {"enabled": "", "award_delay_hours": "9"}),
        ("loyalty_gift_card_type_create", {}, GOOD_TYPE),
        ("loyalty_gift_card_type_edit", {"pk": "type"}, {**GOOD_TYPE, "name": "Staff"}),
        ("loyalty_gift_card_issue", {}, {"card_type": "type"}),
        ("loyalty_points_adjust", {"client_id": "client"}, {"points": "10", "description": "x"}),
    ],
)
def test_staff_cannot_write(world, staff_http, name, kwargs, data):
    # given
    target = url(name, **{key: world[value].pk for key, value in kwargs.items()})
    post = {key: world[value].pk if value in ("type",) else value for key, value in data.items()}
    before = state()

    # when
    response = staff_http.post(target, post)

    # then
    assert response.status_code == 403
    assert state() == before


@pytest.mark.parametrize(
    "name",
    ["loyalty_gift_card_type_create", "loyalty_gift_card_issue", "loyalty_gift_card_type_edit"],
)
def test_staff_do_not_get_the_write_forms(world, staff_http, name):
    kwargs = {"pk": world["type"].pk} if name.endswith("_edit") else {}
    assert staff_http.get(url(name, **kwargs)).status_code == 403


# --- Query counts ---------------------------------------------------------------------


def queries_for(http: HttpClient, target: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = http.get(target)
    assert response.status_code == 200
    return len(captured)


def test_the_settings_page_costs_the_same_queries_for_3_and_30_services(
    loyal, owner_client, django_assert_max_num_queries
):
    # given 3 services
    for i in range(2):
        ServiceFactory(salon=loyal["salon"], name=f"Service {i}")
    few = queries_for(owner_client, url("loyalty"))

    # when 30
    for i in range(27):
        service = ServiceFactory(salon=loyal["salon"], name=f"More {i}")
        ServicePoints.objects.create(salon=loyal["salon"], service=service, points=i + 1)

    # then
    with django_assert_max_num_queries(few):
        response = owner_client.get(url("loyalty"))
    assert len(response.context["form"].table()) == 30


def test_the_type_and_card_lists_cost_the_same_queries_for_3_and_30_rows(
    world, owner_client, django_assert_max_num_queries
):
    # given 3 types and 3 cards
    clients = [ClientFactory(salon=world["salon"]) for _ in range(30)]
    for i in range(2):
        kind = card_type(world["salon"], name=f"Type {i}")
        gift_card_issue(salon=world["salon"], card_type=kind, client=clients[i], actor=None)
    few_types = queries_for(owner_client, url("loyalty_gift_card_type_list"))
    few_cards = queries_for(owner_client, url("loyalty_gift_card_list"))

    # when 30 of each
    for i in range(2, 29):
        kind = card_type(world["salon"], name=f"Type {i}")
        gift_card_issue(salon=world["salon"], card_type=kind, client=clients[i], actor=None)

    # then
    with django_assert_max_num_queries(few_types):
        response = owner_client.get(url("loyalty_gift_card_type_list"))
    assert len(response.context["card_types"]) == 30
    with django_assert_max_num_queries(few_cards):
        response = owner_client.get(url("loyalty_gift_card_list"))
    assert len(response.context["rows"]) == 25  # one page


def test_the_card_detail_and_the_client_panel_cost_the_same_queries_for_3_and_30_rows(
    world, owner_client, panel, django_assert_max_num_queries
):
    # given a card with 3 ledger rows and a client with 3 points rows
    card, client = world["card"], world["client"]
    GiftCard.objects.filter(pk=card.pk).update(
        initial_value=Decimal("1000"), balance=Decimal("1000")
    )

    def pay_and_earn(n: int) -> None:
        for _ in range(n):
            appointment = world["appointment"](price=Decimal("1.00"))
            gift_card_pay_appointment(salon=world["salon"], appointment=appointment, code=card.code)
            PointsEntry.objects.create(
                salon=world["salon"],
                client=client,
                kind="earned",
                points=5,
                appointment=appointment,
            )

    pay_and_earn(2)
    detail, client_page = (
        url("loyalty_gift_card_detail", pk=card.pk),
        url("client_detail", pk=client.pk),
    )
    few_detail = queries_for(owner_client, detail)
    few_panel = queries_for(owner_client, client_page)

    # when 30
    pay_and_earn(28)

    # then
    with django_assert_max_num_queries(few_detail):
        response = owner_client.get(detail)
    assert len(response.context["entries"]) == 31
    with django_assert_max_num_queries(few_panel):
        owner_client.get(client_page)


# --- Garbage on the demo salon --------------------------------------------------------

LOYALTY_FIELDS = [
    "enabled",
    "award_delay_hours",
    "points",
    "description",
    "value",
    "validity_days",
    "for_points",
    "points_price",
    "is_active",
    "card_type",
    "client",
    "name",
]


def test_loyalty_pages_survive_garbage_on_the_demo_salon(db, panel):
    # given the demo salon with a gift card type and a card
    call_command("seed_demo", stdout=io.StringIO())
    salon = Salon.objects.get(slug="demo")
    owner = get_user_model().objects.get(email="owner@demo.salonbook.test")
    kind = GiftCardType.objects.for_salon(salon).first() or card_type(salon)
    client = Client.objects.for_salon(salon).first()
    card = gift_card_issue(salon=salon, card_type=kind, client=client, actor=None)
    services = Service.objects.for_salon(salon).filter(is_active=True)
    row_fields = [f"{prefix}_{s.pk}" for s in services for prefix in ("earns", "points")]
    fields = sorted({*FIELDS, *LOYALTY_FIELDS, *row_fields})
    urls = [
        url(name, slug="demo", **kwargs)
        for name, kwargs in [
            ("loyalty", {}),
            ("loyalty_gift_card_type_list", {}),
            ("loyalty_gift_card_type_create", {}),
            ("loyalty_gift_card_type_edit", {"pk": kind.pk}),
            ("loyalty_gift_card_list", {}),
            ("loyalty_gift_card_issue", {}),
            ("loyalty_gift_card_detail", {"pk": card.pk}),
            ("loyalty_points_adjust", {"client_id": client.pk}),
            ("client_detail", {"pk": client.pk}),
        ]
    ]
    http = HttpClient(raise_request_exception=False)
    http.force_login(owner)

    # when / then: the sweep's own garbage, and the same with the loyalty fields
    assert_no_server_error(http, urls)
    failures = []
    for shift in range(4):
        for target in urls:
            response = http.post(target, garbage_for(fields, shift))
            if response.status_code >= 500:
                failures.append(f"POST {target} (shift {shift}) → {response.status_code}")
    assert failures == []
