"""The owner calendar: day and week views, and booking / moving / status changes from it."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from bookings.models import Appointment, Client
from bookings.selectors_calendar import calendar_get
from bookings.services.booking import BookingRequest, appointment_book
from tests.factories import (
    ClientFactory,
    LocationFactory,
    MembershipFactory,
    ServiceFactory,
    StaffMemberFactory,
    TimeOffFactory,
    UserFactory,
)

TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")
CALENDAR = "/dashboard/alpha/calendar/"
CREATE = "/dashboard/alpha/calendar/appointments/new/"


def week_monday() -> dt.date:
    """Monday of the week after next: every day of that week is in the future."""
    today = dt.datetime.now(TALLINN).date()
    return today + dt.timedelta(days=14 - today.weekday())


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TALLINN)


def book(shop, staff, starts_at: dt.datetime, client=None) -> Appointment:
    return appointment_book(
        salon=shop["salon"],
        request=BookingRequest(
            location=shop["location"], service=shop["service"], starts_at=starts_at, staff=staff
        ),
        client=client or ClientFactory(salon=shop["salon"], first_name="Kati", last_name="Kask"),
        source=Appointment.Source.DASHBOARD,
        enforce_hours=False,
    )


def detail_url(appointment: Appointment) -> str:
    return f"{CALENDAR}appointments/{appointment.pk}/"


def move_url(appointment: Appointment) -> str:
    return f"{CALENDAR}appointments/{appointment.pk}/move/"


def status_url(appointment: Appointment) -> str:
    return f"{CALENDAR}appointments/{appointment.pk}/status/"


def snapshot(appointment: Appointment) -> tuple:
    appointment.refresh_from_db()
    return (appointment.starts_at, appointment.staff_id, appointment.status)


@pytest.fixture
def staff_client(staff_user) -> HttpClient:
    http = HttpClient()
    http.force_login(staff_user)
    return http


@pytest.fixture
def beta(other_salon):
    """Another salon's location, staff member, service, client and appointment."""
    location = LocationFactory(salon=other_salon, name="Beta Place")
    service = ServiceFactory(salon=other_salon, name="Beta Cut")
    staff = StaffMemberFactory(
        salon=other_salon, name="Bea", locations=[location], services=[service]
    )
    client = ClientFactory(salon=other_salon, first_name="Berit")
    starts_at = at(week_monday(), 10)
    appointment = Appointment.objects.create(
        salon=other_salon,
        location=location,
        staff=staff,
        service=service,
        client=client,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        block_starts_at=starts_at,
        block_ends_at=starts_at + dt.timedelta(hours=1),
        source=Appointment.Source.DASHBOARD,
        price=10,
    )
    return {
        "location": location,
        "service": service,
        "staff": staff,
        "client": client,
        "appointment": appointment,
    }


# --- Viewing ------------------------------------------------------------------------------


def test_day_view_shows_the_locations_appointments_in_staff_columns(shop, owner_client):
    # given an appointment at 10:00 Tallinn time, and one at another location that day
    anna, mari = shop["staff"]
    day = week_monday() + dt.timedelta(days=2)
    appointment = book(shop, anna, at(day, 10))
    elsewhere = LocationFactory(salon=shop["salon"], name="New Town")
    shop["staff"][1].locations.add(elsewhere, through_defaults={"salon_id": shop["salon"].pk})
    Appointment.objects.create(
        salon=shop["salon"],
        location=elsewhere,
        staff=mari,
        service=shop["service"],
        client=ClientFactory(salon=shop["salon"], first_name="Elsewhere"),
        starts_at=at(day, 12),
        ends_at=at(day, 13),
        block_starts_at=at(day, 12),
        block_ends_at=at(day, 13),
        source=Appointment.Source.DASHBOARD,
        price=0,
    )
    # when
    response = owner_client.get(
        CALENDAR, {"location": shop["location"].pk, "date": day.isoformat(), "view": "day"}
    )
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kati Kask" in html
    assert "Haircut" in html
    assert "10:00–11:00" in html  # the location's clock, not UTC (07:00 or 08:00)
    assert "Elsewhere" not in html
    grid = response.context["grid"]
    assert [d.date for d in grid.days] == [day]
    assert [c.staff.name for c in grid.days[0].columns] == ["Anna", "Mari"]
    anna_column = grid.days[0].columns[0]
    assert [p.item.pk for p in anna_column.appointments] == [appointment.pk]
    assert (grid.start_minute, grid.end_minute) == (8 * 60, 20 * 60)
    assert (anna_column.appointments[0].top, anna_column.appointments[0].height) == (120, 60)
    assert f'data-service-color="{shop["service"].color}"' in html


