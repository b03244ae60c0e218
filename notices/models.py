"""A salon's own texts for notice kinds, and the record of every notice sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bookings.models import TenantModel
from notices.registry import Channel

EMAIL_SUBJECT_MAX_LENGTH = 200
EMAIL_BODY_MAX_LENGTH = 10_000
# Twilio accepts up to 1600 characters (ten concatenated segments).
SMS_BODY_MAX_LENGTH = 1_600
KIND_MAX_LENGTH = 64


class NoticeTemplate(TenantModel):
    """A salon's text for one kind on one channel in one language; without it the registry
    default, translated into the recipient's language, is used (`notices.renderer`)."""

    kind = models.CharField(_("kind"), max_length=KIND_MAX_LENGTH)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=EMAIL_SUBJECT_MAX_LENGTH, blank=True)
    body = models.TextField(_("text"), max_length=EMAIL_BODY_MAX_LENGTH)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notice template")
        verbose_name_plural = _("notice templates")
        ordering = ("kind", "channel", "language")
        constraints = [
            models.UniqueConstraint(
                fields=["salon", "kind", "channel", "language"],
                name="noticetemplate_unique_salon_kind_channel_language",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.channel}, {self.language})"


class Notice(TenantModel):
    """One email or SMS: rendered when queued, delivered by `notices.tasks.notice_deliver`."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=KIND_MAX_LENGTH)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    # The language it was written in (the recipient's; `notices.renderer.recipient_language`).
    language = models.CharField(_("language"), max_length=8, blank=True)
    client = models.ForeignKey(
        "bookings.Client",
        verbose_name=_("client"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notices",
    )
    subject = models.TextField(_("subject"), blank=True)
    body = models.TextField(_("text"))
    body_html = models.TextField(_("HTML text"), blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    dedupe_key = models.CharField(
        _("deduplication key"),
        max_length=200,
        null=True,
        blank=True,
        help_text=_("A second send with the same key returns this notice instead."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["salon", "-created_at"], name="notice_salon_created"),
            models.Index(fields=["salon", "status", "-created_at"], name="notice_salon_status"),
            # The stale-notice sweep looks across salons at the few unfinished rows only.
            models.Index(
                fields=["status", "created_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="notice_unfinished",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["salon", "dedupe_key"],
                condition=Q(dedupe_key__isnull=False),
                name="notice_unique_salon_dedupe_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient} ({self.status})"
