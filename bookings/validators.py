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
