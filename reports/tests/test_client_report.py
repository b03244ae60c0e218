"""The client report (`dashboard:report_clients`): exact figures per client, search, sort and
pages, bad parameters, the points history dialog, the CSV and Excel exports, roles, tenancy and
a query count that does not grow with the page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
import types
import zoneinfo
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.db import transaction
from django.test import Client as HttpClient

from bookings.models import Appointment
from loyalty.models import PointsEntry
from loyalty.services.points import points_entry_add
from loyalty.tests.conftest import make_appointment
from reports.clients import views as report_views
from tests.factories import ClientFactory, LocationFactory, ServiceFactory, StaffMemberFactory

REPORT = "/dashboard/alpha/reports/clients/"
CSV_URL = "/dashboard/alpha/reports/clients/export.csv"
XLSX_URL = "/dashboard/alpha/reports/clients/export.xlsx"
TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")


def points_url(client_id: int, slug: str = "alpha") -> str:
    return f"/dashboard/{slug}/reports/clients/{client_id}/points/"


@pytest.fixture
def shop(salon, other_salon):
    location = LocationFactory(salon=salon, name="Old Town")
    service = ServiceFactory(salon=salon, name="Haircut", price=Decimal("35.00"))
    staff = StaffMemberFactory(salon=salon, name="Anna", locations=[location])
    their_location = LocationFactory(salon=other_salon, name="Their place")
    return {
        "salon": salon,
        "location": location,
        "service": service,
        "staff": staff,
        "other_salon": other_salon,
        "their_location": their_location,
        "their_service": ServiceFactory(salon=other_salon, name="Massage", price=Decimal("90")),
        "their_staff": StaffMemberFactory(salon=other_salon, name="Zelda"),
    }


def visit(
    shop: dict[str, Any],
    client: Any,
    starts_at: dt.datetime,
    *,
    price: str = "35.00",
    status: str = Appointment.Status.COMPLETED,
) -> Appointment:
    theirs = client.salon_id != shop["salon"].pk
    return make_appointment(
        salon=client.salon,
        client=client,
        service=shop["their_service" if theirs else "service"],
        staff=shop["their_staff" if theirs else "staff"],
        location=shop["their_location" if theirs else "location"],
        ends_at=starts_at + dt.timedelta(hours=1),
        status=status,
        price=Decimal(price),
    )


def give_points(client: Any, points: int, kind: str = PointsEntry.Kind.EARNED) -> PointsEntry:
    with transaction.atomic():
        entry, _account = points_entry_add(
            salon=client.salon, client=client, kind=kind, points=points, description="test"
        )
    return entry


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 2, day, hour, tzinfo=TALLINN)


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def table_rows(page: str) -> list[dict[str, str]]:
    """Each row of the report as {column: text}."""
    result = []
    for row in re.findall(r"<tr data-client=\"\d+\">(.*?)</tr>", page, re.S):
        cells = re.findall(r'<td data-column="(\w+)"[^>]*>(.*?)</td>', row, re.S)
        result.append({name: text(html) for name, html in cells})
    return result


@pytest.fixture
def regulars(shop):
    """Kati: 2 visits (35 + 40.50), a cancelled and a no-show one, 120 points.
    Liis: 1 visit late at night (on 15 Feb in Tallinn, 14 Feb in UTC), a booked one to come.
    Mart: never came. Olga: another salon's client, a big spender."""
    salon = shop["salon"]
    kati = ClientFactory(salon=salon, first_name="Kati", last_name="Kask", email="kati@x.test")
    liis = ClientFactory(salon=salon, first_name="Liis", last_name="Lepp", email="liis@x.test")
    mart = ClientFactory(salon=salon, first_name="Mart", last_name="Mets", email="mart@x.test")
    olga = ClientFactory(salon=shop["other_salon"], first_name="Olga", last_name="Kask")
    visit(shop, kati, at(2))
    visit(shop, kati, at(10), price="40.50")
    visit(shop, kati, at(12), status=Appointment.Status.CANCELLED)
    visit(shop, kati, at(13), status=Appointment.Status.NO_SHOW)
    visit(shop, liis, at(15, 0), price="80.00")  # 00:00 in Tallinn: 22:00 UTC on 14 Feb
    visit(shop, liis, at(27), status=Appointment.Status.BOOKED)
    visit(shop, olga, at(20), price="999.00")
    give_points(kati, 150, PointsEntry.Kind.MANUAL)
    give_points(kati, -30, PointsEntry.Kind.REDEEMED)
    give_points(olga, 500)
    return {"kati": kati, "liis": liis, "mart": mart, "olga": olga}


