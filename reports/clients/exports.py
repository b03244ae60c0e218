"""The client report as CSV and Excel files: every client the report finds for the same search,
in its order (all pages), one column per figure. Written by `reports/exports.py` (streamed CSV,
write-only XLSX), the same way as the points report (reports/points/exports.py)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponseBase
from django.utils.translation import gettext as _

from bookings.models import Client, Salon
from reports.clients.selectors import client_report_chunks, client_report_list
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

EXPORT_CHUNK_SIZE = 2000  # clients per fetch of the server-side cursor (and referrers query)
FORMATS = ("csv", "xlsx")
CENT = Decimal("0.01")


def client_export_columns(*, currency: str) -> list[Column]:
    text, integer = ColumnType.TEXT, ColumnType.INTEGER
    return [
        Column(_("Client"), 24, text),
        Column(_("Email"), 28, text),
        Column(_("Phone"), 16, text),
        Column(_("Visits"), 8, integer),
        Column(_("Last visit"), 12, ColumnType.DATE),
        Column(_("Total spent (%(currency)s)") % {"currency": currency}, 14, ColumnType.DECIMAL),
        Column(_("Points"), 10, integer),
        Column(_("Packages held"), 10, integer),
        Column(_("Packages"), 30, text),
        Column(_("Referred by"), 24, text),
    ]


def client_export_rows(qs: QuerySet[Client], *, salon: Salon) -> Iterator[list[Any]]:
    """The file's rows after the header; the last visit is its day in the salon's time zone."""
    tz = salon.tzinfo
    for row in client_report_chunks(qs, salon=salon, chunk_size=EXPORT_CHUNK_SIZE):
        client = row.client
        last_visit = client.last_visit  # type: ignore[attr-defined]
        yield [
            client.full_name,
            client.email,
            str(client.phone) if client.phone else "",
            client.visits,  # type: ignore[attr-defined]
            last_visit.astimezone(tz).date() if last_visit else None,
            Decimal(client.total_spent).quantize(CENT),  # type: ignore[attr-defined]
            client.points_balance,  # type: ignore[attr-defined]
            client.packages_held,  # type: ignore[attr-defined]
            row.package_names,
            row.referrer.full_name if row.referrer else "",
        ]


def client_xlsx_max_rows() -> int:
    """Clients written to an Excel file during the request (as the points report's limit,
    REPORTS_XLSX_MAX_ROWS); more go to a background job, up to one sheet."""
    from reports.points.exports import DEFAULT_XLSX_MAX_ROWS

    limit = getattr(settings, "REPORTS_XLSX_MAX_ROWS", DEFAULT_XLSX_MAX_ROWS)
    return min(limit, XLSX_MAX_ROWS - 1)


def client_export_filename(*, salon: Salon, search: str, extension: str) -> str:
    return export_filename(salon.slug, "clients", search[:40], extension=extension)


def client_export_response(
    *, salon: Salon, search: str, sort: str, file_format: str, dialect: str = DEFAULT_CSV_DIALECT
) -> HttpResponseBase:
    """The file for `file_format` ("csv" or "xlsx"; `dialect` for the CSV). Raises
    ExportTooLarge when the clients do not fit one Excel sheet, ExportNeedsJob when there are
    more than `client_xlsx_max_rows()` (the CSV has no limit)."""
    columns = client_export_columns(currency=salon.currency)
    filename = client_export_filename(salon=salon, search=search, extension=file_format)
    qs = client_report_list(salon=salon, search=search, sort=sort)
    if file_format == "csv":
        rows = client_export_rows(qs, salon=salon)
        return csv_response(
            columns=columns, rows=rows, filename=filename, tz=salon.tzinfo, dialect=dialect
        )
    if file_format != "xlsx":
        raise ValueError(f"Unknown export format {file_format!r}")
    count = qs.count()
    if count + 1 > XLSX_MAX_ROWS:
        raise ExportTooLarge(XLSX_MAX_ROWS)
    if count > client_xlsx_max_rows():
        raise ExportNeedsJob(count, filename)
    return xlsx_response(
        columns=columns,
        rows=client_export_rows(qs, salon=salon),
        filename=filename,
        tz=salon.tzinfo,
        sheet_title=_("Clients"),
    )


def client_export_job_rows(
    salon: Salon, query: Any, language: str
) -> tuple[list[Column], Iterator[list[Any]], str]:
    """What a background job writes (reports/jobs/services.py): the query parsed by the
    report's form, as a request would."""
    from reports.clients.forms import ClientReportForm
    from reports.jobs.services import ExportInputError

    form = ClientReportForm(query)
    if not form.is_valid():
        raise ExportInputError(_("The report's search is no longer valid."))
    search, sort = form.query()
    qs = client_report_list(salon=salon, search=search, sort=sort)
    return (
        client_export_columns(currency=salon.currency),
        client_export_rows(qs, salon=salon),
        _("Clients"),
    )
