from __future__ import annotations

import datetime as dt
import threading
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from bookings.events import BookingEvent, subscribe, unsubscribe
from bookings.models import Appointment
from bookings.services.booking import (
    BookingRequest,
    SlotTaken,
    appointment_book,
    appointment_reschedule,
    appointment_set_status,
    appointments_complete_ended,
)
from tests.factories import ClientFactory, ServiceFactory, StaffMemberFactory

TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")


def next_wednesday_at(hour: int, minute: int = 0) -> dt.datetime:
    today = dt.datetime.now(TALLINN).date()
    days = (2 - today.weekday()) % 7 or 7
    day = today + dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TALLINN)


def request_for(shop, starts_at, staff=None) -> BookingRequest:
    return BookingRequest(
        location=shop["location"], service=shop["service"], starts_at=starts_at, staff=staff
    )


def test_book_a_free_slot(shop):
    # given
    client = ClientFactory(salon=shop["salon"])
    anna = shop["staff"][0]
    starts_at = next_wednesday_at(10)
    # when
    appointment = appointment_book(
        salon=shop["salon"], request=request_for(shop, starts_at, anna), client=client
    )
    # then
    assert appointment.staff == anna
    assert appointment.ends_at - appointment.starts_at == dt.timedelta(minutes=60)
    assert appointment.block_ends_at - appointment.ends_at == dt.timedelta(minutes=10)
    assert appointment.status == "booked"
    assert appointment.price == shop["service"].price


def test_booking_the_same_slot_twice_is_refused_with_next_free_times(shop):
    anna = shop["staff"][0]
    starts_at = next_wednesday_at(10)
    appointment_book(
        salon=shop["salon"],
        request=request_for(shop, starts_at, anna),
        client=ClientFactory(salon=shop["salon"]),
    )
    with pytest.raises(SlotTaken) as exc:
        appointment_book(
            salon=shop["salon"],
            request=request_for(shop, starts_at, anna),
            client=ClientFactory(salon=shop["salon"]),
        )
    assert exc.value.next_slots
    assert exc.value.next_slots[0] >= starts_at + dt.timedelta(minutes=70)
    assert Appointment.objects.count() == 1


def test_any_available_assigns_the_least_booked_staff_member(shop):
    anna, mari = shop["staff"]
    appointment_book(
        salon=shop["salon"],
        request=request_for(shop, next_wednesday_at(9), anna),
        client=ClientFactory(salon=shop["salon"]),
    )
    # when a client books "any" at 13:00 when both are free
    appointment = appointment_book(
        salon=shop["salon"],
        request=request_for(shop, next_wednesday_at(13)),
        client=ClientFactory(salon=shop["salon"]),
    )
    # then Mari, who has nothing that day, gets it
    assert appointment.staff == mari


def test_any_available_falls_back_to_the_next_free_staff_member(shop):
    anna, mari = shop["staff"]
    starts_at = next_wednesday_at(11)
    first = appointment_book(
        salon=shop["salon"],
        request=request_for(shop, starts_at),
        client=ClientFactory(salon=shop["salon"]),
    )
    second = appointment_book(
        salon=shop["salon"],
        request=request_for(shop, starts_at),
        client=ClientFactory(salon=shop["salon"]),
    )
    assert {first.staff, second.staff} == {anna, mari}
    with pytest.raises(SlotTaken):
        appointment_book(
            salon=shop["salon"],
            request=request_for(shop, starts_at),
            client=ClientFactory(salon=shop["salon"]),
        )


@pytest.mark.parametrize(
    "case",
    ["past", "outside_hours", "other_salon_service", "not_performing", "naive", "off_grid"],
)
def test_bad_booking_requests_are_refused_and_write_nothing(shop, other_salon, case):
    anna = shop["staff"][0]
    client = ClientFactory(salon=shop["salon"])
    req = request_for(shop, next_wednesday_at(10), anna)
    if case == "past":
        req = request_for(shop, dt.datetime(2020, 1, 1, 10, tzinfo=TALLINN), anna)
    elif case == "outside_hours":
        req = request_for(shop, next_wednesday_at(18), anna)
    elif case == "other_salon_service":
        req = BookingRequest(
            location=shop["location"],
            service=ServiceFactory(salon=other_salon),
            starts_at=next_wednesday_at(10),
            staff=anna,
        )
    elif case == "not_performing":
        req = request_for(shop, next_wednesday_at(10), StaffMemberFactory(salon=shop["salon"]))
    elif case == "naive":
        req = request_for(shop, next_wednesday_at(10).replace(tzinfo=None), anna)
    elif case == "off_grid":
        req = request_for(shop, next_wednesday_at(10, 7), anna)
    with pytest.raises((ValidationError, SlotTaken)):
        appointment_book(salon=shop["salon"], request=req, client=client)
    assert Appointment.objects.count() == 0


