"""The dashboard's home page: the home panel hook (bookings/dashboard/extensions.py), today's
and tomorrow's appointments per staff member, what is new since the member's last visit, the
charts of a period (reports/home/charts.py), tenancy, roles and bad input."""

from __future__ import annotations

import copy
import datetime as dt
import re
import zoneinfo
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client as HttpClient
from django.test import override_settings
from django.utils import timezone

from bookings.dashboard.extensions import (
    HomePanel,
    home_panels,
    register_home_panel,
    unregister_home_panel,
)
from bookings.models import Appointment, Membership
from loyalty.models import PointsEntry
from loyalty.services.points import points_entry_add
from loyalty.tests.conftest import make_appointment
from reports.home.charts import Series, bar_chart_svg, nice_ceiling
from reports.home.models import HomeVisit
from reports.home.selectors import Period, group_by_week
from reports.home.services import VISIT_GAP, home_visit_record
from tests.factories import (
    ClientFactory,
    LocationFactory,
    MembershipFactory,
    ServiceFactory,
    StaffMemberFactory,
    UserFactory,
)

TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")
# A Wednesday, 12:00 in Tallinn (UTC+2 until the end of March).
NOW = dt.datetime(2026, 3, 11, 10, 0, tzinfo=dt.UTC)
HOME = "/dashboard/alpha/"


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Time stands still at NOW (pages, services and auto_now fields alike) until moved."""
    frozen = Clock(NOW)
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen


def local(day: dt.date, hour: int, minute: int = 0, tz: Any = TALLINN) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


@pytest.fixture
def shop(salon, other_salon):
    location = LocationFactory(salon=salon, name="Old Town", time_zone="Europe/Tallinn")
    haircut = ServiceFactory(salon=salon, name="Haircut", price=Decimal("35.00"))
    colour = ServiceFactory(salon=salon, name="Colour", price=Decimal("80.50"))
    anna = StaffMemberFactory(salon=salon, name="Anna", locations=[location])
    mari = StaffMemberFactory(salon=salon, name="Mari", locations=[location])
    kati = ClientFactory(salon=salon, first_name="Kati", last_name="Kask")
    liis = ClientFactory(salon=salon, first_name="Liis", last_name="Lepp")
    # Another salon, busy on the same days: never on this salon's pages.
    their_location = LocationFactory(salon=other_salon, name="Their place")
    theirs = {
        "location": their_location,
        "service": ServiceFactory(salon=other_salon, name="Secret massage", price=Decimal("999")),
        "staff": StaffMemberFactory(salon=other_salon, name="Zelda"),
        "client": ClientFactory(salon=other_salon, first_name="Olga", last_name="Outsider"),
    }
    return {
        "salon": salon,
        "location": location,
        "haircut": haircut,
        "colour": colour,
        "anna": anna,
        "mari": mari,
        "kati": kati,
        "liis": liis,
        "theirs": theirs,
    }


def book(
    shop: dict[str, Any],
    starts_at: dt.datetime,
    *,
    staff: str = "anna",
    client: str = "kati",
    service: str = "haircut",
    status: str = Appointment.Status.BOOKED,
    source: str = Appointment.Source.DASHBOARD,
    price: Decimal | None = None,
    location: Any = None,
) -> Appointment:
    svc = shop[service]
    appointment = make_appointment(
        salon=shop["salon"],
        client=shop[client],
        service=svc,
        staff=shop[staff],
        location=location or shop["location"],
        ends_at=starts_at + dt.timedelta(minutes=svc.duration_minutes),
        status=status,
        price=price,
    )
    Appointment.objects.filter(pk=appointment.pk).update(source=source)
    appointment.refresh_from_db()
    return appointment


def book_theirs(shop: dict[str, Any], starts_at: dt.datetime, **kwargs: Any) -> Appointment:
    theirs = shop["theirs"]
    appointment = make_appointment(
        salon=theirs["location"].salon,
        client=theirs["client"],
        service=theirs["service"],
        staff=theirs["staff"],
        location=theirs["location"],
        ends_at=starts_at + dt.timedelta(hours=1),
        **kwargs,
    )
    Appointment.objects.filter(pk=appointment.pk).update(source=Appointment.Source.ONLINE)
    return appointment


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def section(page: str, element_id: str) -> str:
    """The HTML of the element with this id, up to its closing tag (sections don't nest
    sections of the same tag name in these templates, except the day/news boxes inside
    the panel, which is why the id's own tag is matched)."""
    start = page.index(f'id="{element_id}"')
    tag = page.rfind("<", 0, start)
    name = re.match(r"<(\w+)", page[tag:]).group(1)
    depth, position = 0, tag
    pattern = re.compile(rf"<(/?){name}\b[^>]*>")
    for match in pattern.finditer(page, tag):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return page[tag : match.end()]
        position = match.end()
    raise AssertionError(f"unclosed #{element_id} after {position}")


def rows(html: str) -> list[str]:
    return [text(li) for li in re.findall(r"<li data-appointment=.*?</li>", html, re.S)]


def staff_rows(day_html: str) -> dict[str, list[str]]:
    """{staff name: [row text, …]} of one day's box."""
    result: dict[str, list[str]] = {}
    parts = re.split(r'<h4 class="home-staff"[^>]*>(.*?)</h4>', day_html)
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        result[name] = rows(body)
    return result


def bars(page: str, chart: str) -> list[tuple[str, str, str]]:
    """(series, label, value) of each bar of the chart with this id, in drawing order."""
    svg = page[page.index(f'data-chart="{chart}"') :]
    svg = svg[: svg.index("</svg>")]
    return re.findall(
        r'<rect class="chart-bar[^"]*"[^>]*data-series="([^"]*)" data-label="([^"]*)" '
        r'data-value="([^"]*)"',
        svg,
    )


def values(page: str, chart: str, series: str | None = None) -> list[str]:
    return [value for name, _label, value in bars(page, chart) if series in (None, name)]


# --- The hook ---------------------------------------------------------------------------

TEST_TEMPLATES = {
    "test/home_panel.html": (
        '<section class="card" id="test-home">salon={{ salon.slug }};role={{ membership.role }};'
        "greeting={{ greeting }};path={{ request.path }}</section>"
    ),
}


@pytest.fixture
def test_home_panel() -> Iterator[list[tuple[str, str]]]:
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["APP_DIRS"] = False
    templates[0]["OPTIONS"]["loaders"] = [
        ("django.template.loaders.locmem.Loader", TEST_TEMPLATES),
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    calls: list[tuple[str, str]] = []

    def context(request: Any, salon: Any, membership: Membership) -> dict[str, Any]:
        calls.append((salon.slug, membership.role))
        return {"greeting": "hello", "salon": "not overridden"}

    panel = HomePanel(
        key="test_home", template_name="test/home_panel.html", context=context, position=1
    )
    with override_settings(TEMPLATES=templates):
        register_home_panel(panel)
        yield calls
        unregister_home_panel("test_home")


def test_the_home_page_shows_registered_panels_in_order_after_who_is_signed_in(
    salon, owner_client, test_home_panel
):
    # when
    response = owner_client.get(HOME)

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "You are signed in as Owner." in page
    assert "salon=alpha;role=owner;greeting=hello;path=/dashboard/alpha/" in page
    assert test_home_panel == [("alpha", "owner")]
    assert page.index("You are signed in as") < page.index('id="test-home"')
    assert page.index('id="test-home"') < page.index('id="home-schedule"')
    assert page.index('id="home-schedule"') < page.index('id="home-news"')
    assert page.index('id="home-news"') < page.index('id="home-figures"')


def test_home_panels_are_sorted_unregistered_and_keys_are_unique(test_home_panel):
    # given
    keys = [panel.key for panel in home_panels()]
    panel = next(p for p in home_panels() if p.key == "test_home")

    # then
    ours = ["test_home", "reports_schedule", "reports_news", "reports_figures"]
    assert [key for key in keys if key in ours] == ours
    assert register_home_panel(panel) is panel  # the same again: fine
    with pytest.raises(ValueError, match="already registered"):
        register_home_panel(HomePanel(key="test_home", template_name="x.html", context=dict))
    with pytest.raises(ValueError):
        register_home_panel(HomePanel(key="", template_name="x.html", context=dict))
    unregister_home_panel("test_home")
    assert "test_home" not in [p.key for p in home_panels()]


# --- Today and tomorrow -----------------------------------------------------------------


def test_todays_and_tomorrows_appointments_per_staff_member_in_the_locations_time(
    shop, owner_client, clock
):
    # given (today is Wednesday 11 March in Tallinn, 12:00)
    today = dt.date(2026, 3, 11)
    tomorrow = today + dt.timedelta(days=1)
    done = book(shop, local(today, 9), status=Appointment.Status.COMPLETED)
    later = book(shop, local(today, 14, 30), client="liis", service="colour")
    mari = book(shop, local(today, 10), staff="mari")
    tomorrow_first = book(shop, local(tomorrow, 8), staff="mari", client="liis")
    book(shop, local(today, 16), staff="mari", status=Appointment.Status.CANCELLED)
    book(shop, local(today - dt.timedelta(days=1), 15))  # yesterday
    book(shop, local(today + dt.timedelta(days=2), 9))  # the day after tomorrow
    book(shop, local(today, 0, 30))  # just after midnight: today
    book_theirs(shop, local(today, 11))

    # when
    response = owner_client.get(HOME)

    # then
    page = response.content.decode()
    assert response.status_code == 200
    today_box = section(page, "home-today")
    tomorrow_box = section(page, "home-tomorrow")
    assert "Today, Wednesday 11 March" in today_box
    assert 'data-count="4"' in today_box
    assert staff_rows(today_box) == {
        "Anna": [
            "00:30–01:30 Haircut Kati Kask Booked",
            "09:00–10:00 Haircut Kati Kask Completed",
            "14:30–15:30 Colour Liis Lepp Booked",
        ],
        "Mari": ["10:00–11:00 Haircut Kati Kask Booked"],
    }
    assert "Tomorrow, Thursday 12 March" in tomorrow_box
    assert staff_rows(tomorrow_box) == {"Mari": ["08:00–09:00 Haircut Liis Lepp Booked"]}
    for appointment in (done, later, mari, tomorrow_first):
        assert f"/dashboard/alpha/calendar/appointments/{appointment.pk}/" in page
    location = shop["location"].pk
    assert f"/dashboard/alpha/calendar/?location={location}&amp;date=2026-03-11" in today_box
    assert f"/dashboard/alpha/calendar/?location={location}&amp;date=2026-03-12" in tomorrow_box
    assert "Zelda" not in page and "Olga" not in page and "Secret massage" not in page


def test_an_appointment_is_shown_in_its_locations_time_zone_and_day(shop, owner_client, clock):
    # given a second location in New York (11 March, 06:00 there) and the salon in Tallinn
    new_york = zoneinfo.ZoneInfo("America/New_York")
    ny = LocationFactory(salon=shop["salon"], name="Manhattan", time_zone="America/New_York")
    ny_today = dt.date(2026, 3, 11)
    book(shop, local(ny_today, 19, tz=new_york), staff="mari", location=ny)  # 01:00 in Tallinn
    book(shop, local(ny_today, 9, tz=new_york), staff="mari", location=ny)

    # when
    page = owner_client.get(HOME).content.decode()

    # then: both are "today" in New York, at New York's times, with the location named
    assert staff_rows(section(page, "home-today")) == {
        "Mari": [
            "09:00–10:00 Haircut Kati Kask Manhattan Booked",
            "19:00–20:00 Haircut Kati Kask Manhattan Booked",
        ]
    }
    assert staff_rows(section(page, "home-tomorrow")) == {}
    assert f"calendar/?location={ny.pk}&amp;date=2026-03-11" in page


def test_times_are_right_on_the_day_summer_time_begins(shop, owner_client, clock):
    # given Sunday 29 March 2026: Tallinn moves from UTC+2 to UTC+3 at 04:00
    clock.now = dt.datetime(2026, 3, 29, 5, 0, tzinfo=dt.UTC)
    book(shop, dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC))  # 02:30 (UTC+2)
    book(shop, dt.datetime(2026, 3, 29, 7, 0, tzinfo=dt.UTC), staff="mari")  # 10:00 (UTC+3)

    # when
    page = owner_client.get(HOME).content.decode()

    # then
    assert staff_rows(section(page, "home-today")) == {
        "Anna": ["02:30–04:30 Haircut Kati Kask Booked"],  # an hour long, across 03:00
        "Mari": ["10:00–11:00 Haircut Kati Kask Booked"],
    }


def test_no_appointments_says_so_and_links_to_the_calendar(shop, owner_client, clock):
    page = owner_client.get(HOME).content.decode()
    today_box = section(page, "home-today")
    assert "No appointments." in today_box
    assert 'href="/dashboard/alpha/calendar/?date=2026-03-11"' in today_box


# --- New since the last visit -----------------------------------------------------------


def test_new_online_bookings_and_cancellations_since_the_last_visit(shop, owner_client, clock):
    # given a first visit yesterday morning
    today = dt.date(2026, 3, 11)
    clock.now = NOW - dt.timedelta(days=1)
    owner_client.get(HOME)
    # ... an online booking and a cancellation before it (seen then)
    seen = book(shop, local(today, 15), source=Appointment.Source.ONLINE)
    Appointment.objects.filter(pk=seen.pk).update(created_at=clock.now - dt.timedelta(hours=1))
    # ... and after it: two online bookings, one from the dashboard, two cancellations
    clock.advance(dt.timedelta(hours=3))
    first = book(shop, local(today, 16), source=Appointment.Source.ONLINE, client="liis")
    clock.advance(dt.timedelta(hours=1))
    second = book(shop, local(today, 17), staff="mari", source=Appointment.Source.ONLINE)
    book(shop, local(today, 18), source=Appointment.Source.DASHBOARD)
    cancelled = book(shop, local(today, 10), staff="mari", status=Appointment.Status.CANCELLED)
    Appointment.objects.filter(pk=cancelled.pk).update(status_changed_at=clock.now)
    old_cancel = book(shop, local(today, 11), status=Appointment.Status.CANCELLED)
    Appointment.objects.filter(pk=old_cancel.pk).update(
        status_changed_at=NOW - dt.timedelta(days=2)
    )
    theirs = book_theirs(shop, local(today, 12), status=Appointment.Status.CANCELLED)
    Appointment.objects.filter(pk=theirs.pk).update(status_changed_at=clock.now)

    # when the owner comes back this morning
    clock.now = NOW
    page = owner_client.get(HOME).content.decode()

    # then
    news = section(page, "home-news")
    assert "New since your last visit (Tue 10 Mar 12:00)" in news
    bookings_box = section(news, "home-new-bookings")
    assert 'data-count="2"' in bookings_box
    assert rows(bookings_box) == [
        "Wed 11 Mar 17:00 Haircut Kati Kask Mari",
        "Wed 11 Mar 16:00 Haircut Liis Lepp Anna",
    ]
    assert [int(pk) for pk in re.findall(r'data-appointment="(\d+)"', bookings_box)] == [
        second.pk,
        first.pk,
    ]
    cancellations_box = section(news, "home-cancellations")
    assert 'data-count="1"' in cancellations_box
    assert rows(cancellations_box) == ["Wed 11 Mar 10:00 Haircut Kati Kask Mari"]
    assert "Olga" not in page


def test_a_first_visit_shows_the_last_24_hours_and_records_the_visit(
    shop, owner, owner_client, clock
):
    # given an online booking made 2 hours ago and one 2 days ago
    recent = book(shop, local(dt.date(2026, 3, 12), 9), source=Appointment.Source.ONLINE)
    Appointment.objects.filter(pk=recent.pk).update(created_at=NOW - dt.timedelta(hours=2))
    old = book(shop, local(dt.date(2026, 3, 12), 11), source=Appointment.Source.ONLINE)
    Appointment.objects.filter(pk=old.pk).update(created_at=NOW - dt.timedelta(days=2))

    # when
    page = owner_client.get(HOME).content.decode()

    # then
    news = section(page, "home-news")
    assert "New in the last 24 hours" in news
    assert re.findall(r'data-appointment="(\d+)"', news) == [str(recent.pk)]
    visit = HomeVisit.objects.get()
    assert (visit.salon, visit.membership.user, visit.last_seen_at) == (shop["salon"], owner, NOW)
    assert visit.news_since is None


def test_views_during_one_visit_keep_the_same_window_and_a_pause_starts_a_new_one(
    salon, owner, clock
):
    # given
    membership = Membership.objects.get(salon=salon, user=owner)

    # when / then
    assert home_visit_record(salon=salon, membership=membership, now=NOW) is None
    later = NOW + VISIT_GAP - dt.timedelta(minutes=1)
    assert home_visit_record(salon=salon, membership=membership, now=later) is None
    back = later + VISIT_GAP
    assert home_visit_record(salon=salon, membership=membership, now=back) == later
    again = back + dt.timedelta(minutes=5)
    assert home_visit_record(salon=salon, membership=membership, now=again) == later
    visit = HomeVisit.objects.get()
    assert (visit.last_seen_at, visit.news_since) == (again, later)


def test_each_member_has_their_own_last_visit_and_another_salons_membership_is_refused(
    salon, other_salon, owner, staff_user, other_owner, clock
):
    # given
    mine = Membership.objects.get(salon=salon, user=owner)
    staff = Membership.objects.get(salon=salon, user=staff_user)
    theirs = Membership.objects.get(salon=other_salon, user=other_owner)
    home_visit_record(salon=salon, membership=mine, now=NOW - dt.timedelta(days=1))

    # when
    assert home_visit_record(salon=salon, membership=staff, now=NOW) is None
    assert home_visit_record(salon=salon, membership=mine, now=NOW) == NOW - dt.timedelta(days=1)

    # then
    with pytest.raises(ValueError):
        home_visit_record(salon=salon, membership=theirs, now=NOW)
    assert HomeVisit.objects.for_salon(salon).count() == 2
    assert HomeVisit.objects.for_salon(other_salon).count() == 0


# --- Figures ----------------------------------------------------------------------------


def give_points(shop: dict[str, Any], points: int, kind: str, at: dt.datetime) -> None:
    with transaction.atomic():
        entry, _account = points_entry_add(
            salon=shop["salon"], client=shop["kati"], kind=kind, points=points
        )
    PointsEntry.objects.filter(pk=entry.pk).update(created_at=at)


@pytest.fixture
def week_of_business(shop, clock):
    """Monday 9 – Wednesday 11 March (today): bookings, revenue and points."""
    monday = dt.date(2026, 3, 9)
    book(shop, local(monday, 9), status=Appointment.Status.COMPLETED)  # 35.00
    book(shop, local(monday, 11), staff="mari", service="colour", price=Decimal("80.50"))
    book(shop, local(monday, 13), status=Appointment.Status.CANCELLED)  # not counted
    book(shop, local(monday, 15), status=Appointment.Status.NO_SHOW)  # counted: 35.00
    book(shop, local(dt.date(2026, 3, 11), 9))  # today: 35.00
    book(shop, local(dt.date(2026, 3, 11), 23, 30), staff="mari")  # today, late: 35.00
    book(shop, local(dt.date(2026, 3, 4), 10))  # 8 days ago: only in 30/90 days
    book_theirs(shop, local(monday, 10))
    give_points(shop, 50, PointsEntry.Kind.EARNED, local(monday, 12))
    give_points(shop, 20, PointsEntry.Kind.REFERRAL, local(monday, 13))
    give_points(shop, -30, PointsEntry.Kind.REDEEMED, local(dt.date(2026, 3, 10), 12))
    give_points(shop, 100, PointsEntry.Kind.MANUAL, local(dt.date(2026, 3, 10), 13))
    give_points(shop, 40, PointsEntry.Kind.EARNED, local(dt.date(2026, 3, 6), 12))  # last week
    return shop


def test_the_last_7_days_per_day_with_the_right_values(week_of_business, owner_client):
    # when
    response = owner_client.get(HOME, {"period": "7"})

    # then (5 – 11 March)
    page = response.content.decode()
    assert response.status_code == 200
    assert [label for _s, label, _v in bars(page, "chart-bookings")] == [
        "Thu 5",
        "Fri 6",
        "Sat 7",
        "Sun 8",
        "Mon 9",
        "Tue 10",
        "Wed 11",
    ]
    assert values(page, "chart-bookings") == ["0", "0", "0", "0", "3", "0", "2"]
    assert values(page, "chart-revenue") == [
        "0.00",
        "0.00",
        "0.00",
        "0.00",
        "150.50",
        "0.00",
        "70.00",
    ]
    assert "Revenue booked per day (EUR)" in page
    # points per week: the week of 2 March (from Thursday 5) and the week of 9 March
    assert bars(page, "chart-points") == [
        ("Earned", "5 Mar", "40"),
        ("Redeemed", "5 Mar", "0"),
        ("Earned", "9 Mar", "70"),
        ("Redeemed", "9 Mar", "30"),
    ]
    assert 'aria-current="page">Last 7 days' in page


def test_the_last_30_and_90_days(week_of_business, owner_client):
    # when
    thirty = owner_client.get(HOME, {"period": "30"}).content.decode()
    ninety = owner_client.get(HOME, {"period": "90"}).content.decode()

    # then
    assert len(bars(thirty, "chart-bookings")) == 30
    assert sum(int(v) for v in values(thirty, "chart-bookings")) == 6
    assert values(thirty, "chart-bookings")[-8] == "1"  # 4 March
    assert len(bars(thirty, "chart-revenue")) == 30
    assert len(bars(ninety, "chart-bookings")) == 90
    # 90 days (12 Dec – 11 Mar) of revenue per week: 14 weeks, the first from Friday 12 Dec
    revenue = bars(ninety, "chart-revenue")
    assert len(revenue) == 14
    assert revenue[0][1] == "12 Dec"
    assert [value for _s, _label, value in revenue[-2:]] == ["35.00", "220.50"]
    assert "Revenue booked per week (EUR)" in ninety
    assert [value for _s, label, value in bars(ninety, "chart-points") if label == "2 Mar"] == [
        "40",
        "0",
    ]


def test_the_default_period_is_30_days(week_of_business, owner_client):
    page = owner_client.get(HOME).content.decode()
    assert len(bars(page, "chart-bookings")) == 30
    assert 'aria-current="page">Last 30 days' in page
    assert 'id="period-errors"' not in page


@pytest.mark.parametrize(
    "period", ["", "abc", "0", "-7", "8", "99999999999999999999", "\x00", "7.0", "x" * 3000]
)
def test_a_bad_period_is_a_form_error_and_the_default(period, week_of_business, owner_client):
    # when
    response = owner_client.get(HOME, {"period": period})

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert len(bars(page, "chart-bookings")) == 30
    if period:
        assert "Choose a period of 7, 30 or 90 days; showing the last 30 days." in page


def test_staff_see_the_home_page_read_only(week_of_business, staff_user):
    # given
    http = HttpClient()
    http.force_login(staff_user)
    book(week_of_business, local(dt.date(2026, 3, 11), 15))

    # when
    response = http.get(HOME, {"period": "7"})

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "You are signed in as Staff." in page
    assert values(page, "chart-bookings")[-1] == "3"
    assert "<form" not in section(page, "home-figures")
    assert 'method="post"' not in section(page, "home-schedule")


def test_another_salons_figures_are_never_counted(week_of_business, other_owner_client, clock):
    # when the other salon's owner opens their home page
    page = other_owner_client.get("/dashboard/beta/", {"period": "7"}).content.decode()

    # then: only their one booking of Monday 9 March
    assert values(page, "chart-bookings") == ["0", "0", "0", "0", "1", "0", "0"]
    assert values(page, "chart-revenue")[4] == "999.00"
    assert set(values(page, "chart-points")) == {"0"}
    assert "Kati" not in page and "Anna" not in page


def test_a_non_member_gets_a_404(week_of_business, other_owner_client):
    assert other_owner_client.get(HOME).status_code == 404


def test_the_home_pages_query_count_does_not_grow_with_the_appointments(
    shop, owner_client, clock, django_assert_max_num_queries
):
    # given a dozen online bookings today (more than the news list shows)
    today = dt.date(2026, 3, 11)
    for hour in range(8, 20):
        book(shop, local(today, hour), source=Appointment.Source.ONLINE)
    owner_client.get(HOME)
    with django_assert_max_num_queries(20) as few:
        owner_client.get(HOME)
    # ... and then two dozen more, today and tomorrow, with cancellations
    for hour in range(8, 20):
        # (another client: one client's identical duplicate is refused, issue 13)
        book(
            shop, local(today, hour), staff="mari", client="liis", source=Appointment.Source.ONLINE
        )
        book(shop, local(today + dt.timedelta(days=1), hour), source=Appointment.Source.ONLINE)
        cancelled = book(shop, local(today, hour, 30), status=Appointment.Status.CANCELLED)
        Appointment.objects.filter(pk=cancelled.pk).update(status_changed_at=NOW)

    # when
    with django_assert_max_num_queries(len(few.captured_queries) + 1):  # + the cancellations' count
        response = owner_client.get(HOME)

    # then
    assert response.status_code == 200
    assert 'data-count="24"' in section(response.content.decode(), "home-today")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def test_the_home_page_has_no_inline_scripts_or_styles(week_of_business, owner_client):
    # when
    response = owner_client.get(HOME, {"period": "90"})

    # then
    html = response.content.decode()
    assert INLINE_SCRIPT.findall(html) == []
    assert "<style" not in html.lower()
    assert not re.search(r"\sstyle\s*=", html)
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html


def test_the_demo_home_page_shows_appointments_and_charts(db, clock):
    # given the demo salon with its owner, calendar and loyalty history
    import io

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo_loyalty", stdout=io.StringIO())
    call_command("seed_demo_packages", stdout=io.StringIO())
    http = HttpClient()
    http.force_login(get_user_model().objects.get(email="owner@demo.salonbook.test"))

    # when
    response = http.get("/dashboard/demo/", {"period": "7"})

    # then every figure the issue names is there, drawn from the demo data
    page = response.content.decode()
    assert response.status_code == 200
    assert int(re.search(r'id="home-tomorrow" data-count="(\d+)"', page).group(1)) > 0
    assert 'id="home-today"' in page
    assert len(bars(page, "chart-bookings")) == 7
    assert sum(int(value) for value in values(page, "chart-bookings")) > 0
    assert sum(float(value) for value in values(page, "chart-revenue")) > 0
    assert sum(int(value) for value in values(page, "chart-points", "Earned")) > 0
    assert "Package sales per week" in page and 'data-chart="chart-packages"' in page


def test_the_demo_home_page_shows_the_package_sold_today(db):
    # given the demo salon seeded now (no frozen clock: the package is paid today)
    import io

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    for command in ("seed_demo", "seed_demo_loyalty", "seed_demo_packages"):
        call_command(command, stdout=io.StringIO())
    http = HttpClient()
    http.force_login(get_user_model().objects.get(email="owner@demo.salonbook.test"))

    # when
    page = http.get("/dashboard/demo/", {"period": "7"}).content.decode()

    # then the demo client's visit package is this week's sale
    assert sum(int(value) for value in values(page, "chart-packages")) == 1
    assert sum(int(value) for value in values(page, "chart-bookings")) > 0


# --- The chart drawing ------------------------------------------------------------------


def rects(svg: str) -> list[dict[str, str]]:
    return [
        dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        for tag in re.findall(r'<rect class="chart-bar[^>]*>', svg)
    ]


def test_bars_are_as_high_as_their_value_against_a_nice_top():
    # when
    svg = bar_chart_svg(
        chart_id="t",
        title="Bookings",
        series=[Series("Bookings", [("Mon", 4), ("Tue", 2), ("Wed", 0)])],
    )

    # then: the axis goes to 5; the plot is 150 high with its base at y=174
    drawn = rects(svg)
    assert [(r["data-label"], r["data-value"]) for r in drawn] == [
        ("Mon", "4"),
        ("Tue", "2"),
        ("Wed", "0"),
    ]
    assert [float(r["height"]) for r in drawn] == [120.0, 60.0, 0.0]
    assert [float(r["y"]) + float(r["height"]) for r in drawn] == [174.0] * 3
    assert 'viewBox="0 0 360 200"' in svg and 'width="100%"' in svg
    assert '<title id="t-title">Bookings</title>' in svg
    assert 'aria-labelledby="t-title t-desc"' in svg
    assert ">5</text>" in svg and ">0</text>" in svg
    assert "<title>Bookings: Mon: 4</title>" in svg


def test_two_series_are_drawn_side_by_side_with_a_legend():
    svg = bar_chart_svg(
        chart_id="p",
        title="Points",
        series=[
            Series("Earned", [("w1", 10), ("w2", 20)]),
            Series("Redeemed", [("w1", 5), ("w2", 0)]),
        ],
    )
    drawn = rects(svg)
    assert [(r["data-series"], r["data-label"]) for r in drawn] == [
        ("Earned", "w1"),
        ("Redeemed", "w1"),
        ("Earned", "w2"),
        ("Redeemed", "w2"),
    ]
    assert float(drawn[0]["x"]) < float(drawn[1]["x"]) < float(drawn[2]["x"])
    assert "chart-series-0" in drawn[0]["class"] and "chart-series-1" in drawn[1]["class"]
    assert '<text class="chart-legend"' in svg and ">Redeemed</text>" in svg


def test_every_label_is_escaped():
    # when
    svg = bar_chart_svg(
        chart_id="x",
        title='<script>alert("t")</script>',
        description="a & b",
        series=[Series('S"1<', [('<img src=x onerror="1">', 1)])],
        empty_text="<b>",
    )

    # then
    assert "<script" not in svg and "<img" not in svg and "<b>" not in svg
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in svg
    assert 'data-label="&lt;img src=x onerror=&quot;1&quot;&gt;"' in svg
    assert 'data-series="S&quot;1&lt;"' in svg
    assert "a &amp; b" in svg


def test_all_zero_and_empty_data_draw_an_empty_chart():
    # when
    zeros = bar_chart_svg(
        chart_id="z",
        title="Nothing",
        series=[Series("A", [("a", 0), ("b", Decimal("0.00"))])],
        empty_text="No bookings",
    )
    empty = bar_chart_svg(chart_id="e", title="Nothing", series=[], empty_text="No data")
    no_points = bar_chart_svg(chart_id="n", title="Nothing", series=[Series("A", [])])

    # then
    assert [float(r["height"]) for r in rects(zeros)] == [0.0, 0.0]
    assert ">No bookings</text>" in zeros
    assert rects(empty) == [] and ">No data</text>" in empty
    assert rects(no_points) == [] and no_points.endswith("</svg>")


def test_decimal_values_and_a_value_format():
    svg = bar_chart_svg(
        chart_id="r",
        title="Revenue",
        series=[Series("Revenue", [("a", Decimal("35.50")), ("b", Decimal("120.00"))])],
        format_value=lambda v: f"{v} EUR",
    )
    drawn = rects(svg)
    assert [r["data-value"] for r in drawn] == ["35.50", "120.00"]
    assert "<title>Revenue: b: 120.00 EUR</title>" in svg
    assert float(drawn[1]["height"]) == 90.0  # 120 of 200


def test_series_with_different_labels_and_bad_ids_are_refused():
    with pytest.raises(ValueError):
        bar_chart_svg(
            chart_id="x", title="t", series=[Series("a", [("1", 1)]), Series("b", [("2", 1)])]
        )
    with pytest.raises(ValueError):
        bar_chart_svg(chart_id='x" onload="1', title="t", series=[])


@pytest.mark.parametrize(
    ("peak", "top"),
    [(0, 1), (-3, 1), (1, 1), (3, 5), (5, 5), (7, 10), (10, 10), (11, 20), (0.3, 0.5), (250, 500)],
)
def test_nice_ceiling(peak, top):
    assert nice_ceiling(peak) == pytest.approx(top)


def test_periods_and_weeks():
    period = Period.ending(today=dt.date(2026, 3, 11), days=7)
    assert (period.first, period.last, len(period.dates())) == (
        dt.date(2026, 3, 5),
        dt.date(2026, 3, 11),
        7,
    )
    start, end = period.bounds(TALLINN)
    assert (start, end) == (
        dt.datetime(2026, 3, 4, 22, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 11, 22, 0, tzinfo=dt.UTC),
    )
    weeks = group_by_week([type("Row", (), {"day": day})() for day in period.dates()], day_of="day")
    assert [(first, len(days)) for first, days in weeks] == [
        (dt.date(2026, 3, 5), 4),
        (dt.date(2026, 3, 9), 3),
    ]


def test_a_member_of_two_salons_sees_each_salons_own_home(shop, other_salon, clock):
    # given a user who belongs to both salons
    user = UserFactory(email="both@example.test")
    MembershipFactory(salon=shop["salon"], user=user, role="manager")
    MembershipFactory(salon=other_salon, user=user, role="staff")
    book(shop, local(dt.date(2026, 3, 11), 15))
    book_theirs(shop, local(dt.date(2026, 3, 11), 15))
    http = HttpClient()
    http.force_login(user)

    # when
    alpha = http.get(HOME).content.decode()
    beta = http.get("/dashboard/beta/").content.decode()

    # then
    assert "Kati Kask" in section(alpha, "home-today") and "Olga" not in alpha
    assert "Olga Outsider" in section(beta, "home-today") and "Kati" not in beta
    assert HomeVisit.objects.for_salon(shop["salon"]).count() == 1
    assert HomeVisit.objects.for_salon(other_salon).count() == 1


# --- Package sales ----------------------------------------------------------------------


def test_package_sales_per_week_count_paid_packages_of_this_salon_only(
    week_of_business, owner_client, clock
):
    from packages.models import ClientPackage, PackageKind
    from packages.services.holdings import client_package_assign, client_package_buy
    from packages.tests.conftest import make_type

    # given two packages paid this week, one last week, one waiting for payment, one older
    # than the period, and another salon's sale
    shop = week_of_business
    salon = shop["salon"]
    visits = make_type(salon, [shop["haircut"]], name="5 visits", price="150.00")
    month = make_type(salon, [shop["haircut"]], kind=PackageKind.TIME, name="Month", price="49.90")

    def sold(package_type: Any, client: Any, paid_at: dt.datetime) -> None:
        held = client_package_assign(
            salon=salon,
            client=client,
            package_type=package_type,
            actor=None,
            expires_on=dt.date(2026, 12, 31),
        )
        ClientPackage.objects.filter(pk=held.pk).update(paid_at=paid_at)

    sold(visits, shop["kati"], local(dt.date(2026, 3, 9), 10))
    sold(month, shop["liis"], local(dt.date(2026, 3, 11), 0, 30))  # today, just after midnight
    sold(month, shop["kati"], local(dt.date(2026, 3, 6), 23, 50))  # last week (Friday)
    sold(visits, shop["liis"], local(dt.date(2026, 1, 2), 12))  # before the 30 days
    client_package_buy(salon=salon, client=shop["kati"], package_type=visits)  # pending
    theirs = shop["theirs"]
    their_type = make_type(theirs["client"].salon, [theirs["service"]], name="Theirs")
    client_package_assign(
        salon=theirs["client"].salon,
        client=theirs["client"],
        package_type=their_type,
        actor=None,
        expires_on=None,
    )

    # when
    page = owner_client.get(HOME, {"period": "7"}).content.decode()

    # then
    assert bars(page, "chart-packages") == [
        ("Packages sold", "5 Mar", "1"),
        ("Packages sold", "9 Mar", "2"),
    ]
    table = text(section(page, "chart-card-packages"))
    assert "5 Mar 1 49.90 EUR" in table and "9 Mar 2 199.90 EUR" in table
    thirty = owner_client.get(HOME, {"period": "30"}).content.decode()
    assert sum(int(v) for v in values(thirty, "chart-packages")) == 3
