"""CSV and Excel exports: the generic writers of reports/exports.py, and the points report's
files read back (openpyxl, csv) against what the page shows. The ledger is described in
reports/tests/points_data.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from bookings.models import Salon
from loyalty.models import PointsEntry
from reports import exports
from reports.exports import Column, ColumnType, ExportTooLarge, neutralize_formula
from reports.points.exports import points_export_filename
from reports.points.filters import PointsReportFilters
from reports.tests.points_data import MARCH, add_row, build_ledger, local
from tests.factories import ClientFactory, MembershipFactory, UserFactory

TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")
HEADER = [
    "Date",
    "Client",
    "Email",
    "Kind",
    "Points",
    "Description",
    "Service",
    "Staff",
    "Location",
    "Gift card",
    "By",
    "Balance",
]
DANGEROUS = ['=HYPERLINK("http://x","y")', "+1 555", "@SUM(A1)", "-2+3", "\tTAB", "\rCR"]


@pytest.fixture
def world(salon, other_salon, owner) -> dict[str, Any]:
    return build_ledger(salon, other_salon, actor=owner)


@pytest.fixture
def staff_http(staff_user) -> HttpClient:
    http = HttpClient()
    http.force_login(staff_user)
    return http


def export_url(salon: Any, extension: str) -> str:
    return reverse(
        f"dashboard:reports_points_export_{extension}", kwargs={"salon_slug": salon.slug}
    )


def read_csv(response: Any) -> list[list[str]]:
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark, for Excel
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def read_xlsx(response: Any) -> Any:
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


# --- The generic writers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1 555", "'+1 555"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Kati", "Kati"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralize_formula(text, expected):
    assert neutralize_formula(text) == expected


COLUMNS = [
    Column("When", 20, ColumnType.DATETIME),
    Column("Name", 30, ColumnType.TEXT),
    Column("Count", 8, ColumnType.INTEGER),
    Column("Amount", 10, ColumnType.DECIMAL),
    Column("Day", 12, ColumnType.DATE),
]
AT = dt.datetime(2026, 7, 1, 9, 15, 30, tzinfo=dt.UTC)  # 12:15:30 in Tallinn (summer)


def sample_rows() -> list[list[Any]]:
    return [
        [AT, name, 1, Decimal("2.50"), dt.date(2026, 7, 1)] for name in [*DANGEROUS, "Õie Äär"]
    ] + [[], ["Total", None, 6]]


def test_csv_has_a_bom_a_header_local_times_and_neutralised_text():
    # when
    response = exports.csv_response(
        columns=COLUMNS, rows=sample_rows(), filename="x.csv", tz=TALLINN
    )

    # then
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    rows = read_csv(response)
    assert rows[0] == ["When", "Name", "Count", "Amount", "Day"]
    assert rows[1] == [
        "2026-07-01 12:15:30",
        '\'=HYPERLINK("http://x","y")',
        "1",
        "2.50",
        "2026-07-01",
    ]
    assert [row[1] for row in rows[1:7]] == [f"'{text}" for text in DANGEROUS]
    assert rows[7][1] == "Õie Äär"
    assert rows[8:] == [[], ["Total", "", "6"]]


def test_csv_streams_in_chunks(monkeypatch):
    # given small chunks
    monkeypatch.setattr(exports, "CSV_CHUNK_CHARS", 100)
    rows = ([AT, f"Client {n}", n, None, None] for n in range(100))

    # when
    chunks = list(exports.csv_chunks(columns=COLUMNS, rows=rows, tz=TALLINN))

    # then
    assert len(chunks) > 20
    assert all(len(chunk) < 200 for chunk in chunks)


def test_xlsx_has_real_dates_numbers_widths_and_text_cells():
    # when
    response = exports.xlsx_response(
        columns=COLUMNS, rows=sample_rows(), filename="x.xlsx", tz=TALLINN, sheet_title="Points"
    )

    # then
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="x.xlsx"'
    sheet = read_xlsx(response)
    assert sheet.title == "Points"
    assert [c.value for c in sheet[1]] == ["When", "Name", "Count", "Amount", "Day"]
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"
    when, name, count, amount, day = sheet[2]
    assert when.value == dt.datetime(2026, 7, 1, 12, 15, 30)  # naive Tallinn time
    assert when.is_date and when.number_format == "yyyy-mm-dd hh:mm"
    assert (count.value, count.data_type) == (1, "n")
    assert (amount.value, amount.data_type) == (2.5, "n")
    assert day.is_date and day.value == dt.datetime(2026, 7, 1)
    for row, text in zip(sheet.iter_rows(min_row=2, max_row=7), DANGEROUS, strict=True):
        # (XML reads a carriage return back as a line feed)
        assert (row[1].value, row[1].data_type) == (f"'{text}".replace("\r", "\n"), "s")
    assert sheet["B8"].value == "Õie Äär"
    assert [sheet.column_dimensions[letter].width for letter in "ABCDE"] == [20, 30, 8, 10, 12]
    assert [c.value for c in sheet[10]][:3] == ["Total", None, 6]


def test_xlsx_keeps_error_codes_as_text_and_drops_characters_xml_cannot_hold():
    # when
    sheet = read_xlsx(
        exports.xlsx_response(
            columns=COLUMNS[1:2],
            rows=[["#N/A"], ["bell\x07 and nul\x00"], ["x" * 40_000]],
            filename="x.xlsx",
            tz=TALLINN,
        )
    )

    # then
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("#N/A", "s")
    assert sheet["A3"].value == "bell and nul"
    assert len(sheet["A4"].value) == 32_767


def test_more_rows_than_a_sheet_holds_raise_and_leave_no_file(monkeypatch):
    # given a sheet of three rows
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 3)

    # when / then
    with pytest.raises(ExportTooLarge):
        exports.xlsx_file(columns=COLUMNS, rows=[[1], [2], [3]], tz=TALLINN)
    assert exports.xlsx_file(columns=COLUMNS, rows=[[1], [2]], tz=TALLINN).read(2) == b"PK"


def test_file_names_are_slugs():
    assert exports.export_filename("Ålpha salon", "points", "", extension="csv") == (
        "alpha-salon-points.csv"
    )


def test_points_file_names_carry_the_salon_and_the_dates(salon):
    # given
    march = PointsReportFilters(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))
    today = dt.date(2026, 4, 9)

    # then
    assert points_export_filename(salon=salon, filters=march, extension="csv") == (
        "alpha-loyalty-points-2026-03-01-2026-03-31.csv"
    )
    assert (
        points_export_filename(
            salon=salon, filters=PointsReportFilters(), extension="xlsx", today=today
        )
        == "alpha-loyalty-points-start-2026-04-09.xlsx"
    )


# --- The points report's files ----------------------------------------------------------------


def page_table(http: HttpClient, salon: Any, params: dict[str, Any]) -> tuple[list, Any]:
    """The page's rows (date, client, kind, points, description, balance) and totals."""
    response = http.get(reverse("dashboard:reports", kwargs={"salon_slug": salon.slug}), params)
    assert response.status_code == 200
    rows = [
        (
            row.created_at.replace(tzinfo=None, microsecond=0),
            row.client_name,
            row.kind_label,
            row.points,
            row.description,
            row.running_balance,
        )
        for row in response.context["rows"]
    ]
    return rows, response.context["totals"]