def test_week_view_shows_monday_to_sunday_of_the_week(shop, owner_client):
    # given appointments on Monday and Sunday of a week and on the next Monday
    anna = shop["staff"][0]
    monday = week_monday()
    book(shop, anna, at(monday, 9), ClientFactory(salon=shop["salon"], first_name="Monday"))
    book(
        shop,
        anna,
        at(monday + dt.timedelta(days=6), 16),
        ClientFactory(salon=shop["salon"], first_name="Sunday"),
    )
    book(
        shop,
        anna,
        at(monday + dt.timedelta(days=7), 9),
        ClientFactory(salon=shop["salon"], first_name="NextWeek"),
    )
    # when the week is asked for by its Wednesday
    response = owner_client.get(
        CALENDAR,
        {
            "location": shop["location"].pk,
            "date": (monday + dt.timedelta(days=2)).isoformat(),
            "view": "week",
        },
    )
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert [d.date for d in response.context["grid"].days] == [
        monday + dt.timedelta(days=i) for i in range(7)
    ]
    assert "Monday Tamm" in html
    assert "Sunday Tamm" in html
    assert "NextWeek" not in html


def test_an_appointment_outside_opening_hours_widens_the_grid(shop, owner_client):
    # given an appointment at 21:30, after the location closes at 20:00
    day = week_monday()
    book(shop, shop["staff"][0], at(day, 21, 30))
    # when
    response = owner_client.get(
        CALENDAR, {"location": shop["location"].pk, "date": day.isoformat()}
    )
    # then the grid runs to 23:00 and the block sits at 21:30
    grid = response.context["grid"]
    assert (grid.start_minute, grid.end_minute) == (8 * 60, 23 * 60)
    assert grid.days[0].columns[0].appointments[0].top == 13 * 60 + 30


def test_cancelled_appointments_are_hidden_unless_asked_for(shop, owner_client):
    # given a cancelled appointment
    day = week_monday()
    appointment = book(shop, shop["staff"][0], at(day, 10))
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.CANCELLED)
    params = {"location": shop["location"].pk, "date": day.isoformat()}
    # when
    hidden = owner_client.get(CALENDAR, params)
    shown = owner_client.get(CALENDAR, {**params, "cancelled": "1"})
    # then
    assert f'id="appt-{appointment.pk}"' not in hidden.content.decode()
    assert f'id="appt-{appointment.pk}"' in shown.content.decode()
    assert "cal-status-cancelled" in shown.content.decode()


def test_time_off_is_shown_as_a_hatched_block(shop, owner_client):
    # given Anna is off 12:00–14:00 local time
    day = week_monday()
    anna = shop["staff"][0]
    TimeOffFactory(staff=anna, starts_at=at(day, 12), ends_at=at(day, 14), reason="Dentist")
    # when
    response = owner_client.get(
        CALENDAR, {"location": shop["location"].pk, "date": day.isoformat()}
    )
    # then
    column = response.context["grid"].days[0].columns[0]
    assert [(p.top, p.height) for p in column.time_off] == [(240, 120)]
    assert 'class="cal-off" data-top="240" data-height="120"' in response.content.decode()
    assert "Dentist" in response.content.decode()


def test_without_parameters_the_first_active_location_and_today_are_shown(shop, owner_client):
    # given an inactive location whose name sorts first
    LocationFactory(salon=shop["salon"], name="Aaa closed", is_active=False)
    # when
    response = owner_client.get(CALENDAR)
    # then
    assert response.status_code == 200
    assert response.context["location"] == shop["location"]
    assert response.context["day"] == dt.datetime.now(TALLINN).date()
    assert response.context["view"] == "day"


def test_a_salon_without_locations_gets_a_hint(salon, owner_client):
    response = owner_client.get(CALENDAR)
    assert response.status_code == 200
    assert "Add a location first" in response.content.decode()


