"""Excel exports written by a Celery task (`ExportJob`): for sets too large to write during a
request (more rows than `REPORTS_XLSX_MAX_ROWS`, reports/points/exports.py), up to what one
Excel sheet holds.

1. The page (or the API) calls `export_job_create`: the job row is written with the report's
   query (the same parameters the page's form parses) and the task is published after commit.
2. The task (`reports.tasks.export_job_run`) claims the job with a conditional UPDATE (pending,
   or running but stale: a worker that died), writes the .xlsx with the report's own rows
   (`points_export_rows` / `client_export_rows` into `reports.exports.xlsx_file`, bounded
   memory) to a temporary name next to the final one, and renames it: a half-written file is
   never downloadable. The job is then `done` with its file, row count and expiry
   (`REPORTS_EXPORT_TTL_HOURS`, 24 by default) — or `failed` with a message for the user.
3. The job's page polls (htmx) until it is finished and then offers the download; the API has
   the same status and download endpoints.
4. `export_jobs_sweep` (Celery beat) deletes expired files (and the rows a week later), and
   publishes again jobs whose message was lost (pending for long: a broker outage) or whose
   worker died (running for long).

Files live under `REPORTS_EXPORT_DIR` (`var/exports`), one folder per salon, named by the
job's random token; they are never served by the web server, only by the download view, to
members of the job's salon."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import secrets
import shutil
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bookings.models import Salon
from reports.exports import Column, ExportTooLarge, xlsx_file
from reports.jobs.models import ExportJob
from salonbook.tasks_publish import publish, publish_on_commit

logger = logging.getLogger(__name__)

DEFAULT_TTL_HOURS = 24
# A job still running this long after it started had its worker die (a 1,000,000-row sheet
# takes a few minutes): the sweep hands it to another worker.
STALE_RUNNING = dt.timedelta(minutes=30)
# A job still pending this long had its message lost (the broker was down at the commit).
STALE_PENDING = dt.timedelta(minutes=2)
KEEP_EXPIRED_ROWS = dt.timedelta(days=7)

# report -> a function (salon, query, language) returning (columns, rows, sheet title); it
# raises ExportInputError when the stored query is no longer valid.
ExportBuilder = Callable[[Salon, QueryDict, str], tuple[list[Column], Iterable[Any], str]]


class ExportInputError(Exception):
    """The stored query no longer selects anything valid (e.g. a filtered staff member was
    deleted); the message is for the user."""


def export_dir() -> Path:
    return Path(getattr(settings, "REPORTS_EXPORT_DIR", Path(settings.VAR_DIR) / "exports"))


def export_ttl() -> dt.timedelta:
    return dt.timedelta(hours=int(getattr(settings, "REPORTS_EXPORT_TTL_HOURS", DEFAULT_TTL_HOURS)))


def query_to_json(query: QueryDict | Mapping[str, Any]) -> dict[str, list[str]]:
    """A query string's parameters as JSON ({name: [values]}); `page` dropped."""
    if isinstance(query, QueryDict):
        items = {name: [str(v) for v in values] for name, values in query.lists()}
    else:
        items = {name: [str(value)] for name, value in query.items() if value not in (None, "")}
    items.pop("page", None)
    return items


def query_from_json(data: Mapping[str, list[str]]) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, values in data.items():
        query.setlist(name, [str(value) for value in values])
    return query


def export_job_create(
    *,
    salon: Salon,
    report: str,
    query: QueryDict | Mapping[str, Any],
    filename: str,
    user: Any = None,
    language: str | None = None,
) -> ExportJob:
    """A pending job for the report's .xlsx with this query; its task runs after the commit."""
    if report not in ExportJob.Report.values:
        raise ValueError(f"Unknown report {report!r}")
    with transaction.atomic():
        job = ExportJob.objects.create(
            salon=salon,
            token=secrets.token_urlsafe(32),
            report=report,
            file_format="xlsx",
            query=query_to_json(query),
            language=language or translation.get_language() or settings.LANGUAGE_CODE,
            requested_by=user if getattr(user, "is_authenticated", False) else None,
            filename=filename,
        )
        publish_on_commit(_task(), job.pk)
    return job


def _task() -> Any:
    from reports.tasks import export_job_run

    return export_job_run