def test_a_staff_member_exports_the_month_and_both_files_match_the_page(world, staff_http):
    # given what the page shows for March
    salon = world["kati"].salon
    page_rows, totals = page_table(staff_http, salon, MARCH)
    assert len(page_rows) == 4

    # when
    csv_response = staff_http.get(export_url(salon, "csv"), MARCH)
    xlsx_response = staff_http.get(export_url(salon, "xlsx"), MARCH)

    # then: the CSV
    assert csv_response.status_code == 200
    assert csv_response["Content-Disposition"] == (
        'attachment; filename="alpha-loyalty-points-2026-03-01-2026-03-31.csv"'
    )
    table = read_csv(csv_response)
    assert table[0] == HEADER
    body, footer = table[1:5], table[5:]
    assert [
        (
            dt.datetime.fromisoformat(r[0]),
            r[1],
            r[3],
            int(r[4]),
            r[5],
            int(r[11]),
        )
        for r in body
    ] == page_rows
    assert footer == [
        [],
        ["Earned", "", "", "", str(totals.earned)],
        ["Spent", "", "", "", str(totals.spent)],
        ["Net", "", "", "", str(totals.net)],
    ]
    assert (totals.earned, totals.spent, totals.net) == (150, -140, 10)
    assert body[1][9] == "Voucher 20"  # the redemption's gift card
    assert body[2][6:9] == ["Haircut", "Boris", "Old Town"]  # Mari's visit
    assert body[3][10] == "owner@alpha.test"  # who added Kati's 100

    # and the workbook
    assert xlsx_response.status_code == 200
    sheet = read_xlsx(xlsx_response)
    assert [c.value for c in sheet[1]] == HEADER
    cells = list(sheet.iter_rows(min_row=2, max_row=5))
    assert all(row[0].is_date for row in cells)
    assert [
        (r[0].value, r[1].value, r[3].value, r[4].value, r[5].value, r[11].value) for r in cells
    ] == page_rows
    assert all(r[4].data_type == "n" and r[11].data_type == "n" for r in cells)
    assert [[c.value for c in row][:5] for row in sheet.iter_rows(min_row=7, max_row=9)] == [
        ["Earned", None, None, None, 150],
        ["Spent", None, None, None, -140],
        ["Net", None, None, None, 10],
    ]
    assert sheet.max_row == 9


