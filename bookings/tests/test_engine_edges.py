"""Issue 13: the booking engine's edges — extreme dates, honest refusals, the slot grid, the
end of the day, duplicate bookings."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from bookings.availability import availability_get
from bookings.models import Appointment, LocationHours, TimeOff, WorkingHours
from bookings.models.catalogue import END_OF_DAY
from bookings.tests.test_booking_service import TALLINN, next_wednesday_at
from tests.factories import ClientFactory

PUBLIC = "/api/v1/public/alpha"
OWNER = "/api/v1/salons/alpha"
NAIVE = "Give the time with its UTC offset, e.g. 2026-03-04T10:00:00+02:00."


def _body(shop: dict[str, Any], starts_at: str, **extra: Any) -> dict[str, Any]:
    return {
        "location": shop["location"].pk,
        "service": shop["service"].pk,
        "staff": shop["staff"][0].pk,
        "starts_at": starts_at,
        "client": {"first_name": "Kati", "last_name": "Kask", "email": "kati@example.test"},
        **extra,
    }


# --- 1. no 500 on extreme dates -----------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("0001-01-01", "0001-01-01"),
        ("9999-12-31", "9999-12-31"),
        ("1999-12-31", "1999-12-31"),
        ("2101-01-01", "2101-01-02"),
    ],
)
def test_public_availability_refuses_dates_beyond_the_horizon(shop, start, end):
    http = HttpClient(raise_request_exception=False)
    response = http.get(
        f"{PUBLIC}/availability/",
        {
            "location": shop["location"].pk,
            "service": shop["service"].pk,
            "start": start,
            "end": end,
        },
    )
    assert response.status_code == 400
    assert "start" in response.json()


@pytest.mark.parametrize(
    "starts_at", ["9999-12-31T10:00+01:00", "0001-01-01T10:00+01:00", "2101-01-01T10:00Z"]
)
def test_public_booking_refuses_times_beyond_the_horizon(shop, starts_at):
    http = HttpClient(raise_request_exception=False)
    response = http.post(
        f"{PUBLIC}/bookings/", _body(shop, starts_at), content_type="application/json"
    )
    assert response.status_code == 400
    assert "starts_at" in response.json()
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_owner_appointment_list_refuses_dates_beyond_the_horizon(shop, owner_api, day):
    owner_api.raise_request_exception = False
    response = owner_api.get(f"{OWNER}/appointments/", {"start": day, "end": day})
    assert response.status_code == 400
    response = owner_api.get(f"{OWNER}/appointments/", {"start": day})
    assert response.status_code == 400


def test_owner_cannot_book_beyond_the_horizon(shop, owner_api):
    owner_api.raise_request_exception = False
    client = ClientFactory(salon=shop["salon"])
    response = owner_api.post(
        f"{OWNER}/appointments/",
        {
            "location": shop["location"].pk,
            "service": shop["service"].pk,
            "staff": shop["staff"][0].pk,
            "client": client.pk,
            "starts_at": "9999-12-31T10:00+01:00",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "starts_at" in response.json()
    assert Appointment.objects.count() == 0


def test_owner_time_off_refuses_times_beyond_the_horizon(shop, owner_api):
    owner_api.raise_request_exception = False
    staff = shop["staff"][0]
    response = owner_api.post(
        f"{OWNER}/staff/{staff.pk}/time-off/",
        {"starts_at": "9999-12-31T10:00+01:00", "ends_at": "9999-12-31T12:00+01:00"},
        format="json",
    )
    assert response.status_code == 400
    assert "starts_at" in response.json()


def test_closed_day_beyond_the_horizon_is_a_field_error(shop):
    from django.core.exceptions import ValidationError

    from bookings.services.catalogue import location_closure_create

    with pytest.raises(ValidationError) as exc:
        location_closure_create(location=shop["location"], date=dt.date(9999, 12, 31))
    assert "date" in exc.value.message_dict


# --- 2. honest refusals ---------------------------------------------------------------------


def test_a_body_over_the_size_limit_is_a_json_413_in_the_api(salon, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    http = HttpClient(raise_request_exception=False)
    response = http.post(
        f"{PUBLIC}/bookings/",
        json.dumps({"notes": "x" * 2000}),
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "request_too_large"


def test_naive_time_off_is_refused(shop, owner_api):
    staff = shop["staff"][0]
    response = owner_api.post(
        f"{OWNER}/staff/{staff.pk}/time-off/",
        {"starts_at": "2030-03-04T12:00:00", "ends_at": "2030-03-04T13:00:00"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"starts_at": [NAIVE], "ends_at": [NAIVE]}
    assert TimeOff.objects.count() == 0


@pytest.mark.parametrize("value", ["09:00+02:00", "09:00Z", "09:00:00-05:00", "9am"])
def test_times_of_day_with_an_offset_are_refused(shop, owner_api, value):
    response = owner_api.post(
        f"{OWNER}/locations/{shop['location'].pk}/hours/",
        {"weekday": 0, "opens": value, "closes": "23:00"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["opens"]


def test_the_schema_says_times_of_day_are_local_without_an_offset():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    props = schema["components"]["schemas"]["LocationHoursInputRequest"]["properties"]
    for name in ("opens", "closes"):
        assert "format" not in props[name]
        assert "without an offset" in props[name]["description"]
    assert "24:00" in props["closes"]["pattern"]


# --- 4. the end of the day ------------------------------------------------------------------


def test_24_00_is_accepted_as_the_end_of_hours_and_given_back(shop, owner_api):
    staff, location = shop["staff"][0], shop["location"]
    LocationHours.objects.filter(location=location).delete()
    WorkingHours.objects.filter(staff=staff).delete()

    hours = owner_api.post(
        f"{OWNER}/locations/{location.pk}/hours/",
        {"weekday": 2, "opens": "20:00", "closes": "24:00"},
        format="json",
    )
    shift = owner_api.post(
        f"{OWNER}/staff/{staff.pk}/working-hours/",
        {"location": location.pk, "weekday": 2, "starts": "21:00", "ends": "24:00"},
        format="json",
    )

    assert hours.status_code == 201, hours.json()
    assert hours.json()["closes"] == "24:00:00"
    assert shift.status_code == 201, shift.json()
    assert shift.json()["ends"] == "24:00:00"
    assert WorkingHours.objects.get(staff=staff).ends == END_OF_DAY


def test_a_location_open_around_the_clock_offers_the_last_slot_of_the_day(shop):
    salon, location, staff = shop["salon"], shop["location"], shop["staff"][0]
    salon.slot_step_minutes = 60
    salon.save()
    LocationHours.objects.filter(location=location).update(opens=dt.time(0), closes=END_OF_DAY)
    WorkingHours.objects.filter(staff=staff).update(starts=dt.time(0), ends=END_OF_DAY)
    day = next_wednesday_at(0).date()

    availability = availability_get(
        salon=salon,
        location=location,
        service=shop["service"],
        start=day,
        end=day,
        staff=staff,
        online=False,
    )

    starts = [s.starts_at.astimezone(TALLINN).time() for s in availability.slots]
    assert starts == [dt.time(h) for h in range(24)]  # 23:00–24:00 included


def test_the_dashboard_accepts_24_00_as_the_end_of_a_shift(shop, owner_client):
    staff, location = shop["staff"][0], shop["location"]
    WorkingHours.objects.filter(staff=staff, weekday=4).delete()
    response = owner_client.post(
        reverse("dashboard:working_hours_add", kwargs={"salon_slug": "alpha", "pk": staff.pk}),
        {"weekday": "4", "location": str(location.pk), "starts": "18:00", "ends": "24:00"},
    )
    assert response.status_code == 302
    assert WorkingHours.objects.get(staff=staff, weekday=4).ends == END_OF_DAY


# --- 3. the slot grid -----------------------------------------------------------------------


def _grid_day(shop, day: dt.date, step: int) -> list[str]:
    shop["salon"].slot_step_minutes = step
    shop["salon"].save()
    availability = availability_get(
        salon=shop["salon"],
        location=shop["location"],
        service=shop["service"],
        start=day,
        end=day,
        staff=shop["staff"][0],
        online=False,
    )
    return [s.starts_at.astimezone(TALLINN).strftime("%H:%M") for s in availability.slots]


def test_the_grid_starts_at_the_start_of_the_shift(shop):
    # a 25-minute step does not divide 09:00: the shift's start is still the first slot
    starts = _grid_day(shop, next_wednesday_at(9).date(), 25)
    assert starts[:4] == ["09:00", "09:25", "09:50", "10:15"]
    assert starts[-1] == "15:40"  # 15:40 + 60 min <= 17:00; 16:05 would run past


def test_the_grid_starts_at_the_opening_when_it_cuts_the_shift(shop):
    day = next_wednesday_at(9).date()
    LocationHours.objects.filter(location=shop["location"], weekday=day.weekday()).update(
        opens=dt.time(9, 10)
    )
    starts = _grid_day(shop, day, 15)
    assert starts[:3] == ["09:10", "09:25", "09:40"]


def test_each_window_has_its_own_grid(shop):
    # a shift broken by a lunch: the afternoon starts at 13:10 whatever the morning's grid
    day = next_wednesday_at(9).date()
    staff = shop["staff"][0]
    WorkingHours.objects.filter(staff=staff, weekday=day.weekday()).update(ends=dt.time(12))
    WorkingHours.objects.create(
        salon=shop["salon"],
        staff=staff,
        location=shop["location"],
        weekday=day.weekday(),
        starts=dt.time(13, 10),
        ends=dt.time(15),
    )
    starts = _grid_day(shop, day, 30)
    assert starts == ["09:00", "09:30", "10:00", "10:30", "11:00", "13:10", "13:40"]


def test_the_grid_keeps_to_the_wall_clock_across_the_spring_dst_change(shop):
    # Tallinn 2026-03-29: 03:00 → 04:00. A night shift 01:00–07:00 with a 25-minute step.
    staff = shop["staff"][0]
    day = dt.date(2026, 3, 29)
    LocationHours.objects.filter(location=shop["location"]).update(opens=dt.time(0))
    WorkingHours.objects.filter(staff=staff).update(starts=dt.time(1), ends=dt.time(7))
    starts = _grid_day(shop, day, 25)
    # 01:00, 01:25, … on the wall clock; 03:05, 03:30, 03:55 do not exist that night
    assert starts[:5] == ["01:00", "01:25", "01:50", "02:15", "02:40"]
    assert "03:05" not in starts and "03:30" not in starts
    assert starts[5] == "04:20"


# --- 5. duplicate bookings --------------------------------------------------------------------


def test_an_identical_duplicate_booking_is_refused(shop):
    http = HttpClient()
    starts_at = next_wednesday_at(10).isoformat()
    first = http.post(
        f"{PUBLIC}/bookings/", _body(shop, starts_at, staff="any"), content_type="application/json"
    )
    second = http.post(
        f"{PUBLIC}/bookings/", _body(shop, starts_at, staff="any"), content_type="application/json"
    )
    assert first.status_code == 201
    assert second.status_code == 400
    assert second.json()["reason"] == "duplicate"
    assert Appointment.objects.count() == 1


def test_a_duplicate_from_the_owner_api_is_refused_but_a_cancelled_one_does_not_count(
    shop, owner_api
):
    client = ClientFactory(salon=shop["salon"])
    body = {
        "location": shop["location"].pk,
        "service": shop["service"].pk,
        "client": client.pk,
        "starts_at": next_wednesday_at(10).isoformat(),
    }
    url = f"{OWNER}/appointments/"
    first = owner_api.post(url, {**body, "staff": shop["staff"][0].pk}, format="json")
    duplicate = owner_api.post(url, {**body, "staff": shop["staff"][1].pk}, format="json")
    Appointment.objects.filter(pk=first.json()["id"]).update(status="cancelled")
    again = owner_api.post(url, {**body, "staff": shop["staff"][1].pk}, format="json")

    assert first.status_code == 201
    assert duplicate.status_code == 400
    assert duplicate.json()["reason"] == "duplicate"
    assert again.status_code == 201


def test_the_same_client_may_book_another_service_at_the_same_time(shop):
    from bookings.services.booking import BookingRequest, appointment_book
    from tests.factories import ServiceFactory

    other = ServiceFactory(salon=shop["salon"], name="Manicure", duration_minutes=30)
    shop["staff"][1].services.add(other, through_defaults={"salon_id": shop["salon"].pk})
    client = ClientFactory(salon=shop["salon"])
    starts_at = next_wednesday_at(10)
    for service, staff in ((shop["service"], shop["staff"][0]), (other, shop["staff"][1])):
        appointment_book(
            salon=shop["salon"],
            request=BookingRequest(
                location=shop["location"], service=service, starts_at=starts_at, staff=staff
            ),
            client=client,
        )
    assert Appointment.objects.filter(client=client).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_identical_any_staff_bookings_make_one_appointment(shop):
    import threading

    from django.db import connection

    from bookings.services.booking import (
        BookingRequest,
        DuplicateBooking,
        SlotTaken,
        appointment_book,
    )

    client = ClientFactory(salon=shop["salon"])
    starts_at = next_wednesday_at(10)
    barrier = threading.Barrier(10)
    results: list[str] = []
    lock = threading.Lock()

    def attempt() -> None:
        try:
            barrier.wait(timeout=30)
            appointment_book(
                salon=shop["salon"],
                request=BookingRequest(
                    location=shop["location"], service=shop["service"], starts_at=starts_at
                ),
                client=client,
            )
            outcome = "ok"
        except DuplicateBooking:
            outcome = "duplicate"
        except SlotTaken:
            outcome = "taken"
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert results.count("ok") == 1, results
    assert set(results) <= {"ok", "duplicate", "taken"}, results
    assert Appointment.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_identical_public_bookings_make_one_appointment(shop):
    from bookings.tests.test_api_public import book_concurrently

    body = _body(shop, next_wednesday_at(10).isoformat(), staff="any")
    results = book_concurrently([body] * 10)
    assert results.count(201) == 1, results
    assert set(results) <= {201, 400, 409}, results
    assert Appointment.objects.count() == 1


def test_the_owner_calendar_says_when_a_booking_is_a_duplicate(shop, owner_client):
    from bookings.tests.test_calendar import CREATE, create_data, week_monday

    client = ClientFactory(salon=shop["salon"])
    day = week_monday() + dt.timedelta(days=7)
    first = owner_client.post(CREATE, create_data(shop, day, client=client.pk, time="10:00"))
    again = owner_client.post(
        CREATE,
        create_data(shop, day, client=client.pk, time="10:00", staff=shop["staff"][1].pk),
    )
    assert first.status_code == 302
    assert again.status_code == 200
    assert (
        "This client already has an appointment for this service at this time."
        in again.content.decode()
    )
    assert Appointment.objects.count() == 1


# --- 4. shifts across midnight ----------------------------------------------------------------


def _late_night(shop, *, split: bool) -> tuple[dt.date, dt.date]:
    """Anna works Friday 20:00–02:00 (or split: Friday 20:00–24:00 and Saturday 00:00–02:00);
    the location is open around the clock; 30-minute steps, a 60-minute service."""
    salon, location, anna = shop["salon"], shop["location"], shop["staff"][0]
    salon.slot_step_minutes = 30
    salon.save()
    LocationHours.objects.filter(location=location).update(opens=dt.time(0), closes=END_OF_DAY)
    WorkingHours.objects.filter(staff=anna).delete()
    friday = next_wednesday_at(0).date() + dt.timedelta(days=2)
    ranges = [(4, dt.time(20), END_OF_DAY), (5, dt.time(0), dt.time(2))]
    if not split:
        ranges = [(4, dt.time(20), dt.time(2))]
    for weekday, starts, ends in ranges:
        WorkingHours.objects.create(
            salon=salon, staff=anna, location=location, weekday=weekday, starts=starts, ends=ends
        )
    return friday, friday + dt.timedelta(days=1)


def _starts(shop, day: dt.date) -> list[str]:
    availability = availability_get(
        salon=shop["salon"],
        location=shop["location"],
        service=shop["service"],
        start=day,
        end=day,
        staff=shop["staff"][0],
        online=False,
    )
    return [s.starts_at.astimezone(TALLINN).strftime("%H:%M") for s in availability.slots]


@pytest.mark.parametrize("split", [False, True], ids=["one-shift", "split-at-midnight"])
def test_a_shift_into_the_next_day_offers_the_times_around_midnight(shop, split):
    friday, saturday = _late_night(shop, split=split)
    assert _starts(shop, friday) == [
        "20:00",
        "20:30",
        "21:00",
        "21:30",
        "22:00",
        "22:30",
        "23:00",
        "23:30",
    ]
    assert _starts(shop, saturday) == ["00:00", "00:30", "01:00"]


def test_a_time_running_past_midnight_can_be_booked(shop):
    from bookings.services.booking import BookingRequest, appointment_book

    friday, _saturday = _late_night(shop, split=False)
    starts_at = dt.datetime.combine(friday, dt.time(23, 30), tzinfo=TALLINN)
    appointment = appointment_book(
        salon=shop["salon"],
        request=BookingRequest(
            location=shop["location"],
            service=shop["service"],
            starts_at=starts_at,
            staff=shop["staff"][0],
        ),
        client=ClientFactory(salon=shop["salon"]),
    )
    assert appointment.ends_at == starts_at + dt.timedelta(hours=1)


def test_hours_across_midnight_are_accepted_by_the_api_and_the_dashboard(
    shop, owner_api, owner_client
):
    staff, location = shop["staff"][0], shop["location"]
    LocationHours.objects.filter(location=location, weekday=5).delete()
    WorkingHours.objects.filter(staff=staff, weekday__in=[4, 5, 6]).delete()
    hours = owner_api.post(
        f"{OWNER}/locations/{location.pk}/hours/",
        {"weekday": 5, "opens": "18:00", "closes": "03:00"},
        format="json",
    )
    shift = owner_api.post(
        f"{OWNER}/staff/{staff.pk}/working-hours/",
        {"location": location.pk, "weekday": 5, "starts": "20:00", "ends": "02:00"},
        format="json",
    )
    form = owner_client.post(
        reverse("dashboard:working_hours_add", kwargs={"salon_slug": "alpha", "pk": staff.pk}),
        {"weekday": "4", "location": str(location.pk), "starts": "21:00", "ends": "01:00"},
    )
    # Sunday 01:00–05:00 would overlap Saturday's 20:00–02:00 after midnight
    overlap = owner_api.post(
        f"{OWNER}/staff/{staff.pk}/working-hours/",
        {"location": location.pk, "weekday": 6, "starts": "01:00", "ends": "05:00"},
        format="json",
    )

    assert hours.status_code == 201, hours.json()
    assert shift.status_code == 201, shift.json()
    assert shift.json()["ends"] == "02:00:00"
    assert form.status_code == 302
    assert overlap.status_code == 400
    assert "across midnight" in overlap.json()["starts"][0]


def test_other_callers_of_the_services_still_refuse_an_end_before_the_start(shop):
    # Onboarding and the seed call the services without `overnight`: a typing mistake there.
    from django.core.exceptions import ValidationError

    from bookings.services.catalogue import working_hours_create

    with pytest.raises(ValidationError) as exc:
        working_hours_create(
            staff=shop["staff"][0],
            location=shop["location"],
            weekday=0,
            starts=dt.time(18),
            ends=dt.time(9),
        )
    assert exc.value.message_dict == {"ends": ["The shift must end after it starts."]}
