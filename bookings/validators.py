import datetime as dt
import re
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a known time zone (e.g. Europe/Tallinn)."),
            code="invalid_time_zone",
            params={"value": value},
        )


validate_currency = RegexValidator(
    re.compile(r"^[A-Z]{3}$"),
    _("Use a three-letter ISO 4217 currency code, such as EUR."),
    code="invalid_currency",
)

validate_color = RegexValidator(
    re.compile(r"^#[0-9a-fA-F]{6}$"),
    _("Use a color in the form #RRGGBB."),
    code="invalid_color",
)


validate_passcode = RegexValidator(
    re.compile(r"^[0-9]{4,6}$"),
    _("A passcode is 4 to 6 digits."),
    code="invalid_passcode",
)


# --- The date horizon -------------------------------------------------------------------
# One rule for every date and date-time a person or an API client gives (availability
# ranges, bookings, moves, list filters, time off, closed days, the calendar's pages): it
# must fall in the years
# HORIZON_FIRST_YEAR to HORIZON_LAST_YEAR (inclusive, on the calendar of the value as given).
# Outside them the answer is a field error (400 in the API), never an overflow (500).
HORIZON_FIRST_YEAR = 2000
HORIZON_LAST_YEAR = 2100


def in_horizon(value: dt.date | dt.datetime) -> bool:
    return HORIZON_FIRST_YEAR <= value.year <= HORIZON_LAST_YEAR


def horizon_message() -> str:
    return str(
        _("Enter a date between the years %(min)s and %(max)s.")
        % {"min": HORIZON_FIRST_YEAR, "max": HORIZON_LAST_YEAR}
    )


def validate_in_horizon(value: dt.date | dt.datetime | None) -> None:
    """ValidationError (code "horizon") for a date or date-time outside the horizon."""
    if value is not None and not in_horizon(value):
        raise ValidationError(horizon_message(), code="horizon")


MAX_ID = 2**63 - 1


def parse_id(value: object) -> int | None:
    """A database id from text a visitor sent (a query parameter, a posted field): ASCII
    digits that fit a 64-bit integer, else None. `str.isdigit` alone also accepts "²" (which
    `int` refuses) and ids longer than any column (which SQLite refuses to compare with)."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= MAX_ID else None
