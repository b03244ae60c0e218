from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from bookings.availability import availability_get
from bookings.models import Appointment
from tests.factories import ClientFactory, LocationClosureFactory, TimeOffFactory

TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")
FAR_PAST = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def local(y: int, m: int, d: int, h: int, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=TALLINN)


def book(shop, staff, starts_at: dt.datetime, minutes: int = 60, status="booked") -> Appointment:
    service = shop["service"]
    ends_at = starts_at + dt.timedelta(minutes=minutes)
    return Appointment.objects.create(
        salon=shop["salon"],
        location=shop["location"],
        staff=staff,
        service=service,
        client=ClientFactory(salon=shop["salon"]),
        starts_at=starts_at,
        ends_at=ends_at,
        block_starts_at=starts_at,
        block_ends_at=ends_at + dt.timedelta(minutes=service.buffer_after_minutes),
        source="dashboard",
        price=service.price,
        status=status,
    )


def slots_for(shop, day: dt.date, staff=None, now=FAR_PAST, end: dt.date | None = None):
    return availability_get(
        salon=shop["salon"],
        location=shop["location"],
        service=shop["service"],
        start=day,
        end=end or day,
        staff=staff,
        now=now,
    )


def test_a_plain_day_has_slots_from_opening_until_the_last_hour(shop):
    # given a Wednesday, 09–17 shifts, 60-minute service, 15-minute steps
    day = dt.date(2026, 6, 10)
    # when
    availability = slots_for(shop, day, staff=shop["staff"][0])
    # then 09:00 … 16:00 every 15 minutes = 29 slots, in local time with an offset
    starts = [s.starts_at for s in availability.slots]
    assert len(starts) == 29
    assert starts[0] == local(2026, 6, 10, 9)
    assert starts[0].isoformat() == "2026-06-10T09:00:00+03:00"
    assert starts[-1] == local(2026, 6, 10, 16)


def test_any_available_lists_every_free_staff_member(shop):
    day = dt.date(2026, 6, 10)
    anna, mari = shop["staff"]
    book(shop, anna, local(2026, 6, 10, 10))
    availability = slots_for(shop, day)
    by_time = {s.starts_at: s.staff_ids for s in availability.slots}
    assert by_time[local(2026, 6, 10, 10)] == (mari.pk,)
    assert by_time[local(2026, 6, 10, 12)] == tuple(sorted((anna.pk, mari.pk)))
    # the rule: fewest appointments that day first
    assert availability.staff_for(local(2026, 6, 10, 12)) == [mari, anna]


def test_existing_appointment_and_buffers_block_the_time(shop):
    # given Anna is booked 10:00–11:00 with 10 minutes of buffer after
    anna = shop["staff"][0]
    book(shop, anna, local(2026, 6, 10, 10))
    # when
    starts = [s.starts_at for s in slots_for(shop, dt.date(2026, 6, 10), staff=anna).slots]
    # then a new 60-min (+10 after) appointment may end its buffer by 10:00 and start after 11:10
    assert local(2026, 6, 10, 8, 45) not in starts  # before working hours anyway
    assert local(2026, 6, 10, 9) not in starts  # 09:00–10:10 with buffer overlaps 10:00
    assert local(2026, 6, 10, 9, 45) not in starts
    assert local(2026, 6, 10, 10, 30) not in starts
    assert local(2026, 6, 10, 11) not in starts  # 11:00 < 11:10 end of buffer
    assert local(2026, 6, 10, 11, 15) in starts


def test_cancelled_and_no_show_appointments_do_not_block(shop):
    anna = shop["staff"][0]
    book(shop, anna, local(2026, 6, 10, 10), status="cancelled")
    book(shop, anna, local(2026, 6, 10, 12), status="no_show")
    starts = [s.starts_at for s in slots_for(shop, dt.date(2026, 6, 10), staff=anna).slots]
    assert local(2026, 6, 10, 10) in starts
    assert local(2026, 6, 10, 12) in starts


