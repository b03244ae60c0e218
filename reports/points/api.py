"""Owner API of the loyalty points report: `/api/v1/salons/<salon_slug>/reports/points/…`.

- `points/` — the ledger rows matching the filters (query parameters, as on the dashboard
  page), each with the client's running balance, in limit/offset pages, with the totals of all
  matching rows.
- `points/export.csv`, `points/export.xlsx` — the same rows as a file (reports/points/exports.py);
  the CSV in the dialect of `?dialect=` (default by the salon's language); an Excel file too
  large for a request is a 202 with a background export job (reports/jobs/api.py).

Every member of the salon may read and export (IsSalonMember: anyone else gets 404). A bad
filter is a 400 with messages per field; an empty parameter (`kind=`) counts as not given.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseBase
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from bookings.api.base import SalonApi, SalonPrimaryKeyRelatedField
from bookings.models import Client, Location, Service, StaffMember
from loyalty.models import PointsEntry
from reports.exports import (
    CSV_DIALECTS,
    DEFAULT_CSV_DIALECT,
    ExportNeedsJob,
    ExportTooLarge,
    csv_dialect_choice,
    csv_dialect_error,
)
from reports.jobs.api import ExportJobSerializer, IgnoreAcceptHeader, export_job_accepted
from reports.jobs.models import ExportJob
from reports.jobs.services import export_job_create
from reports.points.exports import (
    points_export_response,
    points_filters_query,
    xlsx_too_large_message,
)
from reports.points.filters import (
    DEFAULT_SORT,
    MAX_SEARCH_LENGTH,
    SORT_VALUES,
    PointsReportFilters,
    clean_search,
    date_range_errors,
)
from reports.points.selectors import PointsReportRows, points_report_totals
from salonbook.pagination import BoundedLimitOffsetPagination

TAGS = ["reports"]
KIND_VALUES = format_lazy(
    gettext_lazy("One of: {values}."), values=", ".join(PointsEntry.Kind.values)
)


class PointsReportFilterSerializer(serializers.Serializer):
    date_from = serializers.DateField(
        required=False, help_text=gettext_lazy("First day, in the salon's time zone.")
    )
    date_to = serializers.DateField(
        required=False, help_text=gettext_lazy("Last day (included), in the salon's time zone.")
    )
    client = SalonPrimaryKeyRelatedField(
        queryset=Client.objects.all(), required=False, help_text=gettext_lazy("One client.")
    )
    search = serializers.CharField(
        required=False,
        max_length=MAX_SEARCH_LENGTH,
        help_text=gettext_lazy("Clients whose name, email or phone contain each word."),
    )
    kind = serializers.ChoiceField(choices=PointsEntry.Kind.choices, required=False)
    staff = SalonPrimaryKeyRelatedField(
        queryset=StaffMember.objects.all(),
        required=False,
        help_text=gettext_lazy("Rows of visits with this staff member."),
    )
    service = SalonPrimaryKeyRelatedField(
        queryset=Service.objects.all(),
        required=False,
        help_text=gettext_lazy("Rows of visits for this service."),
    )
    location = SalonPrimaryKeyRelatedField(
        queryset=Location.objects.all(),
        required=False,
        help_text=gettext_lazy("Rows of visits at this location."),
    )
    sort = serializers.ChoiceField(
        choices=SORT_VALUES,
        required=False,
        help_text=gettext_lazy("date, client or points; a minus sorts descending. Default -date."),
    )

    def to_internal_value(self, data: Any) -> Any:
        # An empty parameter is an unset filter, as a submitted HTML form sends it.
        given = {name: data.get(name) for name in self.fields if data.get(name) not in (None, "")}
        return super().to_internal_value(given)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors = date_range_errors(attrs.get("date_from"), attrs.get("date_to"))
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def filters(self) -> PointsReportFilters:
        data = self.validated_data
        return PointsReportFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            client=data.get("client"),
            search=clean_search(data.get("search")),
            kind=data.get("kind", ""),
            staff=data.get("staff"),
            service=data.get("service"),
            location=data.get("location"),
            sort=data.get("sort") or DEFAULT_SORT,
        )


class PointsReportRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField(
        help_text=gettext_lazy("When the row was written, with the salon's UTC offset.")
    )
    client = serializers.IntegerField(source="client_id")
    client_name = serializers.CharField()
    client_email = serializers.CharField()
    # A string, not an enum: an enum of these values already has a component of its own
    # (loyalty's ledger), and a second one named `kind` is a schema naming collision.
    kind = serializers.CharField(help_text=KIND_VALUES)
    points = serializers.IntegerField(
        help_text=gettext_lazy("Positive: credited; negative: taken.")
    )
    description = serializers.CharField(help_text=gettext_lazy("What the client reads."))
    appointment = serializers.IntegerField(source="appointment_id", allow_null=True)
    service = serializers.CharField(help_text=gettext_lazy("The visit's service, if any."))
    staff = serializers.CharField(help_text=gettext_lazy("The visit's staff member, if any."))
    location = serializers.CharField(help_text=gettext_lazy("The visit's location, if any."))
    gift_card = serializers.IntegerField(source="gift_card_id", allow_null=True)
    gift_card_name = serializers.CharField(source="gift_card")
    actor_email = serializers.CharField(
        source="actor", help_text=gettext_lazy("Who wrote the row by hand; empty for the system.")
    )
    running_balance = serializers.IntegerField(
        help_text=gettext_lazy("The client's balance after this row (over their whole ledger).")
    )


class PointsTotalsSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=gettext_lazy("Matching rows."))
    earned = serializers.IntegerField(help_text=gettext_lazy("Sum of the positive rows."))
    spent = serializers.IntegerField(help_text=gettext_lazy("Sum of the negative rows (≤ 0)."))
    net = serializers.IntegerField(help_text=gettext_lazy("earned + spent."))


class PointsReportOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=gettext_lazy("Matching rows in all."))
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    totals = PointsTotalsSerializer()
    results = PointsReportRowSerializer(many=True)


PAGE_PARAMETERS = [
    OpenApiParameter("limit", int, description=gettext_lazy("Rows per page (at most 200).")),
    OpenApiParameter("offset", int, description=gettext_lazy("Rows to skip.")),
]


class _RowsPagination(BoundedLimitOffsetPagination):
    """Limit/offset pages of `PointsReportRows`, whose length is the totals' count."""

    def get_count(self, queryset: Any) -> int:
        return len(queryset)


