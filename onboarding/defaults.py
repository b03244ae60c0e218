"""What the setup wizard suggests: per-country defaults, reserved web addresses, known
currencies and the starter services per kind of salon.

Data only (no database): the services in `onboarding/services.py` validate against it and the
views prefill their forms from it. Starter service names are given per language here rather
than through gettext, because they are written in the *salon's* language, not the owner's.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class CountryDefaults:
    name: object  # a lazy translated string
    time_zone: str
    currency: str
    language: str


COUNTRIES: dict[str, CountryDefaults] = {
    "EE": CountryDefaults(_("Estonia"), "Europe/Tallinn", "EUR", "et"),
    "DK": CountryDefaults(_("Denmark"), "Europe/Copenhagen", "DKK", "da"),
    "RO": CountryDefaults(_("Romania"), "Europe/Bucharest", "RON", "ro"),
    "FI": CountryDefaults(_("Finland"), "Europe/Helsinki", "EUR", "fi"),
    "DE": CountryDefaults(_("Germany"), "Europe/Berlin", "EUR", "de"),
    "AT": CountryDefaults(_("Austria"), "Europe/Vienna", "EUR", "de"),
    "CH": CountryDefaults(_("Switzerland"), "Europe/Zurich", "CHF", "de"),
    "LV": CountryDefaults(_("Latvia"), "Europe/Riga", "EUR", "en"),
    "LT": CountryDefaults(_("Lithuania"), "Europe/Vilnius", "EUR", "en"),
    "SE": CountryDefaults(_("Sweden"), "Europe/Stockholm", "SEK", "en"),
    "NO": CountryDefaults(_("Norway"), "Europe/Oslo", "NOK", "en"),
    "PL": CountryDefaults(_("Poland"), "Europe/Warsaw", "PLN", "en"),
    "GB": CountryDefaults(_("United Kingdom"), "Europe/London", "GBP", "en"),
    "IE": CountryDefaults(_("Ireland"), "Europe/Dublin", "EUR", "en"),
    "US": CountryDefaults(_("United States"), "America/New_York", "USD", "en"),
}
# Any other country: the owner picks the rest by hand.
FALLBACK = CountryDefaults(_("Other"), "UTC", "EUR", "en")
OTHER_COUNTRY = "ZZ"  # ISO 3166 user-assigned code for "unknown or unspecified"


def country_defaults(country: str) -> CountryDefaults:
    return COUNTRIES.get(country, FALLBACK)


def country_choices() -> list[tuple[str, object]]:
    return [*((code, d.name) for code, d in COUNTRIES.items()), (OTHER_COUNTRY, FALLBACK.name)]


# Paths and names a salon's web address must not take: our own URL prefixes and words that
# would mislead a client (a salon called "admin" or "support").
RESERVED_SLUGS = frozenset(
    {
        "about",
        "accounts",
        "admin",
        "api",
        "app",
        "auth",
        "blog",
        "dashboard",
        "docs",
        "help",
        "healthz",
        "i18n",
        "invite",
        "login",
        "logout",
        "mail",
        "media",
        "new",
        "s",
        "salonbook",
        "signup",
        "start",
        "static",
        "status",
        "support",
        "www",
    }
)

# ISO 4217 codes we accept (active currencies a salon may plausibly price in).
CURRENCIES = frozenset(
    [
        "AED",
        "ARS",
        "AUD",
        "BAM",
        "BGN",
        "BRL",
        "CAD",
        "CHF",
        "CLP",
        "CNY",
        "COP",
        "CZK",
        "DKK",
        "EGP",
        "EUR",
        "GBP",
        "GEL",
        "HKD",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "ISK",
        "JPY",
        "KRW",
        "KZT",
        "MAD",
        "MDL",
        "MKD",
        "MXN",
        "MYR",
        "NOK",
        "NZD",
        "PEN",
        "PHP",
        "PLN",
        "RON",
        "RSD",
        "SAR",
        "SEK",
        "SGD",
        "THB",
        "TRY",
        "TWD",
        "UAH",
        "USD",
        "UYU",
        "VND",
        "ZAR",
    ]
)


# --- Starter services ---------------------------------------------------------------------

KINDS: list[tuple[str, object]] = [
    ("hair", _("Hair salon")),
    ("barber", _("Barber")),
    ("beauty", _("Beauty salon")),
    ("nails", _("Nail studio")),
    ("wellness", _("Wellness and massage")),
]


@dataclass(frozen=True)
class StarterService:
    names: dict[str, str]  # language code -> name; "en" always present
    duration_minutes: int
    price: Decimal

    def name(self, language: str) -> str:
        return self.names.get(language, self.names["en"])


def _s(minutes: int, price: str, **names: str) -> StarterService:
    return StarterService(names=names, duration_minutes=minutes, price=Decimal(price))


STARTER_SERVICES: dict[str, list[StarterService]] = {
    "hair": [
        _s(
            60,
            "45",
            en="Women's haircut",
            et="Naiste juukselõikus",
            da="Dameklip",
            ro="Tuns damă",
            fi="Naisten hiustenleikkaus",
            de="Damenhaarschnitt",
        ),
        _s(
            30,
            "28",
            en="Men's haircut",
            et="Meeste juukselõikus",
            da="Herreklip",
            ro="Tuns bărbați",
            fi="Miesten hiustenleikkaus",
            de="Herrenhaarschnitt",
        ),
        _s(
            45,
            "30",
            en="Blow-dry and styling",
            et="Föönisoeng",
            da="Føn og styling",
            ro="Coafat",
            fi="Föönaus ja muotoilu",
            de="Föhnen und Styling",
        ),
        _s(
            120,
            "95",
            en="Full colour",
            et="Juuste värvimine",
            da="Hårfarvning",
            ro="Vopsit complet",
            fi="Hiusten värjäys",
            de="Komplettfärbung",
        ),
    ],
    "barber": [
        _s(
            30,
            "25",
            en="Haircut",
            et="Juukselõikus",
            da="Klipning",
            ro="Tuns",
            fi="Hiustenleikkaus",
            de="Haarschnitt",
        ),
        _s(
            20,
            "18",
            en="Beard trim",
            et="Habeme piiramine",
            da="Skægtrimning",
            ro="Aranjat barbă",
            fi="Parran siistiminen",
            de="Bartschnitt",
        ),
        _s(
            45,
            "38",
            en="Haircut and beard",
            et="Juukselõikus ja habe",
            da="Klip og skæg",
            ro="Tuns și barbă",
            fi="Hiustenleikkaus ja parta",
            de="Haarschnitt und Bart",
        ),
        _s(
            30,
            "30",
            en="Hot towel shave",
            et="Kuuma rätikuga raseerimine",
            da="Barbering med varmt håndklæde",
            ro="Bărbierit cu prosop cald",
            fi="Partaveitsiajo kuumalla pyyhkeellä",
            de="Nassrasur mit heißem Tuch",
        ),
    ],
    "beauty": [
        _s(
            60,
            "55",
            en="Classic facial",
            et="Klassikaline näohooldus",
            da="Klassisk ansigtsbehandling",
            ro="Tratament facial clasic",
            fi="Klassinen kasvohoito",
            de="Klassische Gesichtsbehandlung",
        ),
        _s(
            30,
            "25",
            en="Brow shaping and tint",
            et="Kulmude korrigeerimine ja värvimine",
            da="Bryn formning og farvning",
            ro="Pensat și vopsit sprâncene",
            fi="Kulmien muotoilu ja värjäys",
            de="Augenbrauen zupfen und färben",
        ),
        _s(
            30,
            "22",
            en="Lash tint",
            et="Ripsmete värvimine",
            da="Vippefarvning",
            ro="Vopsit gene",
            fi="Ripsien värjäys",
            de="Wimpern färben",
        ),
        _s(45, "35", en="Make-up", et="Meik", da="Makeup", ro="Machiaj", fi="Meikki", de="Make-up"),
    ],
    "nails": [
        _s(
            45,
            "32",
            en="Classic manicure",
            et="Klassikaline maniküür",
            da="Klassisk manicure",
            ro="Manichiură clasică",
            fi="Klassinen manikyyri",
            de="Klassische Maniküre",
        ),
        _s(
            60,
            "42",
            en="Gel manicure",
            et="Geellakk maniküür",
            da="Gelé manicure",
            ro="Manichiură cu gel",
            fi="Geelilakkaus",
            de="Gel-Maniküre",
        ),
        _s(
            60,
            "45",
            en="Pedicure",
            et="Pediküür",
            da="Pedicure",
            ro="Pedichiură",
            fi="Jalkahoito",
            de="Pediküre",
        ),
        _s(
            90,
            "60",
            en="Nail extensions",
            et="Küünte pikendus",
            da="Negleforlængelse",
            ro="Extensii unghii",
            fi="Rakennekynnet",
            de="Nagelverlängerung",
        ),
    ],
    "wellness": [
        _s(
            60,
            "60",
            en="Classic massage",
            et="Klassikaline massaaž",
            da="Klassisk massage",
            ro="Masaj clasic",
            fi="Klassinen hieronta",
            de="Klassische Massage",
        ),
        _s(
            30,
            "35",
            en="Back and neck massage",
            et="Selja- ja kaelamassaaž",
            da="Ryg- og nakkemassage",
            ro="Masaj spate și gât",
            fi="Selän ja niskan hieronta",
            de="Rücken- und Nackenmassage",
        ),
        _s(
            90,
            "85",
            en="Aromatherapy massage",
            et="Aroomimassaaž",
            da="Aromaterapi massage",
            ro="Masaj cu aromaterapie",
            fi="Aromaterapiahieronta",
            de="Aromamassage",
        ),
        _s(
            60,
            "55",
            en="Body scrub",
            et="Kehakoorimine",
            da="Kropsskrub",
            ro="Exfoliere corporală",
            fi="Vartalokuorinta",
            de="Körperpeeling",
        ),
    ],
}

# Opening hours the location step starts from: Monday to Friday 9–18 (weekday 0 = Monday).
DEFAULT_OPENING_HOURS = dict.fromkeys(range(5), ("09:00", "18:00"))