def test_time_off_and_closed_days_remove_time(shop):
    anna = shop["staff"][0]
    TimeOffFactory(staff=anna, starts_at=local(2026, 6, 10, 12), ends_at=local(2026, 6, 10, 14))
    LocationClosureFactory(location=shop["location"], date=dt.date(2026, 6, 11))
    availability = slots_for(shop, dt.date(2026, 6, 10), staff=anna, end=dt.date(2026, 6, 11))
    starts = [s.starts_at for s in availability.slots]
    # the blocked range (service + 10 min buffer) must end by 12:00
    assert local(2026, 6, 10, 10, 45) in starts
    assert local(2026, 6, 10, 11) not in starts
    assert local(2026, 6, 10, 13) not in starts
    assert local(2026, 6, 10, 14) in starts
    assert not [s for s in starts if s.date() == dt.date(2026, 6, 11)]


def test_opening_hours_cut_working_hours(shop):
    # given the location opens at 12:00 on Wednesdays only
    shop["location"].opening_hours.filter(weekday=2).update(opens=dt.time(12))
    starts = [
        s.starts_at for s in slots_for(shop, dt.date(2026, 6, 10), staff=shop["staff"][0]).slots
    ]
    assert starts[0] == local(2026, 6, 10, 12)


def test_spring_forward_day_has_one_hour_fewer_slots(shop):
    # given a night shift over the DST change (Tallinn: 2026-03-29 03:00 → 04:00)
    anna = shop["staff"][0]
    shop["location"].opening_hours.all().delete()
    anna.working_hours.all().delete()
    from tests.factories import LocationHoursFactory, WorkingHoursFactory

    for weekday in range(7):
        LocationHoursFactory(
            location=shop["location"], weekday=weekday, opens=dt.time(0), closes=dt.time(23)
        )
        WorkingHoursFactory(
            staff=anna,
            location=shop["location"],
            weekday=weekday,
            starts=dt.time(1),
            ends=dt.time(7),
        )
    # when
    dst_day = slots_for(shop, dt.date(2026, 3, 29), staff=anna).slots
    normal_day = slots_for(shop, dt.date(2026, 3, 22), staff=anna).slots
    # then 01:00–07:00 is 6 hours on a normal day and 5 real hours on the DST day
    assert len(normal_day) == 21  # 01:00 … 06:00 every 15 min
    assert len(dst_day) == 17  # 4 hours of starts (+1 final), the 03:xx hour does not exist
    local_times = [s.starts_at.strftime("%H:%M") for s in dst_day]
    assert "03:00" not in local_times and "03:30" not in local_times
    assert local_times[:8] == [
        "01:00",
        "01:15",
        "01:30",
        "01:45",
        "02:00",
        "02:15",
        "02:30",
        "02:45",
    ]
    assert local_times[8] == "04:00"
    assert len(set(local_times)) == len(local_times)


def test_fall_back_day_has_one_hour_more_and_no_repeated_label_confusion(shop):
    anna = shop["staff"][0]
    shop["location"].opening_hours.all().delete()
    anna.working_hours.all().delete()
    from tests.factories import LocationHoursFactory, WorkingHoursFactory

    for weekday in range(7):
        LocationHoursFactory(
            location=shop["location"], weekday=weekday, opens=dt.time(0), closes=dt.time(23)
        )
        WorkingHoursFactory(
            staff=anna,
            location=shop["location"],
            weekday=weekday,
            starts=dt.time(1),
            ends=dt.time(7),
        )
    # Tallinn: 2026-10-25 04:00 → 03:00; 01:00–07:00 is 7 real hours
    slots = slots_for(shop, dt.date(2026, 10, 25), staff=anna).slots
    assert len(slots) == 25
    utc_starts = [s.starts_at.astimezone(dt.UTC) for s in slots]
    assert len(set(utc_starts)) == 25
    offsets = {s.starts_at.utcoffset() for s in slots}
    assert offsets == {dt.timedelta(hours=3), dt.timedelta(hours=2)}


