"""Formats that follow the active language: money (Babel's CLDR data: "45,00 €" in et, da,
ro, fi and de, "€45.00" in en) and the first day of the week (Django's FIRST_DAY_OF_WEEK of
the language; our English starts on Monday too, `salonbook/formats/en`).

Dates and numbers in pages need nothing of ours: with USE_I18N Django localizes them in
templates and `django.utils.formats` in the active language. An appointment's time in a notice
is written as the language writes a full date and a time (`notice_datetime`, Babel's CLDR
data); notices are rendered under `notices.renderer.rendering_in(language)`, so `LocalDate`,
`LocalMoment` and `Money` in a context print in the recipient's language.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from babel import dates as babel_dates
from babel.numbers import UnknownCurrencyError, format_currency
from django.utils import formats, translation


def babel_locale(language: str | None = None) -> str:
    """Babel's locale for a Django language code ("en", "de", "pt-br" → "pt_BR")."""
    return translation.to_locale(language or translation.get_language() or "en")


def money(value: Any, currency: str, language: str | None = None) -> str:
    """`value` in `currency` as the language writes it; "" for no value."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    try:
        return format_currency(amount, currency or "EUR", locale=babel_locale(language))
    except (UnknownCurrencyError, ValueError):
        return f"{formats.number_format(amount, 2)} {currency}"


def first_day_of_week() -> int:
    """0 = Sunday … 6 = Saturday, as `FIRST_DAY_OF_WEEK` of the active language."""
    return int(formats.get_format("FIRST_DAY_OF_WEEK"))


def week_start(day: dt.date) -> dt.date:
    """The first day of the week `day` is in, for the active language."""
    # date.weekday(): Monday = 0; FIRST_DAY_OF_WEEK: Sunday = 0.
    offset = (day.weekday() + 1 - first_day_of_week()) % 7
    return day - dt.timedelta(days=offset)


class Money:
    """An amount that prints itself in the active language — pass it in a notice's context and
    it comes out as the recipient's language writes money (the renderer prints values under
    `rendering_in(language)`)."""

    def __init__(self, amount: Any, currency: str) -> None:
        self.amount, self.currency = amount, currency

    def __str__(self) -> str:
        return money(self.amount, self.currency)

    def __repr__(self) -> str:
        return f"Money({self.amount!r}, {self.currency!r})"


class LocalDate:
    """A date (or datetime) that prints itself in the active language with a Django date
    format ("j F Y" → "3. detsember 2026" in et, "3 December 2026" in en)."""

    def __init__(self, value: dt.date, format_string: str = "DATE_FORMAT") -> None:
        self.value, self.format_string = value, format_string

    def __str__(self) -> str:
        return formats.date_format(self.value, self.format_string)

    def __repr__(self) -> str:
        return f"LocalDate({self.value!r}, {self.format_string!r})"


# --- Dates and times in notices ---------------------------------------------------------------

# The date of a notice as each language writes a full date (CLDR's "full" format, via Babel):
# "Wednesday, 2 December 2026", "kolmapäev, 2. detsember 2026", "onsdag den 2. december 2026",
# "miercuri, 2 decembrie 2026", "keskiviikkona 2. joulukuuta 2026", "Mittwoch, 2. Dezember 2026".
# English is written the European way (day before month); Finnish uses the formatting form of
# the weekday ("keskiviikkona"), which CLDR's full format leaves in the stand-alone form.
NOTICE_DATE_PATTERNS = {
    "en": "EEEE, d MMMM y",
    "fi": "EEEE d. MMMM y",
}
# Times are 24-hour in every language; the separator is the language's ("10.00" in fi and da).
NOTICE_TIME_PATTERNS = {"en": "HH:mm"}
# How a date and a time are joined ({1}: the date, {0}: the time), as people write an
# appointment's time: "… klo 10.00", "… kl. 10.00", "… kell 10:00", "…, 10:00 Uhr", "…, ora 10:00".
NOTICE_DATETIME_GLUE = {
    "fi": "{1} klo {0}",
    "da": "{1} kl. {0}",
    "et": "{1} kell {0}",
    "de": "{1}, {0} Uhr",
    "ro": "{1}, ora {0}",
}


def _language(language: str | None) -> str:
    return (language or translation.get_language() or "en").split("-")[0]


def notice_date(day: dt.date, language: str | None = None) -> str:
    """`day` as a full date in `language` (default: the active one), e.g. "2. Dezember 2026"
    with its weekday."""
    code = _language(language)
    locale = babel_locale(language)
    return babel_dates.format_date(day, NOTICE_DATE_PATTERNS.get(code, "full"), locale=locale)


def notice_datetime(moment: dt.datetime, language: str | None = None) -> str:
    """A (local) moment as a full date and a time in `language`: "Mittwoch, 2. Dezember 2026,
    10:00 Uhr", "keskiviikkona 2. joulukuuta 2026 klo 10.00"."""
    code = _language(language)
    locale = babel_locale(language)
    date_text = notice_date(moment.date(), language)
    time_text = babel_dates.format_time(
        moment.time(), NOTICE_TIME_PATTERNS.get(code, "short"), locale=locale
    )
    glue = NOTICE_DATETIME_GLUE.get(code) or str(
        babel_dates.get_datetime_format("full", locale=locale)
    )
    return glue.replace("{1}", date_text).replace("{0}", time_text)


class LocalMoment:
    """A moment that prints itself in the active language, in `time_zone`, as
    `notice_datetime` writes it followed by the zone: "Mittwoch, 2. Dezember 2026, 10:00 Uhr
    (Europe/Berlin)" — for a notice's context (rendered under the recipient's language)."""

    def __init__(self, moment: dt.datetime, time_zone: str) -> None:
        self.moment, self.time_zone = moment, time_zone

    def __str__(self) -> str:
        import zoneinfo

        local = self.moment.astimezone(zoneinfo.ZoneInfo(self.time_zone))
        return f"{notice_datetime(local)} ({self.time_zone})"

    def __repr__(self) -> str:
        return f"LocalMoment({self.moment!r}, {self.time_zone!r})"
