"""The loyalty points report: the selector (filters, running balance, totals, sort), the
dashboard page (`dashboard:reports`) with its "Add points" dialog, and the owner API
(`reports-api:points`). The ledger is described in reports/tests/points_data.py."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from loyalty.models import PointsAccount, PointsEntry
from loyalty.selectors import points_balance, points_balance_from_ledger, points_entry_description
from reports.points.filters import PointsReportFilters
from reports.points.selectors import (
    points_report_entries,
    points_report_list,
    points_report_row,
    points_report_totals,
)
from reports.tests.points_data import MARCH, TALLINN, add_row, build_ledger, local, visit
from tests.factories import (
    ClientFactory,
    LocationFactory,
    MembershipFactory,
    StaffMemberFactory,
    UserFactory,
)


@pytest.fixture
def world(salon, other_salon, owner) -> dict[str, Any]:
    return build_ledger(salon, other_salon, actor=owner)


@pytest.fixture
def staff_http(staff_user) -> HttpClient:
    http = HttpClient()
    http.force_login(staff_user)
    return http


@pytest.fixture
def manager_http(salon) -> HttpClient:
    user = UserFactory(email="manager@alpha.test")
    MembershipFactory(salon=salon, user=user, role="manager")
    http = HttpClient()
    http.force_login(user)
    return http


def report_url(salon: Any) -> str:
    return reverse("dashboard:reports", kwargs={"salon_slug": salon.slug})


def add_url(salon: Any) -> str:
    return reverse("dashboard:reports_points_add", kwargs={"salon_slug": salon.slug})


def api_url(salon: Any, name: str = "points") -> str:
    return reverse(f"reports-api:{name}", kwargs={"salon_slug": salon.slug})


def rows_of(salon: Any, **filters: Any) -> list[tuple[int, int, int]]:
    """(entry id, points, running balance) of the selector's rows, in its order."""
    qs = points_report_entries(salon=salon, filters=PointsReportFilters(**filters))
    return [(e.pk, e.points, e.running_balance) for e in qs]


def ids(world: dict[str, Any], *names: str) -> list[int]:
    return [world[name].pk for name in names]


def page_rows(response: Any) -> list[tuple[int, int, int]]:
    return [(r.id, r.points, r.running_balance) for r in response.context["rows"]]


# --- The selector -----------------------------------------------------------------------------


def test_a_month_has_its_local_days_each_row_with_the_balance_over_the_whole_ledger(world):
    # when
    rows = rows_of(world["kati"].salon, date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))

    # then: Mar 1 00:30 local is in (Feb 28 in UTC), Apr 1 00:10 local is out (Mar 31 in UTC);
    # Kati's +100 shows 150, counting her February +50 that the filter leaves out
    assert rows == [
        (world["mari_mar31"].pk, -20, 30),
        (world["kati_mar15"].pk, -120, 30),
        (world["mari_mar10"].pk, 50, 50),
        (world["kati_mar1"].pk, 100, 150),
    ]


def test_the_totals_are_earned_spent_and_net_of_the_filtered_rows(world):
    # when
    totals = points_report_totals(
        salon=world["kati"].salon,
        filters=PointsReportFilters(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31)),
    )

    # then
    assert (totals.count, totals.earned, totals.spent, totals.net) == (4, 150, -140, 10)