def test_appointment_crossing_midnight_blocks_both_days(shop):
    anna = shop["staff"][0]
    shop["location"].opening_hours.all().delete()
    anna.working_hours.all().delete()
    from tests.factories import LocationHoursFactory, WorkingHoursFactory

    for weekday in range(7):
        LocationHoursFactory(
            location=shop["location"], weekday=weekday, opens=dt.time(0), closes=dt.time(23, 59)
        )
        WorkingHoursFactory(
            staff=anna,
            location=shop["location"],
            weekday=weekday,
            starts=dt.time(0),
            ends=dt.time(23, 59),
        )
    # given an appointment 23:00 → 01:00 the next day
    book(shop, anna, local(2026, 6, 10, 23), minutes=120)
    # when
    availability = slots_for(shop, dt.date(2026, 6, 10), staff=anna, end=dt.date(2026, 6, 11))
    starts = {s.starts_at for s in availability.slots}
    # then neither 23:30 on the first day nor 00:30 on the next day is free
    assert local(2026, 6, 10, 23, 30) not in starts
    assert local(2026, 6, 11, 0, 30) not in starts
    assert local(2026, 6, 11, 1, 15) in starts  # 01:00 + 10 min buffer


def test_minimum_notice_and_maximum_advance(shop):
    salon = shop["salon"]
    salon.min_notice_minutes = 120
    salon.max_advance_days = 1
    salon.save()
    now = local(2026, 6, 10, 9, 5)
    starts = [
        s.starts_at
        for s in slots_for(shop, dt.date(2026, 6, 10), now=now, end=dt.date(2026, 6, 12)).slots
    ]
    assert starts[0] == local(2026, 6, 10, 11, 15)  # 11:05 rounded up to the 15-minute grid
    assert max(starts) <= now + dt.timedelta(days=1)
    assert not [s for s in starts if s.date() == dt.date(2026, 6, 12)]


def test_staff_not_offered_online_or_not_performing_is_excluded(shop):
    anna, mari = shop["staff"]
    anna.offered_online = False
    anna.save()
    mari.services.clear()
    assert slots_for(shop, dt.date(2026, 6, 10)).slots == []


def test_date_range_over_the_maximum_is_rejected(shop):
    with pytest.raises(ValidationError) as exc:
        slots_for(shop, dt.date(2026, 6, 1), end=dt.date(2026, 8, 1))
    assert "end" in exc.value.message_dict
    with pytest.raises(ValidationError):
        slots_for(shop, dt.date(2026, 6, 10), end=dt.date(2026, 6, 9))


def test_other_salons_appointments_do_not_matter(shop, other_salon):
    from tests.factories import LocationFactory, ServiceFactory, StaffMemberFactory

    other_location = LocationFactory(salon=other_salon)
    other_service = ServiceFactory(salon=other_salon)
    other_staff = StaffMemberFactory(
        salon=other_salon, locations=[other_location], services=[other_service]
    )
    before = len(slots_for(shop, dt.date(2026, 6, 10)).slots)
    Appointment.objects.create(
        salon=other_salon,
        location=other_location,
        staff=other_staff,
        service=other_service,
        client=ClientFactory(salon=other_salon),
        starts_at=local(2026, 6, 10, 10),
        ends_at=local(2026, 6, 10, 11),
        block_starts_at=local(2026, 6, 10, 10),
        block_ends_at=local(2026, 6, 10, 11),
        source="dashboard",
        price=0,
    )
    assert len(slots_for(shop, dt.date(2026, 6, 10)).slots) == before


def test_queries_do_not_grow_with_days_staff_or_appointments(shop, django_assert_max_num_queries):
    anna, mari = shop["staff"]
    for day in range(10, 17):
        book(shop, anna, local(2026, 6, day, 10))
        book(shop, mari, local(2026, 6, day, 12))
    with django_assert_max_num_queries(3):
        availability = slots_for(shop, dt.date(2026, 6, 10), end=dt.date(2026, 6, 16))
    assert availability.slots
