"""Money helpers: Decimal amounts in a currency <-> the provider's minor units.

Never float. The exponent of a currency comes from a small table of the zero- and
three-decimal ISO 4217 currencies (Stripe's list); every other currency has 2.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

# ISO 4217 currencies without minor units (as Stripe treats them).
_ZERO_DECIMAL = frozenset(
    {
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "MGA", "PYG",
        "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
    }
)  # fmt: skip
_THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})


def currency_exponent(currency: str) -> int:
    code = (currency or "").upper()
    if code in _ZERO_DECIMAL:
        return 0
    if code in _THREE_DECIMAL:
        return 3
    return 2


def to_minor_units(amount: Decimal, currency: str) -> int:
    """Decimal("15.50"), "EUR" -> 1550; Decimal("1500"), "JPY" -> 1500."""
    if not isinstance(amount, Decimal):
        raise TypeError("amount must be a Decimal")
    exponent = currency_exponent(currency)
    scaled = (amount * (Decimal(10) ** exponent)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(scaled)


def from_minor_units(value: int, currency: str) -> Decimal:
    """1550, "EUR" -> Decimal("15.50") (always 2 places for our 2-place columns)."""
    exponent = currency_exponent(currency)
    amount = Decimal(int(value)) / (Decimal(10) ** exponent)
    return money(amount)


def money_in(amount: Decimal, currency: str) -> Decimal:
    """Rounded (half up) to what the currency can be paid in, kept with our 2 places:
    Decimal("617.50"), "JPY" -> Decimal("618.00"); other currencies as `money`."""
    exponent = min(currency_exponent(currency), 2)
    step = Decimal(1).scaleb(-exponent)
    return money(Decimal(amount).quantize(step, rounding=ROUND_HALF_UP))


def money(amount: Decimal | int | str) -> Decimal:
    """Rounded to our 2 decimal places (half up)."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
