"""The salon's referral settings: the bonus, when it is credited, and the thank-you SMS (its
text is the `referral_thank_you` notice's SMS template, kept by the notices module)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from bookings.models import Salon
from bookings.services.common import validate_row
from loyalty.models import MAX_POINTS
from notices.registry import Channel
from notices.selectors import notice_content_get
from notices.services import notice_template_reset, notice_template_save
from referrals.models import ReferralSettings
from referrals.notice_kinds import THANK_YOU


def thank_you_text_get(*, salon: Salon) -> str:
    """The SMS text the salon uses now (its own, or the default in its language)."""
    return notice_content_get(salon=salon, kind=THANK_YOU, channel=Channel.SMS).body


def _thank_you_text_set(*, salon: Salon, text: str) -> None:
    """Save the text as the salon's own, unless it is the default (then the default is kept,
    and follows translations)."""
    text = (text or "").replace("\r\n", "\n").strip()
    with translation.override(salon.default_language):
        default = THANK_YOU.default_body(Channel.SMS).strip()
    if text == default:
        notice_template_reset(salon=salon, kind=THANK_YOU.key, channel=Channel.SMS)
        return
    try:
        notice_template_save(
            salon=salon, kind=THANK_YOU.key, channel=Channel.SMS, subject="", body=text
        )
    except ValidationError as exc:
        messages = exc.message_dict.get("body", exc.messages)
        raise ValidationError({"sms_text": messages}) from None


@transaction.atomic
def referral_settings_update(
    *,
    salon: Salon,
    points: int,
    send_sms: bool,
    award_on: str,
    sms_text: str | None = None,
) -> ReferralSettings:
    """Save the settings (and, if given, the thank-you text) — all or nothing. ValidationError
    per field: `points` (1 … 1,000,000), `award_on`, `sms_text` (unknown variables, bad syntax,
    empty or too long)."""
    row = ReferralSettings.objects.select_for_update().filter(salon=salon).first()
    row = row or ReferralSettings(salon=salon)
    errors: dict[str, Any] = {}
    if not isinstance(points, int) or isinstance(points, bool) or not 1 <= points <= MAX_POINTS:
        errors["points"] = _("Enter a whole number of points from 1 to %(max)d.") % {
            "max": MAX_POINTS
        }
    if award_on not in ReferralSettings.AwardOn.values:
        errors["award_on"] = _("Choose when the points are credited.")
    if errors:
        raise ValidationError(errors)
    row.points, row.send_sms, row.award_on = points, bool(send_sms), award_on
    validate_row(row)
    row.save()
    if sms_text is not None:
        _thank_you_text_set(salon=salon, text=sms_text)
    return row
