"""Hand a rendered notice to its channel's backend: Django's email backend (`EMAIL_BACKEND`)
or the SMS backend (`SMS_BACKEND`, see `notices.sms`). Raises whatever the backend raises."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from notices.models import Notice
from notices.registry import Channel
from notices.sms import SmsMessage, get_sms_backend


def notice_transport_send(notice: Notice) -> None:
    if notice.channel == Channel.EMAIL:
        _send_email(notice)
    elif notice.channel == Channel.SMS:
        get_sms_backend().send(SmsMessage(to=notice.recipient, body=notice.body))
    else:
        raise ValueError(f"Unknown channel {notice.channel!r}.")


def _send_email(notice: Notice) -> None:
    reply_to = [notice.salon.email] if notice.salon.email else []
    message = EmailMultiAlternatives(
        subject=notice.subject,
        body=notice.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notice.recipient],
        reply_to=reply_to,
        headers={"X-SalonBook-Notice": str(notice.pk)},
    )
    if notice.body_html:
        message.attach_alternative(notice.body_html, "text/html")
    message.send(fail_silently=False)
