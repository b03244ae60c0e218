"""How many SMS segments a text takes: GSM-7 (160 characters, 153 per part when split; the
extension characters such as € [ ] { } count twice) unless a character is outside the GSM-7
alphabet, then UCS-2 (70, 67 per part). Estonian õ, Romanian ă ș ț and â î, Finnish/Estonian
š ž push a whole message into UCS-2, so a text in those languages costs more segments at the
same length; `tests/test_translations.py` keeps every default SMS within two segments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "^{}\\[~]|€\f"
_BASIC = frozenset(GSM7_BASIC)
_EXTENSION = frozenset(GSM7_EXTENSION)


@dataclass(frozen=True)
class SmsSize:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    per_segment: int  # the capacity of one segment of this message


def sms_size(text: str) -> SmsSize:
    if all(ch in _BASIC or ch in _EXTENSION for ch in text):
        units = sum(2 if ch in _EXTENSION else 1 for ch in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    if units <= single:
        return SmsSize(encoding, units, 1 if units else 0, single)
    return SmsSize(encoding, units, math.ceil(units / multi), multi)


# Typography outside GSM-7 that has a plain equivalent: one such character would make the
# whole message UCS-2 (less than half the characters per segment).
_TYPOGRAPHY = str.maketrans(
    {
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2212": "-",  # minus
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2026": "...",
        "\u00a0": " ",  # no-break space (money: "45,00 €")
        "\u202f": " ",  # narrow no-break space
        "\u2022": "-",
        "\u00b7": "-",
    }
)
# Romanian SMS are customarily written without diacritics (most phones and gateways send them
# that way): with them every Romanian SMS is UCS-2 and a booking confirmation with its link
# takes three segments instead of two.
_WITHOUT_DIACRITICS = {
    "ro": str.maketrans("ăâîșşțţĂÂÎȘŞȚŢ", "aaissttAAISSTT"),
}


def sms_text(text: str, language: str) -> str:
    """The text as we send it by SMS: typographic characters replaced by their GSM-7 plain
    equivalents, and for languages whose SMS are customarily written without diacritics
    (Romanian), those removed. Letters a language needs (Estonian õ, š, ž) are kept."""
    text = text.translate(_TYPOGRAPHY)
    table = _WITHOUT_DIACRITICS.get((language or "").split("-")[0])
    return text.translate(table) if table else text
