"""Dashboard pages of staff: create, edit, weekly working hours and time off."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from bookings.models import StaffLocation, StaffMember, StaffService, TimeOff, WorkingHours
from tests.factories import (
    LocationFactory,
    ServiceFactory,
    StaffMemberFactory,
    WorkingHoursFactory,
)

UTC = dt.UTC


MIDNIGHT = "Hours overlap across midnight (%s and %s on the next day)."


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"dashboard:{name}", kwargs={"salon_slug": "alpha", **kwargs})


def staff_state() -> dict[str, list[dict[str, Any]]]:
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (StaffMember, StaffLocation, StaffService, WorkingHours, TimeOff)
    }


@pytest.fixture
def staff_client(staff_user) -> HttpClient:
    http = HttpClient()
    http.force_login(staff_user)
    return http


# --- Staff members ----------------------------------------------------------------------


def test_owner_creates_a_staff_member_with_locations_and_services(owner_client, salon):
    # given
    harbour, old_town = LocationFactory(salon=salon), LocationFactory(salon=salon)
    cut, colour = ServiceFactory(salon=salon), ServiceFactory(salon=salon)

    # when
    response = owner_client.post(
        url("staff_create"),
        {
            "name": "Mari Maasikas",
            "title": "Senior stylist",
            "email": "mari@alpha.test",
            "phone": "+372 5555 1234",
            "offered_online": "on",
            "is_active": "on",
            "color": "#ff8800",
            "locations": [str(harbour.pk)],
            "services": [str(cut.pk), str(colour.pk)],
        },
    )

    # then
    staff = StaffMember.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("staff_detail", pk=staff.pk)
    assert (staff.salon, staff.name, staff.title, staff.color) == (
        salon,
        "Mari Maasikas",
        "Senior stylist",
        "#ff8800",
    )
    assert str(staff.phone) == "+37255551234"
    assert staff.user is None
    assert list(staff.locations.all()) == [harbour]
    assert set(staff.services.all()) == {cut, colour}
    assert set(StaffLocation.objects.values_list("salon_id", flat=True)) == {salon.pk}
    assert old_town not in staff.locations.all()


def test_owner_edits_a_staff_member_and_their_relations(owner_client, salon):
    # given
    harbour, old_town = LocationFactory(salon=salon), LocationFactory(salon=salon)
    cut = ServiceFactory(salon=salon)
    staff = StaffMemberFactory(salon=salon, name="Mari", locations=[harbour], services=[cut])

    # when
    response = owner_client.post(
        url("staff_edit", pk=staff.pk),
        {"name": "Mari M.", "color": "#000000", "locations": [str(old_town.pk)]},
    )

    # then
    staff.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == url("staff_detail", pk=staff.pk)
    assert (staff.name, staff.is_active, staff.offered_online) == ("Mari M.", False, False)
    assert list(staff.locations.all()) == [old_town]
    assert list(staff.services.all()) == []


def test_staff_form_offers_only_this_salons_locations_and_services(
    owner_client, salon, other_salon
):
    # given
    location, service = LocationFactory(salon=salon), ServiceFactory(salon=salon)
    LocationFactory(salon=other_salon, name="Beta place")
    ServiceFactory(salon=other_salon, name="Beta service")

    # when
    response = owner_client.get(url("staff_create"))

    # then
    form = response.context["form"]
    assert list(form.fields["locations"].queryset) == [location]
    assert list(form.fields["services"].queryset) == [service]
    assert "user" not in form.fields
    content = response.content.decode()
    assert "Beta place" not in content and "Beta service" not in content


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"locations": "OTHER_LOCATION"},
            {"locations": ["Select a valid choice. {pk} is not one of the available choices."]},
        ),
        (
            {"services": "OTHER_SERVICE"},
            {"services": ["Select a valid choice. {pk} is not one of the available choices."]},
        ),
        (
            {"name": "x" * 121},
            {"name": ["Ensure this value has at most 120 characters (it has 121)."]},
        ),
        ({"name": "  "}, {"name": ["This field is required."]}),
        ({"email": "mari@"}, {"email": ["Enter a valid email address."]}),
        (
            {"phone": "abc"},
            {
                "phone": [
                    "Enter a valid phone number (e.g. 321 2345) or a number with an "
                    "international call prefix."
                ]
            },
        ),
        ({"color": "#12345"}, {"color": ["Use a color in the form #RRGGBB."]}),
    ],
    ids=["other-location", "other-service", "long-name", "blank-name", "email", "phone", "color"],
)
def test_bad_staff_input_is_a_form_error(owner_client, salon, other_salon, changes, errors):
    # given
    location = LocationFactory(salon=salon)
    other_ids = {
        "OTHER_LOCATION": LocationFactory(salon=other_salon).pk,
        "OTHER_SERVICE": ServiceFactory(salon=other_salon).pk,
    }
    staff = StaffMemberFactory(salon=salon, name="Mari", locations=[location])
    data = {"name": "Kati", "color": "#000000", "locations": [str(location.pk)]}
    for key, value in changes.items():
        data[key] = [str(other_ids[value])] if value in other_ids else value
    pk = next((other_ids[v] for v in changes.values() if v in other_ids), None)
    expected = {k: [m.format(pk=pk) for m in v] for k, v in errors.items()}
    before = staff_state()

    # when
    created = owner_client.post(url("staff_create"), data)
    edited = owner_client.post(url("staff_edit", pk=staff.pk), data)

    # then
    for response in (created, edited):
        assert response.status_code == 200
        assert response.context["form"].errors == expected
    assert staff_state() == before


def test_staff_list_shows_locations_services_and_days(owner_client, salon, other_salon):
    # given
    harbour = LocationFactory(salon=salon, name="Harbour")
    staff = StaffMemberFactory(
        salon=salon, name="Mari", locations=[harbour], services=[ServiceFactory(salon=salon)]
    )
    WorkingHoursFactory(staff=staff, location=harbour, weekday=0)
    WorkingHoursFactory(staff=staff, location=harbour, weekday=2)
    StaffMemberFactory(salon=other_salon, name="Beta person")

    # when
    response = owner_client.get(url("staff_list"))

    # then
    content = response.content.decode()
    assert [s.name for s in response.context["staff_members"]] == ["Mari"]
    assert "Harbour" in content
    assert "Monday, Wednesday" in content
    assert "Beta person" not in content


def _make_staff(salon: Any, count: int) -> None:
    locations = LocationFactory.create_batch(2, salon=salon)
    services = ServiceFactory.create_batch(3, salon=salon)
    for _ in range(count):
        staff = StaffMemberFactory(salon=salon, locations=locations, services=services)
        WorkingHoursFactory(staff=staff, location=locations[0])


@pytest.mark.parametrize("rows", [5, 50])
def test_staff_list_queries_do_not_grow_with_rows(
    owner_client, salon, rows, django_assert_max_num_queries
):
    # given
    _make_staff(salon, rows)

    # when / then
    with django_assert_max_num_queries(8):
        response = owner_client.get(url("staff_list"))
    assert len(response.context["staff_members"]) == rows


# --- Working hours ----------------------------------------------------------------------


def test_owner_adds_and_removes_a_shift(owner_client, salon):
    # given
    location = LocationFactory(salon=salon)
    staff = StaffMemberFactory(salon=salon, locations=[location])

    # when
    added = owner_client.post(
        url("working_hours_add", pk=staff.pk),
        {"weekday": "4", "location": str(location.pk), "starts": "10:00", "ends": "18:30"},
    )
    shift = WorkingHours.objects.get()
    removed = owner_client.post(url("working_hours_delete", pk=staff.pk, hours_pk=shift.pk))

    # then
    assert added.status_code == 302
    assert added["Location"] == url("staff_detail", pk=staff.pk)
    assert (shift.salon, shift.staff, shift.location, shift.weekday) == (salon, staff, location, 4)
    assert (shift.starts, shift.ends) == (dt.time(10), dt.time(18, 30))
    assert removed.status_code == 302
    assert not WorkingHours.objects.exists()


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        # (Issue 13: an end before the start is on the next day; this runs into its hours.)
        (
            {"weekday": "0", "starts": "14:00", "ends": "10:00"},
            {"starts": [MIDNIGHT % ("14:00–10:00", "09:00–13:00")]},
        ),
        ({"starts": "09:00", "ends": "09:00"}, {"ends": ["The shift must end after it starts."]}),
        (
            {"starts": "12:00", "ends": "14:00"},
            {"starts": ["Hours on the same day overlap (09:00–13:00 and 12:00–14:00)."]},
        ),
        (
            {"starts": "08:00", "ends": "10:00", "location": "SECOND"},
            {"starts": ["Hours on the same day overlap (08:00–10:00 and 09:00–13:00)."]},
        ),
        (
            {"location": "UNASSIGNED"},
            {"location": ["This staff member does not work at that location."]},
        ),
        (
            {"location": "OTHER_SALON"},
            {
                "location": [
                    "Select a valid choice. That choice is not one of the available choices."
                ]
            },
        ),
        (
            {"weekday": "7"},
            {"weekday": ["Select a valid choice. 7 is not one of the available choices."]},
        ),
        ({"ends": "noon"}, {"ends": ["Enter a valid time."]}),
    ],
    ids=[
        "overnight-overlap",
        "empty",
        "overlap",
        "overlap-at-another-location",
        "location-not-worked-at",
        "other-salon-location",
        "weekday",
        "bad-time",
    ],
)
def test_bad_shift_is_a_form_error(owner_client, salon, other_salon, changes, errors):
    # given
    first, second = LocationFactory(salon=salon), LocationFactory(salon=salon)
    locations = {
        "SECOND": second,
        "UNASSIGNED": LocationFactory(salon=salon),
        "OTHER_SALON": LocationFactory(salon=other_salon),
    }
    staff = StaffMemberFactory(salon=salon, locations=[first, second])
    WorkingHoursFactory(staff=staff, location=first, weekday=1, starts=dt.time(9), ends=dt.time(13))
    data = {"weekday": "1", "location": str(first.pk), "starts": "14:00", "ends": "18:00"}
    data.update(changes)
    if data["location"] in locations:
        data["location"] = str(locations[data["location"]].pk)
    before = staff_state()

    # when
    response = owner_client.post(url("working_hours_add", pk=staff.pk), data)

    # then
    assert response.status_code == 200
    assert response.context["hours_form"].errors == errors
    assert response.context["staff"] == staff
    assert staff_state() == before


def test_shifts_of_another_staff_member_do_not_overlap_with_mine(owner_client, salon):
    # given
    location = LocationFactory(salon=salon)
    mine, theirs = (StaffMemberFactory(salon=salon, locations=[location]) for _ in range(2))
    WorkingHoursFactory(staff=theirs, location=location, weekday=1)

    # when
    response = owner_client.post(
        url("working_hours_add", pk=mine.pk),
        {"weekday": "1", "location": str(location.pk), "starts": "09:00", "ends": "17:00"},
    )

    # then
    assert response.status_code == 302
    assert WorkingHours.objects.filter(staff=mine).count() == 1


# --- Time off ---------------------------------------------------------------------------


def test_whole_days_off_are_stored_as_utc_from_local_midnights(owner_client, salon):
    # given: Europe/Tallinn moves to summer time on 2025-03-30 (a 23-hour day)
    staff = StaffMemberFactory(salon=salon)

    # when
    response = owner_client.post(
        url("time_off_add", pk=staff.pk),
        {"kind": "days", "start_date": "2025-03-29", "end_date": "2025-03-30", "reason": "Trip"},
    )

    # then
    time_off = TimeOff.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("staff_detail", pk=staff.pk)
    assert (time_off.salon, time_off.staff, time_off.all_day) == (salon, staff, True)
    assert time_off.starts_at == dt.datetime(2025, 3, 28, 22, 0, tzinfo=UTC)
    assert time_off.ends_at == dt.datetime(2025, 3, 30, 21, 0, tzinfo=UTC)
    assert time_off.reason == "Trip"


def test_a_single_day_off_needs_no_end_date(owner_client, salon):
    # given
    staff = StaffMemberFactory(salon=salon)

    # when
    response = owner_client.post(
        url("time_off_add", pk=staff.pk), {"kind": "days", "start_date": "2025-07-01"}
    )

    # then
    time_off = TimeOff.objects.get()
    assert response.status_code == 302
    assert time_off.starts_at == dt.datetime(2025, 6, 30, 21, 0, tzinfo=UTC)
    assert time_off.ends_at == dt.datetime(2025, 7, 1, 21, 0, tzinfo=UTC)


def test_part_of_a_day_off_uses_the_salons_time_zone(owner_client, salon):
    # given
    salon.time_zone = "America/New_York"
    salon.save()
    staff = StaffMemberFactory(salon=salon)

    # when
    response = owner_client.post(
        url("time_off_add", pk=staff.pk),
        {"kind": "hours", "start_date": "2025-11-02", "start_time": "00:30", "end_time": "03:00"},
    )

    # then: New York leaves summer time at 02:00 that night, so 00:30 is -4h and 03:00 is -5h
    time_off = TimeOff.objects.get()
    assert response.status_code == 302
    assert time_off.all_day is False
    assert time_off.starts_at == dt.datetime(2025, 11, 2, 4, 30, tzinfo=UTC)
    assert time_off.ends_at == dt.datetime(2025, 11, 2, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"kind": "days", "start_date": "2025-05-10", "end_date": "2025-05-09"},
            {"end_date": ["The end date cannot be before the start date."]},
        ),
        (
            {
                "kind": "hours",
                "start_date": "2025-05-10",
                "start_time": "15:00",
                "end_time": "11:00",
            },
            {"end_time": ["Time off must end after it starts."]},
        ),
        (
            {"kind": "hours", "start_date": "2025-05-10", "start_time": "15:00"},
            {"end_time": ["Enter a time for part of a day."]},
        ),
        (
            {
                "kind": "hours",
                "start_date": "2025-03-30",
                "start_time": "03:30",
                "end_time": "05:00",
            },
            {"start_time": ["03:30 does not exist on 2025-03-30: the clocks change that night."]},
        ),
        (
            {"kind": "weeks", "start_date": "2025-05-10"},
            {"kind": ["Select a valid choice. weeks is not one of the available choices."]},
        ),
        ({"kind": "days", "start_date": "10.05.2025x"}, {"start_date": ["Enter a valid date."]}),
        (
            {"kind": "days", "start_date": "2025-05-10", "reason": "x" * 201},
            {"reason": ["Ensure this value has at most 200 characters (it has 201)."]},
        ),
        (
            {"kind": "days", "start_date": "9999-12-31"},
            {"start_date": ["Enter a date between the years 2000 and 2100."]},
        ),
        (
            {"kind": "hours", "start_date": "2025-05-10", "end_date": "0001-01-01"},
            {
                "end_date": ["Enter a date between the years 2000 and 2100."],
                "start_time": ["Enter a time for part of a day."],
                "end_time": ["Enter a time for part of a day."],
            },
        ),
    ],
    ids=[
        "end-before-start-date",
        "ends-before-starts",
        "missing-time",
        "time-in-dst-gap",
        "kind",
        "bad-date",
        "long-reason",
        "year-9999",
        "year-1",
    ],
)
def test_bad_time_off_is_a_form_error(owner_client, salon, data, errors):
    # given
    staff = StaffMemberFactory(salon=salon)
    before = staff_state()

    # when
    response = owner_client.post(url("time_off_add", pk=staff.pk), data)

    # then
    assert response.status_code == 200
    assert response.context["time_off_form"].errors == errors
    assert staff_state() == before


def test_time_off_is_shown_in_the_salons_local_time(owner_client, salon):
    # given
    staff = StaffMemberFactory(salon=salon)
    TimeOff.objects.create(
        salon=salon,
        staff=staff,
        all_day=True,
        starts_at=dt.datetime(2025, 3, 28, 22, tzinfo=UTC),
        ends_at=dt.datetime(2025, 3, 30, 21, tzinfo=UTC),
    )
    TimeOff.objects.create(
        salon=salon,
        staff=staff,
        starts_at=dt.datetime(2025, 7, 1, 9, tzinfo=UTC),
        ends_at=dt.datetime(2025, 7, 1, 11, 15, tzinfo=UTC),
        reason="Dentist",
    )

    # when
    response = owner_client.get(url("staff_detail", pk=staff.pk))

    # then
    rows = [(r["starts"], r["ends"]) for r in response.context["time_off"]]
    assert rows[0] == (dt.date(2025, 3, 29), dt.date(2025, 3, 30))
    content = response.content.decode()
    assert "2025-03-29" in content and "2025-03-30" in content
    assert "2025-07-01 12:00" in content and "2025-07-01 14:15" in content
    assert "Dentist" in content


def test_staff_role_sees_the_staff_member_without_forms(staff_client, salon):
    # given
    location = LocationFactory(salon=salon)
    staff = StaffMemberFactory(salon=salon, locations=[location])
    shift = WorkingHoursFactory(staff=staff, location=location)

    # when
    response = staff_client.get(url("staff_detail", pk=staff.pk))

    # then
    content = response.content.decode()
    assert response.status_code == 200
    assert "hours_form" not in response.context
    assert "time_off_form" not in response.context
    assert url("working_hours_delete", pk=staff.pk, hours_pk=shift.pk) not in content
    assert url("staff_edit", pk=staff.pk) not in content