def _bulk_appointments(shop, staff, monday: dt.date, count: int, offset: int = 0) -> None:
    """`count` 20-minute appointments spread over the week and the staff, never overlapping."""
    clients = ClientFactory.create_batch(5, salon=shop["salon"])
    rows = []
    for i in range(offset, offset + count):
        member = staff[i % len(staff)]
        slot = i // len(staff)  # per member: 30 slots a day of 20 minutes from 08:00
        day = monday + dt.timedelta(days=(slot // 30) % 7)
        starts_at = at(day, 8) + dt.timedelta(minutes=20 * (slot % 30))
        rows.append(
            Appointment(
                salon=shop["salon"],
                location=shop["location"],
                staff=member,
                service=shop["service"],
                client=clients[i % 5],
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(minutes=20),
                block_starts_at=starts_at,
                block_ends_at=starts_at + dt.timedelta(minutes=20),
                source=Appointment.Source.DASHBOARD,
                price=0,
            )
        )
    Appointment.objects.bulk_create(rows)


def test_the_week_view_reads_in_a_constant_number_of_queries(
    shop, owner_client, django_assert_max_num_queries
):
    # given five staff members and 10 appointments with time off in the week
    monday = week_monday()
    staff = shop["staff"] + [
        StaffMemberFactory(
            salon=shop["salon"], locations=[shop["location"]], services=[shop["service"]]
        )
        for _ in range(3)
    ]
    for member in staff:
        TimeOffFactory(staff=member, starts_at=at(monday, 18), ends_at=at(monday, 19))
    _bulk_appointments(shop, staff, monday, 10)
    params = {"location": shop["location"].pk, "date": monday.isoformat(), "view": "week"}
    with CaptureQueriesContext(connection) as few:
        assert owner_client.get(CALENDAR, params).status_code == 200
    # when there are 300
    _bulk_appointments(shop, staff, monday, 290, offset=10)
    assert Appointment.objects.count() == 300
    with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as many:
        response = owner_client.get(CALENDAR, params)
    # then
    assert response.status_code == 200
    assert response.content.decode().count('class="cal-appt ') == 300
    assert len(many) == len(few)


def test_calendar_get_returns_columns_appointments_and_time_off_of_the_range(shop):
    # given an appointment of a former colleague who no longer works at the location
    monday = week_monday()
    anna = shop["staff"][0]
    former = StaffMemberFactory(salon=shop["salon"], name="Zoe", services=[shop["service"]])
    Appointment.objects.create(
        salon=shop["salon"],
        location=shop["location"],
        staff=former,
        service=shop["service"],
        client=ClientFactory(salon=shop["salon"]),
        starts_at=at(monday, 10),
        ends_at=at(monday, 11),
        block_starts_at=at(monday, 10),
        block_ends_at=at(monday, 11),
        source=Appointment.Source.DASHBOARD,
        price=0,
    )
    TimeOffFactory(staff=anna, starts_at=at(monday, 12), ends_at=at(monday, 13))
    TimeOffFactory(staff=anna, starts_at=at(monday - dt.timedelta(days=1), 10))  # the day before
    # when
    data = calendar_get(salon=shop["salon"], location=shop["location"], start_date=monday, days=1)
    # then
    assert [m.name for m in data.staff] == ["Anna", "Mari", "Zoe"]
    assert [a.staff_id for a in data.appointments] == [former.pk]
    assert [t.starts_at for t in data.time_off] == [at(monday, 12)]
    assert (data.opens, data.closes) == (dt.time(8), dt.time(20))


# --- Creating -----------------------------------------------------------------------------


def create_data(shop, day: dt.date, **overrides) -> dict:
    data = {
        "location": shop["location"].pk,
        "staff": shop["staff"][0].pk,
        "service": shop["service"].pk,
        "client": "",
        "first_name": "",
        "last_name": "",
        "email": "",
        "phone": "",
        "date": day.isoformat(),
        "time": "10:00",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_owner_books_an_existing_client_outside_working_hours(shop, owner, owner_client):
    # given a client and a time after the staff member's shift (09–17)
    client = ClientFactory(salon=shop["salon"])
    day = week_monday()
    # when
    response = owner_client.post(
        CREATE, create_data(shop, day, client=client.pk, time="18:30", notes="Colour")
    )
    # then
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert response["Location"] == (
        f"{CALENDAR}?location={shop['location'].pk}&date={day.isoformat()}&view=day"
    )
    assert appointment.starts_at == at(day, 18, 30)
    assert appointment.client == client
    assert appointment.staff == shop["staff"][0]
    assert appointment.source == Appointment.Source.DASHBOARD
    assert appointment.created_by == owner
    assert appointment.notes == "Colour"


def test_owner_books_a_new_client_typed_in(shop, owner_client):
    # given
    day = week_monday()
    # when
    response = owner_client.post(
        CREATE,
        create_data(
            shop,
            day,
            first_name=" Liis ",
            last_name="Saar",
            email="Liis@Example.test",
            phone="+3725123456",
        ),
    )
    # then
    assert response.status_code == 302
    client = Client.objects.get(salon=shop["salon"])
    assert (client.first_name, client.last_name, client.email) == (
        "Liis",
        "Saar",
        "liis@example.test",
    )
    assert str(client.phone) == "+3725123456"
    assert Appointment.objects.get().client == client


def test_booking_over_another_appointment_says_what_it_overlaps_and_the_nearest_free_times(
    shop, owner_client
):
    # given Anna is booked 10:00–11:00 (+10 minutes buffer)
    day = week_monday()
    book(shop, shop["staff"][0], at(day, 10))
    # when a new client is typed in for 10:30
    response = owner_client.post(
        CREATE, create_data(shop, day, first_name="Late", email="late@example.test", time="10:30")
    )
    # then
    assert response.status_code == 409
    form = response.context["form"]
    assert form.non_field_errors() == []
    assert form.errors["time"] == ["Overlaps Anna's 10:00 Haircut (Kati Kask)."]
    assert response.context["conflict"].free_labels == ["11:15", "11:30", "11:45", "12:00"]
    assert b'name="suggested_time" value="11:15"' in response.content
    assert Appointment.objects.count() == 1
    assert not Client.objects.filter(email="late@example.test").exists()


@pytest.mark.parametrize(
    ("field", "other"), [("location", "location"), ("staff", "staff"), ("service", "service")]
)
def test_booking_with_another_salons_rows_is_a_form_error(shop, beta, owner_client, field, other):
    # given
    client = ClientFactory(salon=shop["salon"])
    data = create_data(shop, week_monday(), client=client.pk, **{field: beta[other].pk})
    # when
    response = owner_client.post(CREATE, data)
    # then
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert Appointment.objects.filter(salon=shop["salon"]).count() == 0


def test_booking_another_salons_client_is_a_form_error(shop, beta, owner_client):
    response = owner_client.post(CREATE, create_data(shop, week_monday(), client=beta["client"].pk))
    assert response.status_code == 200
    assert response.context["form"].errors["client"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert Appointment.objects.filter(salon=shop["salon"]).count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"client": ""},
            "client_query",
            "Search for the client and choose them, or give a new client's first name.",
        ),
        ({"date": "2026-02-30"}, "date", "Enter a valid date."),
        ({"time": "25:61"}, "time", "Enter a valid time."),
        (
            {"client": "abc"},
            "client",
            "Select a valid choice. That choice is not one of the available choices.",
        ),  # noqa: E501
        ({"date": "2001-01-01"}, "time", "This time is in the past."),
    ],
)
def test_booking_with_bad_input_writes_nothing(shop, owner_client, overrides, field, message):
    # given
    client = ClientFactory(salon=shop["salon"])
    data = create_data(shop, week_monday(), client=client.pk)
    data.update(overrides)
    # when
    response = owner_client.post(CREATE, data)
    # then
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert Appointment.objects.count() == 0


