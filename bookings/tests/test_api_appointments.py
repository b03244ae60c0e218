"""Owner API of appointments: `/api/v1/salons/<slug>/appointments/…`
(bookings/api/appointments.py)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from bookings.models import Appointment, Client
from bookings.tests.test_booking_service import next_wednesday_at
from tests.factories import (
    ClientFactory,
    LocationFactory,
    ServiceFactory,
    StaffMemberFactory,
)

TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")
LIST_URL = "/api/v1/salons/alpha/appointments/"


def detail_url(appointment_id: int, slug: str = "alpha") -> str:
    return f"/api/v1/salons/{slug}/appointments/{appointment_id}/"


def status_url(appointment_id: int, slug: str = "alpha") -> str:
    return f"/api/v1/salons/{slug}/appointments/{appointment_id}/status/"


def make_appointment(
    shop: dict[str, Any],
    starts_at: dt.datetime,
    *,
    staff=None,
    client=None,
    location=None,
    status: str = "booked",
    minutes: int = 60,
) -> Appointment:
    """A row written directly (test data: the booking rules are not what is tested here)."""
    return Appointment.objects.create(
        salon=shop["salon"],
        location=location or shop["location"],
        staff=staff or shop["staff"][0],
        service=shop["service"],
        client=client or ClientFactory(salon=shop["salon"]),
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes),
        block_starts_at=starts_at,
        block_ends_at=starts_at + dt.timedelta(minutes=minutes),
        status=status,
        source="dashboard",
        price=Decimal("40.00"),
    )


def snapshot() -> list[tuple[Any, ...]]:
    return list(
        Appointment.objects.order_by("pk").values_list(
            "pk", "staff_id", "starts_at", "ends_at", "status", "notes"
        )
    )


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def create_body(shop: dict[str, Any], client: Client, starts_at: dt.datetime, **extra: Any):
    return {
        "location": shop["location"].pk,
        "service": shop["service"].pk,
        "staff": shop["staff"][0].pk,
        "client": client.pk,
        "starts_at": starts_at.isoformat(),
        **extra,
    }


@pytest.fixture
def client_row(shop) -> Client:
    return ClientFactory(salon=shop["salon"], first_name="Kati", last_name="Kask")


@pytest.fixture
def other_shop(other_salon) -> dict[str, Any]:
    location = LocationFactory(salon=other_salon)
    service = ServiceFactory(salon=other_salon)
    staff = StaffMemberFactory(salon=other_salon, locations=[location], services=[service])
    return {
        "salon": other_salon,
        "location": location,
        "service": service,
        "staff": [staff],
        "client": ClientFactory(salon=other_salon),
    }


# --- list ---------------------------------------------------------------------------------


def test_list_shows_one_appointment_with_local_times(shop, owner_api, client_row):
    # given
    starts_at = next_wednesday_at(10)
    appointment = make_appointment(shop, starts_at, client=client_row)
    appointment.notes = "Allergic to lavender"
    appointment.save()
    day = starts_at.date().isoformat()

    # when
    response = owner_api.get(LIST_URL, {"start": day, "end": day})

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"] == [
        {
            "id": appointment.pk,
            "status": "booked",
            "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + dt.timedelta(hours=1)).isoformat(),
            "time_zone": "Europe/Tallinn",
            "location": shop["location"].pk,
            "location_name": "Old Town",
            "service": shop["service"].pk,
            "service_name": "Haircut",
            "staff": shop["staff"][0].pk,
            "staff_name": "Anna",
            "client": client_row.pk,
            "client_name": "Kati Kask",
            "price": "40.00",
            "source": "dashboard",
            "notes": "Allergic to lavender",
            "created_at": body["results"][0]["created_at"],
        }
    ]
    assert "+0" in body["results"][0]["starts_at"]  # the offset of Tallinn, not Z


def test_list_defaults_to_today_and_the_next_seven_days(shop, owner_api):
    # given
    today = dt.datetime.now(TALLINN).date()

    def at(days: int) -> dt.datetime:
        return dt.datetime.combine(today + dt.timedelta(days=days), dt.time(12), tzinfo=TALLINN)

    yesterday = make_appointment(shop, at(-1))
    first = make_appointment(shop, at(0))
    last = make_appointment(shop, at(7))
    make_appointment(shop, at(8))
    assert yesterday.pk

    # when
    response = owner_api.get(LIST_URL)

    # then
    assert response.status_code == 200
    assert ids(response) == [first.pk, last.pk]


def test_list_days_are_the_salons_calendar_days(shop, owner_api):
    # given: 00:30 and 23:30 in Tallinn are on the previous / same UTC day
    day = next_wednesday_at(10).date()
    early = make_appointment(shop, dt.datetime.combine(day, dt.time(0, 30), tzinfo=TALLINN))
    late = make_appointment(shop, dt.datetime.combine(day, dt.time(23), tzinfo=TALLINN))
    make_appointment(
        shop, dt.datetime.combine(day - dt.timedelta(days=1), dt.time(23), tzinfo=TALLINN)
    )
    make_appointment(
        shop, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 30), tzinfo=TALLINN)
    )

    # when
    response = owner_api.get(LIST_URL, {"start": day.isoformat(), "end": day.isoformat()})

    # then
    assert ids(response) == [early.pk, late.pk]


def test_list_filters(shop, owner_api, client_row):
    # given
    anna, mari = shop["staff"]
    second_location = LocationFactory(salon=shop["salon"])
    start = next_wednesday_at(9)
    a = make_appointment(shop, start, staff=anna, client=client_row)
    b = make_appointment(shop, start, staff=mari, status="cancelled")
    c = make_appointment(shop, start + dt.timedelta(hours=2), staff=anna, status="completed")
    d = make_appointment(shop, start + dt.timedelta(hours=3), staff=mari, location=second_location)
    day = {"start": start.date().isoformat(), "end": start.date().isoformat()}

    def listed(**params: Any) -> list[int]:
        response = owner_api.get(LIST_URL, {**day, **params})
        assert response.status_code == 200
        return ids(response)

    # then
    assert listed() == [a.pk, b.pk, c.pk, d.pk]
    assert listed(staff=anna.pk) == [a.pk, c.pk]
    assert listed(staff=mari.pk) == [b.pk, d.pk]
    assert listed(location=second_location.pk) == [d.pk]
    assert listed(status="cancelled") == [b.pk]
    assert listed(status="completed") == [c.pk]
    assert listed(client=client_row.pk) == [a.pk]
    assert listed(staff=anna.pk, status="booked") == [a.pk]


def test_list_is_paginated(shop, owner_api):
    # given
    start = next_wednesday_at(9)
    rows = [make_appointment(shop, start + dt.timedelta(hours=n)) for n in range(5)]
    day = start.date().isoformat()

    # when
    response = owner_api.get(LIST_URL, {"start": day, "end": day, "limit": 2, "offset": 2})

    # then
    assert response.status_code == 200
    assert response.json()["count"] == 5
    assert ids(response) == [rows[2].pk, rows[3].pk]


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"start": "tomorrow"}, {"start"}),
        ({"end": "2026-13-01"}, {"end"}),
        ({"start": "2026-03-10", "end": "2026-03-09"}, {"end"}),
        ({"start": "2026-03-01", "end": "2026-05-02"}, {"end"}),  # 63 days
        ({"staff": "abc"}, {"staff"}),
        ({"staff": "999999"}, {"staff"}),
        ({"location": "999999"}, {"location"}),
        ({"client": "1.5"}, {"client"}),
        ({"status": "deleted"}, {"status"}),
        ({"status": "deleted", "staff": "x", "start": "x"}, {"status", "staff", "start"}),
    ],
)
def test_bad_filters_are_400_per_field(shop, owner_api, params, errors):
    # when
    response = owner_api.get(LIST_URL, params)

    # then
    assert response.status_code == 400
    assert set(response.json()) == errors


def test_bad_filter_messages(shop, owner_api):
    # when
    backwards = owner_api.get(LIST_URL, {"start": "2026-03-10", "end": "2026-03-09"})
    too_long = owner_api.get(LIST_URL, {"start": "2026-03-01", "end": "2026-05-02"})
    longest = owner_api.get(LIST_URL, {"start": "2026-03-01", "end": "2026-05-01"})

    # then
    assert backwards.json() == {"end": ["The end date is before the start date."]}
    assert too_long.json() == {"end": ["Ask for at most 62 days at a time."]}
    assert longest.status_code == 200


@pytest.mark.parametrize("field", ["staff", "location", "client"])
def test_other_salons_ids_as_filters_are_400(shop, other_shop, owner_api, field):
    # given
    theirs = {
        "staff": other_shop["staff"][0],
        "location": other_shop["location"],
        "client": other_shop["client"],
    }[field]

    # when
    response = owner_api.get(LIST_URL, {field: theirs.pk})

    # then
    assert response.status_code == 400
    assert response.json() == {field: [f'Invalid pk "{theirs.pk}" - object does not exist.']}


@pytest.mark.parametrize("rows", [5, 50])
def test_list_query_count_does_not_grow(shop, owner_api, rows, django_assert_max_num_queries):
    # given: each appointment with its own client
    start = next_wednesday_at(8)
    for n in range(rows):
        make_appointment(
            shop, start + dt.timedelta(minutes=10 * n), staff=shop["staff"][n % 2], minutes=10
        )
    days = {"start": start.date().isoformat(), "end": (start.date() + dt.timedelta(days=1))}

    # when / then: membership, count, page (+1 per id filter)
    with django_assert_max_num_queries(3):
        response = owner_api.get(LIST_URL, days)
    assert response.json()["count"] == rows
    with django_assert_max_num_queries(4):
        response = owner_api.get(LIST_URL, {**days, "staff": shop["staff"][0].pk})
    assert response.json()["count"] == (rows + 1) // 2


# --- create -------------------------------------------------------------------------------


def test_owner_books_through_the_api(shop, owner, owner_api, client_row):
    # given
    starts_at = next_wednesday_at(10)

    # when
    response = owner_api.post(
        LIST_URL, create_body(shop, client_row, starts_at, notes="First visit"), format="json"
    )

    # then
    assert response.status_code == 201
    appointment = Appointment.objects.get()
    body = response.json()
    assert body["id"] == appointment.pk
    assert (body["starts_at"], body["ends_at"]) == (
        starts_at.isoformat(),
        (starts_at + dt.timedelta(hours=1)).isoformat(),
    )
    assert body["starts_at"].startswith(f"{starts_at.date()}T10:00:00+0")
    assert (body["status"], body["source"], body["notes"]) == ("booked", "api", "First visit")
    assert (body["staff"], body["client"], body["price"]) == (
        shop["staff"][0].pk,
        client_row.pk,
        "40.00",
    )
    assert appointment.starts_at == starts_at
    assert appointment.source == "api"
    assert appointment.created_by == owner
    assert appointment.notes == "First visit"


def test_owner_may_book_outside_hours_unless_asked_to_enforce_them(shop, owner_api, client_row):
    # given: the staff work 09–17, the location opens at 08
    early = next_wednesday_at(7)

    # when
    enforced = owner_api.post(
        LIST_URL, create_body(shop, client_row, early, enforce_hours=True), format="json"
    )
    written_after_enforced = snapshot()
    default = owner_api.post(LIST_URL, create_body(shop, client_row, early), format="json")

    # then
    # (Issue 13: a time outside hours never was a slot: 400 with the reason, not 409.)
    assert enforced.status_code == 400
    assert enforced.json()["reason"] == "outside_hours"
    assert written_after_enforced == []
    assert default.status_code == 201
    assert Appointment.objects.get().starts_at == early


def test_overlapping_booking_is_409_with_next_times_and_nothing_written(
    shop, owner_api, client_row
):
    # given
    taken = make_appointment(shop, next_wednesday_at(10))
    before = snapshot()
    clients_before = Client.objects.count()

    # when
    response = owner_api.post(
        LIST_URL, create_body(shop, client_row, next_wednesday_at(10, 30)), format="json"
    )

    # then
    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == "This time was just taken. Please choose another time."
    assert body["next_slots"] == [
        next_wednesday_at(11).isoformat(),
        next_wednesday_at(11, 15).isoformat(),
        next_wednesday_at(11, 30).isoformat(),
    ]
    assert snapshot() == before
    assert Client.objects.count() == clients_before
    assert taken.pk == before[0][0]


@pytest.mark.parametrize("field", ["location", "service", "staff", "client"])
def test_other_salons_ids_in_the_body_are_400(shop, other_shop, owner_api, client_row, field):
    # given
    theirs = {
        "location": other_shop["location"],
        "service": other_shop["service"],
        "staff": other_shop["staff"][0],
        "client": other_shop["client"],
    }[field]
    body = create_body(shop, client_row, next_wednesday_at(10))
    body[field] = theirs.pk

    # when
    response = owner_api.post(LIST_URL, body, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == {field: [f'Invalid pk "{theirs.pk}" - object does not exist.']}
    assert snapshot() == []


@pytest.mark.parametrize(
    ("starts_at", "message"),
    [
        (
            "2030-03-06T10:00:00",
            "Give the time with its UTC offset, e.g. 2026-03-04T10:00:00+02:00.",
        ),
        ("2030-03-06 10:00", "Give the time with its UTC offset, e.g. 2026-03-04T10:00:00+02:00."),
        ("2020-03-04T10:00:00+02:00", "This time is in the past."),
        ("2030-13-06T10:00:00+02:00", None),
        ("next tuesday", None),
        ("", None),
    ],
)
def test_bad_start_times_are_400(shop, owner_api, client_row, starts_at, message):
    # given
    body = create_body(shop, client_row, next_wednesday_at(10))
    body["starts_at"] = starts_at

    # when
    response = owner_api.post(LIST_URL, body, format="json")

    # then
    assert response.status_code == 400
    assert list(response.json()) == ["starts_at"]
    if message:
        assert response.json()["starts_at"] == [message]
    assert snapshot() == []


def test_missing_fields_are_400_per_field(shop, owner_api):
    # when
    response = owner_api.post(LIST_URL, {}, format="json")

    # then
    assert response.status_code == 400
    assert set(response.json()) == {"location", "service", "staff", "client", "starts_at"}
    assert snapshot() == []


def test_staff_who_does_not_do_the_service_is_400(shop, owner_api, client_row):
    # given
    colourist = StaffMemberFactory(salon=shop["salon"], locations=[shop["location"]])
    body = create_body(shop, client_row, next_wednesday_at(10), staff=colourist.pk)

    # when
    response = owner_api.post(LIST_URL, body, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == {"staff": ["This staff member does not perform that service."]}
    assert snapshot() == []


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"staff_is_active": False}, {"staff": ["This staff member is not active."]}),
        ({"service_is_active": False}, {"service": ["This service is not offered any more."]}),
        ({"location_is_active": False}, {"location": ["This location does not take bookings."]}),
    ],
)
def test_inactive_staff_service_or_location_is_400(shop, owner_api, client_row, change, errors):
    # given
    for key, value in change.items():
        name, attribute = key.split("_", 1)
        row = shop["staff"][0] if name == "staff" else shop[name]
        setattr(row, attribute, value)
        row.save()

    # when
    response = owner_api.post(
        LIST_URL, create_body(shop, client_row, next_wednesday_at(10)), format="json"
    )

    # then
    assert response.status_code == 400
    assert response.json() == errors
    assert snapshot() == []


def test_owner_may_book_what_is_not_offered_online(shop, owner_api, client_row):
    # given
    anna = shop["staff"][0]
    anna.offered_online = False
    anna.save()
    shop["service"].online_bookable = False
    shop["service"].save()

    # when
    response = owner_api.post(
        LIST_URL, create_body(shop, client_row, next_wednesday_at(10)), format="json"
    )

    # then
    assert response.status_code == 201
    assert Appointment.objects.get().staff == anna


def test_too_long_notes_are_400(shop, owner_api, client_row):
    # when
    response = owner_api.post(
        LIST_URL,
        create_body(shop, client_row, next_wednesday_at(10), notes="x" * 2001),
        format="json",
    )

    # then
    assert response.status_code == 400
    assert list(response.json()) == ["notes"]
    assert snapshot() == []


# --- detail, move, notes ------------------------------------------------------------------


def test_detail(shop, owner_api):
    # given
    appointment = make_appointment(shop, next_wednesday_at(10))

    # when
    response = owner_api.get(detail_url(appointment.pk))

    # then
    assert response.status_code == 200
    assert response.json()["id"] == appointment.pk
    assert response.json()["starts_at"] == next_wednesday_at(10).isoformat()


def test_detail_has_no_delete(shop, owner_api):
    # given
    appointment = make_appointment(shop, next_wednesday_at(10))

    # when
    response = owner_api.delete(detail_url(appointment.pk))

    # then
    assert response.status_code == 405
    assert Appointment.objects.filter(pk=appointment.pk).exists()


def test_move_to_another_time_and_staff_member(shop, owner_api):
    # given
    anna, mari = shop["staff"]
    appointment = make_appointment(shop, next_wednesday_at(10), staff=anna)
    new_start = next_wednesday_at(14)

    # when
    response = owner_api.patch(
        detail_url(appointment.pk),
        {"starts_at": new_start.isoformat(), "staff": mari.pk},
        format="json",
    )

    # then
    assert response.status_code == 200
    assert (response.json()["starts_at"], response.json()["staff"]) == (
        new_start.isoformat(),
        mari.pk,
    )
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.staff_id) == (new_start, mari.pk)
    assert appointment.ends_at == new_start + dt.timedelta(hours=1)


def test_move_keeps_the_time_when_only_the_staff_changes(shop, owner_api):
    # given
    anna, mari = shop["staff"]
    appointment = make_appointment(shop, next_wednesday_at(10), staff=anna)

    # when
    response = owner_api.patch(detail_url(appointment.pk), {"staff": mari.pk}, format="json")

    # then
    assert response.status_code == 200
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.staff_id) == (next_wednesday_at(10), mari.pk)


def test_owner_may_move_outside_hours(shop, owner_api):
    # given
    appointment = make_appointment(shop, next_wednesday_at(10))

    # when
    response = owner_api.patch(
        detail_url(appointment.pk), {"starts_at": next_wednesday_at(19).isoformat()}, format="json"
    )

    # then
    assert response.status_code == 200
    appointment.refresh_from_db()
    assert appointment.starts_at == next_wednesday_at(19)


def test_change_notes_only(shop, owner_api):
    # given
    appointment = make_appointment(shop, next_wednesday_at(10))

    # when
    response = owner_api.patch(detail_url(appointment.pk), {"notes": "Bring photo"}, format="json")

    # then
    assert response.status_code == 200
    assert response.json()["notes"] == "Bring photo"
    appointment.refresh_from_db()
    assert (appointment.notes, appointment.starts_at) == ("Bring photo", next_wednesday_at(10))


def test_move_over_another_appointment_is_409_and_changes_nothing(shop, owner_api):
    # given
    anna = shop["staff"][0]
    make_appointment(shop, next_wednesday_at(10), staff=anna)
    moving = make_appointment(shop, next_wednesday_at(13), staff=anna)
    before = snapshot()

    # when
    response = owner_api.patch(
        detail_url(moving.pk),
        {"starts_at": next_wednesday_at(10, 30).isoformat(), "notes": "moved"},
        format="json",
    )

    # then
    assert response.status_code == 409
    assert response.json()["detail"] == "This time was just taken. Please choose another time."
    assert snapshot() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"starts_at": "2030-03-06T10:00:00"}, "starts_at"),
        ({"starts_at": "2020-03-04T10:00:00+02:00"}, "starts_at"),
        ({"starts_at": "soon"}, "starts_at"),
        ({"staff": 999_999}, "staff"),
        ({"notes": "x" * 2001}, "notes"),
    ],
)
def test_bad_moves_are_400(shop, owner_api, body, field):
    # given
    appointment = make_appointment(shop, next_wednesday_at(10))
    before = snapshot()

    # when
    response = owner_api.patch(detail_url(appointment.pk), body, format="json")

    # then
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert snapshot() == before


def test_move_to_another_salons_staff_is_400(shop, other_shop, owner_api):
    # given
    appointment = make_appointment(shop, next_wednesday_at(10))
    theirs = other_shop["staff"][0].pk
    before = snapshot()

    # when
    response = owner_api.patch(detail_url(appointment.pk), {"staff": theirs}, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == {"staff": [f'Invalid pk "{theirs}" - object does not exist.']}
    assert snapshot() == before


def test_cancelled_appointment_cannot_be_moved(shop, owner_api):
    # given
    appointment = make_appointment(shop, next_wednesday_at(10), status="cancelled")
    before = snapshot()

    # when
    response = owner_api.patch(
        detail_url(appointment.pk), {"starts_at": next_wednesday_at(12).isoformat()}, format="json"
    )

    # then
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Only booked appointments can be moved."]}
    assert snapshot() == before


# --- status -------------------------------------------------------------------------------


@pytest.mark.parametrize("new_status", ["completed", "cancelled", "no_show"])
def test_set_status(shop, owner_api, new_status):
    # given (one that has started: only those can be completed, as in the calendar)
    appointment = make_appointment(shop, next_wednesday_at(10) - dt.timedelta(days=7))

    # when
    response = owner_api.post(status_url(appointment.pk), {"status": new_status}, format="json")

    # then
    assert response.status_code == 200
    assert response.json()["status"] == new_status
    appointment.refresh_from_db()
    assert appointment.status == new_status
    assert appointment.status_changed_at is not None


def test_completing_an_appointment_that_has_not_started_is_400_as_in_the_calendar(shop, owner_api):
    # (QA) the calendar refused it, the API completed it (and awarded the visit's points)
    appointment = make_appointment(shop, next_wednesday_at(10))
    response = owner_api.post(status_url(appointment.pk), {"status": "completed"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "status": ["This appointment has not started yet; it cannot be completed."]
    }
    appointment.refresh_from_db()
    assert appointment.status == "booked"
    # cancelling it stays possible
    cancelled = owner_api.post(status_url(appointment.pk), {"status": "cancelled"}, format="json")
    assert cancelled.status_code == 200


@pytest.mark.parametrize("value", ["booked", "deleted", "", None])
def test_invalid_status_is_400(shop, owner_api, value):
    # given
    appointment = make_appointment(shop, next_wednesday_at(10))

    # when
    response = owner_api.post(status_url(appointment.pk), {"status": value}, format="json")

    # then
    assert response.status_code == 400
    assert list(response.json()) == ["status"]
    appointment.refresh_from_db()
    assert appointment.status == "booked"


def test_a_status_is_set_once(shop, owner_api):
    # given
    appointment = make_appointment(shop, next_wednesday_at(10), status="cancelled")

    # when
    again = owner_api.post(status_url(appointment.pk), {"status": "cancelled"}, format="json")
    other = owner_api.post(status_url(appointment.pk), {"status": "completed"}, format="json")

    # then
    assert again.status_code == 200
    assert other.status_code == 400
    assert other.json() == {"status": ["This appointment is already Cancelled."]}
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"


# --- who may call -------------------------------------------------------------------------

ROUTES = [
    ("get", "list", None),
    ("post", "list", "create"),
    ("get", "detail", None),
    ("patch", "detail", {"notes": "changed"}),
    ("post", "status", {"status": "cancelled"}),
]


def route_url(kind: str, appointment: Appointment, slug: str = "alpha") -> str:
    if kind == "list":
        return f"/api/v1/salons/{slug}/appointments/"
    if kind == "detail":
        return detail_url(appointment.pk, slug)
    return status_url(appointment.pk, slug)


def route_body(body: Any, shop: dict[str, Any], appointment: Appointment) -> dict[str, Any]:
    if body == "create":
        return create_body(shop, appointment.client, next_wednesday_at(14))
    return body or {}


@pytest.mark.parametrize(("method", "kind", "body"), ROUTES)
def test_other_salons_owner_gets_404(shop, other_owner, method, kind, body):
    # given
    appointment = make_appointment(shop, next_wednesday_at(10))
    api = APIClient()
    api.force_authenticate(other_owner)
    before = snapshot()

    # when
    response = getattr(api, method)(
        route_url(kind, appointment), route_body(body, shop, appointment), format="json"
    )

    # then
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert snapshot() == before


@pytest.mark.parametrize(("method", "kind", "body"), [r for r in ROUTES if r[1] != "list"])
def test_other_salons_appointment_in_our_url_is_404(
    shop, other_shop, owner_api, method, kind, body
):
    # given
    theirs = Appointment.objects.create(
        salon=other_shop["salon"],
        location=other_shop["location"],
        staff=other_shop["staff"][0],
        service=other_shop["service"],
        client=other_shop["client"],
        starts_at=next_wednesday_at(10),
        ends_at=next_wednesday_at(11),
        block_starts_at=next_wednesday_at(10),
        block_ends_at=next_wednesday_at(11),
        source="dashboard",
        price=Decimal("10.00"),
    )
    before = snapshot()

    # when
    response = getattr(owner_api, method)(route_url(kind, theirs), body or {}, format="json")

    # then
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert snapshot() == before


@pytest.mark.parametrize(("method", "kind", "body"), ROUTES)
def test_staff_role_reads_but_does_not_write(shop, staff_user, method, kind, body):
    # given
    appointment = make_appointment(shop, next_wednesday_at(10))
    api = APIClient()
    api.force_authenticate(staff_user)
    before = snapshot()

    # when
    response = getattr(api, method)(
        route_url(kind, appointment), route_body(body, shop, appointment), format="json"
    )

    # then
    assert response.status_code == (200 if method == "get" else 403)
    assert snapshot() == before


@pytest.mark.parametrize(("method", "kind", "body"), ROUTES)
def test_anonymous_gets_401(shop, api_client, method, kind, body):
    # given
    appointment = make_appointment(shop, next_wednesday_at(10))
    before = snapshot()

    # when
    response = getattr(api_client, method)(
        route_url(kind, appointment), route_body(body, shop, appointment), format="json"
    )

    # then
    assert response.status_code == 401
    assert snapshot() == before


def test_manager_may_write(shop, client_row):
    # given
    from tests.factories import MembershipFactory, UserFactory

    manager = UserFactory()
    MembershipFactory(salon=shop["salon"], user=manager, role="manager")
    api = APIClient()
    api.force_authenticate(manager)

    # when
    response = api.post(
        LIST_URL, create_body(shop, client_row, next_wednesday_at(10)), format="json"
    )

    # then
    assert response.status_code == 201
    assert Appointment.objects.get().created_by == manager