def test_the_report_shows_each_clients_exact_figures(regulars, owner_client):
    # when
    response = owner_client.get(REPORT)

    # then (by last name: Kask, Lepp, Mets)
    page = response.content.decode()
    assert response.status_code == 200
    assert table_rows(page) == [
        {
            "name": "Kati Kask kati@x.test",
            "visits": "2",
            "last_visit": "2026-02-10",
            "total_spent": "€75.50",
            "points_balance": "120",
            "packages_held": "0",
            "referred_by": "",
        },
        {
            "name": "Liis Lepp liis@x.test",
            "visits": "1",
            "last_visit": "2026-02-15",
            "total_spent": "€80.00",
            "points_balance": "0",
            "packages_held": "0",
            "referred_by": "",
        },
        {
            "name": "Mart Mets mart@x.test",
            "visits": "0",
            "last_visit": "—",
            "total_spent": "€0.00",
            "points_balance": "0",
            "packages_held": "0",
            "referred_by": "",
        },
    ]
    assert "Olga" not in page and "999" not in page
    assert "3 clients" in page


def test_the_selector_annotates_the_figures(regulars, salon):
    from reports.clients.selectors import client_report_list

    kati = client_report_list(salon=salon).get(pk=regulars["kati"].pk)
    assert (kati.visits, kati.total_spent, kati.points_balance) == (2, Decimal("75.50"), 120)
    assert kati.last_visit == at(10)


def test_search_finds_clients_by_each_word(regulars, owner_client):
    assert [
        r["name"] for r in table_rows(owner_client.get(REPORT, {"q": "liis"}).content.decode())
    ] == ["Liis Lepp liis@x.test"]
    assert (
        table_rows(owner_client.get(REPORT, {"q": "kask kati"}).content.decode())[0]["visits"]
        == "2"
    )
    page = owner_client.get(REPORT, {"q": "nobody"}).content.decode()
    assert table_rows(page) == [] and "No clients match “nobody”." in page


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Kati", "Liis", "Mart"]),
        ("-name", ["Mart", "Liis", "Kati"]),
        ("-visits", ["Kati", "Liis", "Mart"]),
        ("visits", ["Mart", "Liis", "Kati"]),
        ("-total_spent", ["Liis", "Kati", "Mart"]),
        ("total_spent", ["Mart", "Kati", "Liis"]),
        ("-last_visit", ["Liis", "Kati", "Mart"]),  # never visited: last either way
        ("last_visit", ["Kati", "Liis", "Mart"]),
        ("-points_balance", ["Kati", "Liis", "Mart"]),  # ties by name
        ("points_balance", ["Liis", "Mart", "Kati"]),
    ],
)
def test_every_column_sorts_both_ways(regulars, owner_client, sort, expected):
    page = owner_client.get(REPORT, {"sort": sort}).content.decode()
    assert [row["name"].split()[0] for row in table_rows(page)] == expected


