"""The public time picker (issue 18): times grouped by part of the day, days without free times
marked before they are tapped, "first available" across the horizon, rescheduling that opens
on the appointment's week and asks before moving into the no-change window."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from bookings.models import Appointment, WorkingHours
from bookings.public.picker import build_picker, period_of
from bookings.services.booking import BookingRequest, appointment_book
from bookings.signing import appointment_token
from tests.factories import ClientFactory, LocationClosureFactory

TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")


def next_wednesday(weeks: int = 0) -> dt.date:
    today = dt.datetime.now(TALLINN).date()
    days = (2 - today.weekday()) % 7 or 7
    return today + dt.timedelta(days=days + 7 * weeks)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TALLINN)


def times_url(shop, **query: str) -> str:
    location, service = shop["location"], shop["service"]
    return f"/s/alpha/l/{location.pk}/s/{service.pk}/time/", {"staff": "any", **query}


def get_times(shop, **query: str):
    url, params = times_url(shop, **query)
    return HttpClient().get(url, params)


def section(html: str, key: str) -> str:
    match = re.search(rf'<section class="time-group time-group-{key}".*?</section>', html, re.S)
    return match.group(0) if match else ""


def hours_in(fragment: str) -> list[str]:
    return re.findall(r'class="btn btn-secondary time[^"]*"[^>]*>(\d\d:\d\d)', fragment)


@pytest.fixture
def long_days(shop):
    """Both stylists work 09–20, so there are morning, afternoon and evening times."""
    WorkingHours.objects.filter(staff__in=shop["staff"]).update(ends=dt.time(20))
    return shop


# --- groups -------------------------------------------------------------------------------


def test_times_are_grouped_into_morning_afternoon_and_evening(long_days):
    # given
    day = next_wednesday()

    # when
    response = get_times(long_days, date=day.isoformat())

    # then
    html = response.content.decode()
    assert response.status_code == 200
    morning, afternoon, evening = (section(html, k) for k in ("morning", "afternoon", "evening"))
    assert ">Morning <" in morning and ">Afternoon <" in afternoon and ">Evening <" in evening
    assert hours_in(morning)[0] == "09:00" and hours_in(morning)[-1] == "11:45"
    assert hours_in(afternoon)[0] == "12:00" and hours_in(afternoon)[-1] == "16:45"
    # the last 60-minute start before 20:00 (the cleanup may run past the hours)
    assert hours_in(evening)[0] == "17:00" and hours_in(evening)[-1] == "19:00"
    assert "(12)" in morning and "(20)" in afternoon


def test_a_part_of_the_day_without_times_is_left_out(shop):
    # given: the stylists work 09–17 (the last start is 16:00)
    day = next_wednesday()

    # when
    html = get_times(shop, date=day.isoformat()).content.decode()

    # then
    assert section(html, "morning") and section(html, "afternoon")
    assert section(html, "evening") == ""


@pytest.mark.parametrize(
    ("hour", "minute", "period"),
    [
        (0, 0, "morning"),
        (11, 59, "morning"),
        (12, 0, "afternoon"),
        (16, 59, "afternoon"),
        (17, 0, "evening"),
        (23, 30, "evening"),
    ],
)
def test_period_boundaries(hour, minute, period):
    assert period_of(dt.datetime(2030, 5, 1, hour, minute, tzinfo=TALLINN)) == period


# --- days without free times ------------------------------------------------------------


def test_days_without_free_times_are_marked_before_they_are_tapped(shop):
    # given: nobody works on Thursdays
    WorkingHours.objects.filter(staff__in=shop["staff"], weekday=3).delete()
    wednesday = next_wednesday()
    thursday = wednesday + dt.timedelta(days=1)

    # when: Wednesday is shown
    html = get_times(shop, date=wednesday.isoformat()).content.decode()

    # then: Thursday's chip already says it is full; Wednesday's does not
    thursday_chip = re.search(
        rf'<a class="day[^"]*"[^>]*date={thursday.isoformat()}.*?</a>', html, re.S
    )
    wednesday_chip = re.search(
        rf'<a class="day[^"]*"[^>]*date={wednesday.isoformat()}.*?</a>', html, re.S
    )
    assert thursday_chip and wednesday_chip
    assert "day-full" in thursday_chip.group(0)
    assert 'data-has-times="false"' in thursday_chip.group(0)
    assert "no free times" in thursday_chip.group(0)
    assert "day-full" not in wednesday_chip.group(0)
    assert 'data-has-times="true"' in wednesday_chip.group(0)
    assert "marks days without free times" in html


def test_the_picker_query_count_stays_flat_as_appointments_grow(
    shop, django_assert_max_num_queries
):
    # given: a week with a few appointments, then one with many
    day = next_wednesday()
    http = HttpClient()
    url, params = times_url(shop, date=day.isoformat())
    owner_book(shop, at(day, 9), shop["staff"][0])
    http.get(url, params)  # warm up (session, translations)
    with django_assert_max_num_queries(40) as few:
        http.get(url, params)
    for offset in range(1, 6):
        for hour in (11, 13, 15):
            for member in shop["staff"]:
                owner_book(shop, at(day + dt.timedelta(days=offset - 1), hour), member)

    # when
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = http.get(url, params)

    # then
    assert response.status_code == 200


# --- first available --------------------------------------------------------------------


def test_first_available_is_the_nearest_free_time_across_the_horizon(shop):
    # given: the stylists work only on one Wednesday five weeks ahead (past one availability
    # call's 31 days)
    target = next_wednesday(weeks=5)
    WorkingHours.objects.filter(staff__in=shop["staff"]).exclude(weekday=2).delete()
    today = dt.datetime.now(TALLINN).date()
    closed = {next_wednesday(weeks=w) for w in range(0, 5)} | {today}
    for day in closed:
        LocationClosureFactory(salon=shop["salon"], location=shop["location"], date=day)

    # when: the first week is shown
    response = get_times(shop)

    # then
    html = response.content.decode()
    first = at(target, 9)
    anchor = "t-" + first.strftime("%Y%m%d%H%M")
    match = re.search(r'<a class="btn first-available-link" href="([^"]+)"', html)
    assert match, html
    assert f"date={target.isoformat()}" in match.group(1)
    assert match.group(1).endswith(f"#{anchor}")
    assert first.strftime("%a %-d %b, 09:00") in html

    # when: the client follows the link
    url = match.group(1).replace("&amp;", "&").split("#")[0]
    day_html = HttpClient().get(url).content.decode()

    # then: that time is there, marked
    assert re.search(rf'class="btn btn-secondary time time-first" id="{anchor}"', day_html)


def test_first_available_follows_the_chosen_staff_member(shop):
    # given: Anna works only on Fridays; Mari every day
    anna, mari = shop["staff"]
    WorkingHours.objects.filter(staff=anna).exclude(weekday=4).delete()
    day = next_wednesday()
    url = f"/s/alpha/l/{shop['location'].pk}/s/{shop['service'].pk}/time/"

    # when
    html = HttpClient().get(url, {"staff": anna.pk, "date": day.isoformat()}).content.decode()

    # then: Anna's first time is on a Friday
    match = re.search(r'<a class="btn first-available-link" href="([^"]+)"', html)
    assert match
    first_day = dt.date.fromisoformat(re.search(r"date=(\d{4}-\d\d-\d\d)", match.group(1))[1])
    assert first_day.weekday() == 4


def test_no_free_time_anywhere_says_so(shop):
    # given
    WorkingHours.objects.filter(staff__in=shop["staff"]).delete()

    # when
    html = get_times(shop).content.decode()

    # then
    assert "first-available-link" not in html
    assert "There are no free times to book online at the moment." in html


def test_first_available_reads_the_visible_week_when_it_starts_today(shop):
    # given: a fixed moment, a Monday morning, the week visible from today
    salon, location, service = shop["salon"], shop["location"], shop["service"]
    now = at(next_wednesday(weeks=1) - dt.timedelta(days=2), 7)

    # when
    picker = build_picker(
        salon=salon,
        location=location,
        service=service,
        staff=None,
        raw_date=None,
        day_url=lambda d: f"/d/{d.isoformat()}",
        time_url=lambda t: "",
        now=now,
    )

    # then
    assert picker.first_available is not None
    assert picker.first_available.starts_at == at(now.date(), 9)
    assert picker.first_available.on_chosen_day
    assert picker.first_available.url == f"/d/{now.date().isoformat()}#t-{now:%Y%m%d}0900"
    assert [t.first for t in picker.times][:2] == [True, False]


# --- rescheduling -----------------------------------------------------------------------


def book(shop, starts_at: dt.datetime) -> Appointment:
    return appointment_book(
        salon=shop["salon"],
        request=BookingRequest(
            location=shop["location"],
            service=shop["service"],
            starts_at=starts_at,
            staff=shop["staff"][0],
        ),
        client=ClientFactory(salon=shop["salon"], email="kati@example.com"),
    )


def owner_book(shop, starts_at: dt.datetime, staff) -> Appointment:
    return appointment_book(
        salon=shop["salon"],
        request=BookingRequest(
            location=shop["location"],
            service=shop["service"],
            starts_at=starts_at,
            staff=staff,
        ),
        client=ClientFactory(salon=shop["salon"]),
        source="dashboard",
        enforce_hours=False,
    )


def manage_url(appointment: Appointment, suffix: str = "") -> str:
    return f"/s/alpha/a/{appointment_token(appointment)}/{suffix}"


def test_reschedule_opens_on_the_appointments_own_week(shop):
    # given: an appointment four weeks ahead
    day = next_wednesday(weeks=4)
    appointment = book(shop, at(day, 10))

    # when
    html = HttpClient().get(manage_url(appointment, "reschedule/")).content.decode()

    # then: that week, that day chosen
    assert re.search(rf'class="day day-selected"[^>]*date={day.isoformat()}', html)
    assert day.strftime("%A %-d %B %Y") in html


def test_reschedule_into_the_no_change_window_asks_first_and_moves_once_accepted(shop):
    # given: 24-hour cutoff; an appointment next week; a free time in a few hours
    salon = shop["salon"]
    salon.cancellation_cutoff_hours = 24
    salon.save()
    WorkingHours.objects.filter(staff__in=shop["staff"]).update(
        starts=dt.time(0), ends=dt.time(23, 59)
    )
    shop["location"].opening_hours.update(opens=dt.time(0), closes=dt.time(23, 59))
    appointment = book(shop, at(next_wednesday(weeks=1), 10))
    soon = (timezone.now() + dt.timedelta(hours=3)).astimezone(TALLINN)
    soon = soon.replace(minute=(soon.minute // 15) * 15, second=0, microsecond=0)
    if soon.date() != (soon + dt.timedelta(hours=1, minutes=10)).date():
        pytest.skip("too close to midnight for a same-day time")
    http = HttpClient()

    # when: the client picks a time 3 hours from now
    picker_html = http.get(
        manage_url(appointment, "reschedule/"), {"date": soon.date().isoformat()}
    ).content.decode()
    refused = http.post(manage_url(appointment, "reschedule/"), {"start": soon.isoformat()})

    # then: the picker marks it, the move is refused with the reason and a confirmation
    assert "time-locks" in picker_html and "locks-legend" in picker_html
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "could no longer change or cancel it online" in text
    assert 'name="accept_no_change" value="1"' in text
    appointment.refresh_from_db()
    assert appointment.starts_at == at(next_wednesday(weeks=1), 10)

    # when: the client confirms
    moved = http.post(
        manage_url(appointment, "reschedule/"),
        {"start": soon.isoformat(), "accept_no_change": "1"},
    )

    # then
    assert moved.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == soon


def test_reschedule_outside_the_window_needs_no_confirmation(shop):
    # given
    appointment = book(shop, at(next_wednesday(weeks=1), 10))
    new_start = at(next_wednesday(weeks=2), 14)

    # when
    response = HttpClient().post(
        manage_url(appointment, "reschedule/"), {"start": new_start.isoformat()}
    )

    # then
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == new_start
