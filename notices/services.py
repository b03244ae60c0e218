"""Writes of the notices module: salon templates, sending, delivery and its bookkeeping.

Sending is asynchronous and at-least-once: `notice_send` stores a pending `Notice` and enqueues
`notices.tasks.notice_deliver` after the transaction commits; the task claims the row with a
conditional UPDATE (pending → sending), so duplicate deliveries of the task send once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.phonenumber import PhoneNumber
from phonenumber_field.phonenumber import to_python as phone_to_python

from bookings.models import Client, Salon
from languages.sms_segments import sms_text
from notices.backends import notice_transport_send
from notices.models import (
    EMAIL_BODY_MAX_LENGTH,
    EMAIL_SUBJECT_MAX_LENGTH,
    SMS_BODY_MAX_LENGTH,
    Notice,
    NoticeTemplate,
)
from notices.registry import Channel, NoticeKind, kind_get
from notices.renderer import (
    recipient_language,
    render,
    render_html,
    render_subject,
    rendering_in,
    validate_template,
)
from notices.selectors import notice_content_get
from notices.sms import PermanentDeliveryError
from salonbook.tasks_publish import publish_on_commit

logger = logging.getLogger(__name__)

# A notice claimed for sending (`sending`) longer than the lease, or never claimed this long
# after it was queued, was lost (the worker died mid-send, the broker lost the message); the
# beat sweep (every 15 s) puts it back in the queue, so it goes out within a minute. The
# lease (`NOTICE_LEASE_SECONDS`, 45) is longer than one attempt may take (EMAIL_TIMEOUT /
# SMS_TIMEOUT, and the task's hard time limit), so a send still in progress is never claimed
# again. A notice waiting for its retry after a failed attempt (`pending`, claimed before) is
# left to the task's own backoff (at most 10 minutes) for RETRY_STALE_AFTER.
STALE_AFTER = timedelta(seconds=45)  # the default of NOTICE_LEASE_SECONDS
RETRY_STALE_AFTER = timedelta(minutes=15)
# The sweep gives up on a notice after this many attempts in all.
MAX_ATTEMPTS = 12
STALE_BATCH_SIZE = 500
ERROR_MAX_LENGTH = 2000


class NoticeDeliveryError(Exception):
    """A delivery attempt failed and was recorded; the task retries it."""


# --- Templates ----------------------------------------------------------------------------


def _kind_for_input(key: str) -> NoticeKind:
    try:
        return kind_get(key)
    except LookupError:
        raise ValidationError({"kind": _("Unknown notice kind.")}, code="invalid") from None


def _check_channel(channel: str) -> None:
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Unknown channel.")}, code="invalid")


def _text_errors(text: str, *, kind: NoticeKind, max_length: int) -> list[ValidationError]:
    if len(text) > max_length:
        return [
            ValidationError(
                _("Ensure this text has at most %(limit)d characters (it has %(length)d)."),
                code="max_length",
                params={"limit": max_length, "length": len(text)},
            )
        ]
    try:
        validate_template(text, allowed=kind.variable_names)
    except ValidationError as exc:
        return [exc]
    return []


def _check_language(language: str | None, salon: Salon) -> str:
    language = language or salon.default_language
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Unknown language.")}, code="invalid")
    return language


@transaction.atomic
def notice_template_save(
    *,
    salon: Salon,
    kind: str,
    channel: str,
    subject: str,
    body: str,
    language: str | None = None,
) -> NoticeTemplate:
    """Create or replace the salon's text for a kind on a channel in a language (default: the
    salon's default language); clients whose language has no text of the salon's get ours.

    ValidationError (per field) for unknown variables, bad syntax, or texts that are empty,
    too long or (subject) not one line. SMS has no subject; one given is ignored.
    """
    notice_kind = _kind_for_input(kind)
    _check_channel(channel)
    language = _check_language(language, salon)
    is_email = channel == Channel.EMAIL
    subject = subject.strip() if is_email else ""
    body = body.strip()

    errors: dict[str, list[ValidationError]] = {}
    if is_email:
        if not subject:
            errors["subject"] = [ValidationError(_("An email needs a subject."), code="required")]
        elif "\n" in subject or "\r" in subject:
            errors["subject"] = [
                ValidationError(_("The subject must be a single line."), code="invalid")
            ]
        else:
            subject_errors = _text_errors(
                subject, kind=notice_kind, max_length=EMAIL_SUBJECT_MAX_LENGTH
            )
            if subject_errors:
                errors["subject"] = subject_errors
    if not body:
        errors["body"] = [ValidationError(_("The text may not be empty."), code="required")]
    else:
        limit = EMAIL_BODY_MAX_LENGTH if is_email else SMS_BODY_MAX_LENGTH
        body_errors = _text_errors(body, kind=notice_kind, max_length=limit)
        if body_errors:
            errors["body"] = body_errors
    if errors:
        raise ValidationError(errors)

    candidate = NoticeTemplate(
        salon=salon, kind=kind, channel=channel, language=language, subject=subject, body=body
    )
    candidate.full_clean(validate_unique=False, validate_constraints=False)
    template, _created = NoticeTemplate.objects.for_salon(salon).update_or_create(
        salon=salon,
        kind=kind,
        channel=channel,
        language=language,
        defaults={"subject": subject, "body": body},
    )
    return template


@transaction.atomic
def notice_template_reset(
    *, salon: Salon, kind: str, channel: str, language: str | None = None
) -> None:
    """Forget the salon's own text in a language, so our (translated) default is used again."""
    _kind_for_input(kind)
    _check_channel(channel)
    language = _check_language(language, salon)
    NoticeTemplate.objects.for_salon(salon).filter(
        kind=kind, channel=channel, language=language
    ).delete()


