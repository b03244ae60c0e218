"""Referral codes: short, easy to read aloud or type, hard enough to guess.

A code is 8 characters from a 30-character alphabet without look-alikes (no 0/O, 1/I/L, U):
8 × log2(30) ≈ 39 bits from `secrets`. Guessing one gains little — it only names who invited
a new client, and the referral rules (a new client, once) still apply — so codes are not
throttled like gift card codes; they are unique per salon, and a code of another salon is
unknown here. People may type it in lower case, with spaces or dashes (`code_normalize`).
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # as gift card codes: no 0 O 1 I L U
CODE_LENGTH = 8
MAX_INPUT_LENGTH = 64
_STRIP = re.compile(r"[\s\-_.]")


def code_generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def code_normalize(raw: str) -> str:
    """What a person typed (or a link carried) → the stored form: upper case, no separators."""
    return _STRIP.sub("", (raw or "")[:MAX_INPUT_LENGTH]).upper()


def code_is_well_formed(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(c in ALPHABET for c in code)
