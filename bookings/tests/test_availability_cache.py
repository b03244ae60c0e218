"""The availability cache (bookings/availability_cache.py, issue 15): it answers what the
uncached computation answers, and never offers a time the database would refuse — after every
kind of write that changes availability (through the services, the ORM or raw SQL) the next
read reflects it, also with reads racing bookings; two salons never share entries."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from bookings.availability import availability_get
from bookings.availability_cache import (
    VERSION_TABLE,
    _key,
    availability_cached,
    availability_version,
    cache_enabled,
    local_memo_clear,
)
from bookings.models import Appointment, Location, LocationHours, Salon, Service, StaffMember
from bookings.passcodes import PasscodeUnlocks
from bookings.services.booking import BookingRequest, SlotTaken, appointment_book
from bookings.tests.test_booking_service import next_wednesday_at
from tests.concurrency import race
from tests.factories import (
    ClientFactory,
    LocationClosureFactory,
    LocationFactory,
    LocationHoursFactory,
    SalonFactory,
    ServiceFactory,
    StaffMemberFactory,
    TimeOffFactory,
    WorkingHoursFactory,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

Shop = dict[str, Any]
Slots = list[tuple[dt.datetime, tuple[int, ...]]]


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.AVAILABILITY_CACHE_SECONDS = 60
    local_memo_clear()  # this process's copies in front of the shared cache
    yield
    local_memo_clear()


def day() -> dt.date:
    return next_wednesday_at(9).date()


def args(shop: Shop, **extra: Any) -> dict[str, Any]:
    """Fresh rows each time (as a request reads them)."""
    salon = Salon.objects.get(pk=shop["salon"].pk)
    return {
        "salon": salon,
        "location": Location.objects.get(pk=shop["location"].pk),
        "service": Service.objects.get(pk=shop["service"].pk),
        "start": day(),
        "end": day() + dt.timedelta(days=1),
        **extra,
    }


def slots(availability: Any) -> list[tuple[dt.datetime, tuple[int, ...]]]:
    return [(s.starts_at, s.staff_ids) for s in availability.slots]


def cached(shop: Shop, **extra: Any) -> list[tuple[dt.datetime, tuple[int, ...]]]:
    return slots(availability_cached(**args(shop, **extra)))


def uncached(shop: Shop, **extra: Any) -> list[tuple[dt.datetime, tuple[int, ...]]]:
    return slots(availability_get(online=True, **args(shop, **extra)))


def wednesday_at(hour: int, minute: int = 0) -> dt.datetime:
    return next_wednesday_at(hour, minute)


def book(shop: Shop, starts_at: dt.datetime, staff: StaffMember | None = None) -> Appointment:
    return appointment_book(
        salon=shop["salon"],
        request=BookingRequest(
            location=shop["location"], service=shop["service"], starts_at=starts_at, staff=staff
        ),
        client=ClientFactory(salon=shop["salon"]),
    )


# --- The same answer ------------------------------------------------------------------------


def test_the_cache_is_on_outside_transactions_only(shop):
    assert cache_enabled()
    with transaction.atomic():
        assert not cache_enabled()


def test_a_hit_reads_only_the_version_and_gives_the_uncached_answer(shop):
    # given a warm entry
    first = cached(shop)
    assert first
    # when read again
    shop_args = args(shop)
    with CaptureQueriesContext(connection) as queries:
        again = availability_cached(**shop_args)
    # then: one query (the version), the same slots as computing them
    sql = [q["sql"] for q in queries]
    assert [s for s in sql if VERSION_TABLE in s], sql
    assert len([s for s in sql if "bookings_workinghours" in s]) == 0, sql
    assert slots(again) == first == uncached(shop)


@pytest.mark.parametrize("staff_choice", ["any", "anna"])
@pytest.mark.parametrize("notice_minutes", [0, 600])
def test_cached_equals_uncached_for_staff_choice_and_notice(shop, staff_choice, notice_minutes):
    Salon.objects.filter(pk=shop["salon"].pk).update(
        min_notice_minutes=notice_minutes, max_advance_days=8
    )
    book(shop, wednesday_at(11), shop["staff"][1])
    staff = None if staff_choice == "any" else shop["staff"][0]
    # "now" on the Wednesday: the notice cuts the morning; the advance cuts the next days
    for now in (wednesday_at(8), wednesday_at(10, 7), wednesday_at(8) - dt.timedelta(days=7)):
        warm = cached(shop, staff=staff, now=now)
        assert warm == uncached(shop, staff=staff, now=now)
        assert cached(shop, staff=staff, now=now) == warm


def test_a_passcode_locked_stylist_is_left_out_of_a_shared_entry_for_who_has_no_code(shop):
    # given Mari locked behind a personal passcode
    mari = shop["staff"][1]
    StaffMember.objects.filter(pk=mari.pk).update(booking_passcode="4321")
    mari.refresh_from_db()
    assert mari.passcode_active
    locked = PasscodeUnlocks({})
    unlocked = PasscodeUnlocks({})
    unlocked.unlock(mari)
    # when the unlocked visitor warms the entry, then the other one reads it
    with_mari = cached(shop, staff_allowed=unlocked.allows)
    without_mari = cached(shop, staff_allowed=locked.allows)
    # then each sees what the computation gives them
    assert with_mari == uncached(shop, staff_allowed=unlocked.allows)
    assert without_mari == uncached(shop, staff_allowed=locked.allows)
    assert any(mari.pk in ids for _, ids in with_mari)
    assert not any(mari.pk in ids for _, ids in without_mari)
    # and the code itself is not in the cache
    key = _key(
        **{name: value for name, value in args(shop).items() if name != "salon"},
        salon=shop["salon"],
        version=availability_version(shop["salon"]),
        staff=None,
        online_staff_ids=None,
    )
    entry = caches["default"].get(key)
    assert entry is not None
    assert "4321" not in repr(entry)


def test_an_invitation_links_staff_are_part_of_the_key(shop):
    anna, mari = shop["staff"]
    StaffMember.objects.filter(pk=mari.pk).update(offered_online=False)
    public = cached(shop)
    only_mari = cached(shop, online_staff_ids=frozenset({mari.pk}))
    assert public == uncached(shop)
    assert only_mari == uncached(shop, online_staff_ids=frozenset({mari.pk}))
    assert {ids for _, ids in public} == {(anna.pk,)}
    assert {ids for _, ids in only_mari} == {(mari.pk,)}


def test_a_bad_range_is_refused_as_without_the_cache(shop):
    with pytest.raises(ValidationError):
        availability_cached(**args(shop, end=day() - dt.timedelta(days=1)))


def test_two_salons_never_share_entries(shop):
    # given a second salon with its own shop open other hours, and both entries warm
    other = _second_shop(opens=dt.time(12))
    mine, theirs = cached(shop), cached(other)
    # then each is its own computation
    assert mine == uncached(shop) and theirs == uncached(other)
    assert mine != theirs
    # and a write in one salon changes its answer only
    book(other, wednesday_at(13), other["staff"][0])
    assert cached(other) == uncached(other) != theirs
    assert cached(shop) == mine
    assert availability_version(shop["salon"]) != availability_version(other["salon"])


def _second_shop(opens: dt.time) -> Shop:
    salon = SalonFactory(slug="gamma", name="Gamma", slot_step_minutes=15, max_advance_days=365)
    Salon.objects.filter(pk=salon.pk).update(min_notice_minutes=0)
    location = LocationFactory(salon=salon, name="Harbour", time_zone="Europe/Tallinn")
    service = ServiceFactory(salon=salon, name="Colour", duration_minutes=60)
    member = StaffMemberFactory(salon=salon, name="Liis", locations=[location], services=[service])
    for weekday in range(7):
        LocationHoursFactory(location=location, weekday=weekday, opens=opens, closes=dt.time(20))
        WorkingHoursFactory(
            staff=member, location=location, weekday=weekday, starts=opens, ends=dt.time(18)
        )
    return {"salon": salon, "location": location, "service": service, "staff": [member]}


# --- Every kind of write is seen by the next read --------------------------------------------


NOW = next_wednesday_at(8) - dt.timedelta(days=1)


def _raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _book_through_the_service(shop: Shop) -> None:
    book(shop, wednesday_at(10), shop["staff"][0])


def _raw_sql_cancel(shop: Shop) -> Slots:
    appointment = book(shop, wednesday_at(10), shop["staff"][0])
    warm = cached(shop, now=NOW)  # warm with the time taken
    _raw("UPDATE bookings_appointment SET status = 'cancelled' WHERE id = %s", [appointment.pk])
    return warm


def _raw_sql_status_back_to_booked(shop: Shop) -> Slots:
    appointment = book(shop, wednesday_at(10), shop["staff"][0])
    Appointment.objects.filter(pk=appointment.pk).update(status="cancelled")
    warm = cached(shop, now=NOW)  # warm with the time free again
    _raw("UPDATE bookings_appointment SET status = 'booked' WHERE id = %s", [appointment.pk])
    return warm


def _bulk_move(shop: Shop) -> Slots:
    appointment = book(shop, wednesday_at(10), shop["staff"][0])
    warm = cached(shop, now=NOW)
    shift = dt.timedelta(hours=3)
    Appointment.objects.filter(pk=appointment.pk).update(
        starts_at=appointment.starts_at + shift,
        ends_at=appointment.ends_at + shift,
        block_starts_at=appointment.block_starts_at + shift,
        block_ends_at=appointment.block_ends_at + shift,
    )
    return warm


def _working_hours(shop: Shop) -> None:
    shop["staff"][0].working_hours.update(ends=dt.time(12))


def _working_hours_deleted_raw(shop: Shop) -> None:
    _raw("DELETE FROM bookings_workinghours WHERE staff_id = %s", [shop["staff"][0].pk])


def _time_off(shop: Shop) -> None:
    TimeOffFactory(
        salon=shop["salon"],
        staff=shop["staff"][0],
        starts_at=wednesday_at(9),
        ends_at=wednesday_at(13),
    )


def _closed_day(shop: Shop) -> None:
    LocationClosureFactory(salon=shop["salon"], location=shop["location"], date=day())


def _opening_hours(shop: Shop) -> None:
    LocationHours.objects.filter(location=shop["location"]).update(opens=dt.time(14))


def _service_duration(shop: Shop) -> None:
    Service.objects.filter(pk=shop["service"].pk).update(duration_minutes=180)


def _staff_deactivated(shop: Shop) -> None:
    StaffMember.objects.filter(pk=shop["staff"][0].pk).update(is_active=False)


def _staff_not_online(shop: Shop) -> None:
    StaffMember.objects.filter(pk=shop["staff"][0].pk).update(offered_online=False)


def _staff_leaves_the_service(shop: Shop) -> None:
    shop["staff"][0].services.clear()


def _staff_leaves_the_location(shop: Shop) -> None:
    shop["staff"][0].locations.clear()


def _slot_step(shop: Shop) -> None:
    Salon.objects.filter(pk=shop["salon"].pk).update(slot_step_minutes=25)


def _notice(shop: Shop) -> None:
    salon = Salon.objects.get(pk=shop["salon"].pk)
    salon.min_notice_minutes = 60 * 24 * 10
    salon.save()


def _time_zone(shop: Shop) -> None:
    Location.objects.filter(pk=shop["location"].pk).update(time_zone="America/New_York")


WRITES: dict[str, Callable[[Shop], Slots | None]] = {
    "booking via the service": _book_through_the_service,
    "raw SQL UPDATE of an appointment's status (cancelled)": _raw_sql_cancel,
    "raw SQL UPDATE of an appointment's status (booked again)": _raw_sql_status_back_to_booked,
    "bulk update moving an appointment": _bulk_move,
    "working hours shortened": _working_hours,
    "working hours deleted with raw SQL": _working_hours_deleted_raw,
    "time off": _time_off,
    "closed day": _closed_day,
    "opening hours": _opening_hours,
    "service duration": _service_duration,
    "staff deactivated": _staff_deactivated,
    "staff no longer offered online": _staff_not_online,
    "staff leaves the service": _staff_leaves_the_service,
    "staff leaves the location": _staff_leaves_the_location,
    "salon slot step": _slot_step,
    "salon minimum notice": _notice,
    "location time zone": _time_zone,
}


@pytest.mark.parametrize("write", list(WRITES), ids=list(WRITES))
def test_the_next_read_after_a_write_reflects_it(shop, write):
    # given a warm entry
    before = cached(shop, now=NOW)
    assert before == uncached(shop, now=NOW)
    # when availability changes (committed: each statement is its own transaction here; a
    # case that needs an earlier state warms the entry again after making it)
    before = WRITES[write](shop) or before
    # then the next read is the new computation, not the entry
    after = cached(shop, now=NOW)
    assert after == uncached(shop, now=NOW)
    assert after != before, "the write did not change availability: a useless case"


def test_a_write_that_does_not_change_availability_keeps_the_entry(shop):
    appointment = book(shop, wednesday_at(10), shop["staff"][0])
    version = availability_version(shop["salon"])
    Appointment.objects.filter(pk=appointment.pk).update(notes="Bring photos")
    assert availability_version(shop["salon"]) == version


def test_a_transaction_bumps_the_version_once_at_commit(shop):
    version = availability_version(shop["salon"])
    with transaction.atomic():
        book(shop, wednesday_at(10), shop["staff"][0])
        book(shop, wednesday_at(12), shop["staff"][1])
        _time_off(shop)
    assert availability_version(shop["salon"]) == version + 1


def test_a_rolled_back_write_keeps_the_version(shop):
    version = availability_version(shop["salon"])
    with transaction.atomic():
        book(shop, wednesday_at(10), shop["staff"][0])
        transaction.set_rollback(True)
    assert availability_version(shop["salon"]) == version


def test_every_table_availability_reads_bumps_the_version(shop):
    """Guards the trigger list: a table added to availability's queries needs its trigger."""
    with CaptureQueriesContext(connection) as queries:
        availability_get(online=True, **args(shop))
    read = {
        table
        for q in queries
        for table in re.findall(r'"?(bookings_[a-z_]+)"?', q["sql"])
        if table != VERSION_TABLE
    }
    assert {"bookings_appointment", "bookings_workinghours", "bookings_timeoff"} <= read
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname LIKE 'availability_bump%%'"
        )
        triggered = {row[0] for row in cursor.fetchall()}
    assert read | {"bookings_salon", "bookings_service", "bookings_location"} <= triggered


