"""The owner's booking panel (calendar side panel, htmx; the same form as a page without
JavaScript): prefill from a slot, staff and services filtering each other, the client search,
duplicates offered instead of created, conflicts that say what they overlap; the week view,
"Mark completed" only once started, "Reschedule" on the appointment's own day."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from bookings.models import Appointment, Client
from bookings.tests.test_calendar import (
    CALENDAR,
    CREATE,
    at,
    beta,  # noqa: F401 - fixture
    book,
    create_data,
    status_url,
    week_monday,
)
from tests.factories import (
    ClientFactory,
    MembershipFactory,
    ServiceFactory,
    StaffMemberFactory,
    UserFactory,
    WorkingHoursFactory,
)

SUGGEST = "/dashboard/alpha/calendar/clients/suggestions/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def colour(shop):
    """A Colour service only Mari performs, and Liis who only colours (works Mon only)."""
    salon = shop["salon"]
    service = ServiceFactory(salon=salon, name="Colour", duration_minutes=90)
    mari = shop["staff"][1]
    mari.services.add(service, through_defaults={"salon_id": salon.pk})
    liis = StaffMemberFactory(
        salon=salon, name="Liis", locations=[shop["location"]], services=[service]
    )
    WorkingHoursFactory(
        staff=liis, location=shop["location"], weekday=0, starts=dt.time(9), ends=dt.time(13)
    )
    return service


def options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return [label.strip() for label in re.findall(r"<option[^>]*>([^<]*)</option>", select)]


# --- Opening the panel -------------------------------------------------------------------------


def test_clicking_an_empty_slot_opens_the_panel_prefilled(shop, owner_client):
    # when the calendar script asks for the panel of Mari's 14:30 slot
    anna, mari = shop["staff"]
    day = week_monday()
    response = owner_client.get(
        CREATE,
        {
            "location": shop["location"].pk,
            "date": day.isoformat(),
            "time": "14:30",
            "staff": mari.pk,
        },
        **HTMX,
    )
    # then a partial with the panel, its form prefilled
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="booking-panel"' in html
    form = response.context["form"]
    assert (form.initial["staff"], form.initial["date"], form.initial["time"]) == (
        mari.pk,
        day,
        dt.time(14, 30),
    )
    assert f'<option value="{mari.pk}" selected>' in html
    assert 'value="14:30"' in html
    # and the page without JavaScript is the same form in the dashboard layout
    page = owner_client.get(CREATE, {"staff": mari.pk, "date": day.isoformat(), "time": "14:30"})
    assert "<html" in page.content.decode()
    assert 'id="booking-form"' in page.content.decode()


def test_services_are_those_the_staff_member_performs_and_staff_those_who_perform_the_service(
    shop, owner_client, colour
):
    anna, mari = shop["staff"]
    # Anna chosen: only her services
    html = owner_client.get(CREATE, {"staff": anna.pk}, **HTMX).content.decode()
    assert options(html, "service") == ["— choose —", "Haircut"]
    assert options(html, "staff") == ["— choose —", "Anna", "Liis", "Mari"]
    # Colour chosen (the form re-rendered as it changes): only who colours
    html = owner_client.get(
        CREATE, {"refresh": "1", "service": colour.pk, "location": shop["location"].pk}, **HTMX
    ).content.decode()
    assert html.lstrip().startswith("<form")  # only the form is swapped
    assert options(html, "staff") == ["— choose —", "Liis", "Mari"]
    # both chosen
    html = owner_client.get(
        CREATE, {"refresh": "1", "service": colour.pk, "staff": mari.pk}, **HTMX
    ).content.decode()
    assert options(html, "service") == ["— choose —", "Colour", "Haircut"]


def test_a_service_the_staff_member_does_not_perform_is_refused_on_the_server(
    shop, owner_client, colour
):
    client = ClientFactory(salon=shop["salon"])
    response = owner_client.post(
        CREATE,
        create_data(shop, week_monday(), client=client.pk, service=colour.pk),
        **HTMX,
    )
    assert response.status_code == 200
    assert response.context["form"].errors["service"] == ["Anna does not perform Colour."]
    assert Appointment.objects.count() == 0


# --- Client search -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["kati", "KASK", "kati@example", "5123456", "+372 512 3456", "372-512-3456"]
)
def test_the_client_search_finds_by_name_email_and_phone_as_typed(shop, owner_client, query):
    # given
    kati = ClientFactory(
        salon=shop["salon"],
        first_name="Kati",
        last_name="Kask",
        email="kati@example.test",
        phone="+3725123456",
    )
    ClientFactory(salon=shop["salon"], first_name="Mari", last_name="Tamm", phone="+3725550000")
    # when
    response = owner_client.get(SUGGEST, {"client_query": query}, **HTMX)
    # then
    assert response.status_code == 200
    assert [c.pk for c in response.context["client_suggestions"]] == [kati.pk]
    assert f'name="client" value="{kati.pk}"' in response.content.decode()


def test_the_client_search_stays_one_query_with_50000_clients(
    shop, owner_client, django_assert_max_num_queries
):
    # given 50,000 clients (the query count does not depend on how many)
    salon = shop["salon"]
    Client.objects.bulk_create(
        (
            Client(
                salon=salon,
                first_name=f"Name{n}",
                last_name="Tamm",
                email=f"c{n}@example.test",
                phone=f"+37255{n:06d}",
            )
            for n in range(50_000)
        ),
        batch_size=5000,
    )
    # when / then: session, user, membership and the search, whatever the number of clients
    with django_assert_max_num_queries(4):
        response = owner_client.get(SUGGEST, {"client_query": "tamm"}, **HTMX)
    assert len(response.context["client_suggestions"]) == 8
    with django_assert_max_num_queries(4):
        by_phone = owner_client.get(SUGGEST, {"client_query": "55 012 345"}, **HTMX)
    assert [str(c.phone) for c in by_phone.context["client_suggestions"]] == ["+37255012345"]
    # and the panel lists none of them up front (no select of every client)
    with django_assert_max_num_queries(12):
        panel = owner_client.get(CREATE, **HTMX)
    assert panel.content.decode().count('name="client"') == 1  # only "New client"


def test_the_client_search_of_another_salon_is_404_and_shows_no_strangers(
    shop, owner_client, other_salon
):
    ClientFactory(salon=other_salon, first_name="Berit")
    response = owner_client.get(SUGGEST, {"client_query": "berit"}, **HTMX)
    assert response.context["client_suggestions"] == []
    assert owner_client.get("/dashboard/beta/calendar/clients/suggestions/").status_code == 404


def test_without_javascript_the_search_button_shows_the_matches_and_books_nothing(
    shop, owner_client
):
    kati = ClientFactory(salon=shop["salon"], first_name="Kati")
    data = create_data(shop, week_monday(), client_query="kati", search_clients="1")
    response = owner_client.post(CREATE, data)
    assert response.status_code == 200
    assert f'name="client" value="{kati.pk}"' in response.content.decode()
    assert response.context["form"].errors == {}
    assert Appointment.objects.count() == 0


def test_booking_a_found_client_in_the_panel_redirects_the_calendar_to_that_day(shop, owner_client):
    # given
    kati = ClientFactory(salon=shop["salon"], first_name="Kati", last_name="Kask")
    day = week_monday()
    # when
    response = owner_client.post(
        CREATE, create_data(shop, day, client=kati.pk, time="11:00"), **HTMX
    )
    # then
    assert response.status_code == 200
    assert response["HX-Redirect"] == (
        f"{CALENDAR}?location={shop['location'].pk}&date={day.isoformat()}&view=day"
    )
    appointment = Appointment.objects.get()
    assert (appointment.client, appointment.starts_at) == (kati, at(day, 11))


# --- Duplicates --------------------------------------------------------------------------------


def test_typing_a_known_phone_for_a_new_client_offers_the_existing_client(shop, owner_client):
    kati = ClientFactory(salon=shop["salon"], first_name="Kati", phone="+3725123456")
    response = owner_client.get(
        SUGGEST, {"mode": "duplicates", "phone": "512 3456", "email": ""}, **HTMX
    )
    html = response.content.decode()
    assert "Already a client" in html
    assert f'name="client" value="{kati.pk}"' in html


def test_booking_a_new_client_with_a_known_phone_offers_that_client_instead(shop, owner_client):
    # given
    kati = ClientFactory(salon=shop["salon"], first_name="Kati", phone="+3725123456")
    day = week_monday()
    data = create_data(shop, day, first_name="Walk", last_name="In", phone="5123456")
    # when
    response = owner_client.post(CREATE, data, **HTMX)
    # then nothing is written and Kati is offered
    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == ["Kati Tamm already has this phone number."]
    assert f'name="client" value="{kati.pk}"' in response.content.decode()
    assert Client.objects.count() == 1
    assert Appointment.objects.count() == 0
    # when the owner takes her
    response = owner_client.post(CREATE, {**data, "client": kati.pk}, **HTMX)
    # then she is booked, still one client
    assert "HX-Redirect" in response
    assert Appointment.objects.get().client == kati
    assert Client.objects.count() == 1


# --- Conflicts ---------------------------------------------------------------------------------


def test_a_conflict_in_the_cleanup_says_so_and_a_free_time_books_with_one_click(shop, owner_client):
    # given Anna's 10:00 Haircut (ends 11:00, +10 min cleanup)
    day = week_monday()
    anna = shop["staff"][0]
    book(shop, anna, at(day, 10))
    kati = ClientFactory(salon=shop["salon"], first_name="Liis", last_name="Lepp")
    data = create_data(shop, day, client=kati.pk, time="11:05")
    # when 11:05 is asked for
    response = owner_client.post(CREATE, data, **HTMX)
    # then
    assert response.status_code == 409
    assert response.context["form"].errors["time"] == [
        "Overlaps Anna's 10:00 Haircut (Kati Kask), incl. 10 min cleanup."
    ]
    assert response.context["conflict"].free_labels == ["11:15", "11:30", "11:45", "12:00"]
    # when the owner clicks "Book at 11:15"
    response = owner_client.post(CREATE, {**data, "suggested_time": "11:15"}, **HTMX)
    # then
    assert "HX-Redirect" in response
    assert Appointment.objects.get(client=kati).starts_at == at(day, 11, 15)


def test_a_new_booking_whose_own_cleanup_runs_into_the_next_says_so(shop, owner_client):
    day = week_monday()
    book(shop, shop["staff"][0], at(day, 12))
    client = ClientFactory(salon=shop["salon"])
    response = owner_client.post(CREATE, create_data(shop, day, client=client.pk, time="10:55"))
    assert response.status_code == 409
    assert response.context["form"].errors["time"] == [
        "Overlaps Anna's 12:00 Haircut (Kati Kask), incl. 10 min cleanup after this one."
    ]


# --- Calendar ----------------------------------------------------------------------------------


def test_the_week_view_has_a_column_per_day_with_staff_side_by_side_and_shaded_hours(
    shop, owner_client
):
    # given Anna and Mari both at 10:00 on Monday, and a 30-minute Fringe
    monday = week_monday()
    anna, mari = shop["staff"]
    first = book(shop, anna, at(monday, 10))
    second = book(shop, mari, at(monday, 10))
    fringe = ServiceFactory(salon=shop["salon"], name="Fringe", duration_minutes=30)
    anna.services.add(fringe, through_defaults={"salon_id": shop["salon"].pk})
    short = Appointment.objects.create(
        salon=shop["salon"],
        location=shop["location"],
        staff=anna,
        service=fringe,
        client=ClientFactory(salon=shop["salon"], first_name="Short"),
        starts_at=at(monday, 15),
        ends_at=at(monday, 15, 30),
        block_starts_at=at(monday, 15),
        block_ends_at=at(monday, 15, 30),
        source="dashboard",
        price=Decimal("10"),
    )
    # when
    response = owner_client.get(
        CALENDAR, {"location": shop["location"].pk, "date": monday.isoformat(), "view": "week"}
    )
    html = response.content.decode()
    # then 7 day columns (not 7 × staff)
    assert html.count('class="cal-col-body"') == 7
    for appointment, lane in ((first, 0), (second, 1)):
        block = re.search(rf'id="appt-{appointment.pk}".*?>', html, re.S).group(0)
        assert f'data-lane="{lane}" data-lanes="2"' in block
    assert re.search(rf'class="cal-appt cal-status-booked cal-short"\s+id="appt-{short.pk}"', html)
    # the shop opens 08–20 and the staff work 09–17: 08–09 and 17–20 are shaded
    grid = response.context["grid"]
    monday_column = grid.days[0].columns[0]
    assert [(s.top, s.height) for s in monday_column.shades] == [(0, 60), (540, 180)]
    assert html.count('class="cal-shade"') >= 7


def test_the_week_view_filters_one_staff_member(shop, owner_client):
    monday = week_monday()
    anna, mari = shop["staff"]
    mine = book(shop, anna, at(monday, 10))
    other = book(shop, mari, at(monday, 12))
    response = owner_client.get(
        CALENDAR,
        {
            "location": shop["location"].pk,
            "date": monday.isoformat(),
            "view": "week",
            "staff": mari.pk,
        },
    )
    html = response.content.decode()
    assert f'id="appt-{other.pk}"' in html
    assert f'id="appt-{mine.pk}"' not in html
    assert f'data-staff="{mari.pk}"' in html  # a click books with Mari


def test_mark_completed_is_offered_only_once_the_appointment_has_started(shop, owner_client):
    # given one appointment later this week and one that started an hour ago
    later = book(shop, shop["staff"][0], at(week_monday(), 10))
    now = timezone.now()
    started = Appointment.objects.create(
        salon=shop["salon"],
        location=shop["location"],
        staff=shop["staff"][1],
        service=shop["service"],
        client=ClientFactory(salon=shop["salon"]),
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(minutes=1),
        block_starts_at=now - dt.timedelta(hours=1),
        block_ends_at=now + dt.timedelta(minutes=1),
        source="dashboard",
        price=Decimal("40"),
    )
    detail = f"{CALENDAR}appointments/%d/"
    assert "Mark completed" not in owner_client.get(detail % later.pk, **HTMX).content.decode()
    assert "Mark completed" in owner_client.get(detail % started.pk, **HTMX).content.decode()
    # and the server refuses completing the future one
    response = owner_client.post(status_url(later), {"status": "completed"}, follow=True)
    assert "has not started yet" in response.content.decode()
    later.refresh_from_db()
    assert later.status == "booked"
    owner_client.post(status_url(started), {"status": "completed"})
    started.refresh_from_db()
    assert started.status == "completed"


def test_reschedule_from_the_client_page_opens_the_appointments_own_day(shop, owner_client):
    # given
    day = week_monday() + dt.timedelta(days=3)
    appointment = book(shop, shop["staff"][0], at(day, 10))
    # when
    html = owner_client.get(f"/dashboard/alpha/clients/{appointment.client_id}/").content.decode()
    href = re.search(r'data-reschedule href="([^"]+)"', html).group(1).replace("&amp;", "&")
    calendar = owner_client.get(href)
    # then
    assert calendar.context["day"] == day
    assert calendar.context["view"] == "day"
    assert f"/calendar/appointments/{appointment.pk}/?next=" in calendar.context["panel_url"]


def test_book_again_of_another_salons_appointment_is_404(shop, owner_client, beta):  # noqa: F811
    response = owner_client.get(f"{CALENDAR}appointments/{beta['appointment'].pk}/book-again/")
    assert response.status_code == 404


def test_staff_members_cannot_open_the_booking_panel(shop, owner_client):
    staff = UserFactory(email="desk@alpha.test")
    MembershipFactory(salon=shop["salon"], user=staff, role="staff")
    owner_client.force_login(staff)
    assert owner_client.get(CREATE, **HTMX).status_code == 403
    assert owner_client.get(SUGGEST, {"client_query": "x"}, **HTMX).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_a_refused_move_outside_a_transaction_leaves_the_appointment_booked(shop, owner_client):
    # given two appointments of Anna (the request runs in autocommit, as in production)
    day = week_monday()
    anna = shop["staff"][0]
    moving = book(shop, anna, at(day, 14))
    book(shop, anna, at(day, 10))
    # when the 14:00 one is dropped onto 10:30 (free times are read as if it had moved)
    response = owner_client.post(
        f"{CALENDAR}appointments/{moving.pk}/move/",
        {"date": day.isoformat(), "time": "10:30"},
        HTTP_ACCEPT="application/json",
    )
    # then it is refused, and the appointment is untouched
    assert response.status_code == 409
    assert response.json()["message"] == (
        "Overlaps Anna's 10:00 Haircut (Kati Kask). Free that day: 11:15, 11:30, 11:45, 12:00."
    )
    moving.refresh_from_db()
    assert (moving.status, moving.starts_at) == ("booked", at(day, 14))


# --- Dates at the ends of the calendar (QA) ------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "time"), [("0001-01-01", "00:00"), ("9999-12-31", "23:59"), ("1999-12-31", "10:00")]
)
def test_a_date_out_of_range_in_the_panel_is_a_form_error_not_a_500(shop, owner_client, day, time):
    # given a client, and a location whose clock is far from UTC at the ends of the calendar
    location = shop["location"]
    location.time_zone = "Pacific/Kiritimati" if day.startswith("9999") else "Europe/Tallinn"
    location.save()
    client = ClientFactory(salon=shop["salon"])
    data = create_data(shop, dt.date(2030, 1, 1), client=client.pk, date=day, time=time)
    # when the owner books it (and moves an appointment to it)
    response = owner_client.post(CREATE, data, **HTMX)
    appointment = book(shop, shop["staff"][0], at(week_monday(), 10), client=client)
    moved = owner_client.post(
        f"/dashboard/alpha/calendar/appointments/{appointment.pk}/move/",
        {"date": day, "time": time},
        **HTMX,
    )
    # then both are refused on the date, and nothing is written
    assert response.status_code in (400, 200)
    assert "Enter a date between the years 2000 and 2100." in response.content.decode()
    assert moved.status_code in (400, 409, 200)
    assert "Enter a date between the years 2000 and 2100." in moved.content.decode()
    assert list(Appointment.objects.values_list("pk", flat=True)) == [appointment.pk]
    appointment.refresh_from_db()
    assert appointment.starts_at == at(week_monday(), 10)
