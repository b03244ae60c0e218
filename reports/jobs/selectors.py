"""Reads of the background exports: always by salon (another salon's token is a 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from bookings.models import Salon
from reports.jobs.models import ExportJob

MAX_TOKEN_LENGTH = 64
RECENT_JOBS = 5


def export_job_get(*, salon: Salon, token: str) -> ExportJob:
    """The salon's job with this token, else 404."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise Http404("No such export.")
    job = ExportJob.objects.for_salon(salon).filter(token=token).first()
    if job is None:
        raise Http404("No such export.")
    return job


def recent_export_jobs(*, salon: Salon, user: Any, limit: int = RECENT_JOBS) -> list[ExportJob]:
    """The member's latest exports of this salon (one query)."""
    if not getattr(user, "is_authenticated", False):
        return []
    qs: QuerySet[ExportJob] = ExportJob.objects.for_salon(salon).filter(requested_by=user)
    return list(qs.order_by("-created_at", "-id")[:limit])