def test_booking_a_time_skipped_by_the_clock_change_is_a_form_error(shop, owner_client):
    # given the next last Sunday of March (clocks go 03:00 → 04:00 in Tallinn)
    year = dt.date.today().year + 1
    march_end = dt.date(year, 3, 31)
    sunday = march_end - dt.timedelta(days=(march_end.weekday() + 1) % 7)
    client = ClientFactory(salon=shop["salon"])
    # when
    response = owner_client.post(CREATE, create_data(shop, sunday, client=client.pk, time="03:30"))
    # then
    assert response.status_code == 200
    assert response.context["form"].errors["time"] == [
        "This time does not exist on that day (the clocks change)."
    ]
    assert Appointment.objects.count() == 0


def test_a_staff_member_who_does_not_do_the_service_is_a_form_error(shop, owner_client):
    # given a colleague at the location who does not cut hair
    colourist = StaffMemberFactory(salon=shop["salon"], locations=[shop["location"]])
    client = ClientFactory(salon=shop["salon"])
    # when
    response = owner_client.post(
        CREATE, create_data(shop, week_monday(), client=client.pk, staff=colourist.pk)
    )
    # then
    assert response.status_code == 200
    assert response.context["form"].errors["service"] == [
        f"{colourist.name} does not perform Haircut."
    ]
    assert Appointment.objects.count() == 0


