"""The client report's "packages held" column: the packages a client holds that are in use
today (paid, started, not expired, not used up), in the page, the exports and the sort, in a
number of queries that does not grow with the page."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.utils import timezone

from packages.models import ClientPackage, PackageKind
from packages.services.holdings import client_package_assign, client_package_buy
from packages.tests.conftest import make_type
from reports.clients.selectors import client_report_list
from reports.tests.test_client_report import CSV_URL, REPORT, XLSX_URL, table_rows
from tests.factories import ClientFactory, ServiceFactory


@pytest.fixture
def held(salon, other_salon):
    """Kati: a visit package and a time pass in use, plus one expired and one used up.
    Liis: a purchase waiting for payment (not held yet). Mart: nothing. Olga (another salon):
    a package of her salon."""
    service = ServiceFactory(salon=salon, name="Haircut", price=Decimal("35.00"))
    visits = make_type(salon, [service], name="10 visits", visits=10, offered_online=True)
    month = make_type(salon, [service], kind=PackageKind.TIME, name="Month pass")
    credit = make_type(salon, [service], kind=PackageKind.CREDIT, name="Credit 100")
    kati = ClientFactory(salon=salon, first_name="Kati", last_name="Kask", email="kati@x.test")
    liis = ClientFactory(salon=salon, first_name="Liis", last_name="Lepp", email="liis@x.test")
    mart = ClientFactory(salon=salon, first_name="Mart", last_name="Mets", email="mart@x.test")
    olga = ClientFactory(salon=other_salon, first_name="Olga", last_name="Kask")
    today = timezone.localdate(timezone=salon.tzinfo)
    assign = {"salon": salon, "client": kati, "actor": None}
    client_package_assign(package_type=visits, expires_on=today + dt.timedelta(days=30), **assign)
    client_package_assign(package_type=month, expires_on=today + dt.timedelta(days=3), **assign)
    expired = client_package_assign(package_type=credit, expires_on=None, **assign)
    ClientPackage.objects.filter(pk=expired.pk).update(
        starts_on=today - dt.timedelta(days=40), expires_on=today - dt.timedelta(days=1)
    )
    used_up = client_package_assign(package_type=credit, expires_on=None, **assign)
    ClientPackage.objects.filter(pk=used_up.pk).update(credit_left=Decimal("0"))
    client_package_buy(salon=salon, client=liis, package_type=visits)
    theirs = make_type(other_salon, [ServiceFactory(salon=other_salon)], name="Theirs")
    client_package_assign(salon=other_salon, client=olga, package_type=theirs, actor=None)
    return {"kati": kati, "liis": liis, "mart": mart, "olga": olga}


def test_the_page_shows_the_packages_each_client_holds_today(held, owner_client):
    page = owner_client.get(REPORT).content.decode()
    rows = {row["name"].split()[0]: row["packages_held"] for row in table_rows(page)}
    # the time pass expires first, so it is named first
    assert rows == {"Kati": "2 Month pass, 10 visits", "Liis": "0", "Mart": "0"}
    assert "Theirs" not in page


def test_the_column_sorts_by_the_count(held, owner_client):
    page = owner_client.get(REPORT, {"sort": "-packages_held"}).content.decode()
    assert [row["name"].split()[0] for row in table_rows(page)] == ["Kati", "Liis", "Mart"]
    assert 'data-sort="packages_held"' in page


def test_the_selector_counts_on_a_given_day(held, salon):
    today = timezone.localdate(timezone=salon.tzinfo)
    counts = {
        c.first_name: c.packages_held
        for c in client_report_list(salon=salon, today=today + dt.timedelta(days=10))
    }
    # ten days on, the month pass (3 days left today) has expired
    assert counts == {"Kati": 1, "Liis": 0, "Mart": 0}


def test_the_exports_have_the_count_and_the_names(held, owner_client):
    body = b"".join(owner_client.get(CSV_URL).streaming_content).decode().removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][7:9] == ["Packages held", "Packages"]
    assert [row[7:9] for row in rows[1:]] == [["2", "Month pass, 10 visits"], ["0", ""], ["0", ""]]
    sheet = openpyxl.load_workbook(
        io.BytesIO(b"".join(owner_client.get(XLSX_URL).streaming_content))
    ).active
    assert [(row[7], row[8]) for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        (2, "Month pass, 10 visits"),
        (0, None),
        (0, None),
    ]


def _clients_with_packages(salon: Any, count: int) -> None:
    service = ServiceFactory(salon=salon)
    package_type = make_type(salon, [service], name=f"Pack {count}")
    for i in range(count):
        client = ClientFactory(salon=salon, first_name=f"C{i:03d}")
        client_package_assign(salon=salon, client=client, package_type=package_type, actor=None)


@pytest.mark.parametrize("count", [3, 40])
def test_the_query_count_does_not_grow_with_the_page(
    salon, owner_client, count, django_assert_max_num_queries
):
    _clients_with_packages(salon, count)
    with django_assert_max_num_queries(7):
        response = owner_client.get(REPORT)
    rows = table_rows(response.content.decode())
    assert len(rows) == count
    assert all(row["packages_held"] == f"1 Pack {count}" for row in rows)
