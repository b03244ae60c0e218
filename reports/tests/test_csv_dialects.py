"""CSV for spreadsheets where the comma is the decimal separator: the `;` dialect with decimal
commas, chosen in the export menus and by default for salons whose language writes decimals
with a comma (et, da, ro, fi, de); `,` with decimal points for English. Both stay UTF-8 with a
BOM, with formulas neutralised; an unknown dialect is an error (page message, API 400) and
nothing is exported."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from bookings.models import Salon
from reports.exports import (
    Column,
    ColumnType,
    csv_chunks,
    csv_dialect_choice,
    default_csv_dialect,
)
from reports.tests.points_data import MARCH, build_ledger
from reports.tests.test_client_report import regulars, shop  # noqa: F401 - fixtures
from tests.factories import ClientFactory

POINTS_CSV = "/dashboard/alpha/reports/points/export.csv"
CLIENTS_CSV = "/dashboard/alpha/reports/clients/export.csv"
TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")


def read(response: Any, delimiter: str) -> list[list[str]]:
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data[3:].decode(), newline=""), delimiter=delimiter))


@pytest.mark.parametrize(
    ("language", "dialect"),
    [
        ("en", "comma"),
        ("et", "semicolon"),
        ("da", "semicolon"),
        ("ro", "semicolon"),
        ("fi", "semicolon"),
        ("de", "semicolon"),
        ("de-at", "semicolon"),
        ("fr", "semicolon"),  # Django's French writes 1,5 too
        ("", "comma"),
        (None, "comma"),
    ],
)
def test_the_default_follows_the_language(language, dialect):
    assert default_csv_dialect(language) == dialect


def test_a_choice_is_a_dialect_the_default_or_none():
    assert csv_dialect_choice("semicolon", language="en") == "semicolon"
    assert csv_dialect_choice("", language="et") == "semicolon"
    assert csv_dialect_choice(None, language="en") == "comma"
    assert csv_dialect_choice("tab", language="en") is None


def test_the_semicolon_dialect_writes_decimal_commas_and_neutralises_formulas():
    columns = [Column("Name"), Column("Amount", type=ColumnType.DECIMAL), Column("N")]
    rows = [["=SUM(A1)", Decimal("12.50"), 3], ["Kask; Kati", Decimal("-0.75"), -2]]
    data = b"".join(
        csv_chunks(columns=columns, rows=rows, tz=TALLINN, dialect="semicolon")
    ).decode()
    assert data == ('\ufeffName;Amount;N\r\n\'=SUM(A1);12,50;3\r\n"Kask; Kati";-0,75;-2\r\n')
    comma = b"".join(csv_chunks(columns=columns, rows=rows, tz=TALLINN)).decode()
    assert comma.splitlines()[1] == "'=SUM(A1),12.50,3"


def test_an_estonian_salon_gets_semicolons_by_default_and_may_choose_commas(
    regulars,  # noqa: F811
    owner_client,
):
    # given an Estonian salon
    Salon.objects.filter(slug="alpha").update(default_language="et")

    # when
    default = owner_client.get(CLIENTS_CSV, {"sort": "-total_spent"})
    chosen = owner_client.get(CLIENTS_CSV, {"sort": "-total_spent", "dialect": "comma"})
    page = owner_client.get("/dashboard/alpha/reports/clients/").content.decode()

    # then
    assert read(default, ";")[1][:6] == ["Liis Lepp", "liis@x.test", "", "1", "2026-02-15", "80,00"]
    assert read(chosen, ",")[1][5] == "80.00"
    # the menu offers the other dialect
    assert 'data-csv-dialect="comma"' in page and 'data-csv-dialect="semicolon"' not in page


def test_an_english_salon_gets_commas_and_is_offered_semicolons(
    regulars,  # noqa: F811
    owner_client,
):
    default = owner_client.get(CLIENTS_CSV, {"sort": "-total_spent"})
    chosen = owner_client.get(CLIENTS_CSV, {"sort": "-total_spent", "dialect": "semicolon"})
    page = owner_client.get("/dashboard/alpha/reports/clients/").content.decode()
    assert read(default, ",")[2][5] == "75.50"
    assert read(chosen, ";")[2][5] == "75,50"
    assert 'data-csv-dialect="semicolon"' in page


def test_the_points_export_in_both_dialects_has_the_same_rows(
    salon, other_salon, owner, owner_client
):
    build_ledger(salon, other_salon, actor=owner)
    ClientFactory(salon=salon, first_name="@evil")  # (no rows: not in the file)
    comma = read(owner_client.get(POINTS_CSV, MARCH), ",")
    semicolon = read(owner_client.get(POINTS_CSV, {**MARCH, "dialect": "semicolon"}), ";")
    assert comma == semicolon  # integers and dates only: the same cells
    page = owner_client.get("/dashboard/alpha/reports/", MARCH).content.decode()
    assert f"{POINTS_CSV}?date_from=2026-03-01&amp;date_to=2026-03-31&amp;dialect=semicolon" in page


def test_an_unknown_dialect_is_a_message_on_the_page_and_a_400_in_the_api(
    salon, other_salon, owner, owner_client
):
    build_ledger(salon, other_salon, actor=owner)
    response = owner_client.get(POINTS_CSV, {**MARCH, "dialect": "tab"}, follow=True)
    assert response.redirect_chain[-1][0].startswith("/dashboard/alpha/reports/?date_from=")
    assert "Unknown CSV format" in response.content.decode()
    clients = owner_client.get(CLIENTS_CSV, {"dialect": "x"}, follow=True)
    assert "Unknown CSV format" in clients.content.decode()
    api = APIClient()
    api.force_authenticate(owner)
    bad = api.get("/api/v1/salons/alpha/reports/points/export.csv", {"dialect": "tab"})
    assert bad.status_code == 400 and "dialect" in bad.json()
    good = api.get(
        "/api/v1/salons/alpha/reports/points/export.csv", {**MARCH, "dialect": "semicolon"}
    )
    assert good.status_code == 200
    assert read(good, ";")[0][:2] == ["Date", "Client"]


def test_dates_are_unchanged_by_the_dialect():
    columns = [Column("When", type=ColumnType.DATETIME)]
    at = dt.datetime(2026, 3, 1, 10, 0, 5, tzinfo=dt.UTC)
    data = b"".join(csv_chunks(columns=columns, rows=[[at]], tz=TALLINN, dialect="semicolon"))
    assert data.decode().splitlines()[1] == "2026-03-01 12:00:05"