def test_a_new_salon_gets_a_version_and_a_deleted_one_loses_it(db):
    salon = SalonFactory(slug="delta", name="Delta")
    assert availability_version(salon) is not None
    salon_id = salon.pk
    Salon.objects.filter(pk=salon_id).delete()
    assert availability_version(salon_id) is None


# --- Through the public API -------------------------------------------------------------------


def _api(shop: Shop, *, staff: str = "any", http: Any = None, **headers: str) -> Any:
    return (http or HttpClient()).get(
        "/api/v1/public/alpha/availability/",
        {
            "location": shop["location"].pk,
            "service": shop["service"].pk,
            "start": day().isoformat(),
            "end": day().isoformat(),
            "staff": staff,
        },
        headers=headers,
    )


def test_the_public_api_answers_from_the_cache_in_1_query_and_sees_a_booking(shop):
    # given a cold cache: at most 4 queries (the salon's version, the catalogue, availability)
    caches["default"].clear()
    local_memo_clear()
    with _statements() as cold:
        first = _api(shop)
    assert first.status_code == 200
    assert len(cold) <= 4, cold
    # when warm: one query, the salon's id and version
    with _statements() as warm:
        second = _api(shop)
    assert len(warm) == 1, warm
    assert VERSION_TABLE in warm[0]
    assert second.json() == first.json()
    # and after a booking the time is gone for that stylist
    taken = wednesday_at(10)
    book(shop, taken, shop["staff"][0])
    third = _api(shop).json()["slots"]
    at_ten = [s["staff"] for s in third if s["starts_at"] == taken.isoformat()]
    assert at_ten == [[shop["staff"][1].pk]]