def test_the_create_form_is_prefilled_from_the_calendar_click(shop, owner_client):
    # when
    response = owner_client.get(
        CREATE,
        {
            "location": shop["location"].pk,
            "date": "2030-05-06",
            "time": "13:15",
            "staff": shop["staff"][1].pk,
        },
    )
    # then
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert initial == {
        "location": shop["location"].pk,
        "date": dt.date(2030, 5, 6),
        "time": dt.time(13, 15),
        "staff": shop["staff"][1].pk,
    }


# --- Moving -------------------------------------------------------------------------------


def test_owner_moves_an_appointment_with_the_form(shop, owner_client):
    # given
    day = week_monday()
    anna, mari = shop["staff"]
    appointment = book(shop, anna, at(day, 10))
    # when moved to Mari, the next day at 19:00 (after her shift: owners may)
    tomorrow = day + dt.timedelta(days=1)
    response = owner_client.post(
        move_url(appointment), {"date": tomorrow.isoformat(), "time": "19:00", "staff": mari.pk}
    )
    # then
    assert response.status_code == 302
    assert response["Location"] == (
        f"{CALENDAR}?location={shop['location'].pk}&date={tomorrow.isoformat()}&view=day"
    )
    assert snapshot(appointment) == (at(tomorrow, 19), mari.pk, "booked")
    assert appointment.ends_at == at(tomorrow, 20)


def test_drag_and_drop_moves_with_json(shop, owner_client):
    # given
    day = week_monday()
    appointment = book(shop, shop["staff"][0], at(day, 10))
    # when the script posts the drop
    response = owner_client.post(
        move_url(appointment),
        {"date": day.isoformat(), "time": "14:45", "staff": shop["staff"][0].pk},
        HTTP_ACCEPT="application/json",
    )
    # then
    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert snapshot(appointment) == (at(day, 14, 45), shop["staff"][0].pk, "booked")


def test_dropping_onto_another_appointment_is_a_409_and_changes_nothing(shop, owner_client):
    # given Mari is booked 10:00–11:10
    day = week_monday()
    anna, mari = shop["staff"]
    appointment = book(shop, anna, at(day, 14))
    book(shop, mari, at(day, 10))
    before = snapshot(appointment)
    # when Anna's appointment is dropped onto Mari at 10:30
    response = owner_client.post(
        move_url(appointment),
        {"date": day.isoformat(), "time": "10:30", "staff": mari.pk},
        HTTP_ACCEPT="application/json",
    )
    # then
    assert response.status_code == 409
    body = response.json()
    assert body["ok"] is False
    assert body["message"] == (
        "Overlaps Mari's 10:00 Haircut (Kati Kask). Free that day: 11:15, 11:30, 11:45, 12:00."
    )
    assert len(body["next_slots"]) == 4
    assert snapshot(appointment) == before


def test_a_conflicting_move_in_the_panel_answers_409_with_the_form(shop, owner_client):
    # given
    day = week_monday()
    anna = shop["staff"][0]
    appointment = book(shop, anna, at(day, 14))
    book(shop, anna, at(day, 10))
    before = snapshot(appointment)
    # when the htmx form of the panel asks for 10:00
    response = owner_client.post(
        move_url(appointment), {"date": day.isoformat(), "time": "10:00"}, HTTP_HX_REQUEST="true"
    )
    # then
    assert response.status_code == 409
    html = response.content.decode()
    assert "Overlaps Anna&#x27;s 10:00 Haircut (Kati Kask)." in html
    assert "<html" not in html
    assert snapshot(appointment) == before


