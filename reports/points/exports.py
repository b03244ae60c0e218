"""The points report as CSV and Excel files: exactly the rows the report shows for the same
filters (in its order), one column per detail, then an empty line and the totals (earned,
spent, net) of the exported rows — summed while they are written, so the totals always match the
rows in the file. Written by `reports/exports.py` (streamed CSV, write-only XLSX)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.http import HttpResponseBase
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bookings.models import Salon
from reports.exports import (
    DEFAULT_CSV_DIALECT,
    XLSX_MAX_ROWS,
    Column,
    ColumnType,
    ExportNeedsJob,
    ExportTooLarge,
    csv_response,
    export_filename,
    xlsx_response,
)
from reports.points.filters import PointsReportFilters
from reports.points.selectors import (
    points_kind_labels,
    points_report_list,
    points_report_row,
    points_report_totals,
)

EXPORT_CHUNK_SIZE = 2000  # rows per fetch of the server-side cursor
# An .xlsx is written whole before its first byte is sent, at tens of thousands of rows a
# second (bench/points_export.py); much beyond this many rows the request would outlast the web
# server's timeout (gunicorn.conf.py, 60 s), so a larger export is written by a Celery task
# (reports/jobs/services.py) and downloaded from the job's page: `ExportNeedsJob`. Setting:
# REPORTS_XLSX_MAX_ROWS. Beyond what one sheet holds, an Excel export is refused
# (`ExportTooLarge`) with a hint to narrow the filters or take the CSV, which streams.
DEFAULT_XLSX_MAX_ROWS = 200_000
FORMATS = ("csv", "xlsx")
TOTALS_LINES = 4  # the empty line and earned / spent / net
POINTS_COLUMN = 4


def points_export_columns() -> list[Column]:
    text, integer = ColumnType.TEXT, ColumnType.INTEGER
    return [
        Column(_("Date"), 18, ColumnType.DATETIME),
        Column(_("Client"), 24, text),
        Column(_("Email"), 28, text),
        Column(_("Kind"), 18, text),
        Column(_("Points"), 10, integer),
        Column(_("Description"), 44, text),
        Column(_("Service"), 22, text),
        Column(_("Staff"), 18, text),
        Column(_("Location"), 18, text),
        Column(_("Gift card"), 20, text),
        Column(_("By"), 26, text),
        Column(_("Balance"), 10, integer),
    ]


def _totals_line(label: str, value: int) -> list[Any]:
    line: list[Any] = [None] * (POINTS_COLUMN + 1)
    line[0], line[POINTS_COLUMN] = label, value
    return line


def points_export_rows(
    *, salon: Salon, filters: PointsReportFilters, language: str | None = None
) -> Iterator[list[Any]]:
    """The file's rows after the header. A CSV is written after the view has returned, so the
    language is set here again for the translated texts (kinds, descriptions)."""
    language = language or translation.get_language()
    tz = salon.tzinfo
    with translation.override(language):
        earned = spent = 0
        kind_labels = points_kind_labels()
        entries = points_report_list(salon=salon, filters=filters)
        for values in entries.iterator(chunk_size=EXPORT_CHUNK_SIZE):
            row = points_report_row(values, tz=tz, kind_labels=kind_labels)
            if row.points > 0:
                earned += row.points
            else:
                spent += row.points
            yield [
                row.created_at,
                row.client_name,
                row.client_email,
                row.kind_label,
                row.points,
                row.description,
                row.service,
                row.staff,
                row.location,
                row.gift_card,
                row.actor,
                row.running_balance,
            ]
        yield []
        yield _totals_line(_("Earned"), earned)
        yield _totals_line(_("Spent"), spent)
        yield _totals_line(_("Net"), earned + spent)


def points_export_filename(
    *, salon: Salon, filters: PointsReportFilters, extension: str, today: dt.date | None = None
) -> str:
    """`alpha-loyalty-points-2026-03-01-2026-03-31.csv`; an open end is "start" / today."""
    today = today or timezone.localdate(timezone=salon.tzinfo)
    start = filters.date_from.isoformat() if filters.date_from else "start"
    end = (filters.date_to or today).isoformat()
    return export_filename(salon.slug, "loyalty-points", start, end, extension=extension)


XLSX_SHEET_MAX_ROWS = XLSX_MAX_ROWS - 1 - TOTALS_LINES  # one sheet, the header and totals


def points_xlsx_max_rows() -> int:
    """The most rows an Excel export writes during the request: the setting, and never more
    than one sheet holds with the header and the totals. More go to a background job."""
    limit = getattr(settings, "REPORTS_XLSX_MAX_ROWS", DEFAULT_XLSX_MAX_ROWS)
    return min(limit, XLSX_SHEET_MAX_ROWS)


def points_xlsx_fits(count: int) -> bool:
    """Whether an Excel file of `count` rows is written during the request."""
    return count <= points_xlsx_max_rows()


def points_xlsx_possible(count: int) -> bool:
    """Whether `count` rows fit one Excel sheet at all (in the request or a background job)."""
    return count <= XLSX_SHEET_MAX_ROWS


def xlsx_too_large_message() -> str:
    return _(
        "An Excel file holds at most %(max)d rows. Narrow the filters (e.g. the dates) or "
        "export CSV."
    ) % {"max": XLSX_SHEET_MAX_ROWS}


def xlsx_background_message(count: int) -> str:
    return _(
        "%(count)d rows: the Excel file is prepared in the background; you get a link to "
        "download it."
    ) % {"count": count}


def points_export_response(
    *,
    salon: Salon,
    filters: PointsReportFilters,
    file_format: str,
    dialect: str = DEFAULT_CSV_DIALECT,
) -> HttpResponseBase:
    """The file for `file_format` ("csv" or "xlsx"; `dialect` is the CSV's, a key of
    `reports.exports.CSV_DIALECTS`). An Excel file of more than `points_xlsx_max_rows()` rows
    raises ExportNeedsJob (the caller starts a background job), of more than one sheet holds
    ExportTooLarge (the CSV has no limit)."""
    columns = points_export_columns()
    filename = points_export_filename(salon=salon, filters=filters, extension=file_format)
    if file_format == "csv":
        rows = points_export_rows(salon=salon, filters=filters)
        return csv_response(
            columns=columns, rows=rows, filename=filename, tz=salon.tzinfo, dialect=dialect
        )
    if file_format != "xlsx":
        raise ValueError(f"Unknown export format {file_format!r}")
    count = points_report_totals(salon=salon, filters=filters).count
    if not points_xlsx_possible(count):
        raise ExportTooLarge(count)
    if not points_xlsx_fits(count):
        raise ExportNeedsJob(count, filename)
    return xlsx_response(
        columns=columns,
        rows=points_export_rows(salon=salon, filters=filters),
        filename=filename,
        tz=salon.tzinfo,
        sheet_title=_("Loyalty points"),
    )


def points_filters_query(filters: PointsReportFilters) -> dict[str, str]:
    """The filters as the report page's query parameters (what a background job keeps and
    parses again with the page's form)."""
    values: dict[str, Any] = {
        "date_from": filters.date_from.isoformat() if filters.date_from else None,
        "date_to": filters.date_to.isoformat() if filters.date_to else None,
        "q": filters.search,
        "client": filters.client.pk if filters.client else None,
        "kind": filters.kind,
        "staff": filters.staff.pk if filters.staff else None,
        "service": filters.service.pk if filters.service else None,
        "location": filters.location.pk if filters.location else None,
        "sort": filters.sort,
    }
    return {name: str(value) for name, value in values.items() if value not in (None, "")}


def points_export_job_rows(
    salon: Salon, query: Any, language: str
) -> tuple[list[Column], Iterator[list[Any]], str]:
    """What a background job writes (reports/jobs/services.py): the query parsed by the page's
    form for this salon, as a request would."""
    from reports.jobs.services import ExportInputError
    from reports.points.forms import PointsReportFilterForm

    form = PointsReportFilterForm(query, salon=salon)
    if not form.is_valid():
        raise ExportInputError(_("The report's filters are no longer valid."))
    filters = form.filters()
    return (
        points_export_columns(),
        points_export_rows(salon=salon, filters=filters, language=language),
        _("Loyalty points"),
    )
