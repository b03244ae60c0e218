"""The client report as CSV and Excel files: every client the report finds for the same search,
in its order (all pages), one column per figure. Written by `reports/exports.py` (streamed CSV,
write-only XLSX), the same way as the points report (reports/points/exports.py)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponseBase
from django.utils.translation import gettext as _

from bookings.models import Client, Salon
from reports.clients.selectors import client_report_chunks, client_report_list
from reports.exports import (
    XLSX_MAX_ROWS,
    Column,
    ColumnType,
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
        Column(_("Referred by"), 24, text),
    ]


def client_export_rows(qs: QuerySet[Client], *, salon: Salon) -> Iterator[list[Any]]:
    """The file's rows after the header; the last visit is its day in the salon's time zone."""
    tz = salon.tzinfo
    for client, referrer in client_report_chunks(qs, salon=salon, chunk_size=EXPORT_CHUNK_SIZE):
        last_visit = client.last_visit  # type: ignore[attr-defined]
        yield [
            client.full_name,
            client.email,
            str(client.phone) if client.phone else "",
            client.visits,  # type: ignore[attr-defined]
            last_visit.astimezone(tz).date() if last_visit else None,
            Decimal(client.total_spent).quantize(CENT),  # type: ignore[attr-defined]
            client.points_balance,  # type: ignore[attr-defined]
            referrer.full_name if referrer else "",
        ]


def client_export_response(
    *, salon: Salon, search: str, sort: str, file_format: str
) -> HttpResponseBase:
    """The file for `file_format` ("csv" or "xlsx"). Raises ExportTooLarge when the clients do
    not fit one Excel sheet (the CSV has no limit)."""
    columns = client_export_columns(currency=salon.currency)
    filename = export_filename(salon.slug, "clients", search[:40], extension=file_format)
    qs = client_report_list(salon=salon, search=search, sort=sort)
    if file_format == "csv":
        rows = client_export_rows(qs, salon=salon)
        return csv_response(columns=columns, rows=rows, filename=filename, tz=salon.tzinfo)
    if file_format != "xlsx":
        raise ValueError(f"Unknown export format {file_format!r}")
    if qs.count() + 1 > XLSX_MAX_ROWS:
        raise ExportTooLarge(XLSX_MAX_ROWS)
    return xlsx_response(
        columns=columns,
        rows=client_export_rows(qs, salon=salon),
        filename=filename,
        tz=salon.tzinfo,
        sheet_title=_("Clients"),
    )