@pytest.mark.parametrize("staff_choice", ["any", "", "anna"])
def test_the_warm_api_answers_what_the_uncached_api_answers(shop, staff_choice, settings):
    staff = staff_choice if staff_choice != "anna" else str(shop["staff"][0].pk)
    book(shop, wednesday_at(11), shop["staff"][1])
    caches["default"].clear()
    local_memo_clear()
    with _statements() as cold:
        cold_answer = _api(shop, staff=staff)
    with _statements() as warm:
        warm_answer = _api(shop, staff=staff)
    settings.AVAILABILITY_CACHE_SECONDS = 0
    uncached_answer = _api(shop, staff=staff)
    assert cold_answer.status_code == warm_answer.status_code == 200
    assert warm_answer.json() == cold_answer.json() == uncached_answer.json()
    assert warm_answer.json()["slots"]
    assert len(cold) <= 4, cold
    assert len(warm) == 1, warm


def test_the_warm_api_cuts_the_notice_and_locked_stylists_as_the_uncached_api(shop, settings):
    # given a notice that cuts into the days asked for, and Mari behind a personal code
    anna, mari = shop["staff"]
    Salon.objects.filter(pk=shop["salon"].pk).update(min_notice_minutes=26 * 60)
    StaffMember.objects.filter(pk=mari.pk).update(booking_passcode="4321")
    today = dt.datetime.now(shop["location"].tzinfo).date()
    query = {
        "location": shop["location"].pk,
        "service": shop["service"].pk,
        "start": today.isoformat(),
        "end": (today + dt.timedelta(days=3)).isoformat(),
    }
    url = "/api/v1/public/alpha/availability/"
    http = HttpClient()
    # when asked twice (the second from the cache), then with the cache off
    cold = http.get(url, query).json()
    with _statements() as warm_sql:
        warm = http.get(url, query).json()
    settings.AVAILABILITY_CACHE_SECONDS = 0
    uncached = http.get(url, query).json()
    # then the same answer: nothing before now + 26 h, only Anna
    assert warm == cold == uncached
    assert len(warm_sql) == 1
    assert {tuple(s["staff"]) for s in warm["slots"]} == {(anna.pk,)}
    earliest = dt.datetime.now(dt.UTC) + dt.timedelta(hours=26)
    assert all(dt.datetime.fromisoformat(s["starts_at"]) >= earliest for s in warm["slots"])
    assert warm["slots"]