def test_without_filters_every_row_of_the_salon_and_no_other_salons(world):
    # when
    rows = rows_of(world["kati"].salon)

    # then: newest first; the other salon's +500 is not there
    assert rows == [
        (world["kati_apr"].pk, 40, 70),
        (world["mari_apr1"].pk, 30, 60),
        (world["mari_mar31"].pk, -20, 30),
        (world["kati_mar15"].pk, -120, 30),
        (world["mari_mar10"].pk, 50, 50),
        (world["kati_mar1"].pk, 100, 150),
        (world["kati_feb"].pk, 50, 50),
        (world["jaan_rev"].pk, -50, 0),
        (world["jaan_feb"].pk, 50, 50),
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"kind": "redeemed"}, ["kati_mar15"]),
        ({"kind": "manual"}, ["mari_mar31", "kati_mar1"]),
        ({"kind": "referral"}, []),
        ({"kind": "reversal"}, ["jaan_rev"]),
        ({"staff": "boris"}, ["kati_apr", "mari_mar10"]),
        ({"staff": "anna"}, ["mari_apr1", "kati_feb", "jaan_rev", "jaan_feb"]),
        ({"service": "colour"}, ["kati_apr"]),
        ({"service": "haircut"}, ["mari_apr1", "mari_mar10", "kati_feb", "jaan_rev", "jaan_feb"]),
        ({"location": "harbour"}, ["kati_apr"]),
        ({"location": "old_town"}, ["mari_apr1", "mari_mar10", "kati_feb", "jaan_rev", "jaan_feb"]),
        ({"client": "mari"}, ["mari_apr1", "mari_mar31", "mari_mar10"]),
        ({"client": "jaan"}, ["jaan_rev", "jaan_feb"]),
        ({"search": "kask"}, ["kati_apr", "kati_mar15", "kati_mar1", "kati_feb"]),
        ({"search": "m@x.test"}, ["mari_apr1", "mari_mar31", "mari_mar10"]),
        ({"search": "Mari Maasikas"}, ["mari_apr1", "mari_mar31", "mari_mar10"]),
        ({"search": "Mari Kask"}, []),
        ({"date_from": dt.date(2026, 4, 1)}, ["kati_apr", "mari_apr1"]),
        ({"date_to": dt.date(2026, 2, 28)}, ["kati_feb", "jaan_rev", "jaan_feb"]),
        ({"date_from": dt.date(2026, 3, 31), "date_to": dt.date(2026, 3, 31)}, ["mari_mar31"]),
        (
            {"date_from": dt.date(2026, 3, 1), "date_to": dt.date(2026, 3, 31), "kind": "earned"},
            ["mari_mar10"],
        ),
        ({"staff": "boris", "client": "kati"}, ["kati_apr"]),
    ],
)
def test_each_filter_keeps_its_rows(world, filters, expected):
    # given the filter's objects
    filters = {
        name: world[value] if name in {"staff", "service", "location", "client"} else value
        for name, value in filters.items()
    }

    # when
    rows = rows_of(world["kati"].salon, **filters)

    # then
    assert [row[0] for row in rows] == ids(world, *expected)


def test_a_phone_search_finds_the_client(world):
    # given
    jaan = world["jaan"]
    jaan.phone = "+37255512345"
    jaan.save()
    add_row(jaan.salon, jaan, 10, local(2026, 3, 2, 10))

    # when
    rows = rows_of(jaan.salon, search="5551234")

    # then
    assert [(points, balance) for _id, points, balance in rows] == [(10, 10), (-50, 0), (50, 50)]


def test_the_running_balance_counts_rows_the_filters_leave_out(world):
    # when only the redemption and Mari's April visit are shown
    redeemed = rows_of(world["kati"].salon, kind="redeemed")
    april = rows_of(world["kati"].salon, staff=world["anna"], date_from=dt.date(2026, 4, 1))

    # then Kati had 150 before spending 120; Mari had 30 before earning 30
    assert redeemed == [(world["kati_mar15"].pk, -120, 30)]
    assert april == [(world["mari_apr1"].pk, 30, 60)]


def test_the_last_balance_of_each_client_equals_their_ledger(world):
    # when
    rows = points_report_entries(salon=world["kati"].salon, filters=PointsReportFilters())

    # then
    last: dict[int, int] = {}
    for entry in rows:
        last.setdefault(entry.client_id, entry.running_balance)
    for client in (world["kati"], world["mari"], world["jaan"]):
        assert last[client.pk] == points_balance_from_ledger(salon=client.salon, client=client)
        assert last[client.pk] == points_balance(salon=client.salon, client=client)


def test_rows_written_in_the_same_instant_are_ordered_by_id(world):
    # given two rows of Jaan at the same moment
    jaan = world["jaan"]
    first = add_row(jaan.salon, jaan, 10, local(2026, 3, 3, 9))
    second = add_row(jaan.salon, jaan, 5, local(2026, 3, 3, 9))

    # when
    rows = rows_of(jaan.salon, client=jaan, sort="date", date_from=dt.date(2026, 3, 1))

    # then
    assert rows == [(first.pk, 10, 10), (second.pk, 5, 15)]