def test_the_sort_links_show_the_order_and_flip_it(regulars, owner_client):
    page = owner_client.get(REPORT, {"sort": "-visits", "q": "a"}).content.decode()
    assert 'aria-sort="descending"' in page
    assert 'href="?q=a&amp;sort=visits"' in page  # flips the current column
    assert 'href="?q=a&amp;sort=-total_spent"' in page  # figures start from the largest
    assert 'href="?q=a&amp;sort=name"' in page


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "password"},
        {"sort": "-"},
        {"sort": "client__user__password"},
        {"sort": "\x00"},
        {"sort": "x" * 3000},
    ],
)
def test_an_unknown_sort_is_a_form_error_and_sorts_by_name(regulars, owner_client, params):
    # when
    response = owner_client.get(REPORT, params)

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "Unknown sort order; sorted by name." in page
    assert [row["name"].split()[0] for row in table_rows(page)] == ["Kati", "Liis", "Mart"]


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999999999999999999999"},
        {"q": "\x00"},
        {"q": "x" * 3000},
        {"q": "<script>alert(1)</script>"},
        {"q": "١٢٣٤", "sort": "-visits", "page": "2"},
    ],
)
def test_garbage_parameters_never_break_the_report_or_its_exports(regulars, owner_client, params):
    for url in (REPORT, CSV_URL, XLSX_URL, points_url(regulars["kati"].pk)):
        response = owner_client.get(url, params)
        assert response.status_code in (200, 302), (url, params, response.status_code)
    assert "<script>alert(1)</script>" not in owner_client.get(REPORT, params).content.decode()


def test_pages_of_the_report(shop, owner_client, monkeypatch):
    # given 12 clients and pages of 5
    monkeypatch.setattr(report_views, "CLIENT_REPORT_PAGE_SIZE", 5)
    for i in range(12):
        ClientFactory(salon=shop["salon"], first_name=f"C{i:02d}", last_name="Tamm")

    # when
    first = owner_client.get(REPORT, {"sort": "-name"}).content.decode()
    last = owner_client.get(REPORT, {"sort": "-name", "page": "3"}).content.decode()
    beyond = owner_client.get(REPORT, {"page": "99"}).content.decode()

    # then
    assert [r["name"].split()[0] for r in table_rows(first)] == ["C11", "C10", "C09", "C08", "C07"]
    assert "Page 1 of 3" in first
    assert 'href="?sort=-name&amp;page=2"' in first
    assert [r["name"].split()[0] for r in table_rows(last)] == ["C01", "C00"]
    assert 'href="?sort=-name&amp;page=2"' in last
    assert "Page 3 of 3" in beyond


@pytest.mark.parametrize("rows", [10, 50])
def test_the_query_count_does_not_grow_with_the_page(
    shop, owner_client, rows, django_assert_max_num_queries
):
    # given clients with visits and points
    for i in range(rows):
        client = ClientFactory(salon=shop["salon"], first_name=f"C{i:02d}")
        visit(shop, client, at(1 + i // 10, 8 + i % 10))
        give_points(client, 10 + i)

    # when
    with django_assert_max_num_queries(6):
        response = owner_client.get(REPORT)

    # then
    assert len(table_rows(response.content.decode())) == rows


def test_an_htmx_request_gets_the_results_only(regulars, owner_client):
    response = owner_client.get(REPORT, {"q": "kati"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "<html" not in page
    assert [r["name"] for r in table_rows(page)] == ["Kati Kask kati@x.test"]
    assert "HX-Request" in response["Vary"]


# --- Referred by ------------------------------------------------------------------------


def test_referred_by_comes_from_the_referrals_app(regulars, owner_client, monkeypatch):
    # given a referrals selector that says Liis was referred by Kati
    calls: list[tuple[Any, list[int]]] = []

    def referrers_of(*, salon: Any, client_ids: list[int]) -> dict[int, Any]:
        calls.append((salon.slug, sorted(client_ids)))
        return {regulars["liis"].pk: regulars["kati"]}

    module = types.ModuleType("referrals.selectors")
    module.referrers_of = referrers_of  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "referrals.selectors", module)

    # when
    page = owner_client.get(REPORT).content.decode()
    exported = owner_client.get(CSV_URL)
    csv_rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode())))

    # then
    assert [row["referred_by"] for row in table_rows(page)] == ["", "Kati Kask", ""]
    assert f"/dashboard/alpha/clients/{regulars['kati'].pk}/" in page
    ids = sorted(c.pk for c in (regulars["kati"], regulars["liis"], regulars["mart"]))
    assert calls == [("alpha", ids), ("alpha", ids)]
    assert [row[-1] for row in csv_rows[1:]] == ["", "Kati Kask", ""]


