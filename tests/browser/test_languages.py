"""The product in et, da, ro, fi and de in a real browser (issue 16): a client walks the public
booking flow (services → staff → day and time → details → checkout → their appointment) and
an owner whose dashboard language is set walks the main dashboard pages; every visible text
node is compared with

- the English source strings of our catalogue: a node that IS an English msgid whose
  translation in that language differs (or is missing) fails the test, and
- the same page in English (for pages reachable by a plain GET): a node that reads the same in
  both languages is text nobody marked for translation, and fails the test.

Names (salon, location, service, staff, client), the brand, e-mail addresses, numbers, times
and dates made of digits are ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import polib
import pytest
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import Page, expect

from bookings.dashboard.mixins import DASHBOARD_NAV
from bookings.models import Appointment
from languages import catalog
from tests.factories import ClientFactory, MembershipFactory, UserFactory

from .conftest import Pages

pytestmark = pytest.mark.browser

LANGUAGES = catalog.LOCALES
NAMES = {
    "Alpha Hair",
    "Old Town",
    "Haircut",
    "Anna",
    "Mari",
    "Kati",
    "Tamm",
    "Kati Tamm",
    "SalonBook",
    "Juhan",
    "Juhan Saar",
}
# Language names in the switcher are each language's own name for itself.
LANGUAGE_NAMES = {
    "English",
    "Eesti",
    "eesti",
    "Dansk",
    "dansk",
    "Română",
    "română",
    "Suomi",
    "suomi",
    "Deutsch",
}
NO_WORDS = re.compile(r"^[\W\d_]*$")
EMAIL = re.compile(r"\S+@\S+")
URL = re.compile(r"^https?://\S+$")
TIME_ZONE = re.compile(r"\b[A-Z][a-z]+/[A-Z][A-Za-z_]+\b")
WORD = re.compile(r"[^\W\d_]+")

VISIBLE_TEXTS_JS = """
() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    if (!text) continue;
    const el = node.parentElement;
    if (!el || el.closest("script, style, template, noscript, code, textarea, [hidden]")) continue;
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    if (!el.getClientRects().length && !el.closest("select")) continue;
    out.push(text);
  }
  const labelled = "input[placeholder], [aria-label], input[type=submit]";
  for (const el of document.querySelectorAll(labelled)) {
    const text = (
      el.getAttribute("placeholder") || el.getAttribute("aria-label") || el.value || ""
    ).trim();
    if (text) out.push(text);
  }
  return out;
}
"""


def _catalogue(language: str) -> dict[str, str]:
    """English msgid → its translation ("" when missing) for `language`."""
    entries: dict[str, str] = {}
    for entry in polib.pofile(str(catalog.po_path(language))):
        if entry.obsolete or not entry.msgid:
            continue
        done = catalog.is_done(entry)
        if entry.msgid_plural:
            entries.setdefault(entry.msgid, entry.msgstr_plural.get(0, "") if done else "")
            entries.setdefault(entry.msgid_plural, entry.msgstr_plural.get(1, "") if done else "")
        else:
            entries.setdefault(entry.msgid, entry.msgstr if done else "")
    return entries


def _date_words(language: str) -> set[str]:
    """Month and weekday names and abbreviations as Django writes them in `language`, and
    units that are the same word in some of our languages."""
    from django.utils import dates, translation

    words: set[str] = {"min"}  # "60 min" reads the same in et and fi
    with translation.override(language):
        for table in (
            dates.MONTHS,
            dates.MONTHS_3,
            dates.MONTHS_AP,
            dates.MONTHS_ALT,
            dates.WEEKDAYS,
            dates.WEEKDAYS_ABBR,
        ):
            for value in table.values():
                words.update(w.lower() for w in WORD.findall(str(value)))
    return words


def _ignored(text: str, date_words: set[str] = frozenset()) -> bool:  # type: ignore[assignment]
    rest = TIME_ZONE.sub("", text)
    for name in sorted(NAMES, key=len, reverse=True):
        rest = rest.replace(name, "")
    words = WORD.findall(rest)
    return (
        text in NAMES
        or text in LANGUAGE_NAMES
        or bool(NO_WORDS.match(text))
        or bool(EMAIL.fullmatch(text))
        or bool(URL.match(text))
        or ("<" in text and ">" in text)  # code to copy (an embed snippet)
        or len("".join(words)) < 2
        # names with a time zone ("Old Town · Europe/Tallinn"), dates written by the language
        or all(w.lower() in date_words for w in words)
    )


def visible_texts(page: Page, date_words: set[str]) -> list[str]:
    page.wait_for_load_state("load")
    return [t for t in page.evaluate(VISIBLE_TEXTS_JS) if not _ignored(t, date_words)]


class Checker:
    """Collects the English text found on the pages of one language."""

    def __init__(self, language: str, english: Page | None = None) -> None:
        self.language = language
        self.catalogue = _catalogue(language)
        self.date_words = _date_words(language)
        self.english = english
        self.problems: list[str] = []

    def _source(self, text: str) -> str | None:
        """The catalogue entry a text node shows: itself, or without the punctuation, arrows
        and brackets a template puts around a translated string ("First available:")."""
        for candidate in (
            text,
            text.rstrip(":;,. "),
            text.strip("() "),
            text.strip("—–-←→ "),
        ):
            if candidate in self.catalogue:
                return candidate
        return None

    def check(self, page: Page, *, compare_with_english: bool = True) -> None:
        texts = visible_texts(page, self.date_words)
        where = page.url.split("//", 1)[-1].split("/", 1)[-1]
        for text in texts:
            source = self._source(text)
            if source is not None and self.catalogue[source] != source:
                translated = self.catalogue[source]
                self.problems.append(f"/{where}: {text!r} (translation: {translated!r})")
        if compare_with_english and self.english is not None:
            self.english.goto(page.url)
            english = set(visible_texts(self.english, self.date_words))
            for text in set(texts) & english:
                if self._source(text) is not None:
                    continue  # translated as the same word, or reported above
                self.problems.append(f"/{where}: {text!r} is the same as on the English page")

    def assert_clean(self) -> None:
        unique = list(dict.fromkeys(self.problems))
        assert not unique, (
            f"{self.language}: {len(unique)} English texts on translated pages:\n"
            + "\n".join(unique[:60])
        )


def _language_cookie(base_url: str, language: str) -> list[dict[str, Any]]:
    return [{"name": "django_language", "value": language, "url": base_url}]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_client_books_and_manages_in_their_language(
    shop: dict[str, Any], pages: Pages, language: str
) -> None:
    page = pages.new()
    english = pages.new(cookies=_language_cookie(pages.base_url, "en"))
    checker = Checker(language, english)

    # the salon's page, opened with the language chosen
    page.goto(f"/s/alpha/?lang={language}")
    expect(page.locator("html")).to_have_attribute("lang", language)
    checker.check(page)
    page.locator("a.choice", has_text="Haircut").click()
    checker.check(page)
    page.locator("a.choice").first.click()  # "any available"
    expect(page.locator("#picker")).to_be_visible()
    checker.check(page)
    page.locator("#picker .week-nav a").last.click()  # next week
    expect(page).to_have_url(re.compile(r"date=\d{4}-\d{2}-\d{2}"))
    first_time = page.locator("#picker a.time").first
    expect(first_time).to_be_visible()
    first_time.click()

    # details and checkout (session pages: compared with the catalogue only)
    expect(page.locator("input[name=first_name]")).to_be_visible()
    checker.check(page, compare_with_english=False)
    page.locator("input[name=first_name]").fill("Kati")
    page.locator("input[name=last_name]").fill("Tamm")
    page.locator("input[name=email]").fill("kati@example.test")
    page.locator("input[name=phone]").fill("+372 5123 4567")
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("input[name=payment_method]").first).to_be_visible()
    checker.check(page, compare_with_english=False)
    page.locator("input[name=payment_method]").first.check()
    page.locator("form.form-card button[type=submit]").click()

    # the appointment page, where the client manages the booking
    expect(page.locator("li.message-success")).to_be_visible()
    appointment = Appointment.objects.get()
    assert appointment.client.preferred_language == language
    notice = appointment.client.notices.get(kind="booking_confirmation")
    assert notice.language == language
    checker.check(page)  # (its English twin opens the page in English: checked last)

    checker.assert_clean()
    assert pages.csp_violations == []
    assert pages.js_errors == []


def _dashboard_urls(slug: str, client_id: int) -> list[str]:
    urls = []
    for item in DASHBOARD_NAV:
        try:
            urls.append(reverse(item.url_name, kwargs={"salon_slug": slug}))
        except NoReverseMatch:
            continue
    urls.append(reverse("dashboard:client_detail", kwargs={"salon_slug": slug, "pk": client_id}))
    urls.append(reverse("account_language"))
    return urls


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_owner_meets_no_english_on_the_dashboard(
    shop: dict[str, Any], pages: Pages, language: str
) -> None:
    salon = shop["salon"]
    owner = UserFactory(email="owner@alpha.test", language=language)
    MembershipFactory(salon=salon, user=owner, role="owner")
    reader = UserFactory(email="reader@alpha.test", language="en")
    MembershipFactory(salon=salon, user=reader, role="owner")
    client = ClientFactory(salon=salon, first_name="Juhan", last_name="Saar", email="j@x.test")
    page = pages.logged_in(owner)
    checker = Checker(language, pages.logged_in(reader))

    for url in _dashboard_urls(salon.slug, client.pk):
        response = page.goto(url)
        assert response is not None and response.status < 400, url
        expect(page.locator("html")).to_have_attribute("lang", language)
        checker.check(page)

    checker.assert_clean()
    assert pages.js_errors == []


def test_the_dashboard_calendar_week_starts_on_monday(shop: dict[str, Any], pages: Pages) -> None:
    salon = shop["salon"]
    owner = UserFactory(email="owner@alpha.test", language="de")
    MembershipFactory(salon=salon, user=owner, role="owner")
    page = pages.logged_in(owner)
    day = dt.date(2026, 12, 3)  # a Thursday
    page.goto(
        reverse("dashboard:calendar", kwargs={"salon_slug": salon.slug})
        + f"?view=week&date={day.isoformat()}"
    )
    page.wait_for_load_state("load")
    assert "2026-11-30" in page.content()  # the Monday of that week
