"""Owner API of the client report: `/api/v1/salons/<salon_slug>/reports/clients/…`.

- `clients/` — the salon's clients matching `search`, in the order of `sort`, in limit/offset
  pages, each with visits, last visit, total spent, points balance, the packages held today and
  who referred them (as the dashboard's report). A client's points history is loyalty's
  `clients/<id>/points/` endpoint.
- `clients/export.csv`, `clients/export.xlsx` — the same clients as a file (all pages); the CSV
  in the dialect of `?dialect=` (default by the salon's language), an Excel file too large for
  a request is a 202 with a background export job (reports/jobs/api.py).

Every member of the salon may read and export (another salon's slug: 404). A bad sort or
dialect is a 400 with messages per field."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from bookings.api.base import SalonApi
from bookings.selectors import MAX_SEARCH_LENGTH
from reports.clients.exports import client_export_response
from reports.clients.selectors import (
    DEFAULT_SORT,
    SORT_COLUMNS,
    client_report_list,
    client_report_rows,
)
from reports.exports import (
    DEFAULT_CSV_DIALECT,
    XLSX_MAX_ROWS,
    ExportNeedsJob,
    ExportTooLarge,
    csv_dialect_choice,
)
from reports.jobs.api import ExportJobSerializer, IgnoreAcceptHeader, export_job_accepted
from reports.jobs.models import ExportJob
from reports.jobs.services import export_job_create
from reports.points.api import PAGE_PARAMETERS, CsvDialectSerializer
from salonbook.pagination import BoundedLimitOffsetPagination

TAGS = ["reports"]
SORT_VALUES = [*SORT_COLUMNS, *(f"-{column}" for column in SORT_COLUMNS)]


class ClientReportQuerySerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_SEARCH_LENGTH,
        help_text=gettext_lazy("Clients whose name, email or phone contain each word."),
    )
    sort = serializers.ChoiceField(
        choices=SORT_VALUES,
        required=False,
        help_text=gettext_lazy(
            "name, visits, last_visit, total_spent, points_balance or packages_held; a minus "
            "sorts descending. Default name."
        ),
    )

    def validate_search(self, value: str) -> str:
        return " ".join(value.replace("\x00", "").split())


class ClientPackageHeldSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    expires_on = serializers.DateField(allow_null=True)


class ClientReportRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="client.pk")
    name = serializers.CharField(source="client.full_name")
    email = serializers.CharField(source="client.email")
    visits = serializers.IntegerField(source="client.visits")
    last_visit = serializers.DateTimeField(
        source="client.last_visit",
        allow_null=True,
        help_text=gettext_lazy("When the latest completed appointment started."),
    )
    total_spent = serializers.DecimalField(
        source="client.total_spent", max_digits=14, decimal_places=2
    )
    points_balance = serializers.IntegerField(source="client.points_balance")
    packages_held = serializers.IntegerField(
        source="client.packages_held",
        help_text=gettext_lazy("Packages in use today: paid, valid, not used up."),
    )
    packages = ClientPackageHeldSerializer(many=True)
    referred_by = serializers.SerializerMethodField()

    def get_referred_by(self, row: Any) -> int | None:
        return row.referrer.pk if row.referrer else None


class ClientReportOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ClientReportRowSerializer(many=True)


def _parse(api: SalonApi, request: Request) -> tuple[str, str]:
    serializer = ClientReportQuerySerializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    return data.get("search", ""), data.get("sort") or DEFAULT_SORT


class ClientReportApi(SalonApi):
    @extend_schema(
        tags=TAGS,
        operation_id="reports_clients_list",
        description=gettext_lazy(
            "The client report: each client with visits, last visit, total spent, points "
            "balance, packages held and who referred them, in limit/offset pages."
        ),
        parameters=[ClientReportQuerySerializer, *PAGE_PARAMETERS],
        responses=ClientReportOutputSerializer,
    )
    def get(self, request: Request, salon_slug: str) -> Response:
        search, sort = _parse(self, request)
        paginator = BoundedLimitOffsetPagination()
        page = paginator.paginate_queryset(
            client_report_list(salon=self.salon, search=search, sort=sort), request, view=self
        )
        rows = client_report_rows(list(page or []), salon=self.salon)
        data = {
            "count": paginator.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "results": rows,
        }
        with timezone.override(self.salon.tzinfo):
            return Response(ClientReportOutputSerializer(data).data)


class _ClientExportApi(SalonApi):
    content_negotiation_class = IgnoreAcceptHeader
    file_format = "csv"

    def get(self, request: Request, salon_slug: str) -> HttpResponseBase:
        search, sort = _parse(self, request)
        dialect = DEFAULT_CSV_DIALECT
        if self.file_format == "csv":
            options = CsvDialectSerializer(data=request.query_params)
            options.is_valid(raise_exception=True)
            dialect = (
                csv_dialect_choice(
                    options.validated_data.get("dialect"), language=self.salon.default_language
                )
                or DEFAULT_CSV_DIALECT
            )
        try:
            return client_export_response(
                salon=self.salon,
                search=search,
                sort=sort,
                file_format=self.file_format,
                dialect=dialect,
            )
        except ExportTooLarge:
            raise serializers.ValidationError(
                {
                    "non_field_errors": [
                        gettext_lazy("More clients than one Excel sheet holds (%(max)d).")
                        % {"max": XLSX_MAX_ROWS - 1}
                    ]
                }
            ) from None
        except ExportNeedsJob as needs_job:
            job = export_job_create(
                salon=self.salon,
                report=ExportJob.Report.CLIENTS,
                query={"q": search, "sort": sort},
                filename=needs_job.filename,
                user=request.user,
            )
            return export_job_accepted(request, job)


EXPORT_DESCRIPTION = gettext_lazy(
    "The clients of the client report for the same search, in its order (all pages)."
)


class ClientReportCsvApi(_ClientExportApi):
    file_format = "csv"

    @extend_schema(
        tags=TAGS,
        operation_id="reports_clients_export_csv",
        description=EXPORT_DESCRIPTION,
        parameters=[ClientReportQuerySerializer, CsvDialectSerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description=gettext_lazy("UTF-8 with a byte order mark; a header row."),
            )
        },
    )
    def get(self, request: Request, salon_slug: str) -> HttpResponseBase:
        return super().get(request, salon_slug)


class ClientReportXlsxApi(_ClientExportApi):
    file_format = "xlsx"

    @extend_schema(
        tags=TAGS,
        operation_id="reports_clients_export_xlsx",
        description=EXPORT_DESCRIPTION,
        parameters=[ClientReportQuerySerializer],
        responses={
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): OpenApiResponse(OpenApiTypes.BINARY),
            (202, "application/json"): ExportJobSerializer,
        },
    )
    def get(self, request: Request, salon_slug: str) -> HttpResponseBase:
        return super().get(request, salon_slug)
