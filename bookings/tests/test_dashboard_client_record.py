"""The client's record in the dashboard (history, counts, links to book) and the client list's
visit columns and sorting."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings import selectors
from bookings.models import Appointment, Client
from tests.factories import ClientFactory, LocationFactory, ServiceFactory, StaffMemberFactory

NOW = timezone.now().replace(microsecond=0)


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"dashboard:{name}", kwargs={"salon_slug": "alpha", **kwargs})


def make_appointment(
    shop: dict[str, Any],
    client: Client,
    starts_at: dt.datetime,
    *,
    status: str = "booked",
    price: str = "40.00",
    staff=None,
    service=None,
    status_changed_at: dt.datetime | None = None,
) -> Appointment:
    """A row written directly (test data: the booking rules are not what is tested here)."""
    return Appointment.objects.create(
        salon=shop["salon"],
        location=shop["location"],
        staff=staff or shop["staff"][0],
        service=service or shop["service"],
        client=client,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=60),
        block_starts_at=starts_at,
        block_ends_at=starts_at + dt.timedelta(minutes=60),
        status=status,
        source="dashboard",
        price=Decimal(price),
        status_changed_at=status_changed_at,
    )


def rows(html: str, list_id: str) -> list[str]:
    table = re.search(rf'<table data-appointments="{list_id}">(.*?)</table>', html, re.S)
    assert table, f"no {list_id} table"
    return re.findall(r'<tr data-appointment="(\d+)">', table.group(1))


# --- The client's page ------------------------------------------------------------------


def test_client_page_shows_history_counts_and_total(shop, owner_client):
    # given
    salon = shop["salon"]
    salon.cancellation_cutoff_hours = 24
    salon.save()
    client = ClientFactory(salon=salon, notes="Allergic to ammonia.")
    day = dt.timedelta(days=1)
    done_1 = make_appointment(shop, client, NOW - 10 * day, status="completed", price="40.00")
    done_2 = make_appointment(shop, client, NOW - 5 * day, status="completed", price="25.50")
    no_show = make_appointment(shop, client, NOW - 3 * day, status="no_show")
    late = make_appointment(
        shop,
        client,
        NOW - 2 * day,
        status="cancelled",
        status_changed_at=NOW - 2 * day - dt.timedelta(hours=3),
    )
    early = make_appointment(
        shop, client, NOW - day, status="cancelled", status_changed_at=NOW - 4 * day
    )
    soon = make_appointment(shop, client, NOW + day)
    later = make_appointment(shop, client, NOW + 3 * day)
    make_appointment(shop, ClientFactory(salon=salon), NOW + 2 * day)  # someone else's

    # when
    response = owner_client.get(url("client_detail", pk=client.pk))

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert rows(html, "upcoming") == [str(soon.pk), str(later.pk)]
    assert rows(html, "past") == [str(a.pk) for a in (early, late, no_show, done_2, done_1)]
    assert re.search(r"data-total-spent>€65\.50<", html)
    assert re.search(r"data-no-shows>1<", html)
    assert re.search(r"data-late-cancels>1<", html)
    assert "Allergic to ammonia." in html
    assert "No-show" in html and "Cancelled" in html and "Completed" in html


def test_client_page_shows_times_in_the_location_zone(shop, owner_client):
    # given
    client = ClientFactory(salon=shop["salon"])
    starts = dt.datetime(2030, 6, 10, 7, 0, tzinfo=dt.UTC)  # 10:00 in Tallinn (summer)
    make_appointment(shop, client, starts)

    # when
    html = owner_client.get(url("client_detail", pk=client.pk)).content.decode()

    # then
    assert "2030-06-10 10:00" in html


def test_client_page_links_to_new_appointment_and_book_again(shop, owner_client):
    # given
    client = ClientFactory(salon=shop["salon"])
    mari = shop["staff"][1]
    past = make_appointment(
        shop, client, NOW - dt.timedelta(days=7), status="completed", staff=mari
    )

    # when
    html = owner_client.get(url("client_detail", pk=client.pk)).content.decode()

    # then "New appointment" opens the calendar with the booking panel for this client
    new = re.search(r'<a class="btn" href="([^"]+)">New appointment for this client', html)
    target = urlsplit(new.group(1).replace("&amp;", "&"))
    assert target.path == url("calendar")
    assert parse_qs(target.query) == {"new": [f"client={client.pk}"]}
    # and "Book again" goes through the next-free-time finder of that appointment
    book_again = re.search(r'<a class="btn btn-secondary" href="([^"]+)" data-book-again>', html)
    assert book_again.group(1) == url("appointment_book_again", pk=past.pk)


def test_book_again_opens_the_panel_at_the_next_free_time_with_the_same_service_and_staff(
    shop, owner_client
):
    # given a past visit with Mari, and Mari booked for the whole of tomorrow's first hour
    client = ClientFactory(salon=shop["salon"])
    mari = shop["staff"][1]
    past = make_appointment(
        shop, client, NOW - dt.timedelta(days=7), status="completed", staff=mari
    )
    html = owner_client.get(url("client_detail", pk=client.pk)).content.decode()
    href = re.search(r'href="([^"]+)" data-book-again', html).group(1).replace("&amp;", "&")

    # when
    response = owner_client.get(href)

    # then the calendar of the next free time's day opens the panel prefilled with it
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    query = parse_qs(target.query)
    prefill = parse_qs(query["new"][0])
    assert prefill["client"] == [str(client.pk)]
    assert prefill["service"] == [str(past.service_id)]
    assert prefill["staff"] == [str(mari.pk)]
    tz = shop["location"].tzinfo
    when = dt.datetime.combine(
        dt.date.fromisoformat(prefill["date"][0]),
        dt.time.fromisoformat(prefill["time"][0]),
        tzinfo=tz,
    )
    assert when > timezone.now()
    assert query["date"] == prefill["date"]
    calendar = owner_client.get(response["Location"])
    assert b"data-panel-autoload" in calendar.content
    panel_url = (
        re.search(r'hx-get="([^"]+)" hx-trigger="load"', calendar.content.decode())
        .group(1)
        .replace("&amp;", "&")
    )
    panel = owner_client.get(panel_url, HTTP_HX_REQUEST="true")
    initial = panel.context["form"].initial
    assert (initial["client"], initial["service"], initial["staff"]) == (
        client.pk,
        past.service_id,
        mari.pk,
    )
    assert initial["time"].strftime("%H:%M") == prefill["time"][0]
    assert panel.context["chosen_client"] == client


def test_client_without_appointments_has_no_book_again(shop, owner_client):
    # given
    client = ClientFactory(salon=shop["salon"])

    # when
    html = owner_client.get(url("client_detail", pk=client.pk)).content.decode()

    # then
    assert "data-book-again" not in html
    assert "No upcoming appointments." in html
    assert "No past appointments." in html


def test_staff_member_sees_the_client_page(shop, staff_user, client):
    # given
    client.force_login(staff_user)
    record = ClientFactory(salon=shop["salon"])

    # when
    response = client.get(url("client_detail", pk=record.pk))

    # then
    assert response.status_code == 200


def test_another_salons_client_page_is_404(shop, other_owner_client):
    # given
    record = ClientFactory(salon=shop["salon"])
    make_appointment(shop, record, NOW + dt.timedelta(days=1))

    # when
    response = other_owner_client.get(
        reverse("dashboard:client_detail", kwargs={"salon_slug": "beta", "pk": record.pk})
    )

    # then
    assert response.status_code == 404


def test_client_page_queries_do_not_grow_with_appointments(
    shop, owner_client, django_assert_max_num_queries
):
    # given
    salon = shop["salon"]
    client = ClientFactory(salon=salon)
    make_appointment(shop, client, NOW - dt.timedelta(days=1), status="completed")
    make_appointment(shop, client, NOW + dt.timedelta(days=1))
    with django_assert_max_num_queries(100) as few:
        owner_client.get(url("client_detail", pk=client.pk))
    baseline = len(few.captured_queries)
    for days in range(2, 14):
        location = LocationFactory(salon=salon, name=f"Branch {days}")
        service = ServiceFactory(salon=salon, name=f"Service {days}")
        staff = StaffMemberFactory(salon=salon, name=f"Staff {days}")
        shop_b = {**shop, "location": location}
        make_appointment(
            shop_b, client, NOW + dt.timedelta(days=days), staff=staff, service=service
        )
        make_appointment(
            shop_b,
            client,
            NOW - dt.timedelta(days=days),
            status="completed",
            staff=staff,
            service=service,
        )

    # when / then
    with django_assert_max_num_queries(baseline):
        response = owner_client.get(url("client_detail", pk=client.pk))
    assert response.status_code == 200


def test_client_page_has_no_inline_scripts_or_styles(shop, owner_client):
    # given
    client = ClientFactory(salon=shop["salon"])
    make_appointment(shop, client, NOW - dt.timedelta(days=2), status="completed")
    make_appointment(shop, client, NOW + dt.timedelta(days=2))

    # when
    html = owner_client.get(url("client_detail", pk=client.pk)).content.decode()

    # then
    assert not re.search(r"\sstyle=", html)
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []


def test_client_history_selector_counts_late_cancellations_by_cutoff(shop):
    # given
    salon = shop["salon"]
    salon.cancellation_cutoff_hours = 48
    client = ClientFactory(salon=salon)
    starts = NOW - dt.timedelta(days=1)
    make_appointment(
        shop, client, starts, status="cancelled", status_changed_at=starts - dt.timedelta(hours=47)
    )
    make_appointment(
        shop,
        client,
        starts + dt.timedelta(hours=2),
        status="cancelled",
        status_changed_at=starts - dt.timedelta(hours=49),
    )
    make_appointment(shop, client, starts + dt.timedelta(hours=4), status="cancelled")

    # when
    history = selectors.client_history(salon=salon, client=client, now=NOW)

    # then
    assert history.late_cancel_count == 1
    assert history.total_spent == Decimal("0")


# --- The client list: last and next visit --------------------------------------------------


@pytest.fixture
def visits(shop):
    salon = shop["salon"]
    day = dt.timedelta(days=1)
    anna = ClientFactory(salon=salon, first_name="Anna", last_name="Aas")
    bert = ClientFactory(salon=salon, first_name="Bert", last_name="Berg")
    cara = ClientFactory(salon=salon, first_name="Cara", last_name="Cook")
    make_appointment(shop, anna, NOW - 20 * day, status="completed")
    make_appointment(shop, anna, NOW - 2 * day, status="completed")
    make_appointment(shop, anna, NOW - day, status="no_show")  # not a visit
    make_appointment(shop, anna, NOW + 9 * day)
    make_appointment(shop, bert, NOW - 5 * day, status="completed")
    make_appointment(shop, bert, NOW + 2 * day)
    make_appointment(shop, bert, NOW + 4 * day)
    make_appointment(shop, bert, NOW + day, status="cancelled")  # not a visit
    return {"anna": anna, "bert": bert, "cara": cara}


def test_client_list_annotates_last_and_next_visit(visits, shop):
    # when
    clients = {c.first_name: c for c in selectors.client_list(salon=shop["salon"], now=NOW)}

    # then
    day = dt.timedelta(days=1)
    assert clients["Anna"].last_visit == NOW - 2 * day
    assert clients["Anna"].next_visit == NOW + 9 * day
    assert clients["Bert"].last_visit == NOW - 5 * day
    assert clients["Bert"].next_visit == NOW + 2 * day
    assert (clients["Cara"].last_visit, clients["Cara"].next_visit) == (None, None)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["Anna", "Bert", "Cara"]),
        ("name", ["Anna", "Bert", "Cara"]),
        ("-name", ["Cara", "Bert", "Anna"]),
        ("last_visit", ["Bert", "Anna", "Cara"]),
        ("-last_visit", ["Anna", "Bert", "Cara"]),
        ("next_visit", ["Bert", "Anna", "Cara"]),
        ("-next_visit", ["Anna", "Bert", "Cara"]),
        ("password", ["Anna", "Bert", "Cara"]),
        ("salon__name", ["Anna", "Bert", "Cara"]),
    ],
)
def test_client_list_sorts_by_whitelisted_columns(visits, owner_client, sort, expected):
    # when
    response = owner_client.get(url("client_list"), {"sort": sort})

    # then
    assert response.status_code == 200
    names = [c.first_name for c in response.context["page_obj"].object_list]
    assert names == expected


def test_client_list_shows_visit_columns_and_sort_links(visits, owner_client):
    # when
    html = owner_client.get(url("client_list"), {"sort": "last_visit"}).content.decode()

    # then
    assert "Last visit" in html and "Next visit" in html
    assert 'aria-sort="ascending"><a href="?sort=-last_visit"' in html
    assert 'href="?sort=next_visit"' in html
    assert (NOW - dt.timedelta(days=2)).astimezone(visits["anna"].salon.tzinfo).strftime(
        "%Y-%m-%d"
    ) in html


def test_client_list_htmx_sort_keeps_search(visits, owner_client):
    # when
    response = owner_client.get(
        url("client_list"), {"q": "a", "sort": "-name"}, headers={"HX-Request": "true"}
    )

    # then
    html = response.content.decode()
    assert "<html" not in html
    assert 'href="?q=a&amp;sort=name"' in html


def test_client_list_pages_keep_the_sort(shop, owner_client):
    # given
    for number in range(30):
        ClientFactory(salon=shop["salon"], last_name=f"Name{number:02d}")

    # when
    html = owner_client.get(url("client_list"), {"sort": "-name"}).content.decode()

    # then
    assert 'href="?sort=-name&amp;page=2"' in html


def test_client_list_queries_do_not_grow_with_clients(
    shop, owner_client, django_assert_max_num_queries
):
    # given
    one = ClientFactory(salon=shop["salon"])
    make_appointment(shop, one, NOW - dt.timedelta(days=1), status="completed")
    with django_assert_max_num_queries(100) as few:
        owner_client.get(url("client_list"), {"sort": "-last_visit"})
    baseline = len(few.captured_queries)
    for number in range(20):
        client = ClientFactory(salon=shop["salon"])
        make_appointment(shop, client, NOW - dt.timedelta(days=number + 2), status="completed")
        make_appointment(shop, client, NOW + dt.timedelta(days=number + 2))

    # when / then
    with django_assert_max_num_queries(baseline):
        response = owner_client.get(url("client_list"), {"sort": "-last_visit"})
    assert len(response.context["page_obj"].object_list) == 21


def test_client_list_visits_are_the_salons_own(visits, shop, other_owner_client):
    # when
    response = other_owner_client.get(
        reverse("dashboard:client_list", kwargs={"salon_slug": "beta"}), {"sort": "last_visit"}
    )

    # then
    assert response.status_code == 200
    assert list(response.context["page_obj"].object_list) == []