def test_a_conflicting_move_with_the_page_form_answers_409(shop, owner_client):
    day = week_monday()
    anna = shop["staff"][0]
    appointment = book(shop, anna, at(day, 14))
    book(shop, anna, at(day, 10))
    before = snapshot(appointment)
    response = owner_client.post(move_url(appointment), {"date": day.isoformat(), "time": "10:20"})
    assert response.status_code == 409
    assert (
        response.context["form"]
        .non_field_errors()[0]
        .startswith("Overlaps Anna's 10:00 Haircut (Kati Kask).")
    )
    assert snapshot(appointment) == before


def test_a_successful_move_in_the_panel_refreshes_the_page(shop, owner_client):
    day = week_monday()
    appointment = book(shop, shop["staff"][0], at(day, 14))
    response = owner_client.post(
        move_url(appointment), {"date": day.isoformat(), "time": "15:00"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    assert snapshot(appointment)[0] == at(day, 15)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"date": "not-a-date", "time": "10:00"}, "date", "Enter a valid date."),
        ({"date": "{day}", "time": "noon"}, "time", "Enter a valid time."),
        ({"date": "2001-01-01", "time": "10:00"}, "time", "This time is in the past."),
        (
            {"date": "{day}", "time": "10:00", "staff": "{beta_staff}"},
            "staff",
            "Select a valid choice. That choice is not one of the available choices.",
        ),
    ],
)
def test_moving_with_bad_input_is_a_400_and_changes_nothing(
    shop, beta, owner_client, data, field, message
):
    # given
    day = week_monday()
    appointment = book(shop, shop["staff"][0], at(day, 14))
    before = snapshot(appointment)
    data = {k: v.format(day=day.isoformat(), beta_staff=beta["staff"].pk) for k, v in data.items()}
    # when
    response = owner_client.post(move_url(appointment), data, HTTP_ACCEPT="application/json")
    # then
    assert response.status_code == 400
    assert response.json()["errors"][field][0]["message"] == message
    assert response.json()["message"] == message
    assert snapshot(appointment) == before


