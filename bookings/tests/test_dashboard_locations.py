"""Dashboard pages of locations: create, edit, weekly opening hours and closed days."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from bookings.models import Location, LocationClosure, LocationHours
from tests.factories import LocationFactory, LocationHoursFactory

GOOD_LOCATION = {
    "name": "Old Town",
    "address": "Raekoja plats 1",
    "city": "Tallinn",
    "postal_code": "10146",
    "country": "ee",
    "time_zone": "Europe/Tallinn",
    "phone": "+372 5123 4567",
    "email": "oldtown@alpha.test",
    "is_active": "on",
}


MIDNIGHT = "Hours overlap across midnight (%s and %s on the next day)."


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"dashboard:{name}", kwargs={"salon_slug": "alpha", **kwargs})


def locations_state() -> list[dict[str, Any]]:
    return list(Location.objects.order_by("pk").values())


@pytest.fixture
def staff_client(staff_user) -> HttpClient:
    http = HttpClient()
    http.force_login(staff_user)
    return http


def test_owner_creates_a_location(owner_client, salon):
    # when
    response = owner_client.post(url("location_create"), GOOD_LOCATION)

    # then
    location = Location.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("location_detail", pk=location.pk)
    assert location.salon == salon
    assert (location.name, location.city, location.country) == ("Old Town", "Tallinn", "EE")
    assert str(location.phone) == "+37251234567"
    assert location.email == "oldtown@alpha.test"
    assert location.is_active is True


def test_new_location_form_starts_with_the_salons_time_zone(owner_client, salon):
    # given
    salon.time_zone = "Europe/Helsinki"
    salon.save()

    # when
    response = owner_client.get(url("location_create"))

    # then
    assert response.status_code == 200
    assert response.context["form"]["time_zone"].value() == "Europe/Helsinki"


def test_owner_edits_a_location(owner_client, salon):
    # given
    location = LocationFactory(salon=salon, name="Old name")

    # when
    response = owner_client.post(
        url("location_edit", pk=location.pk), {**GOOD_LOCATION, "is_active": ""}
    )

    # then
    location.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == url("location_detail", pk=location.pk)
    assert location.name == "Old Town"
    assert location.is_active is False


def test_a_location_may_keep_its_own_name_when_edited(owner_client, salon):
    # given
    location = LocationFactory(salon=salon, name="Old Town")

    # when
    response = owner_client.post(url("location_edit", pk=location.pk), GOOD_LOCATION)

    # then
    assert response.status_code == 302
    location.refresh_from_db()
    assert location.city == "Tallinn"


def test_another_salon_may_use_the_same_location_name(owner_client, salon, other_salon):
    # given
    LocationFactory(salon=other_salon, name="Old Town")

    # when
    response = owner_client.post(url("location_create"), GOOD_LOCATION)

    # then
    assert response.status_code == 302
    assert Location.objects.filter(name="Old Town").count() == 2


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"name": "x" * 121},
            {"name": ["Ensure this value has at most 120 characters (it has 121)."]},
        ),
        ({"name": ""}, {"name": ["This field is required."]}),
        ({"email": "not-an-email"}, {"email": ["Enter a valid email address."]}),
        (
            {"phone": "12"},
            {
                "phone": [
                    "Enter a valid phone number (e.g. 321 2345) or a number with an "
                    "international call prefix."
                ]
            },
        ),
        (
            {"time_zone": "Mars/Olympus"},
            {
                "time_zone": [
                    "Select a valid choice. Mars/Olympus is not one of the available choices."
                ]
            },
        ),
        (
            {"country": "EST"},
            {"country": ["Ensure this value has at most 2 characters (it has 3)."]},
        ),
    ],
    ids=["long-name", "no-name", "email", "phone", "time-zone", "country"],
)
def test_bad_location_input_is_a_form_error(owner_client, salon, changes, errors):
    # given
    LocationFactory(salon=salon, name="Existing")
    before = locations_state()

    # when
    response = owner_client.post(url("location_create"), {**GOOD_LOCATION, **changes})

    # then
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert locations_state() == before


def test_duplicate_location_name_is_a_form_error_on_create_and_edit(owner_client, salon):
    # given
    LocationFactory(salon=salon, name="Old Town")
    other = LocationFactory(salon=salon, name="Harbour")
    before = locations_state()

    # when
    created = owner_client.post(url("location_create"), {**GOOD_LOCATION, "name": "old town"})
    edited = owner_client.post(url("location_edit", pk=other.pk), GOOD_LOCATION)

    # then
    for response in (created, edited):
        assert response.status_code == 200
        assert response.context["form"].errors == {
            "name": ["A location with this name already exists."]
        }
    assert locations_state() == before


def test_failed_edit_keeps_the_original_name_in_the_heading(owner_client, salon):
    # given
    location = LocationFactory(salon=salon, name="Harbour")

    # when
    response = owner_client.post(url("location_edit", pk=location.pk), {"name": "x" * 121})

    # then
    assert response.status_code == 200
    assert response.context["page_title"] == "Edit location: Harbour"


# --- Opening hours and closed days ------------------------------------------------------


def test_owner_adds_opening_hours(owner_client, salon):
    # given
    location = LocationFactory(salon=salon)

    # when
    response = owner_client.post(
        url("location_hours_add", pk=location.pk),
        {"weekday": "1", "opens": "09:00", "closes": "13:00"},
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == url("location_detail", pk=location.pk)
    hours = LocationHours.objects.get()
    assert (hours.salon, hours.location, hours.weekday) == (salon, location, 1)
    assert (hours.opens, hours.closes) == (dt.time(9), dt.time(13))


def test_a_day_may_have_two_ranges_around_a_break(owner_client, salon):
    # given
    location = LocationFactory(salon=salon)
    LocationHoursFactory(location=location, weekday=1, opens=dt.time(9), closes=dt.time(13))

    # when
    response = owner_client.post(
        url("location_hours_add", pk=location.pk),
        {"weekday": "1", "opens": "13:00", "closes": "18:00"},
    )

    # then
    assert response.status_code == 302
    assert list(LocationHours.objects.values_list("opens", "closes").order_by("opens")) == [
        (dt.time(9), dt.time(13)),
        (dt.time(13), dt.time(18)),
    ]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            # (Issue 13: an end before the start is on the next day; this runs into its hours.)
            {"weekday": "0", "opens": "13:00", "closes": "10:00"},
            {"opens": [MIDNIGHT % ("13:00–10:00", "09:00–13:00")]},
        ),
        (
            {"weekday": "1", "opens": "10:00", "closes": "10:00"},
            {"closes": ["Closing time must be after opening time."]},
        ),
        (
            {"weekday": "1", "opens": "12:00", "closes": "15:00"},
            {"opens": ["Hours on the same day overlap (09:00–13:00 and 12:00–15:00)."]},
        ),
        (
            {"weekday": "9", "opens": "09:00", "closes": "10:00"},
            {"weekday": ["Select a valid choice. 9 is not one of the available choices."]},
        ),
        (
            {"weekday": "1", "opens": "25:00", "closes": "26:00"},
            {
                "opens": ["Enter a valid time."],
                "closes": ["Enter a valid time."],
            },
        ),
    ],
    ids=["overnight-overlap", "empty-range", "overlap", "weekday", "bad-times"],
)
def test_bad_opening_hours_are_a_form_error(owner_client, salon, data, errors):
    # given
    location = LocationFactory(salon=salon)
    LocationHoursFactory(location=location, weekday=1, opens=dt.time(9), closes=dt.time(13))
    before = list(LocationHours.objects.values())

    # when
    response = owner_client.post(url("location_hours_add", pk=location.pk), data)

    # then
    assert response.status_code == 200
    assert response.context["hours_form"].errors == errors
    assert response.context["location"] == location
    assert list(LocationHours.objects.values()) == before


def test_owner_adds_and_removes_a_closed_day(owner_client, salon):
    # given
    location = LocationFactory(salon=salon)

    # when
    added = owner_client.post(
        url("location_closure_add", pk=location.pk), {"date": "2030-12-24", "reason": "Holiday"}
    )
    closure = LocationClosure.objects.get()
    removed = owner_client.post(
        url("location_closure_delete", pk=location.pk, closure_pk=closure.pk)
    )

    # then
    assert added.status_code == 302
    assert (closure.salon, closure.location) == (salon, location)
    assert (closure.date, closure.reason) == (dt.date(2030, 12, 24), "Holiday")
    assert removed.status_code == 302
    assert removed["Location"] == url("location_detail", pk=location.pk)
    assert not LocationClosure.objects.exists()


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"date": "2030-12-24"}, {"date": ["This day is already marked as closed."]}),
        ({"date": "2030-02-30"}, {"date": ["Enter a valid date."]}),
        (
            {"date": "2030-12-25", "reason": "x" * 201},
            {"reason": ["Ensure this value has at most 200 characters (it has 201)."]},
        ),
    ],
    ids=["duplicate", "bad-date", "long-reason"],
)
def test_bad_closed_day_is_a_form_error(owner_client, salon, data, errors):
    # given
    location = LocationFactory(salon=salon)
    LocationClosure.objects.create(salon=salon, location=location, date=dt.date(2030, 12, 24))
    before = list(LocationClosure.objects.values())

    # when
    response = owner_client.post(url("location_closure_add", pk=location.pk), data)

    # then
    assert response.status_code == 200
    assert response.context["closure_form"].errors == errors
    assert list(LocationClosure.objects.values()) == before


def test_the_same_day_may_be_closed_at_two_locations(owner_client, salon):
    # given
    first, second = LocationFactory(salon=salon), LocationFactory(salon=salon)
    LocationClosure.objects.create(salon=salon, location=first, date=dt.date(2030, 12, 24))

    # when
    response = owner_client.post(url("location_closure_add", pk=second.pk), {"date": "2030-12-24"})

    # then
    assert response.status_code == 302
    assert LocationClosure.objects.filter(location=second).count() == 1


def test_detail_page_shows_hours_and_closed_days(owner_client, salon):
    # given
    location = LocationFactory(salon=salon, name="Harbour")
    LocationHoursFactory(location=location, weekday=2, opens=dt.time(10), closes=dt.time(19))
    LocationClosure.objects.create(
        salon=salon, location=location, date=dt.date(2030, 12, 24), reason="Christmas Eve"
    )

    # when
    response = owner_client.get(url("location_detail", pk=location.pk))

    # then
    content = response.content.decode()
    assert response.status_code == 200
    assert "Wednesday" in content
    assert "10:00" in content and "19:00" in content
    assert "2030-12-24" in content and "Christmas Eve" in content
    assert url("location_hours_add", pk=location.pk) in content


def test_staff_role_sees_the_location_without_forms(staff_client, salon):
    # given
    location = LocationFactory(salon=salon)
    hours = LocationHoursFactory(location=location)

    # when
    response = staff_client.get(url("location_detail", pk=location.pk))

    # then
    content = response.content.decode()
    assert response.status_code == 200
    assert "hours_form" not in response.context
    assert "closure_form" not in response.context
    assert url("location_hours_delete", pk=location.pk, hours_pk=hours.pk) not in content
    assert url("location_edit", pk=location.pk) not in content


def test_location_list_shows_only_this_salons_locations(owner_client, salon, other_salon):
    # given
    LocationFactory(salon=salon, name="Alpha Harbour")
    LocationFactory(salon=other_salon, name="Beta Harbour")

    # when
    response = owner_client.get(url("location_list"))

    # then
    assert [location.name for location in response.context["locations"]] == ["Alpha Harbour"]
    assert "Beta Harbour" not in response.content.decode()
