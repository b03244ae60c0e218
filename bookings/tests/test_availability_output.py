"""Availability gives the same answer whichever way its second query is made (issue 15): on
PostgreSQL the busy times, opening hours and closed days are read with written-out SQL
(`bookings.availability._busy_rows_postgresql`, epoch seconds); the ORM-built UNION it replaced
is still the path of other databases. On a salon with two staff, appointments (active,
cancelled, across midnight), time off, a closed day, a shift into the next day and the spring
DST night, the public endpoint's body and `availability_get`'s result must be identical both
ways."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient

from bookings import availability as availability_module
from bookings.availability import availability_get
from bookings.models import LocationClosure, LocationHours, TimeOff, WorkingHours
from bookings.models.catalogue import END_OF_DAY
from bookings.tests.test_availability import book
from bookings.tests.test_booking_service import TALLINN, next_wednesday_at

pytestmark = pytest.mark.django_db


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TALLINN)


def _busy_salon(shop: dict[str, Any], first: dt.date) -> None:
    """Appointments, time off, a closed day and a night shift over the week from `first`."""
    anna, mari = shop["staff"]
    book(shop, anna, _local(first, 9))
    book(shop, anna, _local(first, 11, 10), minutes=45)
    book(shop, mari, _local(first, 10))
    book(shop, mari, _local(first, 13), status="cancelled")  # frees its time
    book(shop, anna, _local(first + dt.timedelta(days=1), 16, 30))
    book(shop, mari, _local(first + dt.timedelta(days=2), 9, 5), minutes=90)
    TimeOff.objects.create(
        salon=shop["salon"],
        staff=anna,
        starts_at=_local(first + dt.timedelta(days=3), 12),
        ends_at=_local(first + dt.timedelta(days=4), 10),
    )
    LocationClosure.objects.create(
        salon=shop["salon"], location=shop["location"], date=first + dt.timedelta(days=5)
    )
    # Mari works 20:00–02:00 on the last day, and the location stays open round the clock.
    last = first + dt.timedelta(days=6)
    LocationHours.objects.filter(location=shop["location"]).update(
        opens=dt.time(0), closes=END_OF_DAY
    )
    WorkingHours.objects.filter(staff=mari, weekday=last.weekday()).update(
        starts=dt.time(20), ends=dt.time(2)
    )
    book(shop, mari, _local(last, 22))


def _both_ways(monkeypatch: pytest.MonkeyPatch, produce: Any) -> tuple[Any, Any]:
    written_out = produce()
    with monkeypatch.context() as patched:
        patched.setattr(availability_module, "_written_out_sql", lambda using: False)
        orm_built = produce()
    return written_out, orm_built


def test_the_public_body_is_the_same_with_written_out_sql(shop, monkeypatch):
    first = next_wednesday_at(9).date()
    _busy_salon(shop, first)
    url = (
        f"/api/v1/public/{shop['salon'].slug}/availability/?location={shop['location'].pk}"
        f"&service={shop['service'].pk}&start={first}&end={first + dt.timedelta(days=6)}"
    )
    http = HttpClient()

    def body() -> bytes:
        response = http.get(url)
        assert response.status_code == 200, response.content
        return response.content

    written_out, orm_built = _both_ways(monkeypatch, body)
    assert written_out == orm_built
    data = http.get(url).json()
    assert data["time_zone"] == "Europe/Tallinn"
    starts = {s["starts_at"]: s["staff"] for s in data["slots"]}
    anna, mari = (m.pk for m in shop["staff"])
    # busy times, the cancelled one, time off, the closed day and the night shift all count
    assert _local(first, 9).isoformat() not in starts  # Anna booked, Mari's 10:00 too close
    assert starts[_local(first, 13).isoformat()] == [anna, mari]  # Mari's 13:00 cancelled
    assert starts[_local(first, 12, 15).isoformat()] == [anna, mari]
    assert starts[_local(first + dt.timedelta(days=3), 14).isoformat()] == [mari]  # time off
    assert not any(s.startswith(str(first + dt.timedelta(days=5))) for s in starts)  # closed
    last = first + dt.timedelta(days=6)
    assert _local(last, 23).isoformat() not in starts  # Mari's 22:00 and its buffer
    assert starts[_local(last, 23, 15).isoformat()] == [mari]


@pytest.mark.parametrize("staff_index", [None, 0, 1])
@pytest.mark.parametrize("ignore_busy", [False, True])
def test_availability_is_the_same_with_written_out_sql_across_the_dst_night(
    shop, monkeypatch, staff_index, ignore_busy
):
    # Tallinn 2027-03-28: 03:00 → 04:00, in a week with busy times and a night shift.
    first = dt.date(2027, 3, 24)
    _busy_salon(shop, first)
    staff = None if staff_index is None else shop["staff"][staff_index]

    def result() -> tuple[Any, ...]:
        got = availability_get(
            salon=shop["salon"],
            location=shop["location"],
            service=shop["service"],
            start=first,
            end=first + dt.timedelta(days=6),
            staff=staff,
            online=False,
            ignore_busy=ignore_busy,
        )
        return (
            [(s.starts_at, s.starts_at.utcoffset(), s.staff_ids) for s in got.slots],
            sorted(got.staff),
            sorted(got.booked),
            got.window_seconds,
        )

    written_out, orm_built = _both_ways(monkeypatch, result)
    assert written_out == orm_built
    assert written_out[0], "the week offers times"
    offsets = {offset for _, offset, _ in written_out[0]}
    assert offsets == {dt.timedelta(hours=2), dt.timedelta(hours=3)}  # both sides of DST
    assert bool(written_out[2]) is not ignore_busy