def test_a_cancelled_appointment_cannot_be_moved(shop, owner_client):
    day = week_monday()
    appointment = book(shop, shop["staff"][0], at(day, 14))
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.CANCELLED)
    before = snapshot(appointment)
    response = owner_client.post(
        move_url(appointment),
        {"date": day.isoformat(), "time": "16:00"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert response.json()["message"] == "Only booked appointments can be moved."
    assert snapshot(appointment) == before


# --- Status -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["no_show", "cancelled"])
def test_owner_changes_the_status(shop, owner_client, status):
    # given
    day = week_monday()
    appointment = book(shop, shop["staff"][0], at(day, 14))
    # when
    response = owner_client.post(status_url(appointment), {"status": status})
    # then
    assert response.status_code == 302
    assert response["Location"] == (
        f"{CALENDAR}?location={shop['location'].pk}&date={day.isoformat()}&view=day"
    )
    assert snapshot(appointment)[2] == status


def test_status_redirects_to_a_safe_next_url_only(shop, owner_client):
    appointment = book(shop, shop["staff"][0], at(week_monday(), 14))
    response = owner_client.post(
        status_url(appointment), {"status": "completed", "next": "https://evil.test/"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(CALENDAR)


@pytest.mark.parametrize("value", ["", "booked", "done", "CANCELLED"])
def test_an_unknown_status_is_a_400_and_changes_nothing(shop, owner_client, value):
    appointment = book(shop, shop["staff"][0], at(week_monday(), 14))
    response = owner_client.post(status_url(appointment), {"status": value})
    assert response.status_code == 400
    assert snapshot(appointment)[2] == "booked"


def test_a_cancelled_appointment_cannot_be_completed(shop, owner_client):
    # given
    appointment = book(shop, shop["staff"][0], at(week_monday(), 14))
    owner_client.post(status_url(appointment), {"status": "cancelled"})
    # when
    response = owner_client.post(
        status_url(appointment), {"status": "completed"}, HTTP_ACCEPT="application/json"
    )
    # then
    assert response.status_code == 409
    assert response.json()["message"] == "This appointment is already Cancelled."
    assert snapshot(appointment)[2] == "cancelled"


# --- Detail panel -------------------------------------------------------------------------


def test_the_detail_panel_is_a_partial_for_htmx_and_a_page_otherwise(shop, owner_client):
    # given
    appointment = book(shop, shop["staff"][0], at(week_monday(), 14))
    # when
    partial = owner_client.get(detail_url(appointment), HTTP_HX_REQUEST="true")
    page = owner_client.get(detail_url(appointment))
    # then
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    assert "Kati Kask" in partial.content.decode()
    assert "14:00–15:00" in partial.content.decode()
    assert 'name="status" value="cancelled"' in partial.content.decode()
    assert page.status_code == 200
    assert "<html" in page.content.decode()


# --- Access -------------------------------------------------------------------------------


def all_routes(appointment_pk: int, slug: str = "alpha") -> list[tuple[str, str]]:
    base = f"/dashboard/{slug}/calendar/"
    return [
        ("get", base),
        ("get", f"{base}appointments/new/"),
        ("post", f"{base}appointments/new/"),
        ("get", f"{base}appointments/{appointment_pk}/"),
        ("get", f"{base}appointments/{appointment_pk}/move/"),
        ("post", f"{base}appointments/{appointment_pk}/move/"),
        ("post", f"{base}appointments/{appointment_pk}/status/"),
    ]


def test_another_salons_owner_gets_404_on_every_route(shop, other_owner_client):
    # given
    appointment = book(shop, shop["staff"][0], at(week_monday(), 14))
    before = snapshot(appointment)
    for method, url in all_routes(appointment.pk):
        # when
        response = getattr(other_owner_client, method)(
            url, {"status": "cancelled", "date": "2030-01-01", "time": "10:00"}
        )
        # then
        assert response.status_code == 404, url
    assert snapshot(appointment) == before
    assert Appointment.objects.count() == 1


def test_another_salons_ids_are_404_in_urls(shop, beta, owner_client):
    # given alpha's owner and beta's appointment and location
    before = snapshot(beta["appointment"])
    body = {"status": "cancelled", "date": "2030-01-01", "time": "10:00"}
    routes = [
        ("get", CALENDAR, {"location": beta["location"].pk}),
        ("get", CALENDAR, {"location": "abc"}),
        ("get", detail_url(beta["appointment"]), {}),
        ("get", move_url(beta["appointment"]), {}),
        ("post", move_url(beta["appointment"]), body),
        ("post", status_url(beta["appointment"]), body),
        ("get", f"{CALENDAR}appointments/999999/", {}),
    ]
    for method, url, data in routes:
        # when
        response = getattr(owner_client, method)(url, data)
        # then
        assert response.status_code == 404, (url, data)
    assert snapshot(beta["appointment"]) == before


def test_staff_members_may_look_but_not_change(shop, staff_client):
    # given
    appointment = book(shop, shop["staff"][0], at(week_monday(), 14))
    before = snapshot(appointment)
    # when / then
    assert staff_client.get(CALENDAR).status_code == 200
    detail = staff_client.get(detail_url(appointment), HTTP_HX_REQUEST="true")
    assert detail.status_code == 200
    assert "Only owners and managers can change appointments." in detail.content.decode()
    assert (
        'draggable="true"'
        not in staff_client.get(CALENDAR, {"date": week_monday().isoformat()}).content.decode()
    )
    for method, url in all_routes(appointment.pk)[1:]:
        if url == detail_url(appointment):
            continue
        response = getattr(staff_client, method)(
            url, {"status": "cancelled", "date": "2030-01-01", "time": "10:00"}
        )
        assert response.status_code == 403, url
    assert snapshot(appointment) == before
    assert Appointment.objects.count() == 1


def test_managers_may_change(shop):
    # given
    manager = UserFactory(email="manager@alpha.test")
    MembershipFactory(salon=shop["salon"], user=manager, role="manager")
    http = HttpClient()
    http.force_login(manager)
    appointment = book(shop, shop["staff"][0], at(week_monday(), 14))
    # when
    response = http.post(status_url(appointment), {"status": "no_show"})
    # then
    assert response.status_code == 302
    assert snapshot(appointment)[2] == "no_show"


def test_anonymous_visitors_are_sent_to_log_in(shop, client):
    appointment = book(shop, shop["staff"][0], at(week_monday(), 14))
    before = snapshot(appointment)
    for method, url in all_routes(appointment.pk):
        response = getattr(client, method)(url, {"status": "cancelled"})
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url
    assert snapshot(appointment) == before


# --- Malformed parameters -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date": "2026-13-45"}, "That is not a valid date (use YYYY-MM-DD); showing today."),
        ({"date": "yesterday"}, "That is not a valid date (use YYYY-MM-DD); showing today."),
        ({"date": "0001-01-01"}, "That is not a valid date (use YYYY-MM-DD); showing today."),
        ({"date": "9999-12-31"}, "That is not a valid date (use YYYY-MM-DD); showing today."),
        ({"view": "month"}, "Unknown view; showing the day view."),
        ({"view": "<script>"}, "Unknown view; showing the day view."),
    ],
)
def test_malformed_calendar_parameters_give_a_message(shop, owner_client, params, message):
    response = owner_client.get(CALENDAR, params)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [message]
    assert response.context["day"] == dt.datetime.now(TALLINN).date()
    assert response.context["view"] == "day"


def test_the_first_and_last_allowed_dates_render(shop, owner_client):
    # (Issue 13: one date horizon for every input, years 2000–2100; it was 1900–2999 here.)
    for day in ("2000-01-01", "2100-12-31"):
        for view in ("day", "week"):
            response = owner_client.get(CALENDAR, {"date": day, "view": view})
            assert response.status_code == 200, (day, view)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"time": "99:99"}, "Ignored an invalid time (use HH:MM)."),
        ({"date": "2026-02-31"}, "Ignored an invalid date (use YYYY-MM-DD)."),
    ],
)
def test_malformed_create_parameters_give_a_message(shop, owner_client, params, message):
    response = owner_client.get(CREATE, {**params, "staff": "x", "location": "-1"})
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [message]
    assert response.context["form"].initial == {"location": shop["location"].pk}


