"""Which language a page or a notice uses, and the formats that follow it (issue 16).

Public pages: the visitor's choice (?lang=, the cookie) → the salon's default. Dashboard: the
person's own language → the salon's. Notices: the client's preferred language (stored when they
book or manage a booking) → the salon's; the salon's own text in that language, else our
default translated.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from bookings.models import Client
from bookings.services.booking import BookingRequest, appointment_book
from bookings.services.clients import client_for_booking
from bookings.signing import appointment_token
from bookings.tests.test_booking_service import next_wednesday_at
from languages.formats import LocalDate, Money, first_day_of_week, money, week_start
from notices.models import Notice, NoticeTemplate
from notices.registry import NoticeKind, Variable, kind_get, register, unregister
from notices.renderer import recipient_language, render
from notices.services import notice_send_to_client, notice_template_save
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

HTML_LANG = re.compile(r'<html lang="([\w-]+)"')


def html_lang(response) -> str:  # noqa: ANN001
    match = HTML_LANG.search(response.content.decode())
    assert match, "no <html lang> on the page"
    return match.group(1)


# --- Formats ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "€45.00"),
        ("et", "45,00\xa0€"),
        ("de", "45,00\xa0€"),
        ("fi", "45,00\xa0€"),
        ("da", "45,00\xa0€"),
        ("ro", "45,00\xa0EUR"),
    ],
)
def test_money_is_written_as_the_language_writes_it(language: str, expected: str) -> None:
    assert money("45", "EUR", language) == expected
    with translation.override(language):
        assert str(Money(45, "EUR")) == expected


def test_money_of_an_unknown_currency_or_no_value_does_not_fail() -> None:
    assert money(None, "EUR") == ""
    assert "12" in money("12", "XXZ")


@pytest.mark.parametrize("language", ["en", "et", "da", "ro", "fi", "de"])
def test_weeks_start_on_monday_in_our_languages(language: str) -> None:
    with translation.override(language):
        assert first_day_of_week() == 1
        assert week_start(dt.date(2026, 12, 3)) == dt.date(2026, 11, 30)  # Thursday → Monday


def test_dates_are_written_in_the_language() -> None:
    day = LocalDate(dt.date(2026, 12, 3), "j F Y")
    with translation.override("de"):
        assert str(day) == "3 Dezember 2026"
    with translation.override("fi"):
        assert str(day) == "3 joulukuu 2026"
    with translation.override("en"):
        assert str(day) == "3 December 2026"


# --- Notices in the recipient's language ------------------------------------------------


@pytest.fixture
def price_kind() -> Iterator[NoticeKind]:
    kind = register(
        NoticeKind(
            key="test_price_language",
            label=_("Price"),
            marketing=False,
            variables=(Variable("price", _("Price"), example="45"),),
            email_subject=_("Price"),
            email_body=_("{{ price }}"),
            sms_body=_("{{ price }}"),
        )
    )
    yield kind
    unregister(kind.key)


def test_recipient_language_is_the_clients_else_the_salons(salon) -> None:  # noqa: ANN001
    salon.default_language = "et"
    client = ClientFactory.build(salon=salon, preferred_language="fi")
    assert recipient_language(salon=salon, client=client) == "fi"
    client.preferred_language = ""
    assert recipient_language(salon=salon, client=client) == "et"
    assert recipient_language(salon=salon, client=client, language="de") == "de"
    assert recipient_language(salon=salon, client=client, language="xx") == "et"


def _book(shop, client):  # noqa: ANN001, ANN202
    return appointment_book(
        salon=shop["salon"],
        request=BookingRequest(
            location=shop["location"],
            service=shop["service"],
            starts_at=next_wednesday_at(10),
        ),
        client=client,
    )


def test_confirmation_uses_the_salons_text_in_the_clients_language(
    shop, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    # given an Estonian salon that wrote its own Finnish confirmation e-mail
    salon = shop["salon"]
    salon.default_language = "et"
    salon.save()
    notice_template_save(
        salon=salon,
        kind="booking_confirmation",
        channel="email",
        language="fi",
        subject="Varaus vahvistettu: {{ service }}",
        body="Hei {{ client.first_name }}, nähdään {{ starts_at }}. {{ manage_url }}",
    )
    client = ClientFactory(
        salon=salon, email="aino@example.test", preferred_channel="email", preferred_language="fi"
    )

    # when the Finnish client books
    with django_capture_on_commit_callbacks(execute=True):
        _book(shop, client)

    # then the notice is the salon's Finnish text, with a Finnish date and a Finnish link
    notice = Notice.objects.get(kind="booking_confirmation", client=client)
    assert notice.language == "fi"
    assert notice.subject == "Varaus vahvistettu: Haircut"
    assert notice.body.startswith("Hei ")
    assert "keskiviikko" in notice.body.lower()  # Wednesday, as Django's Finnish writes it
    assert "?lang=fi" in notice.body
    assert 'lang="fi"' in notice.body_html


def test_without_a_text_in_their_language_the_client_gets_our_default_translated(
    shop, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    # given an Estonian salon with its own Finnish text only, and a German client
    salon = shop["salon"]
    salon.default_language = "et"
    salon.save()
    notice_template_save(
        salon=salon,
        kind="booking_confirmation",
        channel="email",
        language="fi",
        subject="Varaus vahvistettu",
        body="Hei {{ client.first_name }}",
    )
    client = ClientFactory(
        salon=salon, email="jonas@example.test", preferred_channel="email", preferred_language="de"
    )

    with django_capture_on_commit_callbacks(execute=True):
        appointment = _book(shop, client)

    notice = Notice.objects.get(kind="booking_confirmation", client=client)
    kind = kind_get("booking_confirmation")
    from bookings.notifications import appointment_notice_context

    context = {
        "salon_name": salon.name,
        "client": client,
        **appointment_notice_context(appointment, language="de"),
    }
    with translation.override("de"):
        expected_subject = render(str(kind.email_subject), context, allowed=kind.variable_names)
        expected_body = render(str(kind.email_body), context, allowed=kind.variable_names)
    assert notice.language == "de"
    assert notice.subject == " ".join(expected_subject.split())
    assert notice.body == expected_body
    assert "Mittwoch" in notice.body  # the date in German
    assert "Varaus" not in notice.subject  # not the Finnish text


def test_a_client_without_a_language_gets_the_salons_language(
    shop, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    salon = shop["salon"]
    salon.default_language = "de"
    salon.save()
    client = ClientFactory(salon=salon, email="x@example.test", preferred_channel="email")

    with django_capture_on_commit_callbacks(execute=True):
        _book(shop, client)

    notice = Notice.objects.get(kind="booking_confirmation", client=client)
    assert notice.language == "de"
    assert "Mittwoch" in notice.body


@pytest.mark.parametrize(("language", "expected"), [("en", "€45.00"), ("de", "45,00\xa0€")])
def test_money_in_a_notice_follows_the_recipients_language(
    salon, price_kind, language: str, expected: str
) -> None:  # noqa: ANN001
    client = ClientFactory(
        salon=salon, email="p@example.test", preferred_channel="email", preferred_language=language
    )
    notice = notice_send_to_client(
        client=client, kind=price_kind.key, context={"price": Money(45, "EUR")}
    )
    assert notice is not None
    assert notice.body == expected


def test_a_salon_text_per_language_is_kept_apart(salon) -> None:  # noqa: ANN001
    notice_template_save(
        salon=salon, kind="test", channel="sms", language="de", subject="", body="Hallo"
    )
    notice_template_save(
        salon=salon, kind="test", channel="sms", language="et", subject="", body="Tere"
    )
    notice_template_save(
        salon=salon, kind="test", channel="sms", language="de", subject="", body="Hallo!"
    )
    texts = dict(
        NoticeTemplate.objects.for_salon(salon).filter(kind="test").values_list("language", "body")
    )
    assert texts == {"de": "Hallo!", "et": "Tere"}


# --- Storing the client's language -------------------------------------------------------


def test_booking_online_stores_the_language_the_client_booked_in(salon) -> None:  # noqa: ANN001
    kwargs = {
        "salon": salon,
        "user": None,
        "first_name": "Ana",
        "last_name": "Pop",
        "email": "ana@example.test",
        "phone": "",
        "marketing_consent": False,
    }
    client = client_for_booking(**kwargs, language="ro")
    assert client.preferred_language == "ro"

    # a later booking in another language changes it; an unknown code changes nothing
    assert client_for_booking(**kwargs, language="de").preferred_language == "de"
    assert client_for_booking(**kwargs, language="xx").preferred_language == "de"
    assert client_for_booking(**kwargs).preferred_language == "de"


def test_managing_a_booking_in_a_chosen_language_stores_it(shop) -> None:  # noqa: ANN001
    client = ClientFactory(salon=shop["salon"], preferred_language="")
    appointment = _book(shop, client)
    url = reverse(
        "public:appointment",
        kwargs={"salon_slug": "alpha", "token": appointment_token(appointment)},
    )
    http = HttpClient()

    # opened without a choice: the salon's language, nothing stored
    response = http.get(url)
    assert response.status_code == 200
    client.refresh_from_db()
    assert client.preferred_language == ""

    # opened with ?lang=ro (as the links in notices are): the page and the client are Romanian
    response = http.get(url + "?lang=ro")
    assert html_lang(response) == "ro"
    client.refresh_from_db()
    assert client.preferred_language == "ro"


# --- Public pages ------------------------------------------------------------------------


def test_public_pages_use_the_visitors_choice_then_the_salons_language(shop) -> None:  # noqa: ANN001
    salon = shop["salon"]
    salon.default_language = "fi"
    salon.save()
    http = HttpClient()

    assert html_lang(http.get("/s/alpha/", follow=True)) == "fi"
    response = http.get("/s/alpha/?lang=da")
    assert response.status_code in (200, 302)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "da"
    assert html_lang(http.get("/s/alpha/", follow=True)) == "da"  # the cookie keeps the choice
    assert html_lang(http.get("/s/alpha/?lang=nope", follow=True)) == "da"


# --- Dashboard ---------------------------------------------------------------------------


def test_the_dashboard_uses_the_persons_language_then_the_salons(salon, owner) -> None:  # noqa: ANN001
    salon.default_language = "de"
    salon.save()
    http = HttpClient()
    http.force_login(owner)
    home = reverse("dashboard:home", kwargs={"salon_slug": "alpha"})

    assert html_lang(http.get(home)) == "de"
    owner.language = "et"
    owner.save()
    assert html_lang(http.get(home)) == "et"
    # the account pages follow the person's language too
    assert html_lang(http.get(reverse("account_language"))) == "et"


def test_switching_language_on_the_dashboard_saves_it_to_the_account(salon, owner) -> None:  # noqa: ANN001
    http = HttpClient()
    http.force_login(owner)
    home = reverse("dashboard:home", kwargs={"salon_slug": "alpha"})

    response = http.post(reverse("set_language"), {"language": "fi", "next": home})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.language == "fi"

    # on the public site the choice is for that visit only
    http.post(reverse("set_language"), {"language": "ro", "next": "/s/alpha/"})
    owner.refresh_from_db()
    assert owner.language == "fi"


def test_the_account_page_sets_and_clears_the_dashboard_language(owner) -> None:  # noqa: ANN001
    http = HttpClient()
    http.force_login(owner)
    url = reverse("account_language")

    assert http.get(url).status_code == 200
    assert http.post(url, {"language": "da"}).status_code == 302
    owner.refresh_from_db()
    assert owner.language == "da"
    assert http.post(url, {"language": ""}).status_code == 302
    owner.refresh_from_db()
    assert owner.language == ""
    response = http.post(url, {"language": "klingon"})
    assert response.status_code == 200
    assert "language" in response.context["form"].errors


def test_the_account_language_page_needs_a_login() -> None:
    response = HttpClient().get(reverse("account_language"))
    assert response.status_code == 302


# --- The notice editor -------------------------------------------------------------------


def test_the_owner_edits_and_resets_a_text_per_language(salon, owner_client) -> None:  # noqa: ANN001
    salon.default_language = "et"
    salon.save()
    edit = reverse(
        "dashboard:notice_template_edit",
        kwargs={"salon_slug": "alpha", "kind": "test", "channel": "sms"},
    )
    reset = reverse(
        "dashboard:notice_template_reset",
        kwargs={"salon_slug": "alpha", "kind": "test", "channel": "sms"},
    )

    page = owner_client.get(edit + "?language=de").content.decode()
    assert 'name="language" value="de"' in page
    response = owner_client.post(edit, {"language": "de", "body": "Hallo {{ salon_name }}"})
    assert response.status_code == 302
    assert response["Location"].endswith("?language=de")
    owner_client.post(edit, {"language": "et", "body": "Tere {{ salon_name }}"})
    assert set(NoticeTemplate.objects.values_list("language", "body")) == {
        ("de", "Hallo {{ salon_name }}"),
        ("et", "Tere {{ salon_name }}"),
    }

    owner_client.post(reset, {"language": "de"})
    assert list(NoticeTemplate.objects.values_list("language", flat=True)) == ["et"]


def test_an_unknown_language_in_the_editor_falls_back_to_the_salons(salon, owner_client) -> None:  # noqa: ANN001
    edit = reverse(
        "dashboard:notice_template_edit",
        kwargs={"salon_slug": "alpha", "kind": "test", "channel": "sms"},
    )
    response = owner_client.post(edit, {"language": "zz", "body": "Hi"})
    assert response.status_code == 302
    assert NoticeTemplate.objects.get().language == salon.default_language


def test_clients_get_their_language_through_the_owner_api(salon, owner_api) -> None:  # noqa: ANN001
    url = reverse("bookings-api:client-list", kwargs={"salon_slug": "alpha"})
    response = owner_api.post(url, {"first_name": "Aino", "preferred_language": "fi"})
    assert response.status_code == 201, response.content
    assert Client.objects.get().preferred_language == "fi"
    response = owner_api.post(url, {"first_name": "X", "preferred_language": "xx"})
    assert response.status_code == 400
    assert "preferred_language" in response.json()


def test_sms_texts_stay_in_gsm7_where_the_language_allows() -> None:
    from languages.sms_segments import sms_size, sms_text

    assert sms_text("Muistutus – Salon: 45,00\xa0€ …", "fi") == "Muistutus - Salon: 45,00 € ..."
    assert sms_text("Gestionați programarea în salon, mulțumim", "ro") == (
        "Gestionati programarea in salon, multumim"
    )
    assert sms_text("punktid muutusid 50 võrra", "et") == "punktid muutusid 50 võrra"
    assert sms_size(sms_text("Vă mulțumim – ați rezervat", "ro")).encoding == "GSM-7"


def test_an_sms_to_a_romanian_client_is_sent_without_diacritics(salon) -> None:  # noqa: ANN001
    notice_template_save(
        salon=salon,
        kind="test",
        channel="sms",
        language="ro",
        subject="",
        body="Mulțumim – {{ salon_name }}",
    )
    client = ClientFactory(
        salon=salon, phone="+40712345678", preferred_channel="sms", preferred_language="ro"
    )
    from notices.services import notice_send

    notice = notice_send(
        salon=salon,
        kind="test",
        channel="sms",
        recipient=str(client.phone),
        context={"recipient": "x"},
        client=client,
    )
    assert notice.body == "Multumim - Alpha Hair"


def test_booking_on_the_site_in_a_chosen_language_stores_it_on_the_client(shop) -> None:  # noqa: ANN001
    from urllib.parse import urlencode

    http = HttpClient()
    http.get("/s/alpha/?lang=fi")
    starts_at = next_wednesday_at(11)
    base = f"/s/alpha/l/{shop['location'].pk}/s/{shop['service'].pk}"
    query = urlencode({"staff": "any", "start": starts_at.isoformat()})
    details = {
        "first_name": "Aino",
        "last_name": "Virtanen",
        "email": "aino@example.test",
        "phone": "+358 40 123 4567",
    }
    assert http.post(f"{base}/details/?{query}", details).status_code == 302
    response = http.post("/s/alpha/checkout/", {"payment_method": "pay_at_salon"})
    assert response.status_code == 302
    client = Client.objects.get()
    assert client.preferred_language == "fi"