FEB = ["jaan_feb", "jaan_rev", "kati_feb"]
KATI = ["kati_feb", "kati_mar1", "kati_mar15"]
SPENT = ["kati_mar15", "jaan_rev", "mari_mar31"]  # -120, -50, -20


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("date", [*FEB, "kati_mar1", "mari_mar10", "kati_mar15", "mari_mar31"]),
        ("-date", ["mari_mar31", "kati_mar15", "mari_mar10", "kati_mar1", *reversed(FEB)]),
        ("client", [*KATI, "mari_mar10", "mari_mar31", "jaan_feb", "jaan_rev"]),
        ("-client", ["jaan_rev", "jaan_feb", "mari_mar31", "mari_mar10", *reversed(KATI)]),
        ("points", [*SPENT, "jaan_feb", "kati_feb", "mari_mar10", "kati_mar1"]),
        ("-points", ["kati_mar1", "mari_mar10", "kati_feb", "jaan_feb", *reversed(SPENT)]),
        ("anything-else", ["mari_mar31", "kati_mar15", "mari_mar10", "kati_mar1", *reversed(FEB)]),
    ],
)
def test_sorting(world, sort, expected):
    # when (up to March)
    rows = rows_of(world["kati"].salon, date_to=dt.date(2026, 3, 31), sort=sort)

    # then
    assert [row[0] for row in rows] == ids(world, *expected)


def test_descriptions_and_sources_are_those_of_the_ledger(world):
    # when
    rows = [
        points_report_row(values, tz=TALLINN)
        for values in points_report_list(salon=world["kati"].salon, filters=PointsReportFilters())
    ]

    # then: loyalty's wording of each row, as on the client's own page
    entries = PointsEntry.objects.select_related(
        "appointment__service", "appointment__location", "gift_card", "reverses"
    ).in_bulk([row.id for row in rows])
    for row in rows:
        assert row.description == points_entry_description(entries[row.id]), row
    by_id = {row.id: row for row in rows}
    assert by_id[world["jaan_rev"].pk].description == (
        "Taken back: Haircut on 02/10/2026 did not take place"
    )
    assert by_id[world["kati_mar15"].pk].description == "Gift card: Voucher 20"
    assert by_id[world["kati_apr"].pk].source == "Colour · Boris"
    assert by_id[world["kati_mar15"].pk].source == "Voucher 20"
    assert by_id[world["kati_mar1"].pk].actor == "owner@alpha.test"


def test_the_balances_do_not_depend_on_the_sort(world):
    # when
    by_date = {i: b for i, _p, b in rows_of(world["kati"].salon, sort="date")}
    by_points = {i: b for i, _p, b in rows_of(world["kati"].salon, sort="-points")}

    # then
    assert by_date == by_points


# --- The page ---------------------------------------------------------------------------------


def test_the_page_shows_the_month_with_totals_local_dates_and_client_links(world, owner_client):
    # when
    response = owner_client.get(report_url(world["kati"].salon), MARCH)

    # then
    assert response.status_code == 200
    assert page_rows(response) == [
        (world["mari_mar31"].pk, -20, 30),
        (world["kati_mar15"].pk, -120, 30),
        (world["mari_mar10"].pk, 50, 50),
        (world["kati_mar1"].pk, 100, 150),
    ]
    html = response.content.decode()
    assert '<strong class="num" data-total="earned">+150</strong>' in html
    assert '<strong class="num" data-total="spent">-140</strong>' in html
    assert '<strong class="num" data-total="net">+10</strong>' in html
    assert '<strong class="num" data-total="count">4</strong>' in html
    assert ">2026-03-01 00:30</time>" in html  # Tallinn time, not UTC (Feb 28 22:30)
    assert ">2026-03-31 23:30</time>" in html  # after the clocks went forward
    client_page = reverse(
        "dashboard:client_detail", kwargs={"salon_slug": "alpha", "pk": world["kati"].pk}
    )
    assert f'<a href="{client_page}">Kati Kask</a>' in html
    assert "Gift card: Voucher 20" in html  # the description of the redemption
    assert "Haircut · Boris" in html  # the source of Mari's visit
    assert "by owner@alpha.test" in html