def test_without_the_referrals_selector_nobody_was_referred(regulars, owner_client, monkeypatch):
    monkeypatch.setitem(sys.modules, "referrals.selectors", None)  # import fails
    response = owner_client.get(REPORT)
    assert response.status_code == 200
    assert [row["referred_by"] for row in table_rows(response.content.decode())] == ["", "", ""]


# --- The points history dialog ----------------------------------------------------------


def test_a_points_balance_opens_the_clients_history_in_a_dialog(regulars, owner_client):
    # given
    kati = regulars["kati"]
    page = owner_client.get(REPORT).content.decode()

    # when
    response = owner_client.get(points_url(kati.pk), HTTP_HX_REQUEST="true")

    # then
    html = response.content.decode()
    assert f'hx-get="{points_url(kati.pk)}" hx-target="#points-dialog-body"' in page
    assert '<dialog id="points-dialog"' in page and 'id="points-dialog-body"' in page
    assert "/static/js/reports-clients.js" in page
    assert response.status_code == 200
    assert "<html" not in html
    assert "Points of Kati Kask" in html and "120 points" in html
    rows = [text(row) for row in re.findall(r"<tr data-entry=.*?</tr>", html, re.S)]
    assert [row.split(" ", 2)[2] for row in rows] == [
        "Redeemed -30 test",
        "Manual adjustment +150 test",
    ]


def test_without_htmx_the_history_is_a_page(regulars, owner_client):
    response = owner_client.get(points_url(regulars["liis"].pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and "No points yet." in html


def test_another_salons_client_history_is_a_404(regulars, owner_client, other_owner_client):
    assert (
        owner_client.get(points_url(regulars["olga"].pk), HTTP_HX_REQUEST="true").status_code == 404
    )
    assert owner_client.get(points_url(999999)).status_code == 404
    assert other_owner_client.get(points_url(regulars["kati"].pk, "beta")).status_code == 404
    assert other_owner_client.get(points_url(regulars["kati"].pk)).status_code == 404


# --- Exports ----------------------------------------------------------------------------

HEADER = [
    "Client",
    "Email",
    "Phone",
    "Visits",
    "Last visit",
    "Total spent (EUR)",
    "Points",
    "Packages held",
    "Packages",
    "Referred by",
]


def test_the_csv_export_has_the_same_rows_as_the_report(regulars, owner_client):
    # when
    response = owner_client.get(CSV_URL, {"sort": "-total_spent"})

    # then
    body = b"".join(response.streaming_content).decode("utf-8")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="alpha-clients.csv"' in response["Content-Disposition"]
    assert body.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(body.removeprefix("\ufeff")))) == [
        HEADER,
        ["Liis Lepp", "liis@x.test", "", "1", "2026-02-15", "80.00", "0", "0", "", ""],
        ["Kati Kask", "kati@x.test", "", "2", "2026-02-10", "75.50", "120", "0", "", ""],
        ["Mart Mets", "mart@x.test", "", "0", "", "0.00", "0", "0", "", ""],
    ]


