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
    XLSX_MAX_ROWS,
    Column,
    ColumnType,
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
# An .xlsx is written whole before its first byte is sent, at about 5,000 rows a second
# (bench/points_export.py); much beyond this many rows the request would outlast the web
# server's timeout (gunicorn.conf.py, 60 s), so such an export is refused with a hint to narrow
# the filters or take the CSV, which streams. Settings: REPORTS_XLSX_MAX_ROWS. The way past it
# is a Celery task that writes the same file (`points_export_rows` + `reports.exports.xlsx_file`)
# to storage and sends a download link; not built yet.
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


def points_xlsx_max_rows() -> int:
    """The most rows an Excel export makes: the setting, and never more than one sheet holds
    with the header and the totals."""
    limit = getattr(settings, "REPORTS_XLSX_MAX_ROWS", DEFAULT_XLSX_MAX_ROWS)
    return min(limit, XLSX_MAX_ROWS - 1 - TOTALS_LINES)


def points_xlsx_fits(count: int) -> bool:
    return count <= points_xlsx_max_rows()


def xlsx_too_large_message() -> str:
    return _(
        "An Excel file holds at most %(max)d rows here. Narrow the filters (e.g. the dates) or "
        "export CSV."
    ) % {"max": points_xlsx_max_rows()}


def points_export_response(
    *, salon: Salon, filters: PointsReportFilters, file_format: str
) -> HttpResponseBase:
    """The file for `file_format` ("csv" or "xlsx"). Raises ExportTooLarge for an Excel file of
    more than `points_xlsx_max_rows()` rows (the CSV has no limit)."""
    columns = points_export_columns()
    filename = points_export_filename(salon=salon, filters=filters, extension=file_format)
    if file_format == "csv":
        rows = points_export_rows(salon=salon, filters=filters)
        return csv_response(columns=columns, rows=rows, filename=filename, tz=salon.tzinfo)
    if file_format != "xlsx":
        raise ValueError(f"Unknown export format {file_format!r}")
    count = points_report_totals(salon=salon, filters=filters).count
    if not points_xlsx_fits(count):
        raise ExportTooLarge(count)
    return xlsx_response(
        columns=columns,
        rows=points_export_rows(salon=salon, filters=filters),
        filename=filename,
        tz=salon.tzinfo,
        sheet_title=_("Loyalty points"),
    )