def test_the_export_links_carry_the_filters(world, owner_client):
    # when
    html = owner_client.get(report_url(world["kati"].salon), {**MARCH, "kind": "manual"}).content
    html = html.decode()

    # then
    query = "date_from=2026-03-01&amp;date_to=2026-03-31&amp;kind=manual"
    assert f'href="/dashboard/alpha/reports/points/export.csv?{query}"' in html
    assert f'href="/dashboard/alpha/reports/points/export.xlsx?{query}"' in html


def test_sort_links_keep_the_filters_and_turn_the_order_around(world, owner_client):
    # when
    html = owner_client.get(report_url(world["kati"].salon), {**MARCH, "sort": "-points"})
    html = html.content.decode()

    # then
    assert '<a href="?date_from=2026-03-01&amp;date_to=2026-03-31&amp;sort=points">' in html
    assert 'aria-sort="descending"><a href="?date_from=2026-03-01&amp;date_to=2026-03-31' in html
    assert '<a href="?date_from=2026-03-01&amp;date_to=2026-03-31&amp;sort=client">' in html


def test_unknown_parameters_are_ignored(world, owner_client):
    # when
    response = owner_client.get(report_url(world["kati"].salon), {**MARCH, "colour": "red"})

    # then
    assert response.status_code == 200
    assert not response.context["form"].errors
    assert len(response.context["rows"]) == 4


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2026-02-30"}, "date_from"),
        ({"date_to": "yesterday"}, "date_to"),
        ({"date_from": "2026-03-31", "date_to": "2026-03-01"}, "date_to"),
        ({"date_from": "0001-01-01"}, "date_from"),
        ({"date_to": "9999-12-31"}, "date_to"),
        ({"kind": "gift"}, "kind"),
        ({"staff": "999999"}, "staff"),
        ({"staff": "abc"}, "staff"),
        ({"service": "99999999999999999999999999"}, "service"),
        ({"location": "-1"}, "location"),
        ({"client": "99999999999999999999999999"}, "client"),
        ({"sort": "password"}, "sort"),
        ({"per_page": "1000000"}, "per_page"),
        ({"q": "x" * 3000}, "q"),
    ],
)
def test_bad_filters_are_form_errors_and_no_rows(world, owner_client, params, field):
    # when
    response = owner_client.get(report_url(world["kati"].salon), params)

    # then
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert response.context["rows"] == []
    assert "Some filters are not right" in response.content.decode()


def test_another_salons_ids_are_unknown_choices(world, owner_client, other_salon):
    # given
    elsewhere = StaffMemberFactory(salon=other_salon)
    client = ClientFactory(salon=other_salon)

    # when
    response = owner_client.get(
        report_url(world["kati"].salon), {"staff": elsewhere.pk, "client": client.pk}
    )

    # then
    assert set(response.context["form"].errors) == {"staff", "client"}


def test_nul_characters_in_the_search_are_a_form_error(world, owner_client):
    # when
    response = owner_client.get(report_url(world["kati"].salon), {"q": "Ka\x00ti"})

    # then
    assert response.status_code == 200
    assert "q" in response.context["form"].errors


def test_a_client_filter_shows_the_client_and_a_way_back(world, owner_client):
    # when
    response = owner_client.get(report_url(world["kati"].salon), {"client": world["mari"].pk})

    # then
    html = response.content.decode()
    assert "Only Mari Maasikas" in html
    assert '<a href="/dashboard/alpha/reports/?">Show every client</a>' in html
    assert {r.client_name for r in response.context["rows"]} == {"Mari Maasikas"}


def many_rows(salon: Any, count: int) -> Any:
    client = ClientFactory(salon=salon, first_name="Many", last_name="Rows")
    location = LocationFactory(salon=salon, name="Extra")
    for n in range(count):
        add_row(salon, client, n + 1, local(2026, 5, 1, 9) + dt.timedelta(minutes=n))
    return client, location


