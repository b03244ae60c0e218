"""An Excel export too large to write during a request: written by a Celery task
(reports/jobs/services.py) into a file of its own, downloaded from the job's page.

`token` is the job's only name outside the database (URLs, file name): 43 random URL-safe
characters, so a job cannot be guessed; every lookup is also by salon, so another salon's token
is a 404. The file lives under `REPORTS_EXPORT_DIR` (var/exports by default, not served by the
web server) in a folder per salon, and is deleted when the job expires."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings.models import TenantModel


class ExportJob(TenantModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Being written")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    class Report(models.TextChoices):
        POINTS = "points", _("Loyalty points")
        CLIENTS = "clients", _("Clients")

    token = models.CharField(max_length=64, editable=False)
    report = models.CharField(_("report"), max_length=16, choices=Report.choices)
    file_format = models.CharField(_("format"), max_length=8, default="xlsx")
    # The report's query string, as a dict of lists (QueryDict.lists()): the task parses it
    # with the report's own form, for this salon, as the page did.
    query = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=8, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    filename = models.CharField(_("file name"), max_length=200)
    file_path = models.CharField(max_length=255, blank=True)
    error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("available until"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["salon", "created_at"], name="reports_export_salon_at"),
            models.Index(fields=["status", "expires_at"], name="reports_export_status"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["salon", "token"], name="reports_export_token"),
        ]

    def __str__(self) -> str:
        return f"{self.report} export {self.token[:8]}… ({self.status})"

    def is_expired(self, now: object = None) -> bool:
        now = now or timezone.now()
        return self.expires_at is not None and self.expires_at <= now  # type: ignore[operator]

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
