"""The client report in the owner API: the same figures as the page (packages held and
referrer included), search, sort, pages, bad input (400), the exports, and tenancy (404)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from rest_framework.test import APIClient

from reports.tests.test_client_report import regulars, shop  # noqa: F401 - fixtures

LIST = "/api/v1/salons/alpha/reports/clients/"


@pytest.fixture
def staff_api(staff_user) -> APIClient:
    api = APIClient()
    api.force_authenticate(staff_user)
    return api


def test_the_api_lists_the_clients_with_their_figures(
    regulars,  # noqa: F811
    staff_api,
    monkeypatch,
):
    from reports.clients import selectors

    monkeypatch.setattr(
        selectors,
        "client_referrers",
        lambda *, salon, client_ids: {regulars["liis"].pk: regulars["kati"]},
    )

    response = staff_api.get(LIST, {"sort": "-total_spent", "limit": 2})

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 3 and data["next"]
    first, second = data["results"]
    assert (first["name"], first["visits"], first["total_spent"], first["referred_by"]) == (
        "Liis Lepp",
        1,
        "80.00",
        regulars["kati"].pk,
    )
    assert (second["name"], second["points_balance"], second["packages_held"]) == (
        "Kati Kask",
        120,
        0,
    )
    assert second["last_visit"].startswith("2026-02-10T10:00:00+02:00")
    assert second["packages"] == []


@pytest.mark.parametrize(
    "params", [{"sort": "password"}, {"search": "x" * 500}, {"dialect": "tab"}]
)
def test_bad_parameters_are_400(regulars, staff_api, params):  # noqa: F811
    path = f"{LIST}export.csv" if "dialect" in params else LIST
    response = staff_api.get(path, params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_the_exports_in_the_api(regulars, staff_api):  # noqa: F811
    csv_response = staff_api.get(f"{LIST}export.csv", {"search": "kati", "dialect": "semicolon"})
    body = b"".join(csv_response.streaming_content).decode().removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert rows[1][:6] == ["Kati Kask", "kati@x.test", "", "2", "2026-02-10", "75,50"]
    xlsx = staff_api.get(f"{LIST}export.xlsx", HTTP_ACCEPT="application/json")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_another_salons_member_gets_404(regulars, other_owner):  # noqa: F811
    api = APIClient()
    api.force_authenticate(other_owner)
    for path in (LIST, f"{LIST}export.csv", f"{LIST}export.xlsx"):
        assert api.get(path).status_code == 404, path
    theirs: Any = api.get("/api/v1/salons/beta/reports/clients/").json()
    assert [row["name"] for row in theirs["results"]] == ["Olga Kask"]


def test_without_credentials_401():
    assert APIClient().get(LIST).status_code in (401, 403)