def test_pages_of_25_50_and_100(world, owner_client):
    # given 120 rows of one client in May
    salon = world["kati"].salon
    many_rows(salon, 120)
    may = {"date_from": "2026-05-01", "date_to": "2026-05-31", "sort": "date"}

    # when
    first = owner_client.get(report_url(salon), may)
    second = owner_client.get(report_url(salon), {**may, "page": 2})
    hundred = owner_client.get(report_url(salon), {**may, "per_page": 100, "page": 2})
    beyond = owner_client.get(report_url(salon), {**may, "page": 999999999999999999999})
    garbage = owner_client.get(report_url(salon), {**may, "page": "abc"})

    # then
    assert [r.points for r in first.context["rows"]] == list(range(1, 26))
    assert [r.running_balance for r in first.context["rows"]][-1] == sum(range(1, 26))
    assert [r.points for r in second.context["rows"]] == list(range(26, 51))
    assert [r.points for r in hundred.context["rows"]] == list(range(101, 121))
    assert [r.points for r in beyond.context["rows"]] == list(range(101, 121))
    assert [r.points for r in garbage.context["rows"]] == list(range(1, 26))
    assert first.context["page_obj"].paginator.num_pages == 5
    html = second.content.decode()
    pages = "date_from=2026-05-01&amp;date_to=2026-05-31&amp;sort=date&amp;page="
    assert f'href="?{pages}1"' in html and f'href="?{pages}3"' in html


MAX_PAGE_QUERIES = 12


def client_with_rows(
    salon: Any, world: dict[str, Any], actor: Any, count: int, start: dt.datetime
) -> Any:
    """A client with `count` rows from `start`, two hours apart: every other one a visit
    (service, staff, location), the rest manual rows written by `actor`."""
    client = ClientFactory(salon=salon, first_name=f"Has{count}", last_name="Rows")
    for n in range(count):
        at = start + dt.timedelta(hours=2 * n)
        if n % 2:
            appointment = visit(salon, world, client, ends_at=at - dt.timedelta(hours=1))
            add_row(salon, client, 10, at, PointsEntry.Kind.EARNED, appointment=appointment)
        else:
            add_row(salon, client, 5, at, actor=actor)
    return client


def test_the_page_queries_do_not_grow_with_the_rows_shown(
    world, owner, owner_client, django_assert_max_num_queries
):
    # given one client with 10 rows and one with 100
    salon = world["kati"].salon
    few = client_with_rows(salon, world, owner, 10, start=local(2026, 5, 1, 9))
    many = client_with_rows(salon, world, owner, 100, start=local(2026, 6, 1, 9))
    counts = {}
    for client, expected in ((few, 10), (many, 100)):
        # when
        with (
            django_assert_max_num_queries(MAX_PAGE_QUERIES),
            CaptureQueriesContext(connection) as queries,
        ):
            response = owner_client.get(report_url(salon), {"client": client.pk, "per_page": 100})

        # then
        assert len(response.context["rows"]) == expected
        counts[expected] = len(queries)
    assert counts[10] == counts[100]


def test_staff_may_view_and_export_but_not_add(world, staff_http):
    # given
    salon = world["kati"].salon
    before = PointsEntry.objects.count()

    # when
    page = staff_http.get(report_url(salon), MARCH)
    csv_file = staff_http.get(f"{report_url(salon)}points/export.csv", MARCH)
    xlsx_file = staff_http.get(f"{report_url(salon)}points/export.xlsx", MARCH)
    dialog = staff_http.get(add_url(salon))
    post = staff_http.post(
        add_url(salon), {"client": world["kati"].pk, "points": 5, "description": "Nice"}
    )

    # then
    assert page.status_code == 200
    assert len(page.context["rows"]) == 4
    html = page.content.decode()
    assert "Add points" not in html and "Add more points" not in html
    assert csv_file.status_code == 200 and xlsx_file.status_code == 200
    assert dialog.status_code == 403
    assert post.status_code == 403
    assert PointsEntry.objects.count() == before


@pytest.mark.parametrize(
    "path", ["reports/", "reports/points/export.csv", "reports/points/export.xlsx"]
)
def test_another_salons_owner_gets_404(world, other_owner_client, path):
    # when
    response = other_owner_client.get(f"/dashboard/alpha/{path}")

    # then
    assert response.status_code == 404