def _builders() -> dict[str, ExportBuilder]:
    from reports.clients.exports import client_export_job_rows
    from reports.points.exports import points_export_job_rows

    return {
        ExportJob.Report.POINTS.value: points_export_job_rows,
        ExportJob.Report.CLIENTS.value: client_export_job_rows,
    }


def _claim(job_id: int, now: dt.datetime) -> bool:
    claimable = ExportJob.objects.filter(pk=job_id).filter(
        status=ExportJob.Status.PENDING
    ) | ExportJob.objects.filter(
        pk=job_id, status=ExportJob.Status.RUNNING, started_at__lt=now - STALE_RUNNING
    )
    return bool(claimable.update(status=ExportJob.Status.RUNNING, started_at=now))


def export_job_path(job: ExportJob) -> Path:
    return export_dir() / str(job.salon_id) / f"{job.token}.{job.file_format}"


def export_job_run(*, job_id: int, now: dt.datetime | None = None) -> ExportJob | None:
    """Write the job's file (see the module docstring). None when the job is not there or not
    claimable (done, failed, or running elsewhere)."""
    now = now or timezone.now()
    if not _claim(job_id, now):
        return None
    job = ExportJob.objects.select_related("salon").get(pk=job_id)
    final = export_job_path(job)
    partial = final.with_suffix(".part")
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            build = _builders()[job.report]
            columns, rows, sheet_title = build(job.salon, query_from_json(job.query), job.language)
            counted = _Counted(rows)
            target = xlsx_file(
                columns=columns, rows=counted, tz=job.salon.tzinfo, sheet_title=sheet_title
            )
        final.parent.mkdir(parents=True, exist_ok=True)
        with target, partial.open("wb") as out:
            shutil.copyfileobj(target, out, 1024 * 1024)
        os.replace(partial, final)
    except (ExportInputError, ExportTooLarge) as exc:
        _fail(job, _message(exc))
        return job
    except Exception:
        logger.exception("Export job %s failed", job.pk)
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        _fail(job, _("The file could not be written. Please try again."))
        return job
    finished = timezone.now()
    job.status = ExportJob.Status.DONE
    job.file_path = str(final.relative_to(export_dir()))
    job.row_count = counted.count
    job.finished_at = finished
    job.expires_at = finished + export_ttl()
    job.error = ""
    job.save(
        update_fields=["status", "file_path", "row_count", "finished_at", "expires_at", "error"]
    )
    return job


class _Counted:
    """The rows, counted as the sheet takes them."""

    def __init__(self, rows: Iterable[Any]) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> Any:
        for row in self.rows:
            self.count += 1
            yield row


def _message(exc: Exception) -> str:
    if isinstance(exc, ExportTooLarge):
        return _("These are more rows than one Excel sheet holds. Narrow the filters.")
    return str(exc) or _("The report's filters are no longer valid.")


def _fail(job: ExportJob, message: str) -> None:
    job.status = ExportJob.Status.FAILED
    job.error = message[:255]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])


def export_job_file(job: ExportJob, *, now: dt.datetime | None = None) -> Path | None:
    """The job's file, if it is done, not expired, and still there."""
    if job.status != ExportJob.Status.DONE or not job.file_path or job.is_expired(now):
        return None
    path = export_dir() / job.file_path
    return path if path.is_file() else None


def export_jobs_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete expired files (and, a week later, their rows); publish lost and stalled jobs
    again. Returns what it did, by kind."""
    now = now or timezone.now()
    expired = ExportJob.objects.filter(expires_at__lte=now).exclude(file_path="")
    removed = 0
    for job in expired.only("pk", "file_path").iterator():
        with contextlib.suppress(OSError):
            (export_dir() / job.file_path).unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(file_path="")
        removed += 1
    deleted, _by_model = ExportJob.objects.filter(expires_at__lte=now - KEEP_EXPIRED_ROWS).delete()
    stuck = ExportJob.objects.filter(
        status=ExportJob.Status.PENDING, created_at__lt=now - STALE_PENDING
    ) | ExportJob.objects.filter(
        status=ExportJob.Status.RUNNING, started_at__lt=now - STALE_RUNNING
    )
    republished = 0
    for job_id in stuck.values_list("pk", flat=True)[:100]:
        republished += bool(publish(_task(), job_id))
    return {"files_removed": removed, "jobs_deleted": deleted, "republished": republished}