# --- Sending ------------------------------------------------------------------------------


def _normalized_recipient(channel: str, recipient: str) -> str:
    recipient = (recipient or "").strip()
    if channel == Channel.EMAIL:
        try:
            validate_email(recipient)
        except ValidationError:
            raise ValidationError(
                {"recipient": _("Enter a valid email address.")}, code="invalid"
            ) from None
        return recipient
    number = phone_to_python(recipient)
    if not isinstance(number, PhoneNumber) or not number.is_valid():
        raise ValidationError(
            {"recipient": _("Enter a valid phone number, e.g. +3725123456.")}, code="invalid"
        )
    return number.as_e164


def _enqueue(notice_id: int) -> None:
    from notices.tasks import notice_deliver

    # A broker outage must not turn a committed request into a 500: publish_on_commit logs it,
    # the notice stays pending and the stale-notice sweep enqueues it again.
    publish_on_commit(notice_deliver, notice_id)


def _render(
    *, salon: Salon, kind: NoticeKind, channel: str, context: Mapping[str, Any], language: str
) -> dict[str, str]:
    """The notice's texts in `language` (`notices.renderer.recipient_language`)."""
    content = notice_content_get(salon=salon, kind=kind, channel=channel, language=language)
    values = {"salon_name": salon.name, **context}
    allowed = kind.variable_names
    with rendering_in(language):
        body = render(content.body, values, allowed=allowed)
        if channel != Channel.EMAIL:
            # Within GSM-7 where the language allows (languages/sms_segments.py).
            return {"subject": "", "body": sms_text(body, language), "body_html": ""}
        subject = render_subject(content.subject, values, allowed=allowed)
        body_html = render_to_string(
            "notices/email/message.html",
            {
                "subject": subject,
                "body_html": render_html(body),
                "salon": salon,
                "language_code": language,
            },
        )
    return {"subject": subject, "body": body, "body_html": body_html}