def test_the_files_have_the_filtered_set_in_the_pages_order(world, owner_client):
    # given
    salon = world["kati"].salon
    params = {"staff": world["boris"].pk, "sort": "points"}
    page_rows, _totals = page_table(owner_client, salon, params)

    # when
    table = read_csv(owner_client.get(export_url(salon, "csv"), params))
    sheet = read_xlsx(owner_client.get(export_url(salon, "xlsx"), params))

    # then
    assert [(r[1], int(r[4]), int(r[11])) for r in table[1:3]] == [
        (row[1], row[3], row[5]) for row in page_rows
    ]
    assert [(r[1].value, r[4].value) for r in sheet.iter_rows(min_row=2, max_row=3)] == [
        ("Kati Kask", 40),
        ("Mari Maasikas", 50),
    ]
    assert table[4] == ["Earned", "", "", "", "90"]


def test_the_files_cover_every_row_not_just_a_page(world, owner_client):
    # given 60 rows of one client (more than a page)
    salon = world["kati"].salon
    client = ClientFactory(salon=salon, first_name="Many")
    for n in range(60):
        add_row(salon, client, 1, local(2026, 6, 1, 8) + dt.timedelta(minutes=n))
    june = {"date_from": "2026-06-01", "date_to": "2026-06-30", "page": 2}

    # when
    table = read_csv(owner_client.get(export_url(salon, "csv"), june))

    # then
    assert len(table) == 1 + 60 + 4
    assert [int(r[11]) for r in table[1:61]] == list(range(60, 0, -1))


@pytest.mark.parametrize("name", DANGEROUS[:4])
def test_client_names_that_look_like_formulas_stay_text_in_both_files(world, owner_client, name):
    # given a client with that name and a description starting with "-"
    salon = world["kati"].salon
    client = ClientFactory(salon=salon, first_name=name, last_name="", email="f@x.test")
    add_row(salon, client, 5, local(2026, 3, 20, 10), description="-5 bonus =1+1")

    # when
    params = {**MARCH, "client": client.pk}
    table = read_csv(owner_client.get(export_url(salon, "csv"), params))
    sheet = read_xlsx(owner_client.get(export_url(salon, "xlsx"), params))

    # then
    assert (table[1][1], table[1][5]) == (f"'{name}", "'-5 bonus =1+1")
    assert (sheet["B2"].value, sheet["B2"].data_type) == (f"'{name}", "s")
    assert (sheet["F2"].value, sheet["F2"].data_type) == ("'-5 bonus =1+1", "s")
    assert sheet["E2"].value == 5


