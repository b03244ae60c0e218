"""The loyalty pages of the public booking site: the loyalty tab, the gift card page and
"choose with points" (loyalty/public/)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.db import transaction
from django.test import Client as HttpClient
from django.utils import timezone

from loyalty.codes import code_display
from loyalty.models import GiftCard, GiftCardType, LoyaltyProgram, PointsEntry
from loyalty.public.nav import register_nav
from loyalty.selectors import points_balance, points_balance_from_ledger
from loyalty.services.gift_cards import gift_card_issue, gift_card_type_create
from loyalty.services.points import points_entry_add
from notices.models import Notice
from tests.factories import ClientFactory, UserFactory

LOYALTY = "/s/alpha/loyalty/"
GIFT_CARDS = "/s/alpha/gift-cards/"
UTC = dt.UTC


def redeem_url(card_type: GiftCardType, slug: str = "alpha") -> str:
    return f"/s/{slug}/gift-cards/{card_type.pk}/redeem/"


def log_in(client: Any, *, csrf: bool = False) -> HttpClient:
    """A browser logged in as the person behind `client` (their verified account linked)."""
    user = UserFactory(email=client.email)
    EmailAddress.objects.create(user=user, email=client.email, primary=True, verified=True)
    client.user = user
    client.save()
    http = HttpClient(enforce_csrf_checks=csrf)
    http.force_login(user)
    return http


def give_points(salon: Any, client: Any, points: int, **source: Any) -> PointsEntry:
    with transaction.atomic():
        entry, _account = points_entry_add(
            salon=salon,
            client=client,
            kind=PointsEntry.Kind.MANUAL if not source else PointsEntry.Kind.EARNED,
            points=points,
            description="Welcome bonus" if not source else "",
            **source,
        )
    return entry


def card_type(salon: Any, **data: Any) -> GiftCardType:
    defaults = {
        "name": "Gift card 20 EUR",
        "value": Decimal("20.00"),
        "validity_days": 365,
        "for_points": True,
        "points_price": 100,
    }
    return gift_card_type_create(salon=salon, **{**defaults, **data})


def messages_of(page: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", m).strip()
        for m in re.findall(r'<li class="message message-\w+">(.*?)</li>', page, re.S)
    ]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def kati(loyal) -> Any:
    client = loyal["client"]
    client.email = "kati@example.test"
    client.save()
    return client


@pytest.fixture
def nav() -> Iterator[None]:
    register_nav()  # LoyaltyConfig.ready() did; registering again changes nothing
    yield


# --- The loyalty tab --------------------------------------------------------------------


def test_an_anonymous_visitor_reads_the_programme_and_gets_a_log_in_link(loyal, client):
    # given
    program = LoyaltyProgram.objects.get(salon=loyal["salon"])
    program.award_delay_minutes = 240
    program.save()

    # when
    response = client.get(LOYALTY)

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "Haircut: 50 points" in page
    assert "Points are credited automatically 4 hours after your visit." in page
    assert "exchange them for gift cards" in page
    assert 'href="/accounts/login/?next=%2Fs%2Falpha%2Floyalty%2F"' in page
    assert 'id="points-history"' not in page
    assert 'id="your-gift-cards"' not in page


def test_a_logged_in_client_sees_balance_history_and_gift_cards_with_exact_values(loyal, kati):
    # given a visit that earned 50 points, recorded late in the evening UTC (the next day in
    # Tallinn), a bonus, and three cards: valid, expired, used up
    salon = loyal["salon"]
    visit = loyal["appointment"](ends_at=dt.datetime(2026, 3, 1, 10, 0, tzinfo=UTC))
    earned = give_points(salon, kati, 50, appointment=visit)
    bonus = give_points(salon, kati, 30)
    PointsEntry.objects.filter(pk=earned.pk).update(
        created_at=dt.datetime(2026, 3, 1, 22, 30, tzinfo=UTC)
    )
    PointsEntry.objects.filter(pk=bonus.pk).update(
        created_at=dt.datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
    )
    twenty = card_type(salon)
    valid = gift_card_issue(salon=salon, card_type=twenty, client=kati, actor=None)
    GiftCard.objects.filter(pk=valid.pk).update(
        # midnight at the start of 7 March in Tallinn: the last valid day is 6 March
        balance=Decimal("15.00"),
        expires_at=dt.datetime(2027, 3, 6, 22, 0, tzinfo=UTC),
    )
    expired = gift_card_issue(salon=salon, card_type=twenty, client=kati, actor=None)
    GiftCard.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    used_up = gift_card_issue(salon=salon, card_type=twenty, client=kati, actor=None)
    GiftCard.objects.filter(pk=used_up.pk).update(balance=Decimal("0.00"))
    http = log_in(kati)

    # when
    response = http.get(LOYALTY)

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "80 points" in text_of(page.split('id="balance"')[1].split("</section>")[0])
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td[^>]*>(.*?)</td>", page, re.S)
    assert rows == [
        ("5 Mar 2026", "Welcome bonus", "+30"),
        ("2 Mar 2026", "Visit: Haircut on 03/01/2026", "+50"),
    ]
    cards = page.split('id="your-gift-cards"')[1]
    assert f'id="gift-card-{valid.pk}-code">{code_display(valid.code)}</code>' in cards
    assert f'data-copy-target="gift-card-{valid.pk}-code"' in cards
    valid_html = text_of(cards.split(f'id="gift-card-{valid.pk}-code"')[1].split("</li>")[0])
    assert "€15.00 of €20.00" in valid_html
    assert "Valid until 6 March 2027" in valid_html
    assert '<span class="badge">Expired</span>' in cards.split(f"gift-card-{expired.pk}-code")[0]
    assert '<span class="badge">Used up</span>' in cards.split(f"gift-card-{used_up.pk}-code")[0]
    assert "js/copy.js" in page


def test_the_points_history_is_paginated_25_rows_a_page(loyal, kati):
    # given 30 ledger rows
    for n in range(30):
        give_points(loyal["salon"], kati, n + 1)
    http = log_in(kati)

    # when
    first = http.get(LOYALTY).content.decode()
    second = http.get(LOYALTY + "?page=2").content.decode()
    garbage = http.get(LOYALTY + "?page=x%00")

    # then
    assert first.count("Welcome bonus") == 25
    assert "+30" in first and "Page 1 of 2" in first and "?page=2" in first
    assert second.count("Welcome bonus") == 5
    assert "+1<" in second
    assert garbage.status_code == 200


def test_a_logged_in_user_who_is_no_client_here_is_told_they_have_no_points_yet(loyal):
    # given an account that never booked at this salon
    http = HttpClient()
    http.force_login(UserFactory(email="new@example.test"))

    # when
    page = http.get(LOYALTY).content.decode()

    # then
    assert "You have no points at Alpha Hair yet." in page
    assert 'id="points-history"' not in page
    assert "Haircut: 50 points" in page


def test_the_loyalty_tab_shows_nothing_of_the_same_persons_client_in_another_salon(
    loyal, kati, other_salon
):
    # given the same account is a client with points and a card in another salon too
    http = log_in(kati)
    LoyaltyProgram.objects.create(salon=other_salon, enabled=True)
    elsewhere = ClientFactory(salon=other_salon, email="kati@example.test", user=kati.user)
    give_points(other_salon, elsewhere, 999)
    card = gift_card_issue(
        salon=other_salon, card_type=card_type(other_salon), client=elsewhere, actor=None
    )

    # when
    page = http.get(LOYALTY).content.decode()

    # then
    assert "999" not in page
    assert code_display(card.code) not in page
    assert "You have no gift cards here yet." in page


# --- The gift card page -----------------------------------------------------------------


def test_the_gift_card_page_activates_choose_with_points_only_when_the_balance_suffices(
    loyal, kati
):
    # given a balance of 150 and three types for points, one not for points
    salon = loyal["salon"]
    give_points(salon, kati, 150)
    cheap = card_type(salon, name="Gift card 10 EUR", value=Decimal("10.00"), points_price=50)
    exact = card_type(salon, name="Gift card 30 EUR", value=Decimal("30.00"), points_price=150)
    dear = card_type(
        salon, name="Gift card 50 EUR", value=Decimal("50.00"), points_price=400, validity_days=None
    )
    card_type(salon, name="Sold at the desk", for_points=False, points_price=None)
    http = log_in(kati)

    # when
    page = http.get(GIFT_CARDS).content.decode()

    # then
    assert "Sold at the desk" not in page
    assert "150 points" in text_of(page.split('class="points-balance"')[1].split("</p>")[0])

    def offer(t: GiftCardType) -> str:
        return page.split(f'id="gift-card-type-{t.pk}"')[1].split("</li>")[0]

    assert "€10.00" in offer(cheap) and "50 points" in text_of(offer(cheap))
    assert "365 days from when you get it" in text_of(offer(cheap))
    assert "No expiry" in offer(dear)
    for affordable in (cheap, exact):
        assert f'action="{redeem_url(affordable)}"' in offer(affordable)
        assert 'name="csrfmiddlewaretoken"' in offer(affordable)
        assert "disabled" not in offer(affordable)
    assert re.search(r"<button[^>]*disabled", offer(dear))
    assert "You need 250 more points." in offer(dear)


def test_an_anonymous_visitor_sees_the_gift_cards_but_no_choose_button(loyal, client):
    # given
    twenty = card_type(loyal["salon"])

    # when
    page = client.get(GIFT_CARDS).content.decode()

    # then
    assert "Gift card 20 EUR" in page and "100 points" in page
    assert redeem_url(twenty) not in page
    assert 'href="/accounts/login/?next=%2Fs%2Falpha%2Fgift-cards%2F"' in page


# --- Choose with points -----------------------------------------------------------------


def test_choosing_with_points_spends_them_issues_the_card_and_sends_its_code(loyal, kati):
    # given
    salon = loyal["salon"]
    give_points(salon, kati, 130)
    twenty = card_type(salon)
    http = log_in(kati)

    # when
    response = http.post(redeem_url(twenty))

    # then
    assert response.status_code == 302
    assert response["Location"] == LOYALTY + "#your-gift-cards"
    assert points_balance(salon=salon, client=kati) == 30
    assert points_balance_from_ledger(salon=salon, client=kati) == 30
    card = GiftCard.objects.get(salon=salon, client=kati)
    assert (card.name, card.initial_value, card.balance, card.source) == (
        "Gift card 20 EUR",
        Decimal("20.00"),
        Decimal("20.00"),
        GiftCard.Source.POINTS,
    )
    spent = PointsEntry.objects.get(salon=salon, kind=PointsEntry.Kind.REDEEMED)
    assert (spent.points, spent.gift_card, spent.actor) == (-100, card, kati.user)
    notice = Notice.objects.get(salon=salon, kind="loyalty_gift_card_issued")
    assert notice.recipient == "kati@example.test"
    assert code_display(card.code) in notice.body
    page = http.get(response["Location"]).content.decode()
    assert messages_of(page) == [
        "You chose the gift card “Gift card 20 EUR” with your points. We have e-mailed its "
        "code to kati@example.test. You also find it below under “Your gift cards”."
    ]
    assert code_display(card.code) in page.split('id="your-gift-cards"')[1]


def test_choosing_without_enough_points_says_so_and_writes_nothing(loyal, kati):
    # given
    salon = loyal["salon"]
    give_points(salon, kati, 60)
    twenty = card_type(salon)
    http = log_in(kati)

    # when
    response = http.post(redeem_url(twenty), follow=True)

    # then
    assert response.redirect_chain == [(GIFT_CARDS, 302)]
    assert messages_of(response.content.decode()) == [
        "Not enough points: the balance is 60, this takes 100."
    ]
    assert points_balance(salon=salon, client=kati) == 60
    assert PointsEntry.objects.filter(kind=PointsEntry.Kind.REDEEMED).count() == 0
    assert GiftCard.objects.count() == 0
    assert Notice.objects.filter(kind="loyalty_gift_card_issued").count() == 0


def test_a_concurrent_redemption_that_took_the_points_first_gets_a_message(loyal, kati):
    # given the page was loaded with enough points, then another tab spent them
    salon = loyal["salon"]
    give_points(salon, kati, 100)
    twenty = card_type(salon)
    http = log_in(kati)
    assert "disabled" not in http.get(GIFT_CARDS).content.decode().split("gift-card-type-")[1]
    first = http.post(redeem_url(twenty))

    # when the second tab posts too
    second = http.post(redeem_url(twenty), follow=True)

    # then
    assert first.status_code == 302
    assert second.status_code == 200
    assert "Not enough points: the balance is 0, this takes 100." in messages_of(
        second.content.decode()
    )
    assert GiftCard.objects.count() == 1
    assert points_balance(salon=salon, client=kati) == 0
    assert points_balance_from_ledger(salon=salon, client=kati) == 0


def test_a_type_not_for_points_is_refused_with_a_message(loyal, kati):
    # given
    salon = loyal["salon"]
    give_points(salon, kati, 500)
    desk = card_type(salon, name="Sold at the desk", for_points=False, points_price=None)
    http = log_in(kati)

    # when
    response = http.post(redeem_url(desk), follow=True)

    # then
    assert messages_of(response.content.decode()) == [
        "This gift card cannot be bought with points."
    ]
    assert GiftCard.objects.count() == 0
    assert points_balance(salon=salon, client=kati) == 500


def test_loyalty_switched_off_between_page_check_and_redemption_gets_a_message(
    loyal, kati, monkeypatch
):
    # given the owner switches loyalty off while the POST is under way (the page check still
    # saw it on; the service sees it off)
    salon = loyal["salon"]
    give_points(salon, kati, 500)
    twenty = card_type(salon)
    LoyaltyProgram.objects.filter(salon=salon).update(enabled=False)
    seen = iter([True, False])
    monkeypatch.setattr("loyalty.public.views.loyalty_is_enabled", lambda salon: next(seen))
    http = log_in(kati)

    # when
    response = http.post(redeem_url(twenty))

    # then
    assert (response.status_code, response["Location"]) == (302, "/s/alpha/")
    assert GiftCard.objects.count() == 0
    assert points_balance(salon=salon, client=kati) == 500


@pytest.mark.parametrize("type_id", ["other-salon", "999999", "99999999999999999999999999"])
def test_another_salons_or_a_missing_type_is_404(loyal, kati, other_salon, type_id):
    # given
    give_points(loyal["salon"], kati, 500)
    foreign = card_type(other_salon)
    http = log_in(kati)
    pk = foreign.pk if type_id == "other-salon" else type_id

    # when
    response = http.post(f"/s/alpha/gift-cards/{pk}/redeem/")

    # then
    assert response.status_code == 404
    assert GiftCard.objects.count() == 0
    assert points_balance(salon=loyal["salon"], client=kati) == 500


def test_a_type_id_that_is_not_a_number_is_404(loyal, kati):
    http = log_in(kati)
    assert http.post("/s/alpha/gift-cards/abc/redeem/").status_code == 404


def test_a_user_who_is_no_client_here_is_told_they_have_no_points(loyal):
    # given
    twenty = card_type(loyal["salon"])
    http = HttpClient()
    http.force_login(UserFactory(email="new@example.test"))

    # when
    response = http.post(redeem_url(twenty), follow=True)

    # then
    assert response.redirect_chain == [(GIFT_CARDS, 302)]
    assert messages_of(response.content.decode()) == [
        "You have no points at Alpha Hair yet. Points are collected with visits booked here "
        "while you are logged in."
    ]
    assert GiftCard.objects.count() == 0


def test_choosing_needs_a_log_in(loyal, kati, client):
    # given
    give_points(loyal["salon"], kati, 500)
    twenty = card_type(loyal["salon"])

    # when
    response = client.post(redeem_url(twenty))

    # then
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert GiftCard.objects.count() == 0


def test_a_get_of_the_redeem_address_goes_to_the_gift_card_page(loyal, kati):
    # given someone logged in after following the log-in redirect of a POST
    twenty = card_type(loyal["salon"])
    http = log_in(kati)

    # when
    response = http.get(redeem_url(twenty))

    # then
    assert (response.status_code, response["Location"]) == (302, GIFT_CARDS)
    assert GiftCard.objects.count() == 0


def test_choosing_without_the_csrf_token_is_refused(loyal, kati):
    # given a cross-site form posting with the client's session cookie
    give_points(loyal["salon"], kati, 500)
    twenty = card_type(loyal["salon"])
    http = log_in(kati, csrf=True)

    # when
    response = http.post(redeem_url(twenty))

    # then
    assert response.status_code == 403
    assert GiftCard.objects.count() == 0
    assert points_balance(salon=loyal["salon"], client=kati) == 500


def test_choosing_with_the_pages_csrf_token_works(loyal, kati):
    # given
    give_points(loyal["salon"], kati, 500)
    twenty = card_type(loyal["salon"])
    http = log_in(kati, csrf=True)
    page = http.get(GIFT_CARDS).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    # when
    response = http.post(redeem_url(twenty), {"csrfmiddlewaretoken": token})

    # then
    assert response.status_code == 302
    assert GiftCard.objects.count() == 1


# --- Loyalty switched off ---------------------------------------------------------------


@pytest.mark.parametrize("method", ["loyalty", "gift_cards", "redeem"])
def test_every_page_is_404_while_the_salons_loyalty_is_off(loyal, kati, method):
    # given
    salon = loyal["salon"]
    give_points(salon, kati, 500)
    twenty = card_type(salon)
    LoyaltyProgram.objects.filter(salon=salon).update(enabled=False)
    http = log_in(kati)

    # when
    if method == "redeem":
        response = http.post(redeem_url(twenty))
    else:
        response = http.get(LOYALTY if method == "loyalty" else GIFT_CARDS)

    # then
    assert response.status_code == 404
    assert GiftCard.objects.count() == 0


def test_a_salon_that_never_set_up_loyalty_is_404(salon, client):
    assert client.get(LOYALTY).status_code == 404
    assert client.get(GIFT_CARDS).status_code == 404


# --- Navigation and page hygiene --------------------------------------------------------


def test_the_top_bar_links_to_loyalty_and_gift_cards(loyal, client, nav):
    # when
    page = client.get(GIFT_CARDS).content.decode()

    # then
    topbar = page.split('<header class="topbar">')[1].split("</header>")[0]
    assert f'<a href="{LOYALTY}">Loyalty</a>' in topbar
    assert f'<a href="{GIFT_CARDS}" aria-current="page">Gift cards</a>' in topbar


def test_the_top_bar_has_no_loyalty_links_where_loyalty_is_off(loyal, client, nav):
    # given
    LoyaltyProgram.objects.filter(salon=loyal["salon"]).update(enabled=False)
    # when
    page = client.get(f"/s/{loyal['salon'].slug}/", follow=True).content.decode()
    # then
    topbar = page.split('<header class="topbar">')[1].split("</header>")[0]
    assert LOYALTY not in topbar and GIFT_CARDS not in topbar


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


@pytest.mark.parametrize("logged_in", [False, True])
def test_the_pages_have_no_inline_scripts_or_styles(loyal, kati, client, logged_in):
    # given a client with history and a card (or an anonymous visitor)
    salon = loyal["salon"]
    give_points(salon, kati, 150)
    gift_card_issue(salon=salon, card_type=card_type(salon), client=kati, actor=None)
    http = log_in(kati) if logged_in else client

    for path in (LOYALTY, GIFT_CARDS):
        # when
        response = http.get(path)

        # then
        html = response.content.decode()
        assert response.status_code == 200
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", response["Content-Security-Policy"])
        assert INLINE_SCRIPT.findall(html) == []
        assert "<style" not in html.lower()
        assert not re.search(r"\sstyle=", html)
        assert not re.search(r"\son[a-z]+=", html)
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert f'nonce="{nonce.group(1)}"' in tag


def test_switching_loyalty_on_shows_the_links_at_once(
    loyal, client, nav, django_capture_on_commit_callbacks
):
    # given the flag cached while loyalty was off
    from loyalty.services.program import loyalty_program_update

    with django_capture_on_commit_callbacks(execute=True):
        loyalty_program_update(salon=loyal["salon"], enabled=False)
    home = f"/s/{loyal['salon'].slug}/"
    assert LOYALTY not in client.get(home, follow=True).content.decode()
    # when the owner switches it on
    with django_capture_on_commit_callbacks(execute=True):
        loyalty_program_update(salon=loyal["salon"], enabled=True)
    # then the next page shows the links
    assert LOYALTY in client.get(home, follow=True).content.decode()
