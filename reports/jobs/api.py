"""Owner API of background Excel exports: `/api/v1/salons/<salon_slug>/reports/exports/<token>/`
(the job: status, rows, expiry, download link) and `…/<token>/download` (the file, once done).
An export endpoint that starts a job answers 202 with the job (`export_job_accepted`). Every
member of the salon may read them; another salon's token is a 404, like an unknown one."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response

from bookings.api.base import SalonApi
from reports.jobs.models import ExportJob
from reports.jobs.selectors import export_job_get
from reports.jobs.views import export_job_download_response

TAGS = ["reports"]


class IgnoreAcceptHeader(BaseContentNegotiation):
    """A file endpoint answers its file whatever `Accept` says (errors in JSON)."""

    def select_parser(self, request: Request, parsers: list[Any]) -> Any:
        return parsers[0]

    def select_renderer(
        self, request: Request, renderers: list[Any], format_suffix: Any = None
    ) -> tuple[Any, str]:
        return renderers[0], renderers[0].media_type


class ExportJobSerializer(serializers.Serializer):
    id = serializers.CharField(source="token", help_text=gettext_lazy("The job's token."))
    report = serializers.CharField(help_text=gettext_lazy("points or clients."))
    # Plain strings, not enums: no schema component named after a common word.
    status = serializers.CharField(help_text=gettext_lazy("pending, running, done or failed."))
    filename = serializers.CharField()
    row_count = serializers.IntegerField(allow_null=True)
    error = serializers.CharField(help_text=gettext_lazy("Why it failed; empty otherwise."))
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(
        allow_null=True, help_text=gettext_lazy("The file is deleted at this time.")
    )
    expired = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text=gettext_lazy("This job (poll it)."))
    download_url = serializers.SerializerMethodField(
        help_text=gettext_lazy("The file, once the job is done (null before and after expiry).")
    )

    def get_expired(self, job: ExportJob) -> bool:
        return job.is_expired()

    def _url(self, job: ExportJob, name: str) -> str:
        path = reverse(
            f"reports-api:{name}", kwargs={"salon_slug": job.salon.slug, "token": job.token}
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_url(self, job: ExportJob) -> str:
        return self._url(job, "export-job")

    def get_download_url(self, job: ExportJob) -> str | None:
        if job.status != ExportJob.Status.DONE or job.is_expired():
            return None
        return self._url(job, "export-job-download")


def export_job_data(request: Request, job: ExportJob) -> dict[str, Any]:
    with timezone.override(job.salon.tzinfo):
        return ExportJobSerializer(job, context={"request": request}).data  # type: ignore[return-value]


def export_job_accepted(request: Request, job: ExportJob) -> Response:
    data = export_job_data(request, job)
    return Response(data, status=202, headers={"Location": data["url"]})


class ExportJobApi(SalonApi):
    @extend_schema(
        tags=TAGS,
        operation_id="reports_export_job_retrieve",
        description=gettext_lazy("A background Excel export: its status and download link."),
        responses=ExportJobSerializer,
    )
    def get(self, request: Request, salon_slug: str, token: str) -> Response:
        job = export_job_get(salon=self.salon, token=token)
        return Response(export_job_data(request, job))


class ExportJobDownloadApi(SalonApi):
    content_negotiation_class = IgnoreAcceptHeader

    @extend_schema(
        tags=TAGS,
        operation_id="reports_export_job_download",
        description=gettext_lazy("The file of a finished export (404 before and after expiry)."),
        responses={
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): OpenApiResponse(OpenApiTypes.BINARY)
        },
    )
    def get(self, request: Request, salon_slug: str, token: str) -> HttpResponseBase:
        job = export_job_get(salon=self.salon, token=token)
        return export_job_download_response(job)
