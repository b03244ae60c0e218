"""The page of a background Excel export (`dashboard:report_export_job`) and its download
(`dashboard:report_export_job_download`). Every member of the salon may see and download the
salon's exports (as they may export); a token of another salon, or none, is a 404. The page
polls itself (htmx, every two seconds) until the file is ready or the job failed."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import patch_vary_headers
from django.views import View
from django.views.generic import TemplateView

from bookings.dashboard.mixins import SalonViewMixin
from reports.exports import XLSX_CONTENT_TYPE
from reports.jobs.models import ExportJob
from reports.jobs.selectors import export_job_get, recent_export_jobs
from reports.jobs.services import export_job_file

POLL_SECONDS = 2


def _is_htmx_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


class ExportJobView(SalonViewMixin, TemplateView):
    manage_required = False
    template_name = "reports/jobs/job.html"
    partial_template_name = "reports/jobs/_job.html"

    def get_template_names(self) -> list[str]:
        return [
            self.partial_template_name if _is_htmx_partial(self.request) else self.template_name
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        job = export_job_get(salon=self.salon, token=self.kwargs["token"])
        context.update(
            {
                "job": job,
                "expired": job.is_expired(),
                "poll_seconds": POLL_SECONDS,
                "recent_jobs": [
                    other
                    for other in recent_export_jobs(salon=self.salon, user=self.request.user)
                    if other.pk != job.pk
                ],
            }
        )
        return context

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        patch_vary_headers(response, ["HX-Request"])
        response["Cache-Control"] = "no-store"
        return response


class ExportJobDownloadView(SalonViewMixin, View):
    manage_required = False

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        job = export_job_get(salon=self.salon, token=kwargs["token"])
        return export_job_download_response(job)


def export_job_download_response(job: ExportJob) -> FileResponse:
    """The job's file; 404 when it is not ready, expired or gone."""
    path = export_job_file(job)
    if path is None:
        raise Http404("The file is not available.")
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=XLSX_CONTENT_TYPE,
    )
    response.block_size = 64 * 1024
    response["Cache-Control"] = "private, no-store"
    return response