@pytest.mark.parametrize(
    "bad",
    [
        {"staff": "999999"},
        {"staff": "x"},
        {"location": "abc"},
        {"location": "999999"},
        {"service": "999999"},
        {"service": ""},
        {"start": "2026-02-30"},
        {"end": "1999-01-01"},
        {"end": "2101-01-01"},
    ],
)
def test_the_warm_api_refuses_bad_input_as_the_uncached_api(shop, settings, bad):
    good = {
        "location": shop["location"].pk,
        "service": shop["service"].pk,
        "start": day().isoformat(),
        "end": day().isoformat(),
    }
    url = "/api/v1/public/alpha/availability/"
    http = HttpClient()
    assert http.get(url, good).status_code == 200  # warm
    answers = [http.get(url, {**good, **bad}) for _ in range(2)]
    settings.AVAILABILITY_CACHE_SECONDS = 0
    uncached = http.get(url, {**good, **bad})
    assert uncached.status_code == 400
    for answer in answers:
        assert (answer.status_code, answer.json()) == (400, uncached.json())


@contextlib.contextmanager
def _statements() -> Any:
    """The SQL statements run inside the block (robust to the request's own query log)."""
    seen: list[str] = []

    def record(execute, sql, params, many, context):  # noqa: ANN001
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen


def test_the_warm_api_keeps_refusing_a_hidden_service_and_a_hidden_stylist(shop):
    anna, mari = shop["staff"]
    Service.objects.filter(pk=shop["service"].pk).update(visibility=Service.Visibility.SEGMENTS)
    StaffMember.objects.filter(pk=mari.pk).update(offered_online=False)
    for _ in range(2):  # cold, then with the refusal cached
        response = _api(shop)
        assert response.status_code == 400
        assert "service" in response.json()
    # when the service is public again: the write bumps the version, the next read sees it
    Service.objects.filter(pk=shop["service"].pk).update(visibility=Service.Visibility.PUBLIC)
    assert _api(shop).status_code == 200
    for _ in range(2):
        response = _api(shop, staff=str(mari.pk))
        assert response.status_code == 400
        assert "staff" in response.json()
    assert {tuple(s["staff"]) for s in _api(shop).json()["slots"]} == {(anna.pk,)}
    # and a warm entry is dropped by the next write that hides the service
    assert _api(shop, staff=str(anna.pk)).status_code == 200
    Service.objects.filter(pk=shop["service"].pk).update(is_active=False)
    assert _api(shop, staff=str(anna.pk)).status_code == 400
    assert _api(shop).status_code == 400


def test_the_warm_api_keeps_a_locked_location_and_stylist_locked(shop):
    anna, mari = shop["staff"]
    # given an answer warm in the cache, then the location and Mari locked
    assert _api(shop).status_code == 200
    Location.objects.filter(pk=shop["location"].pk).update(
        booking_passcode_enabled=True, booking_passcode="5820"
    )
    StaffMember.objects.filter(pk=mari.pk).update(booking_passcode="4321")
    # then without the code: 403, also once the catalogue is cached again
    for _ in range(2):
        response = _api(shop)
        assert response.status_code == 403
        assert response.json()["target"] == "location"
    # with the location's code: Mari left out of "any", 403 when asked for by id
    code = {"X-Booking-Passcode": "5820"}
    assert {tuple(s["staff"]) for s in _api(shop, **code).json()["slots"]} == {(anna.pk,)}
    refused = _api(shop, staff=str(mari.pk), **code)
    assert refused.status_code == 403
    assert refused.json()["target"] == "staff"
    # a session that unlocked both uses the warm path and sees Mari
    http = HttpClient()
    session_unlock = http.post(
        "/api/v1/public/alpha/unlock/",
        {"location": shop["location"].pk, "code": "5820"},
        content_type="application/json",
    )
    assert session_unlock.status_code == 200, session_unlock.content
    assert (
        http.post(
            "/api/v1/public/alpha/unlock/",
            {"staff": mari.pk, "code": "4321"},
            content_type="application/json",
        ).status_code
        == 200
    )
    for _ in range(2):
        answer = _api(shop, http=http)
        assert answer.status_code == 200
        assert any(mari.pk in s["staff"] for s in answer.json()["slots"])
        assert _api(shop, http=http, staff=str(mari.pk)).status_code == 200
    # and no passcode is in any cached entry
    for blob in _cached_blobs():
        assert b"5820" not in blob and b"4321" not in blob