def test_another_salons_owner_cannot_add_points(world, other_owner_client):
    # when
    response = other_owner_client.post(
        "/dashboard/alpha/reports/points/add/",
        {"client": world["kati"].pk, "points": 5, "description": "x"},
    )

    # then
    assert response.status_code == 404
    assert points_balance(salon=world["kati"].salon, client=world["kati"]) == 70


def test_anonymous_visitors_are_sent_to_log_in(world, client):
    # when
    response = client.get("/dashboard/alpha/reports/")

    # then
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


@pytest.mark.parametrize("path", ["reports/", "reports/points/add/?client=KATI"])
def test_the_pages_have_no_inline_scripts_or_styles(world, owner_client, path):
    # when
    response = owner_client.get("/dashboard/alpha/" + path.replace("KATI", str(world["kati"].pk)))

    # then
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert response.status_code == 200
    assert "unsafe-inline" not in policy
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", policy)
    assert nonce
    assert INLINE_SCRIPT.findall(html) == []
    assert "<style" not in html.lower()
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert f'nonce="{nonce.group(1)}"' in tag


# --- Add points -------------------------------------------------------------------------------


def test_the_owner_sees_add_points_and_a_per_row_action(world, owner_client):
    # when
    html = owner_client.get(report_url(world["kati"].salon), MARCH).content.decode()

    # then
    back = "/dashboard/alpha/reports/%3Fdate_from%3D2026-03-01%26date_to%3D2026-03-31"
    assert f'hx-get="/dashboard/alpha/reports/points/add/?next={back}"' in html
    assert (
        f'hx-get="/dashboard/alpha/reports/points/add/?client={world["kati"].pk}&amp;next={back}"'
        in html
    )
    assert '<dialog id="points-add-dialog"' in html


def test_the_dialog_comes_as_a_fragment_with_the_client_preselected(world, owner_client):
    # when
    response = owner_client.get(
        add_url(world["kati"].salon),
        {"client": world["kati"].pk},
        headers={"HX-Request": "true", "HX-Target": "points-add-dialog-body"},
    )

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert f'<option value="{world["kati"].pk}" selected>Kati Kask · kati@x.test</option>' in html
    assert 'hx-post="/dashboard/alpha/reports/points/add/"' in html


def test_the_dialogs_search_lists_matching_clients(world, owner_client):
    # when
    response = owner_client.get(
        add_url(world["kati"].salon),
        {"q": "maasikas"},
        headers={"HX-Request": "true", "HX-Target": "points-add-client-field"},
    )

    # then
    html = response.content.decode()
    assert "<form" not in html
    assert "Mari Maasikas · m@x.test" in html
    assert "Kati Kask" not in html


def test_adding_points_writes_the_row_notifies_and_goes_back_to_the_report(
    world, owner_client, django_capture_on_commit_callbacks, mailoutbox
):
    # given Kati opted in to marketing notices
    kati = world["kati"]
    kati.marketing_consent = True
    kati.save()
    back = "/dashboard/alpha/reports/?date_from=2026-03-01&date_to=2026-03-31"

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            add_url(kati.salon),
            {"client": kati.pk, "points": "25", "description": "  Birthday   bonus ", "next": back},
        )

    # then
    assert response.status_code == 302
    assert response["Location"] == back
    entry = PointsEntry.objects.filter(salon=kati.salon).latest("id")
    assert (entry.client, entry.kind, entry.points, entry.description) == (
        kati,
        "manual",
        25,
        "Birthday bonus",
    )
    assert entry.actor.email == "owner@alpha.test"
    assert points_balance(salon=kati.salon, client=kati) == 95
    assert len(mailoutbox) == 1
    assert kati.email in mailoutbox[0].to


def test_a_minus_takes_points(world, manager_http):
    # when
    response = manager_http.post(
        add_url(world["kati"].salon),
        {"client": world["kati"].pk, "points": "-70", "description": "Expired"},
    )

    # then
    assert response.status_code == 302
    assert points_balance(salon=world["kati"].salon, client=world["kati"]) == 0