def test_owner_may_book_outside_hours_but_not_over_another_appointment(shop):
    anna = shop["staff"][0]
    evening = next_wednesday_at(18)
    appointment = appointment_book(
        salon=shop["salon"],
        request=request_for(shop, evening, anna),
        client=ClientFactory(salon=shop["salon"]),
        source="dashboard",
        enforce_hours=False,
    )
    assert appointment.starts_at == evening
    with pytest.raises(SlotTaken):
        appointment_book(
            salon=shop["salon"],
            request=request_for(shop, evening + dt.timedelta(minutes=30), anna),
            client=ClientFactory(salon=shop["salon"]),
            source="dashboard",
            enforce_hours=False,
        )


def test_reschedule_moves_and_publishes_once(shop, django_capture_on_commit_callbacks):
    seen: list[int] = []
    handler = seen.append
    subscribe(BookingEvent.RESCHEDULED, handler)
    try:
        anna = shop["staff"][0]
        appointment = appointment_book(
            salon=shop["salon"],
            request=request_for(shop, next_wednesday_at(10), anna),
            client=ClientFactory(salon=shop["salon"]),
        )
        # when the client moves it by 30 minutes (overlapping its own old time)
        with django_capture_on_commit_callbacks(execute=True):
            moved = appointment_reschedule(
                appointment=appointment, starts_at=next_wednesday_at(10, 30)
            )
        # then
        assert moved.starts_at == next_wednesday_at(10, 30)
        assert seen == [appointment.pk]
    finally:
        unsubscribe(BookingEvent.RESCHEDULED, handler)


def test_status_changes_publish_events_once(shop, django_capture_on_commit_callbacks):
    seen: list[int] = []
    subscribe(BookingEvent.CANCELLED, seen.append)
    try:
        appointment = appointment_book(
            salon=shop["salon"],
            request=request_for(shop, next_wednesday_at(10)),
            client=ClientFactory(salon=shop["salon"]),
        )
        with django_capture_on_commit_callbacks(execute=True):
            appointment_set_status(appointment=appointment, status="cancelled")
            appointment_set_status(appointment=appointment, status="cancelled")
        assert seen == [appointment.pk]
        with pytest.raises(ValidationError):
            appointment_set_status(appointment=appointment, status="completed")
    finally:
        unsubscribe(BookingEvent.CANCELLED, seen.append)


def test_ended_appointments_are_completed_by_the_sweep(shop):
    appointment = appointment_book(
        salon=shop["salon"],
        request=request_for(shop, next_wednesday_at(10)),
        client=ClientFactory(salon=shop["salon"]),
    )
    assert appointments_complete_ended(now=appointment.ends_at - dt.timedelta(minutes=1)) == 0
    assert appointments_complete_ended(now=appointment.ends_at) == 1
    assert appointments_complete_ended(now=appointment.ends_at) == 0
    appointment.refresh_from_db()
    assert appointment.status == "completed"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_database_refuses_overlap_even_without_the_service(shop):
    from django.db import IntegrityError

    anna = shop["staff"][0]
    starts_at = next_wednesday_at(10)
    base = {
        "salon": shop["salon"],
        "location": shop["location"],
        "staff": anna,
        "service": shop["service"],
        "source": "dashboard",
        "price": 0,
    }
    Appointment.objects.create(
        **base,
        client=ClientFactory(salon=shop["salon"]),
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        block_starts_at=starts_at,
        block_ends_at=starts_at + dt.timedelta(hours=1),
    )
    with pytest.raises(IntegrityError, match=Appointment.NO_OVERLAP_CONSTRAINT):
        Appointment.objects.create(
            **base,
            client=ClientFactory(salon=shop["salon"]),
            starts_at=starts_at + dt.timedelta(minutes=30),
            ends_at=starts_at + dt.timedelta(minutes=90),
            block_starts_at=starts_at + dt.timedelta(minutes=30),
            block_ends_at=starts_at + dt.timedelta(minutes=90),
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_bookings_of_one_slot_exactly_one_wins(shop):
    # given 20 clients and one slot of one staff member
    anna = shop["staff"][0]
    starts_at = next_wednesday_at(10)
    clients = [ClientFactory(salon=shop["salon"]) for _ in range(20)]
    barrier = threading.Barrier(len(clients))
    results: list[str] = []
    lock = threading.Lock()

    def attempt(client) -> None:
        try:
            barrier.wait()
            appointment_book(
                salon=shop["salon"], request=request_for(shop, starts_at, anna), client=client
            )
            outcome = "ok"
        except SlotTaken:
            outcome = "taken"
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    # when they all book at once, each on its own connection
    threads = [threading.Thread(target=attempt, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    # then exactly one succeeds, the rest are told the slot was taken
    assert sorted(results) == ["ok"] + ["taken"] * 19
    assert Appointment.objects.filter(staff=anna).count() == 1