def _cached_blobs() -> list[bytes]:
    """Every value in the default cache, as stored (pickled)."""
    backend: Any = caches["default"]._cache  # type: ignore[attr-defined]
    if hasattr(backend, "get_client"):  # Redis
        client = backend.get_client()
        return [client.get(key) or b"" for key in client.keys("*")]
    return [bytes(value) for value in backend.values()]  # LocMemCache


# --- Reads racing bookings ---------------------------------------------------------------------


def test_reads_racing_bookings_never_leave_a_refused_time_offered(shop):
    # given 2 stylists and two days of free times
    now = wednesday_at(8) - dt.timedelta(days=1)
    offered = cached(shop, now=now)
    candidates = [(t, ids[0]) for t, ids in offered][::3][:16]
    staff_by_id = {m.pk: m for m in shop["staff"]}
    stop = threading.Event()
    errors: list[str] = []

    def reader() -> None:
        while not stop.is_set():
            try:
                cached(shop, now=now)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(repr(exc))
                return
            time.sleep(0.001)

    def booker(chunk: list[tuple[dt.datetime, int]]) -> Callable[[], None]:
        def run() -> None:
            for starts_at, staff_id in chunk:
                with contextlib.suppress(SlotTaken):
                    book(shop, starts_at, staff_by_id[staff_id])

        return run

    chunks = [candidates[n::4] for n in range(4)]
    readers = [threading.Thread(target=_closing(reader)) for _ in range(4)]
    for thread in readers:
        thread.start()
    try:
        outcomes = race([booker(chunk) for chunk in chunks])
    finally:
        stop.set()
        for thread in readers:
            thread.join(timeout=60)
    assert errors == []
    assert set(outcomes) <= {"ok", "refused"}, outcomes

    # then after the last booking committed, the cached answer is the computed one
    final = cached(shop, now=now)
    assert final == uncached(shop, now=now)
    booked = set(
        Appointment.objects.filter(salon=shop["salon"]).values_list("starts_at", "staff_id")
    )
    assert booked
    assert not booked & {(t, sid) for t, ids in final for sid in ids}
    # and every offered (time, stylist) is bookable: each booking tried and rolled back
    for starts_at, ids in final:
        for staff_id in ids:
            with transaction.atomic():
                book(shop, starts_at, staff_by_id[staff_id])
                transaction.set_rollback(True)


def _closing(function: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            function()
        finally:
            connection.close()

    return run