# --- Content Security Policy --------------------------------------------------------------

INLINE_STYLE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)


def test_pages_have_no_inline_styles_or_scripts(shop, owner_client):
    # given an appointment, a cancelled one and time off in the week
    day = week_monday()
    appointment = book(shop, shop["staff"][0], at(day, 10))
    cancelled = book(shop, shop["staff"][1], at(day, 12))
    Appointment.objects.filter(pk=cancelled.pk).update(status=Appointment.Status.CANCELLED)
    TimeOffFactory(staff=shop["staff"][1], starts_at=at(day, 15), ends_at=at(day, 16))
    pages = [
        owner_client.get(CALENDAR, {"date": day.isoformat(), "view": "day", "cancelled": "1"}),
        owner_client.get(CALENDAR, {"date": day.isoformat(), "view": "week"}),
        owner_client.get(CALENDAR, {"date": "bad"}),
        owner_client.get(detail_url(appointment)),
        owner_client.get(detail_url(appointment), HTTP_HX_REQUEST="true"),
        owner_client.get(move_url(appointment)),
        owner_client.get(CREATE),
        owner_client.post(CREATE, {}),
    ]
    for response in pages:
        html = response.content.decode()
        # then
        assert response.status_code == 200
        assert not INLINE_STYLE.search(html)
        for tag in SCRIPT_TAG.findall(html):
            assert " src=" in tag, tag
    calendar_html = pages[0].content.decode()
    assert 'src="/static/js/calendar.js"' in calendar_html
    assert "<style" not in calendar_html


def test_pages_render_in_another_language_with_iso_date_inputs(shop, owner_client):
    # given an appointment and the Estonian interface
    day = week_monday()
    appointment = book(shop, shop["staff"][0], at(day, 10))
    owner_client.cookies["django_language"] = "et"
    # when
    calendar = owner_client.get(CALENDAR, {"date": day.isoformat(), "view": "week"})
    move = owner_client.get(move_url(appointment))
    create = owner_client.get(CREATE, {"date": day.isoformat(), "time": "10:00"})
    # then
    assert calendar.status_code == move.status_code == create.status_code == 200
    assert '<html lang="et">' in calendar.content.decode()
    assert f'value="{day.isoformat()}"' in calendar.content.decode()
    assert f'value="{day.isoformat()}"' in move.content.decode()
    assert 'value="10:00"' in move.content.decode()
    assert f'value="{day.isoformat()}"' in create.content.decode()
