"""Tables as files: CSV and Excel (.xlsx) answers for any report, in bounded memory.

A report describes its table as a list of `Column`s (header, width, type) and an iterator of rows
(one sequence of values per row, in the columns' order), and calls `csv_response` or
`xlsx_response`:

    columns = [Column(_("Date"), 18, ColumnType.DATETIME), Column(_("Points"), 9, INTEGER)]
    rows = ((entry.created_at, entry.points) for entry in queryset.iterator(chunk_size=2000))
    return csv_response(columns=columns, rows=rows, filename="alpha-points.csv", tz=salon.tzinfo)

Values may be None, str, int, Decimal, float, date or datetime (aware datetimes are shown in
`tz`); any other value is written as its str(). A row may be shorter than the columns (an empty
line, a totals line).

- CSV is a `StreamingHttpResponse`: rows are written as the iterator yields them, 64 KB at a
  time, so memory stays flat however many rows (pair it with `QuerySet.iterator()`, a
  server-side cursor on PostgreSQL). UTF-8 with a byte order mark, so Excel opens accents
  correctly; a header row; dates as `YYYY-MM-DD HH:MM:SS` in `tz`. Two dialects
  (`CSV_DIALECTS`): "comma" (`,` between fields, `.` in decimals: what Excel expects in
  English) and "semicolon" (`;` between fields, `,` in decimals: what Excel expects where the
  comma is the decimal separator — Estonian, Danish, Romanian, Finnish, German …). Each
  salon's default follows its language (`default_csv_dialect`); the export menus offer both.
- XLSX is openpyxl's write-only workbook: each row goes to openpyxl's temporary file on disk as
  it is appended, the workbook is then zipped into a `SpooledTemporaryFile` (in memory up to
  `XLSX_SPOOL_BYTES`, on disk beyond) and sent with a `FileResponse`. An .xlsx is a zip whose
  directory comes last, so nothing can be sent before the last row is written: the request
  takes as long as writing the whole file (see bench/points_export.py for the rate). Sets too
  large for a request's time are written by a Celery task to a file of their own and
  downloaded from the job's page (`ExportNeedsJob`, reports/jobs/services.py). A sheet holds at most
  `XLSX_MAX_ROWS` rows (Excel's limit): more raises `ExportTooLarge` — check the count first.
  Dates and times are real Excel dates (naive local time with a number format), numbers are
  numbers, the header is bold and frozen, the columns have their widths.

Formula injection (OWASP "CSV injection"): every text cell of both files that starts with `=`,
`+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so a client named
`=HYPERLINK(…)` stays text in Excel, LibreOffice and Google Sheets. In the .xlsx every text is
also written as a string cell (openpyxl would otherwise store `=…` as a formula and `#N/A` as an
error), and characters XML cannot hold are dropped.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CHUNK_CHARS = 64 * 1024
XLSX_SPOOL_BYTES = 2 * 1024 * 1024
XLSX_MAX_ROWS = 1_048_576  # rows of one Excel sheet, the header included
XLSX_MAX_TEXT = 32_767  # characters of one Excel cell
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
BOM = "\ufeff"


# dialect -> (field delimiter, decimal separator)
CSV_DIALECTS: dict[str, tuple[str, str]] = {"comma": (",", "."), "semicolon": (";", ",")}
DEFAULT_CSV_DIALECT = "comma"
# Languages whose spreadsheets read "1,5" as a number and want ";" between fields.
SEMICOLON_LANGUAGES = frozenset({"et", "da", "ro", "fi", "de"})


def default_csv_dialect(language: str | None) -> str:
    """ "semicolon" for a language that writes decimals with a comma (et, da, ro, fi, de and
    any other whose Django number format says so), else "comma"."""
    if not language:
        return DEFAULT_CSV_DIALECT
    base = language.lower().split("-")[0].split("_")[0]
    if base in SEMICOLON_LANGUAGES:
        return "semicolon"
    from django.utils.formats import get_format

    try:
        separator = get_format("DECIMAL_SEPARATOR", lang=base)
    except Exception:  # noqa: BLE001 - an unknown language: the default
        return DEFAULT_CSV_DIALECT
    return "semicolon" if separator == "," else DEFAULT_CSV_DIALECT


def csv_dialect_choice(value: str | None, *, language: str | None) -> str | None:
    """The CSV dialect a request asks for (`?dialect=comma|semicolon`); not given: the
    default of `language` (the salon's); None when the value is not a dialect."""
    if value in (None, ""):
        return default_csv_dialect(language)
    return value if value in CSV_DIALECTS else None


def csv_dialect_options(language: str | None) -> list[dict[str, Any]]:
    """The export menu's CSV choices, the salon's default first."""
    from django.utils.translation import gettext as _

    labels = {
        "comma": _("CSV, comma separated (1.5)"),
        "semicolon": _("CSV, semicolon separated (1,5)"),
    }
    default = default_csv_dialect(language)
    keys = sorted(CSV_DIALECTS, key=lambda key: key != default)
    return [{"key": key, "label": labels[key], "default": key == default} for key in keys]


def csv_dialect_error() -> str:
    from django.utils.translation import gettext as _

    return _("Unknown CSV format; choose %(choices)s.") % {"choices": ", ".join(CSV_DIALECTS)}


class ColumnType(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATETIME = "datetime"
    DATE = "date"


NUMBER_FORMATS = {
    ColumnType.INTEGER: "0",
    ColumnType.DECIMAL: "0.00",
    ColumnType.DATETIME: DATETIME_FORMAT,
    ColumnType.DATE: DATE_FORMAT,
}


@dataclass(frozen=True)
class Column:
    header: Any  # str or a lazy translation
    width: float = 16  # in characters, as Excel counts column widths
    type: ColumnType = ColumnType.TEXT


class ExportTooLarge(Exception):
    """More rows than one Excel sheet holds."""


class ExportNeedsJob(Exception):
    """More rows than an Excel file written during a request may have: a background job
    writes it (reports/jobs/services.py). Carries the row count and the file's name."""

    def __init__(self, count: int, filename: str) -> None:
        super().__init__(count, filename)
        self.count, self.filename = count, filename


def neutralize_formula(text: str) -> str:
    """`'=SUM(A1)` for `=SUM(A1)`: a spreadsheet shows the text instead of running it."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def export_filename(*parts: Any, extension: str) -> str:
    """`alpha-loyalty-points-2026-03-01-2026-03-31.csv`: the parts slugified, empty ones left
    out (only ASCII letters, digits and dashes reach the Content-Disposition header)."""
    words = [slugify(str(part)) for part in parts]
    return "-".join(word for word in words if word) + "." + extension


def _local(value: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """A naive datetime of the wall clock in `tz`, to the second (Excel has no time zones, and
    both files show seconds at most)."""
    if value.tzinfo is not None:
        value = value.astimezone(tz)
    return value.replace(tzinfo=None, microsecond=0)


# --- CSV ------------------------------------------------------------------------------------


def _csv_value(value: Any, tz: dt.tzinfo, decimal_separator: str = ".") -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralize_formula(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal | float):
        return value if decimal_separator == "." else str(value).replace(".", decimal_separator)
    if isinstance(value, dt.datetime):
        return _local(value, tz).isoformat(" ", "seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralize_formula(str(value))


def csv_chunks(
    *,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    tz: dt.tzinfo,
    dialect: str = DEFAULT_CSV_DIALECT,
) -> Iterator[bytes]:
    """The file's bytes: BOM and header, then the rows, about CSV_CHUNK_CHARS at a time.
    `dialect` is a key of CSV_DIALECTS."""
    delimiter, decimal_separator = CSV_DIALECTS[dialect]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    buffer.write(BOM)
    writer.writerow([neutralize_formula(str(column.header)) for column in columns])
    for row in rows:
        writer.writerow([_csv_value(value, tz, decimal_separator) for value in row])
        if buffer.tell() >= CSV_CHUNK_CHARS:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def csv_response(
    *,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    filename: str,
    tz: dt.tzinfo,
    dialect: str = DEFAULT_CSV_DIALECT,
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_chunks(columns=columns, rows=rows, tz=tz, dialect=dialect),
        content_type=CSV_CONTENT_TYPE,
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- XLSX -----------------------------------------------------------------------------------


def _xlsx_text(value: str) -> str:
    return neutralize_formula(ILLEGAL_CHARACTERS_RE.sub("", value)[:XLSX_MAX_TEXT])


class _XlsxCells:
    """Turns values into what a write-only sheet appends: plain values where openpyxl infers
    the right type, cells where a format or a forced type is needed."""

    def __init__(self, sheet: Any, tz: dt.tzinfo) -> None:
        self.sheet = sheet
        self.tz = tz

    def text(self, value: str) -> Any:
        text = _xlsx_text(value)
        if text in ERROR_CODES:  # "#N/A" would become an error cell
            cell = WriteOnlyCell(self.sheet, value=text)
            cell.data_type = "s"
            return cell
        return text  # openpyxl stores a str not starting with "=" as a string cell

    def formatted(self, value: Any, number_format: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value=value)
        cell.number_format = number_format
        return cell

    def value(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int | Decimal | float):
            return value
        if isinstance(value, dt.datetime):
            return self.formatted(_local(value, self.tz), DATETIME_FORMAT)
        if isinstance(value, dt.date):
            return self.formatted(value, DATE_FORMAT)
        return self.text(str(value))

    def header(self, column: Column) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value=_xlsx_text(str(column.header)))
        cell.data_type = "s"
        cell.font = Font(bold=True)
        return cell


def xlsx_file(
    *,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    tz: dt.tzinfo,
    sheet_title: str = "Sheet1",
) -> Any:
    """The workbook in a temporary file (rewound; closing it deletes it)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=ILLEGAL_CHARACTERS_RE.sub("", sheet_title)[:31] or "Sheet1")
    # Widths, formats and the frozen header must be set before the first row is written.
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    cells = _XlsxCells(sheet, tz)
    target = tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES)  # noqa: SIM115
    try:
        sheet.append([cells.header(column) for column in columns])
        written = 1
        for row in rows:
            written += 1
            if written > XLSX_MAX_ROWS:
                raise ExportTooLarge(XLSX_MAX_ROWS)
            sheet.append([cells.value(value) for value in row])
        workbook.save(target)
    except BaseException:
        target.close()
        _discard_sheet_files(workbook)
        raise
    target.seek(0)
    return target


def _discard_sheet_files(workbook: Workbook) -> None:
    # openpyxl keeps each write-only sheet in a temporary file until the workbook is saved;
    # after a failure nobody saves it, so close and remove them now rather than at exit.
    for sheet in workbook.worksheets:
        writer = getattr(sheet, "_writer", None)
        if writer is None:
            continue
        with contextlib.suppress(Exception):
            sheet.close()
        with contextlib.suppress(OSError, ValueError):
            writer.cleanup()


def xlsx_response(
    *,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    filename: str,
    tz: dt.tzinfo,
    sheet_title: str = "Sheet1",
) -> FileResponse:
    target = xlsx_file(columns=columns, rows=rows, tz=tz, sheet_title=sheet_title)
    response = FileResponse(
        target, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
    response.block_size = 64 * 1024
    return response