def notice_send(
    *,
    salon: Salon,
    kind: str,
    channel: str,
    recipient: str,
    context: Mapping[str, Any],
    client: Client | None = None,
    dedupe_key: str | None = None,
    language: str | None = None,
) -> Notice:
    """Render and record a notice, and deliver it in the background after commit.

    Written in `language` if given, else the client's preferred language, else the salon's
    (`notices.renderer.recipient_language`); the language is stored on the notice.

    With a `dedupe_key`, a second call with the same key (in this salon) returns the notice
    of the first call and sends nothing. Marketing kinds need a `client` who opted in
    (invariant 7); prefer `notice_send_to_client` for clients. ValidationError for a bad
    recipient; LookupError for an unregistered kind (a programming error).
    """
    notice_kind = kind_get(kind)
    _check_channel(channel)
    if client is not None and client.salon_id != salon.pk:
        raise ValueError("The client belongs to another salon.")
    if notice_kind.marketing and (client is None or not client.marketing_consent):
        raise ValidationError(
            _("Marketing notices are only sent to clients who agreed to receive them."),
            code="no_marketing_consent",
        )
    address = _normalized_recipient(channel, recipient)
    if dedupe_key:
        existing = Notice.objects.for_salon(salon).filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    language = recipient_language(salon=salon, client=client, language=language)
    rendered = _render(
        salon=salon, kind=notice_kind, channel=channel, context=context, language=language
    )
    notice = Notice(
        salon=salon,
        kind=kind,
        channel=channel,
        recipient=address,
        client=client,
        language=language,
        dedupe_key=dedupe_key or None,
        **rendered,
    )
    over_limit = notice_kind.recipient_limited and not _recipient_allowance_take(
        kind=kind, channel=channel, address=address
    )
    if over_limit:
        # Recorded, not sent: visible in the delivery log, and the owner may retry it.
        notice.status = Notice.Status.FAILED
        notice.last_error = str(
            _("Not sent: more than %(limit)d of these to this recipient within an hour.")
            % {"limit": _recipient_limit()}
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                notice.save()
        except IntegrityError:
            # A concurrent send with the same key won the race.
            if not dedupe_key:
                raise
            return Notice.objects.for_salon(salon).get(dedupe_key=dedupe_key)
        if over_limit:
            logger.warning("Notice %s (%s) not sent: recipient limit reached.", notice.pk, kind)
        else:
            _enqueue(notice.pk)
    return notice


RECIPIENT_WINDOW_SECONDS = 3600


def _recipient_limit() -> int:
    return int(getattr(settings, "NOTICE_MAX_PER_RECIPIENT_PER_HOUR", 5))


def _recipient_allowance_take(*, kind: str, channel: str, address: str) -> bool:
    """Count one notice of `kind` to `address` (all salons together) and say whether it is
    within `NOTICE_MAX_PER_RECIPIENT_PER_HOUR`: anyone can type someone else's address into a
    booking form, and an SMS costs money. Counted in the cache; fails open while it is down."""
    limit = _recipient_limit()
    if limit <= 0:
        return True
    digest = hashlib.sha256(f"{channel}:{address.lower()}".encode()).hexdigest()[:32]
    key = f"notice-recipient:{kind}:{digest}"
    cache.add(key, 0, timeout=RECIPIENT_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=RECIPIENT_WINDOW_SECONDS)
        count = 1
    return count <= limit


def client_notice_channel(client: Client) -> str | None:
    """The client's preferred channel if we have that address, else the other one, else None."""
    addresses = {Channel.EMAIL.value: client.email, Channel.SMS.value: str(client.phone or "")}
    preferred = client.preferred_channel
    other = Channel.SMS.value if preferred == Channel.EMAIL else Channel.EMAIL.value
    for channel in (preferred, other):
        if addresses.get(channel):
            return channel
    return None


def notice_send_to_client(
    *,
    client: Client,
    kind: str,
    context: Mapping[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> Notice | None:
    """Send a notice to a client by their channel preference (invariant 7).

    Marketing kinds: nothing is sent (None) unless the client opted in. Any kind: None when
    the client has neither an email nor a phone. `client` is added to the context.
    """
    notice_kind = kind_get(kind)
    if notice_kind.marketing and not client.marketing_consent:
        return None
    channel = client_notice_channel(client)
    if channel is None:
        return None
    recipient = client.email if channel == Channel.EMAIL else str(client.phone)
    return notice_send(
        salon=client.salon,
        kind=kind,
        channel=channel,
        recipient=recipient,
        context={"client": client, **(context or {})},
        client=client,
        dedupe_key=dedupe_key,
    )


def notice_send_test(*, salon: Salon, channel: str, recipient: str) -> Notice:
    """The dashboard's "send a test to me": the `test` kind, with the salon's own text."""
    _check_channel(channel)
    return notice_send(
        salon=salon,
        kind="test",
        channel=channel,
        recipient=recipient,
        context={"recipient": recipient},
    )


# --- Delivery -----------------------------------------------------------------------------


def notice_claim(*, notice_id: int) -> Notice | None:
    """Take a pending notice for one delivery attempt; None if it is not pending (any more).

    Workers only get ids from our own queue, so this is the one read without a salon filter.
    """
    claimed = Notice.objects.filter(pk=notice_id, status=Notice.Status.PENDING).update(
        status=Notice.Status.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now()
    )
    if not claimed:
        return None
    return Notice.objects.select_related("salon").get(pk=notice_id)


def notice_deliver(*, notice_id: int, last_attempt: bool) -> Notice | None:
    """One delivery attempt. Sent → `sent`; on failure the error is recorded and the notice goes
    back to `pending` (NoticeDeliveryError is raised for the task to retry), or to `failed` if
    this was the last attempt or the failure is permanent. None if the notice was not pending.
    """
    notice = notice_claim(notice_id=notice_id)
    if notice is None:
        return None
    try:
        notice_transport_send(notice)
    except Exception as exc:  # any backend failure is recorded, whatever its type
        final = last_attempt or isinstance(exc, PermanentDeliveryError)
        error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX_LENGTH]
        status = Notice.Status.FAILED if final else Notice.Status.PENDING
        Notice.objects.filter(pk=notice.pk, status=Notice.Status.SENDING).update(
            status=status, last_error=error
        )
        notice.status, notice.last_error = status, error
        logger.warning("Notice %s attempt %s failed: %s", notice.pk, notice.attempts, error)
        if final:
            return notice
        raise NoticeDeliveryError(error) from exc
    now = timezone.now()
    Notice.objects.filter(pk=notice.pk, status=Notice.Status.SENDING).update(
        status=Notice.Status.SENT, sent_at=now, last_error=""
    )
    notice.status, notice.sent_at, notice.last_error = Notice.Status.SENT, now, ""
    return notice


@transaction.atomic
def notice_retry(*, salon: Salon, notice: Notice) -> Notice:
    """Put a failed notice back in the queue (dashboard and admin)."""
    if notice.salon_id != salon.pk:
        raise ValueError("The notice belongs to another salon.")
    updated = (
        Notice.objects.for_salon(salon)
        .filter(pk=notice.pk, status=Notice.Status.FAILED)
        .update(status=Notice.Status.PENDING)
    )
    if not updated:
        raise ValidationError(_("Only failed notices can be retried."), code="not_failed")
    _enqueue(notice.pk)
    notice.refresh_from_db()
    return notice


def notice_lease() -> timedelta:
    """How long a claimed (`sending`) notice is left alone before it counts as lost."""
    return timedelta(seconds=getattr(settings, "NOTICE_LEASE_SECONDS", STALE_AFTER.seconds))


def notices_requeue_stale(
    *, older_than: timedelta | None = None, retry_older_than: timedelta = RETRY_STALE_AFTER
) -> int:
    """Re-enqueue lost notices; returns how many. Lost: `sending` with a claim older than
    `older_than` (the lease), or `pending` and never claimed, queued longer ago than that; and
    `pending` after a failed attempt whose retry has not come for `retry_older_than`.

    A platform-wide sweep (beat), hence no salon filter. Delivery is at-least-once: a notice
    whose worker died after handing it to the provider may be sent twice.
    """
    now = timezone.now()
    cutoff = now - (older_than if older_than is not None else notice_lease())
    retry_cutoff = min(cutoff, now - retry_older_than)
    stale_again = (
        Q(status=Notice.Status.SENDING, claimed_at__lt=cutoff)
        | Q(status=Notice.Status.PENDING, claimed_at__isnull=True, created_at__lt=cutoff)
        | Q(status=Notice.Status.PENDING, claimed_at__lt=retry_cutoff)
    )
    stale = Notice.objects.filter(stale_again)
    ids = list(stale.order_by("pk").values_list("pk", flat=True)[:STALE_BATCH_SIZE])
    if not ids:
        return 0
    with transaction.atomic():
        Notice.objects.filter(pk__in=ids, attempts__gte=MAX_ATTEMPTS).filter(stale_again).filter(
            status__in=[Notice.Status.PENDING, Notice.Status.SENDING]
        ).update(status=Notice.Status.FAILED)
        Notice.objects.filter(pk__in=ids, status=Notice.Status.SENDING).filter(stale_again).update(
            status=Notice.Status.PENDING
        )
        requeued = list(
            Notice.objects.filter(pk__in=ids, status=Notice.Status.PENDING).values_list(
                "pk", flat=True
            )
        )
        for notice_id in requeued:
            _enqueue(notice_id)
    if requeued:
        logger.info("Re-enqueued %d stale notice(s).", len(requeued))
    return len(requeued)