def test_an_export_with_bad_filters_goes_back_to_the_page(world, owner_client):
    # when
    response = owner_client.get(
        export_url(world["kati"].salon, "xlsx"),
        {"date_from": "2026-03-31", "date_to": "2026-03-01"},
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == (
        "/dashboard/alpha/reports/?date_from=2026-03-31&date_to=2026-03-01"
    )


def test_more_rows_than_a_sheet_are_refused_with_a_message(
    world, owner_client, settings, monkeypatch
):
    # given a sheet that would hold 3 rows, below the 4 rows of March
    from reports.points import exports as points_exports

    monkeypatch.setattr(points_exports, "XLSX_SHEET_MAX_ROWS", 3)

    # when
    page = owner_client.get(reverse("dashboard:reports", kwargs={"salon_slug": "alpha"}), MARCH)
    response = owner_client.get(export_url(world["kati"].salon, "xlsx"), MARCH, follow=True)
    api = APIClient()
    api.force_authenticate(world["kati_mar1"].actor)
    from_api = api.get("/api/v1/salons/alpha/reports/points/export.xlsx", MARCH)

    # then
    message = "An Excel file holds at most 3 rows."
    assert message in page.content.decode()
    assert "/reports/points/export.xlsx" not in page.content.decode()
    assert response.redirect_chain[-1][0].startswith("/dashboard/alpha/reports/?date_from=")
    assert message in response.content.decode()
    assert from_api.status_code == 400
    assert message in from_api.json()["non_field_errors"][0]
    # the CSV has no limit
    assert len(read_csv(owner_client.get(export_url(world["kati"].salon, "csv"), MARCH))) == 9


def test_the_excel_limit_never_exceeds_a_sheet(settings):
    from reports.points.exports import points_xlsx_max_rows

    settings.REPORTS_XLSX_MAX_ROWS = 10**9
    assert points_xlsx_max_rows() == 1_048_576 - 1 - 4


def test_the_csv_is_written_in_the_language_of_the_request(world, owner):
    # given an owner reading German
    http = HttpClient(headers={"Accept-Language": "de"})
    http.force_login(owner)

    # when
    table = read_csv(http.get(export_url(world["kati"].salon, "csv"), MARCH))

    # then (the kinds are translated; the header is at least not empty)
    assert all(table[0])
    assert table[-1][4] == "10"


# --- The demo salon ---------------------------------------------------------------------------


def test_a_staff_member_of_the_demo_salon_exports_a_month(db):
    # given the demo salon with its loyalty history, and a staff member
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo_loyalty", stdout=io.StringIO())
    salon = Salon.objects.get(slug="demo")
    user = UserFactory(email="staff@demo.salonbook.test")
    MembershipFactory(salon=salon, user=user, role="staff")
    http = HttpClient()
    http.force_login(user)
    today = timezone.localdate(timezone=salon.tzinfo)
    month = {"date_from": (today - dt.timedelta(days=30)).isoformat(), "date_to": today.isoformat()}
    assert PointsEntry.objects.filter(salon=salon).exists()

    # when
    page_rows, totals = page_table(http, salon, {**month, "per_page": 100})
    table = read_csv(http.get(export_url(salon, "csv"), month))
    sheet = read_xlsx(http.get(export_url(salon, "xlsx"), month))

    # then
    assert page_rows and totals.count == len(page_rows)
    csv_rows = [
        (dt.datetime.fromisoformat(r[0]), r[1], r[3], int(r[4]), r[5], int(r[11]))
        for r in table[1 : 1 + totals.count]
    ]
    assert csv_rows == page_rows
    xlsx_rows = [
        (r[0].value, r[1].value, r[3].value, r[4].value, r[5].value, r[11].value)
        for r in sheet.iter_rows(min_row=2, max_row=1 + totals.count)
    ]
    assert xlsx_rows == page_rows
    assert table[-3:] == [
        ["Earned", "", "", "", str(totals.earned)],
        ["Spent", "", "", "", str(totals.spent)],
        ["Net", "", "", "", str(totals.net)],
    ]
    assert [c.value for c in sheet[sheet.max_row]][:5] == ["Net", None, None, None, totals.net]