def test_adding_through_htmx_redirects_the_page(world, owner_client):
    # when
    response = owner_client.post(
        add_url(world["kati"].salon),
        {"client": world["kati"].pk, "points": "5", "description": "Thanks"},
        headers={"HX-Request": "true", "HX-Target": "points-add-dialog-body"},
    )

    # then
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/dashboard/alpha/reports/"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"points": "10", "description": ""}, "description"),
        ({"points": "10", "description": "   "}, "description"),
        ({"points": "0", "description": "Zero"}, "points"),
        ({"points": "ten", "description": "Words"}, "points"),
        ({"points": "1.5", "description": "Half"}, "points"),
        ({"points": "99999999999999999999", "description": "Huge"}, "points"),
        ({"points": "-71", "description": "Too much"}, "points"),  # the balance is 70
        ({"points": "10", "description": "x" * 256}, "description"),
        ({"client": "", "points": "10", "description": "Nobody"}, "client"),
        ({"client": "99999999999999999999", "points": "10", "description": "Huge"}, "client"),
    ],
)
def test_bad_adjustments_are_form_errors_and_write_nothing(world, owner_client, data, field):
    # given
    kati = world["kati"]
    before = (PointsEntry.objects.count(), PointsAccount.objects.get(client=kati).balance)

    # when
    response = owner_client.post(
        add_url(kati.salon),
        {"client": kati.pk, **data},
        headers={"HX-Request": "true", "HX-Target": "points-add-dialog-body"},
    )

    # then
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "<html" not in response.content.decode()
    assert (PointsEntry.objects.count(), PointsAccount.objects.get(client=kati).balance) == before