def test_the_xlsx_export_has_real_numbers_and_dates(regulars, owner_client):
    # when
    response = owner_client.get(XLSX_URL, {"q": "x.test", "sort": "name"})

    # then
    assert response.status_code == 200
    assert 'filename="alpha-clients-xtest.xlsx"' in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    assert sheet.title == "Clients"
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        HEADER,
        ["Kati Kask", "kati@x.test", None, 2, dt.datetime(2026, 2, 10), 75.5, 120, 0, None, None],
        ["Liis Lepp", "liis@x.test", None, 1, dt.datetime(2026, 2, 15), 80, 0, 0, None, None],
        ["Mart Mets", "mart@x.test", None, 0, None, 0, 0, 0, None, None],
    ]
    assert sheet["E2"].number_format == "yyyy-mm-dd"


def test_exports_neutralise_formulas_in_names(shop, owner_client):
    # given a client whose name is a formula
    ClientFactory(salon=shop["salon"], first_name='=HYPERLINK("http://x")', last_name="@evil")

    # when
    body = b"".join(owner_client.get(CSV_URL).streaming_content).decode().removeprefix("\ufeff")
    workbook = openpyxl.load_workbook(
        io.BytesIO(b"".join(owner_client.get(XLSX_URL).streaming_content))
    )

    # then
    assert list(csv.reader(io.StringIO(body)))[1][0] == '\'=HYPERLINK("http://x") @evil'
    cell = workbook.active["A2"]
    assert cell.value == '\'=HYPERLINK("http://x") @evil' and cell.data_type == "s"


def test_exports_are_of_this_salon_only_and_for_members_only(
    regulars, other_owner_client, stranger
):
    # when the other salon's owner exports their own clients
    body = b"".join(
        other_owner_client.get("/dashboard/beta/reports/clients/export.csv").streaming_content
    ).decode()

    # then
    assert "Olga Kask" in body and "Kati" not in body
    assert other_owner_client.get(CSV_URL).status_code == 404
    assert other_owner_client.get(XLSX_URL).status_code == 404
    http = HttpClient()
    assert http.get(CSV_URL).status_code == 302  # to the login page
    http.force_login(stranger)
    assert http.get(XLSX_URL).status_code == 404


def test_an_export_with_an_unknown_sort_goes_back_to_the_report(regulars, owner_client):
    response = owner_client.get(CSV_URL, {"sort": "password", "q": "k"})
    assert response.status_code == 302
    assert response["Location"] == f"{REPORT}?sort=password&q=k"


def test_staff_may_view_and_export(regulars, staff_user):
    http = HttpClient()
    http.force_login(staff_user)
    assert len(table_rows(http.get(REPORT).content.decode())) == 3
    assert http.get(CSV_URL).status_code == 200
    assert http.get(XLSX_URL).status_code == 200
    assert http.get(points_url(regulars["kati"].pk), HTTP_HX_REQUEST="true").status_code == 200


# --- Pages --------------------------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def test_the_pages_have_no_inline_scripts_or_styles(regulars, owner_client):
    kati = regulars["kati"]
    for response in (
        owner_client.get(REPORT),
        owner_client.get(REPORT, {"sort": "bad"}),
        owner_client.get(REPORT, {"q": "k"}, HTTP_HX_REQUEST="true"),
        owner_client.get(points_url(kati.pk)),
        owner_client.get(points_url(kati.pk), HTTP_HX_REQUEST="true"),
    ):
        html = response.content.decode()
        assert response.status_code == 200
        assert INLINE_SCRIPT.findall(html) == []
        assert "<style" not in html.lower()
        assert not re.search(r"\sstyle\s*=", html)
        assert not re.search(r"\son[a-z]+\s*=", html)
        nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", response["Content-Security-Policy"])
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert f'nonce="{nonce.group(1)}"' in tag


def test_the_report_links_to_the_points_report_and_the_home_page_to_the_report(
    regulars, owner_client
):
    page = owner_client.get(REPORT).content.decode()
    home = owner_client.get("/dashboard/alpha/").content.decode()
    assert 'href="/dashboard/alpha/reports/"' in page
    assert 'aria-current="page">Client report</a>' in page
    assert 'href="/dashboard/alpha/reports/clients/"' in home