def _parse_filters(api: SalonApi, request: Request) -> PointsReportFilters:
    serializer = PointsReportFilterSerializer(
        data=request.query_params, context=api.serializer_context()
    )
    serializer.is_valid(raise_exception=True)
    return serializer.filters()


class PointsReportApi(SalonApi):
    @extend_schema(
        tags=TAGS,
        operation_id="reports_points_list",
        description=gettext_lazy(
            "The loyalty points ledger rows matching the filters, each with the client's "
            "running balance, in limit/offset pages, and the totals of every matching row."
        ),
        parameters=[PointsReportFilterSerializer, *PAGE_PARAMETERS],
        responses=PointsReportOutputSerializer,
    )
    def get(self, request: Request, salon_slug: str) -> Response:
        filters = _parse_filters(self, request)
        totals = points_report_totals(salon=self.salon, filters=filters)
        paginator = _RowsPagination()
        rows = paginator.paginate_queryset(
            PointsReportRows(salon=self.salon, filters=filters, count=totals.count),
            request,
            view=self,
        )
        totals_data = {
            "count": totals.count,
            "earned": totals.earned,
            "spent": totals.spent,
            "net": totals.net,
        }
        data = {
            "count": totals.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "totals": totals_data,
            "results": rows or [],
        }
        with timezone.override(self.salon.tzinfo):  # times with the salon's UTC offset
            return Response(PointsReportOutputSerializer(data).data)


class CsvDialectSerializer(serializers.Serializer):
    # A string with a fixed set of values, not an enum (no schema component of its own).
    dialect = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=gettext_lazy(
            "comma: `,` between fields, `.` in decimals; semicolon: `;` between fields, `,` in "
            "decimals (Excel in Estonian, Danish, Romanian, Finnish, German). Default: by the "
            "salon's language."
        ),
    )

    def validate_dialect(self, value: str) -> str:
        if value and value not in CSV_DIALECTS:
            raise serializers.ValidationError(csv_dialect_error())
        return value


class _PointsExportApi(SalonApi):
    content_negotiation_class = IgnoreAcceptHeader
    file_format = "csv"

    def get(self, request: Request, salon_slug: str) -> HttpResponseBase:
        filters = _parse_filters(self, request)
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
            return points_export_response(
                salon=self.salon, filters=filters, file_format=self.file_format, dialect=dialect
            )
        except ExportTooLarge:
            raise serializers.ValidationError(
                {"non_field_errors": [xlsx_too_large_message()]}
            ) from None
        except ExportNeedsJob as needs_job:
            job = export_job_create(
                salon=self.salon,
                report=ExportJob.Report.POINTS,
                query=points_filters_query(filters),
                filename=needs_job.filename,
                user=request.user,
            )
            return export_job_accepted(request, job)


EXPORT_DESCRIPTION = gettext_lazy(
    "The rows of the points report for the same filters, in its order, then an empty line and "
    "the totals (earned, spent, net). Dates in the salon's time zone."
)


class PointsReportCsvApi(_PointsExportApi):
    file_format = "csv"

    @extend_schema(
        tags=TAGS,
        operation_id="reports_points_export_csv",
        description=EXPORT_DESCRIPTION,
        parameters=[PointsReportFilterSerializer, CsvDialectSerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description=gettext_lazy("UTF-8 with a byte order mark; a header row."),
            )
        },
    )
    def get(self, request: Request, salon_slug: str) -> HttpResponseBase:
        return super().get(request, salon_slug)


class PointsReportXlsxApi(_PointsExportApi):
    file_format = "xlsx"

    @extend_schema(
        tags=TAGS,
        operation_id="reports_points_export_xlsx",
        description=format_lazy(
            "{} {}",
            EXPORT_DESCRIPTION,
            gettext_lazy(
                "More rows than the salon's limit for a direct download are written in the "
                "background: the answer is then 202 with the export job (poll its `url`, "
                "download from `download_url` when `status` is done)."
            ),
        ),
        parameters=[PointsReportFilterSerializer],
        responses={
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): OpenApiResponse(
                OpenApiTypes.BINARY,
                description=gettext_lazy("One sheet: a header row, dates as Excel dates."),
            ),
            (202, "application/json"): ExportJobSerializer,
        },
    )
    def get(self, request: Request, salon_slug: str) -> HttpResponseBase:
        return super().get(request, salon_slug)