def test_a_client_of_another_salon_cannot_be_chosen(world, owner_client, other_salon):
    # given
    stranger = ClientFactory(salon=other_salon)

    # when
    response = owner_client.post(
        add_url(world["kati"].salon), {"client": stranger.pk, "points": 5, "description": "x"}
    )

    # then
    assert response.status_code == 200
    assert "client" in response.context["form"].errors
    assert not PointsEntry.objects.filter(client=stranger).exists()


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.test/",
        "//evil.test/dashboard/alpha/reports/",
        "/dashboard/beta/reports/",
        "/accounts/logout/",
        "/dashboard/alpha/reports/\\evil",
    ],
)
def test_next_goes_only_to_this_salons_reports(world, owner_client, target):
    # when
    response = owner_client.post(
        add_url(world["kati"].salon),
        {"client": world["kati"].pk, "points": 1, "description": "x", "next": target},
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/alpha/reports/"


def test_without_javascript_add_points_is_a_page(world, owner_client):
    # when
    response = owner_client.get(add_url(world["kati"].salon), {"q": "kati"})

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert 'id="points-add-dialog-body"' in html
    assert "Kati Kask · kati@x.test" in html


# --- The API ----------------------------------------------------------------------------------


@pytest.fixture
def staff_api(staff_user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(staff_user)
    return api


def test_the_api_lists_the_month_with_balances_and_totals(world, staff_api):
    # when
    response = staff_api.get(api_url(world["kati"].salon), MARCH)

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert body["totals"] == {"count": 4, "earned": 150, "spent": -140, "net": 10}
    assert [(r["id"], r["points"], r["running_balance"]) for r in body["results"]] == [
        (world["mari_mar31"].pk, -20, 30),
        (world["kati_mar15"].pk, -120, 30),
        (world["mari_mar10"].pk, 50, 50),
        (world["kati_mar1"].pk, 100, 150),
    ]
    first = body["results"][-1]
    assert first["created_at"] == "2026-03-01T00:30:00+02:00"
    assert first["client_name"] == "Kati Kask"
    assert first["kind"] == "manual"
    assert first["actor_email"] == "owner@alpha.test"
    visit_row = body["results"][2]
    assert (visit_row["service"], visit_row["staff"], visit_row["location"]) == (
        "Haircut",
        "Boris",
        "Old Town",
    )


def test_the_api_filters_sorts_and_pages(world, owner_api):
    # when
    response = owner_api.get(
        api_url(world["kati"].salon),
        {"staff": world["boris"].pk, "sort": "points", "limit": 1, "offset": 1, "kind": ""},
    )

    # then
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 2
    assert [r["id"] for r in body["results"]] == [world["mari_mar10"].pk]  # +40, then +50
    assert body["previous"] is not None and body["next"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2026-02-30"}, "date_from"),
        ({"date_from": "2026-03-31", "date_to": "2026-03-01"}, "date_to"),
        ({"date_to": "9999-12-31"}, "date_to"),
        ({"kind": "gift"}, "kind"),
        ({"staff": "999999"}, "staff"),
        ({"service": "abc"}, "service"),
        ({"location": "99999999999999999999999"}, "location"),
        ({"client": "-1"}, "client"),
        ({"sort": "id"}, "sort"),
        ({"search": "x" * 101}, "search"),
        ({"search": "a\x00b"}, "search"),
    ],
)
def test_the_api_answers_bad_filters_with_400_per_field(world, owner_api, params, field):
    # when
    for name in ("points", "points-export-csv", "points-export-xlsx"):
        response = owner_api.get(api_url(world["kati"].salon, name), params)

        # then
        assert response.status_code == 400, name
        assert field in response.json(), name


def test_the_api_of_another_salon_is_404(world, other_owner):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(other_owner)
    for name in ("points", "points-export-csv", "points-export-xlsx"):
        # when
        response = api.get(api_url(world["kati"].salon, name))

        # then
        assert response.status_code == 404


def test_the_api_needs_credentials(world, api_client):
    # when
    response = api_client.get(api_url(world["kati"].salon))

    # then
    assert response.status_code == 401


def test_the_api_exports_files_whatever_the_accept_header(world, staff_api):
    # when
    csv_file = staff_api.get(
        api_url(world["kati"].salon, "points-export-csv"), MARCH, HTTP_ACCEPT="text/csv"
    )
    xlsx_file = staff_api.get(
        api_url(world["kati"].salon, "points-export-xlsx"),
        MARCH,
        HTTP_ACCEPT="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )

    # then
    assert csv_file.status_code == 200
    assert csv_file["Content-Type"] == "text/csv; charset=utf-8"
    assert b"".join(csv_file.streaming_content).startswith(b"\xef\xbb\xbfDate,Client,")
    assert xlsx_file.status_code == 200
    assert xlsx_file["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        'filename="alpha-loyalty-points-2026-03-01-2026-03-31.xlsx"'
        in (xlsx_file["Content-Disposition"])
    )


def test_the_schema_lists_the_report_endpoints(db, client):
    # when
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    # then
    paths = response.json()["paths"]
    report = paths["/api/v1/salons/{salon_slug}/reports/points/"]["get"]
    assert report["tags"] == ["reports"]
    assert {p["name"] for p in report["parameters"]} == {
        "salon_slug",
        "date_from",
        "date_to",
        "client",
        "search",
        "kind",
        "staff",
        "service",
        "location",
        "sort",
        "limit",
        "offset",
    }
    csv_op = paths["/api/v1/salons/{salon_slug}/reports/points/export.csv"]["get"]
    assert set(csv_op["responses"]["200"]["content"]) == {"text/csv"}
    xlsx_op = paths["/api/v1/salons/{salon_slug}/reports/points/export.xlsx"]["get"]
    assert xlsx_op["tags"] == ["reports"]


GARBAGE = ["", "-1", "99999999999999999999999999", "2026-02-30", "abc", "\x00", "x" * 3000, "١٢٣٤"]
PARAMS = ["date_from", "date_to", "q", "client", "kind", "staff", "service", "location", "sort"]
PARAMS += ["per_page", "page", "search", "limit", "offset", "next", "points", "description"]


def test_garbage_never_gets_a_server_error(world, owner_client, owner_api):
    # given
    salon = world["kati"].salon
    pages = [report_url(salon), f"{report_url(salon)}points/export.csv", add_url(salon)]
    pages.append(f"{report_url(salon)}points/export.xlsx")
    apis = [api_url(salon), api_url(salon, "points-export-csv")]
    failures = []
    for shift in range(len(GARBAGE)):
        params = {name: GARBAGE[(i + shift) % len(GARBAGE)] for i, name in enumerate(PARAMS)}

        # when
        responses = [owner_client.get(url, params) for url in pages]
        responses += [owner_api.get(url, params) for url in apis]
        responses.append(owner_client.post(add_url(salon), params))

        # then
        failures += [r.status_code for r in responses if r.status_code >= 500]
    assert failures == []
