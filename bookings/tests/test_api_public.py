"""Public booking API: `/api/v1/public/<salon_slug>/…` (bookings/api/public.py).

Anonymous callers see only what is bookable online, of this salon only; bad input is 400 per
field with nothing written; a time that never was offered is 400 with its `reason`, one that is
no longer free (taken meanwhile) 409 with the next free times; and under concurrent requests
one slot is booked once (PostgreSQL tests)."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient

from bookings.models import Appointment, Client
from bookings.services.booking import BookingRequest, appointment_book
from bookings.signing import appointment_token
from bookings.tests.test_booking_service import next_wednesday_at
from tests.factories import (
    ClientFactory,
    LocationFactory,
    LocationHoursFactory,
    ServiceFactory,
    StaffMemberFactory,
    UserFactory,
    WorkingHoursFactory,
)

TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")
BASE = "/api/v1/public/alpha"
CHOICE = ["Select a valid choice."]
NAIVE = "Give the time with its UTC offset, e.g. 2026-03-04T10:00:00+02:00."
BAD_DATE = ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]
BAD_DATETIME = [
    "Datetime has wrong format. Use one of these formats instead: "
    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
]


def book(shop: dict[str, Any], starts_at: dt.datetime, staff=None) -> Appointment:
    return appointment_book(
        salon=shop["salon"],
        request=BookingRequest(
            location=shop["location"],
            service=shop["service"],
            starts_at=starts_at,
            staff=staff or shop["staff"][0],
        ),
        client=ClientFactory(salon=shop["salon"]),
    )


def booking_body(shop: dict[str, Any], starts_at: dt.datetime | str, **extra: Any):
    body: dict[str, Any] = {
        "location": shop["location"].pk,
        "service": shop["service"].pk,
        "staff": shop["staff"][0].pk,
        "starts_at": starts_at if isinstance(starts_at, str) else starts_at.isoformat(),
        "client": {"first_name": "Kati", "last_name": "Kask", "email": "kati@example.test"},
    }
    body.update(extra)
    return body


def post(http: HttpClient, path: str, body: Any = None):
    return http.post(f"{BASE}/{path}", body or {}, content_type="application/json")


def counts() -> tuple[int, int]:
    return Appointment.objects.count(), Client.objects.count()


def availability(http: HttpClient, shop: dict[str, Any], **params: Any):
    day = next_wednesday_at(9).date().isoformat()
    query = {
        "location": shop["location"].pk,
        "service": shop["service"].pk,
        "start": day,
        "end": day,
        **params,
    }
    return http.get(f"{BASE}/availability/", query)


@pytest.fixture
def http() -> HttpClient:
    return HttpClient()


@pytest.fixture
def other_shop(other_salon) -> dict[str, Any]:
    location = LocationFactory(salon=other_salon, name="Beta Place")
    service = ServiceFactory(salon=other_salon, name="Beta Cut")
    staff = StaffMemberFactory(
        salon=other_salon, name="Beta Stylist", locations=[location], services=[service]
    )
    WorkingHoursFactory(staff=staff, location=location, weekday=2)
    LocationHoursFactory(location=location, weekday=2)
    return {"salon": other_salon, "location": location, "service": service, "staff": [staff]}


# --- what is listed -----------------------------------------------------------------------


def test_locations_are_the_active_ones_of_this_salon(shop, other_shop, http):
    # given
    LocationFactory(salon=shop["salon"], name="Closed for good", is_active=False)
    shop["location"].address, shop["location"].city = "Raekoja plats 1", "Tallinn"
    shop["location"].save()

    # when
    response = http.get(f"{BASE}/locations/")

    # then
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": shop["location"].pk,
            "name": "Old Town",
            "address": "Raekoja plats 1",
            "city": "Tallinn",
            "time_zone": "Europe/Tallinn",
            "locked": False,
        }
    ]


def test_unknown_salon_is_404(db, http):
    # when
    response = http.get("/api/v1/public/no-such-salon/locations/")

    # then
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_services_are_those_bookable_online_at_the_location(shop, other_shop, http):
    # given: services that must not be listed, each for one reason
    salon, location = shop["salon"], shop["location"]
    anna = shop["staff"][0]
    for name, extra in [
        ("Inactive", {"is_active": False}),
        ("Phone only", {"online_bookable": False}),
    ]:
        anna.services.add(
            ServiceFactory(salon=salon, name=name, **extra), through_defaults={"salon_id": salon.pk}
        )
    StaffMemberFactory(
        salon=salon,
        offered_online=False,
        locations=[location],
        services=[ServiceFactory(salon=salon, name="By a stylist not offered online")],
    )
    StaffMemberFactory(
        salon=salon,
        is_active=False,
        locations=[location],
        services=[ServiceFactory(salon=salon, name="By a stylist who left")],
    )
    StaffMemberFactory(
        salon=salon,
        locations=[LocationFactory(salon=salon, name="Elsewhere")],
        services=[ServiceFactory(salon=salon, name="Only elsewhere")],
    )
    ServiceFactory(salon=salon, name="Nobody does it")

    # when
    response = http.get(f"{BASE}/services/", {"location": location.pk})

    # then
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": shop["service"].pk,
            "name": "Haircut",
            "description": "",
            "category": None,
            "duration_minutes": 60,
            "price": "40.00",
        }
    ]


@pytest.mark.parametrize("location", ["", "abc", "other", "inactive", "999999"])
def test_services_of_a_location_that_is_not_bookable_is_400(shop, other_shop, http, location):
    # given
    value = {
        "other": other_shop["location"].pk,
        "inactive": LocationFactory(salon=shop["salon"], is_active=False).pk,
    }.get(location, location)

    # when
    response = http.get(f"{BASE}/services/", {"location": value})

    # then
    assert response.status_code == 400
    assert response.json() == {"location": CHOICE}


def test_staff_are_those_offered_online_for_the_service_there(shop, http):
    # given
    salon, location, service = shop["salon"], shop["location"], shop["service"]
    StaffMemberFactory(
        salon=salon,
        name="Not online",
        offered_online=False,
        locations=[location],
        services=[service],
    )
    StaffMemberFactory(
        salon=salon, name="Left", is_active=False, locations=[location], services=[service]
    )
    StaffMemberFactory(salon=salon, name="Other service", locations=[location])
    StaffMemberFactory(
        salon=salon, name="Elsewhere", locations=[LocationFactory(salon=salon)], services=[service]
    )

    # when
    response = http.get(f"{BASE}/staff/", {"location": location.pk, "service": service.pk})

    # then
    assert response.status_code == 200
    anna, mari = shop["staff"]
    assert response.json() == [
        {"id": anna.pk, "name": "Anna", "title": "", "locked": False},
        {"id": mari.pk, "name": "Mari", "title": "", "locked": False},
    ]


@pytest.mark.parametrize("service", ["", "x", "other", "phone_only"])
def test_staff_of_a_service_that_is_not_bookable_is_400(shop, other_shop, http, service):
    # given
    phone_only = ServiceFactory(salon=shop["salon"], online_bookable=False)
    shop["staff"][0].services.add(phone_only, through_defaults={"salon_id": shop["salon"].pk})
    value = {"other": other_shop["service"].pk, "phone_only": phone_only.pk}.get(service, service)

    # when
    response = http.get(f"{BASE}/staff/", {"location": shop["location"].pk, "service": value})

    # then
    assert response.status_code == 400
    assert response.json() == {"service": CHOICE}


# --- availability -------------------------------------------------------------------------


def test_availability_gives_local_times_with_offsets_and_the_zone(shop, http):
    # given
    anna, mari = shop["staff"]

    # when
    response = availability(http, shop)

    # then: 09:00 … 16:00 every 15 minutes (a 60-minute service in a 09–17 shift)
    assert response.status_code == 200
    body = response.json()
    assert body["time_zone"] == "Europe/Tallinn"
    assert len(body["slots"]) == 29
    assert body["slots"][0] == {
        "starts_at": next_wednesday_at(9).isoformat(),
        "staff": sorted([anna.pk, mari.pk]),
    }
    assert body["slots"][-1]["starts_at"] == next_wednesday_at(16).isoformat()
    offset = next_wednesday_at(9).isoformat()[-6:]
    assert offset in ("+02:00", "+03:00")
    assert all(slot["starts_at"].endswith(offset) for slot in body["slots"])


def test_availability_leaves_out_booked_staff(shop, http):
    # given
    anna, mari = shop["staff"]
    book(shop, next_wednesday_at(10), staff=anna)

    # when
    any_staff = availability(http, shop).json()["slots"]
    only_anna = availability(http, shop, staff=anna.pk).json()["slots"]

    # then
    by_time = {slot["starts_at"]: slot["staff"] for slot in any_staff}
    assert by_time[next_wednesday_at(10).isoformat()] == [mari.pk]
    assert by_time[next_wednesday_at(9).isoformat()] == [mari.pk]  # 09:00–10:00 + buffer
    assert by_time[next_wednesday_at(11, 15).isoformat()] == sorted([anna.pk, mari.pk])
    anna_times = [slot["starts_at"] for slot in only_anna]
    assert next_wednesday_at(10).isoformat() not in anna_times
    assert anna_times[0] == next_wednesday_at(11, 15).isoformat()
    assert {pk for slot in only_anna for pk in slot["staff"]} == {anna.pk}


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"start": "2026-02-30"}, {"start": BAD_DATE}),
        ({"end": "soon"}, {"end": BAD_DATE}),
        (
            {"start": "2030-03-10", "end": "2030-03-09"},
            {"end": ["The end date is before the start date."]},
        ),
        (
            {"start": "2030-03-01", "end": "2030-04-01"},
            {"end": ["Ask for at most 31 days at a time."]},
        ),
        ({"location": "abc"}, {"location": ["A valid integer is required."]}),
        ({"location": "999999"}, {"location": CHOICE}),
        ({"location": "@other"}, {"location": CHOICE}),
        ({"service": "999999"}, {"service": CHOICE}),
        ({"service": "@phone_only"}, {"service": CHOICE}),
        ({"service": "@elsewhere"}, {"service": CHOICE}),
        ({"service": "@other"}, {"service": CHOICE}),
        ({"staff": "@other"}, {"staff": CHOICE}),
        ({"staff": "abc"}, {"staff": CHOICE}),
        ({"staff": "@not_online"}, {"staff": CHOICE}),
    ],
)
def test_bad_availability_requests_are_400(shop, other_shop, http, params, errors):
    # given
    not_online = StaffMemberFactory(
        salon=shop["salon"],
        offered_online=False,
        locations=[shop["location"]],
        services=[shop["service"]],
    )
    phone_only = ServiceFactory(salon=shop["salon"], online_bookable=False)
    shop["staff"][0].services.add(phone_only, through_defaults={"salon_id": shop["salon"].pk})
    elsewhere = ServiceFactory(salon=shop["salon"])
    StaffMemberFactory(
        salon=shop["salon"], locations=[LocationFactory(salon=shop["salon"])], services=[elsewhere]
    )
    stand_ins = {
        "@not_online": not_online.pk,
        "@phone_only": phone_only.pk,
        "@elsewhere": elsewhere.pk,
    }
    others = {
        "location": other_shop["location"].pk,
        "service": other_shop["service"].pk,
        "staff": other_shop["staff"][0].pk,
    }
    for key, value in params.items():
        if value == "@other":
            params = {**params, key: others[key]}
        elif value in stand_ins:
            params = {**params, key: stand_ins[value]}

    # when
    response = availability(http, shop, **params)

    # then
    assert response.status_code == 400
    assert response.json() == errors


def test_availability_of_another_salons_location_and_service_is_400(shop, other_shop, http):
    # when
    response = http.get(
        f"{BASE}/availability/",
        {
            "location": other_shop["location"].pk,
            "service": other_shop["service"].pk,
            "start": next_wednesday_at(9).date(),
            "end": next_wednesday_at(9).date(),
        },
    )

    # then
    assert response.status_code == 400
    assert response.json() == {"location": CHOICE}


def add_appointments(shop: dict[str, Any], count: int, first_day: dt.date) -> None:
    """`count` short appointments over a week (written in bulk: only the reads are measured)."""
    # A client per staff member: one client never holds the same service twice at one start
    # (issue 13, Appointment.NO_DUPLICATE_CONSTRAINT).
    clients = [ClientFactory(salon=shop["salon"]) for _ in shop["staff"]]
    rows = []
    for n in range(count):
        day = first_day + dt.timedelta(days=(n // 2) % 7)
        starts = dt.datetime.combine(day, dt.time(9), tzinfo=TALLINN) + dt.timedelta(
            minutes=(n // 14) * 5
        )
        rows.append(
            Appointment(
                salon=shop["salon"],
                location=shop["location"],
                staff=shop["staff"][n % 2],
                service=shop["service"],
                client=clients[n % 2],
                starts_at=starts,
                ends_at=starts + dt.timedelta(minutes=5),
                block_starts_at=starts,
                block_ends_at=starts + dt.timedelta(minutes=5),
                source="dashboard",
                price=Decimal("1.00"),
            )
        )
    Appointment.objects.bulk_create(rows)


@pytest.mark.parametrize("appointments", [10, 300])
def test_availability_query_count_does_not_grow(
    shop, http, appointments, django_assert_max_num_queries
):
    # given
    first_day = next_wednesday_at(9).date() - dt.timedelta(days=2)
    add_appointments(shop, appointments, first_day)
    week = {"start": first_day.isoformat(), "end": (first_day + dt.timedelta(days=6)).isoformat()}

    # when / then: salon, location, service, working hours, opening hours, busy times
    with django_assert_max_num_queries(6):
        response = availability(http, shop, staff="any", **week)
    assert response.status_code == 200
    assert response.json()["slots"]


# --- booking ------------------------------------------------------------------------------


def test_booking_creates_one_appointment_and_one_client(shop, http):
    # given
    starts_at = next_wednesday_at(10)

    # when
    response = post(http, "bookings/", booking_body(shop, starts_at, notes="Short please"))

    # then
    assert response.status_code == 201
    appointment = Appointment.objects.get()
    client = Client.objects.get()
    assert response.json() == {
        "id": appointment.pk,
        "token": appointment_token(appointment),
        "status": "booked",
        "hold_expires_at": None,
        "payment_url": "",
        "starts_at": starts_at.isoformat(),
        "ends_at": (starts_at + dt.timedelta(hours=1)).isoformat(),
        "time_zone": "Europe/Tallinn",
        "location": "Old Town",
        "service": "Haircut",
        "staff": "Anna",
        "price": "40.00",
    }
    assert (appointment.starts_at, appointment.staff, appointment.client) == (
        starts_at,
        shop["staff"][0],
        client,
    )
    assert (appointment.source, appointment.notes) == ("online", "Short please")
    assert (client.first_name, client.last_name, client.email) == (
        "Kati",
        "Kask",
        "kati@example.test",
    )
    assert client.marketing_consent is False
    assert client.marketing_consent_at is None


def test_marketing_consent_is_recorded_only_when_given(shop, http):
    # given
    body = booking_body(shop, next_wednesday_at(10))
    body["client"]["marketing_consent"] = True

    # when
    response = post(http, "bookings/", body)

    # then
    assert response.status_code == 201
    client = Client.objects.get()
    assert client.marketing_consent is True
    assert client.marketing_consent_at is not None


def test_booking_any_staff_assigns_a_free_one(shop, http):
    # given
    anna, mari = shop["staff"]
    book(shop, next_wednesday_at(10), staff=anna)

    # when
    response = post(http, "bookings/", booking_body(shop, next_wednesday_at(10), staff="any"))

    # then
    assert response.status_code == 201
    assert response.json()["staff"] == "Mari"
    assert Appointment.objects.filter(staff=mari).count() == 1


def test_booking_a_taken_time_is_409_with_next_times_and_nothing_written(shop, http):
    # given
    book(shop, next_wednesday_at(10))
    before = counts()

    # when
    response = post(http, "bookings/", booking_body(shop, next_wednesday_at(10)))

    # then
    assert response.status_code == 409
    assert response.json() == {
        "detail": "This time was just taken. Please choose another time.",
        "next_slots": [
            next_wednesday_at(11, 15).isoformat(),
            next_wednesday_at(11, 30).isoformat(),
            next_wednesday_at(11, 45).isoformat(),
        ],
    }
    assert counts() == before


@pytest.mark.parametrize(
    ("starts_at", "reason"),
    [
        pytest.param(lambda: next_wednesday_at(10, 7), "off_grid", id="off-the-grid"),
        pytest.param(lambda: next_wednesday_at(18), "outside_hours", id="after-the-shift"),
        pytest.param(lambda: next_wednesday_at(16, 30), "outside_hours", id="runs-past-the-shift"),
    ],
)
def test_a_time_that_was_never_offered_is_400_with_the_reason(shop, http, starts_at, reason):
    # (Issue 13: it was a 409 "just taken"; 409 is for a race, this time never was a slot.)
    # when
    response = post(http, "bookings/", booking_body(shop, starts_at()))

    # then
    assert response.status_code == 400
    body = response.json()
    assert body["reason"] == reason
    assert len(body["starts_at"]) == 1
    assert counts() == (0, 0)


def test_a_time_beyond_the_maximum_advance_is_400_too_far(shop, http):
    # given
    shop["salon"].max_advance_days = 1
    shop["salon"].save()

    # when
    response = post(
        http, "bookings/", booking_body(shop, next_wednesday_at(10) + dt.timedelta(days=7))
    )

    # then
    assert response.status_code == 400
    assert response.json()["reason"] == "too_far"
    assert counts() == (0, 0)


def test_a_time_inside_the_minimum_notice_is_400_too_soon(shop, http):
    # given
    shop["salon"].min_notice_minutes = 60 * 24 * 30
    shop["salon"].save()

    # when
    response = post(http, "bookings/", booking_body(shop, next_wednesday_at(10)))

    # then
    assert response.status_code == 400
    assert response.json()["reason"] == "too_soon"
    assert counts() == (0, 0)


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        (
            {"client": {"first_name": "Kati", "email": "not-an-email"}},
            {"client": {"email": ["Enter a valid email address."]}},
        ),
        (
            {"client": {"first_name": "Kati", "email": "k@example.test", "phone": "12"}},
            {"client": {"phone": ["Enter a valid phone number."]}},
        ),
        (
            {"client": {"email": "k@example.test"}},
            {"client": {"first_name": ["This field is required."]}},
        ),
        (
            {"client": "Kati"},
            {"client": {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}},
        ),
        ({"starts_at": "@naive"}, {"starts_at": [NAIVE]}),
        ({"starts_at": "2020-03-04T10:00:00+02:00"}, {"starts_at": ["This time is in the past."]}),
        ({"starts_at": "tomorrow at ten"}, {"starts_at": BAD_DATETIME}),
        (
            {"payment_method": "bitcoin"},
            {"payment_method": ["Choose one of the ways to pay shown on the page."]},
        ),
        ({"location": "@other"}, {"location": CHOICE}),
        ({"service": "@other"}, {"service": CHOICE}),
        ({"staff": "@other"}, {"staff": CHOICE}),
        ({"staff": "Anna"}, {"staff": CHOICE}),
        ({"location": "x"}, {"location": ["A valid integer is required."]}),
        ({"notes": "x" * 2001}, {"notes": ["Ensure this field has no more than 2000 characters."]}),
    ],
)
def test_bad_booking_input_is_400_per_field_and_writes_nothing(
    shop, other_shop, http, change, errors
):
    # given
    others = {
        "location": other_shop["location"].pk,
        "service": other_shop["service"].pk,
        "staff": other_shop["staff"][0].pk,
    }
    body = booking_body(shop, next_wednesday_at(10))
    for key, value in change.items():
        if value == "@other":
            value = others[key]
        elif value == "@naive":
            value = next_wednesday_at(10).replace(tzinfo=None).isoformat()
        body[key] = value

    # when
    response = post(http, "bookings/", body)

    # then
    assert response.status_code == 400
    assert response.json() == errors
    assert counts() == (0, 0)


def test_salon_that_requires_login_refuses_anonymous_bookings(shop, http):
    # given
    shop["salon"].require_login_to_book = True
    shop["salon"].save()
    user = UserFactory(email="kati@example.test")

    # when
    anonymous = post(http, "bookings/", booking_body(shop, next_wednesday_at(10)))
    anonymous_bad_input = post(http, "bookings/", {})
    written_by_anonymous = counts()
    http.force_login(user)
    logged_in = post(http, "bookings/", booking_body(shop, next_wednesday_at(10)))

    # then
    assert anonymous.status_code == 403
    assert anonymous.json() == {"detail": "This salon asks clients to log in before booking."}
    assert anonymous_bad_input.status_code == 403
    assert written_by_anonymous == (0, 0)
    assert logged_in.status_code == 201
    assert Appointment.objects.get().client.user == user


# --- managing a booking by its token ------------------------------------------------------


@pytest.fixture
def booked(shop, http) -> dict[str, Any]:
    response = post(http, "bookings/", booking_body(shop, next_wednesday_at(10)))
    assert response.status_code == 201
    return response.json()


def test_get_booking_by_token(shop, http, booked):
    # when
    response = http.get(f"{BASE}/bookings/{booked['token']}/")

    # then
    assert response.status_code == 200
    assert response.json() == booked


def test_cancel_by_token_before_the_cutoff(shop, http, booked):
    # when
    response = post(http, f"bookings/{booked['token']}/cancel/")

    # then
    assert response.status_code == 200
    assert response.json() == {**booked, "status": "cancelled"}
    assert Appointment.objects.get().status == "cancelled"


def test_cancel_by_token_after_the_cutoff_is_400(shop, http, booked):
    # given: the appointment is less than two weeks away
    shop["salon"].cancellation_cutoff_hours = 24 * 14
    shop["salon"].save()

    # when
    response = post(http, f"bookings/{booked['token']}/cancel/")

    # then
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "Online changes are possible until 336 hours before the appointment. "
            "Please contact the salon."
        ]
    }
    assert Appointment.objects.get().status == "booked"


def test_cancel_twice_is_400(shop, http, booked):
    # given
    post(http, f"bookings/{booked['token']}/cancel/")

    # when
    response = post(http, f"bookings/{booked['token']}/cancel/")

    # then
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["This appointment is Cancelled."]}


def test_reschedule_by_token(shop, http, booked):
    # given
    new_start = next_wednesday_at(14, 15)

    # when
    response = post(
        http, f"bookings/{booked['token']}/reschedule/", {"starts_at": new_start.isoformat()}
    )

    # then
    assert response.status_code == 200
    assert response.json()["starts_at"] == new_start.isoformat()
    appointment = Appointment.objects.get()
    assert (appointment.starts_at, appointment.ends_at) == (
        new_start,
        new_start + dt.timedelta(hours=1),
    )


def test_reschedule_to_a_taken_time_is_409_and_changes_nothing(shop, http, booked):
    # given
    book(shop, next_wednesday_at(14), staff=shop["staff"][0])

    # when
    response = post(
        http,
        f"bookings/{booked['token']}/reschedule/",
        {"starts_at": next_wednesday_at(14).isoformat()},
    )

    # then
    assert response.status_code == 409
    assert response.json()["detail"] == "This time was just taken. Please choose another time."
    assert response.json()["next_slots"][0] == next_wednesday_at(15, 15).isoformat()
    assert Appointment.objects.get(pk=booked["id"]).starts_at == next_wednesday_at(10)


@pytest.mark.parametrize(
    ("starts_at", "errors"),
    [
        ("@naive", {"starts_at": [NAIVE]}),
        ("2020-03-04T10:00:00+02:00", {"starts_at": ["This time is in the past."]}),
        ("", {"starts_at": BAD_DATETIME}),
    ],
)
def test_bad_reschedule_is_400(shop, http, booked, starts_at, errors):
    # given
    if starts_at == "@naive":
        starts_at = next_wednesday_at(14).replace(tzinfo=None).isoformat()

    # when
    response = post(http, f"bookings/{booked['token']}/reschedule/", {"starts_at": starts_at})

    # then
    assert response.status_code == 400
    assert response.json() == errors
    assert Appointment.objects.get(pk=booked["id"]).starts_at == next_wednesday_at(10)


def test_reschedule_after_the_cutoff_is_400(shop, http, booked):
    # given
    shop["salon"].cancellation_cutoff_hours = 24 * 14
    shop["salon"].save()

    # when
    response = post(
        http,
        f"bookings/{booked['token']}/reschedule/",
        {"starts_at": next_wednesday_at(14).isoformat()},
    )

    # then
    assert response.status_code == 400
    assert Appointment.objects.get(pk=booked["id"]).starts_at == next_wednesday_at(10)


@pytest.mark.parametrize(
    ("method", "suffix"), [("get", ""), ("post", "cancel/"), ("post", "reschedule/")]
)
def test_tampered_or_foreign_tokens_are_404(shop, other_shop, http, booked, method, suffix):
    # given
    tampered = booked["token"][:-2] + ("AA" if not booked["token"].endswith("AA") else "BB")
    theirs = appointment_book(
        salon=other_shop["salon"],
        request=BookingRequest(
            location=other_shop["location"],
            service=other_shop["service"],
            starts_at=next_wednesday_at(10),
            staff=other_shop["staff"][0],
        ),
        client=ClientFactory(salon=other_shop["salon"]),
    )
    body = {"starts_at": next_wednesday_at(14).isoformat()}

    for token in (tampered, "garbage", appointment_token(theirs)):
        # when
        if method == "get":
            response = http.get(f"{BASE}/bookings/{token}/{suffix}")
        else:
            response = post(http, f"bookings/{token}/{suffix}", body)

        # then
        assert response.status_code == 404, token
        assert response.json() == {"detail": "Not found."}
    assert list(Appointment.objects.order_by("pk").values_list("status", "starts_at")) == [
        ("booked", next_wednesday_at(10)),
        ("booked", next_wednesday_at(10)),
    ]


def test_cancel_and_reschedule_do_not_answer_get(shop, http, booked):
    # when
    cancel = http.get(f"{BASE}/bookings/{booked['token']}/cancel/")
    reschedule = http.get(f"{BASE}/bookings/{booked['token']}/reschedule/")

    # then
    assert (cancel.status_code, reschedule.status_code) == (405, 405)


# --- concurrency (PostgreSQL) -------------------------------------------------------------


def book_concurrently(bodies: list[dict[str, Any]]) -> list[int]:
    """POST every body to the public booking endpoint at once, each from its own thread with
    its own database connection; the status codes, in no particular order."""
    barrier = threading.Barrier(len(bodies))
    results: list[int] = []
    lock = threading.Lock()

    def attempt(body: dict[str, Any]) -> None:
        try:
            http = HttpClient()
            barrier.wait(timeout=30)
            code = post(http, "bookings/", body).status_code
        except Exception:  # noqa: BLE001 - counted as a failure below
            code = -1
        finally:
            connection.close()
        with lock:
            results.append(code)

    threads = [threading.Thread(target=attempt, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def concurrent_bodies(shop: dict[str, Any], staff: Any, count: int = 20) -> list[dict[str, Any]]:
    return [
        booking_body(
            shop,
            next_wednesday_at(10),
            staff=staff,
            client={"first_name": f"Client {n}", "email": f"client{n}@example.test"},
        )
        for n in range(count)
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_bookings_of_one_staff_slot_exactly_one_wins(shop):
    # given
    anna = shop["staff"][0]

    # when
    results = book_concurrently(concurrent_bodies(shop, anna.pk))

    # then
    assert sorted(results) == [201] + [409] * 19
    assert Appointment.objects.count() == 1
    assert Appointment.objects.get().staff == anna
    assert Client.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_any_staff_bookings_with_two_staff_exactly_two_win(shop):
    # when
    results = book_concurrently(concurrent_bodies(shop, "any"))

    # then
    assert sorted(results) == [201, 201] + [409] * 18
    assert Appointment.objects.count() == 2
    assert set(Appointment.objects.values_list("staff__name", flat=True)) == {"Anna", "Mari"}
    assert Client.objects.count() == 2
