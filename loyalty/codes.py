"""Gift card codes: how they are made, read back, and how guessing them is throttled.

- A code is 16 characters from a 30-character alphabet without look-alikes (no 0/O, 1/I/L,
  no U that reads as V): 16 × log2(30) ≈ 78 bits from `secrets`, shown in groups of four
  (`K7QM-3XTR-9HWA-P2ND`). People may type it in lower case, with spaces or without dashes;
  `code_normalize` reads all of those.
- Guessing is throttled in the cache like booking passcodes (bookings/passcodes.py): wrong
  codes are counted per client IP and per salon over a window (settings
  `GIFT_CARD_MAX_FAILURES_PER_IP` 10, `GIFT_CARD_MAX_FAILURES_PER_SALON` 200,
  `GIFT_CARD_WINDOW_SECONDS` 900). Past either limit every attempt — a right code too — is
  refused until the window ends, so the limit cannot be probed.
"""

from __future__ import annotations

import logging
import re
import secrets

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0 O 1 I L U
CODE_LENGTH = 16
GROUP = 4
_STRIP = re.compile(r"[\s\-_.]")


def code_generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def code_display(code: str) -> str:
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def code_normalize(raw: str) -> str:
    """What a person typed → the stored form (upper case, no separators)."""
    return _STRIP.sub("", (raw or "")[:64]).upper()


def code_is_well_formed(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(c in ALPHABET for c in code)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _keys(salon_id: int, client_ip: str) -> tuple[str, str]:
    return f"giftcard-fail:{salon_id}:ip:{client_ip}", f"giftcard-fail:{salon_id}:all"


def code_guessing_throttled(*, salon_id: int, client_ip: str) -> bool:
    per_ip, per_salon = _keys(salon_id, client_ip)
    return int(cache.get(per_ip) or 0) >= _setting("GIFT_CARD_MAX_FAILURES_PER_IP", 10) or int(
        cache.get(per_salon) or 0
    ) >= _setting("GIFT_CARD_MAX_FAILURES_PER_SALON", 200)


def code_failure_record(*, salon_id: int, client_ip: str) -> None:
    window = _setting("GIFT_CARD_WINDOW_SECONDS", 900)
    for key in _keys(salon_id, client_ip):
        cache.add(key, 0, timeout=window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
    logger.warning("wrong gift card code for salon %s from %s", salon_id, client_ip)
