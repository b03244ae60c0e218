"""Locations API: CRUD, opening hours as a sub-resource, and field errors for bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from bookings.models import Location, LocationHours
from tests.factories import LocationFactory, LocationHoursFactory

LIST_URL = "/api/v1/salons/alpha/locations/"


LOCAL_TIME = "Give a local time of day as HH:MM or HH:MM:SS, without a UTC offset (e.g. 09:30)."


MIDNIGHT = "Hours overlap across midnight (%s and %s on the next day)."


def detail_url(location: Location) -> str:
    return f"{LIST_URL}{location.pk}/"


def hours_url(location: Location) -> str:
    return f"{LIST_URL}{location.pk}/hours/"


def test_list_shows_locations_with_their_opening_hours(salon, owner_api):
    # given
    location = LocationFactory(salon=salon, name="Old Town", city="Tallinn")
    hours = LocationHoursFactory(location=location, weekday=1, opens=dt.time(9), closes=dt.time(18))

    # when
    response = owner_api.get(LIST_URL)

    # then
    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": location.pk,
                "name": "Old Town",
                "address": "",
                "city": "Tallinn",
                "postal_code": "",
                "country": "",
                "time_zone": "Europe/Tallinn",
                "phone": "",
                "email": "",
                "description": "",
                "is_active": True,
                "opening_hours": [
                    {"id": hours.pk, "weekday": 1, "opens": "09:00:00", "closes": "18:00:00"}
                ],
            }
        ],
    }


def test_create_location(salon, owner_api):
    # when
    response = owner_api.post(
        LIST_URL,
        {
            "name": "Kalamaja",
            "city": "Tallinn",
            "phone": "+372 5123 4567",
            "email": "kalamaja@alpha.test",
            "time_zone": "Europe/Helsinki",
        },
        format="json",
    )

    # then
    assert response.status_code == 201
    location = Location.objects.for_salon(salon).get()
    assert response.json() == {
        "id": location.pk,
        "name": "Kalamaja",
        "address": "",
        "city": "Tallinn",
        "postal_code": "",
        "country": "",
        "time_zone": "Europe/Helsinki",
        "phone": "+37251234567",
        "email": "kalamaja@alpha.test",
        "description": "",
        "is_active": True,
        "opening_hours": [],
    }


def test_retrieve_update_and_delete_location(salon, owner_api):
    # given
    location = LocationFactory(salon=salon, name="Old Town")

    # when
    retrieved = owner_api.get(detail_url(location))
    updated = owner_api.patch(detail_url(location), {"name": "New Town"}, format="json")
    deleted = owner_api.delete(detail_url(location))

    # then
    assert (retrieved.status_code, retrieved.json()["name"]) == (200, "Old Town")
    assert (updated.status_code, updated.json()["name"]) == (200, "New Town")
    assert deleted.status_code == 204
    assert Location.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"name": "X", "email": "not-an-email"}, {"email": ["Enter a valid email address."]}),
        ({"name": "X", "phone": "12ab"}, {"phone": ["Enter a valid phone number."]}),
        (
            {"name": "x" * 121},
            {"name": ["Ensure this field has no more than 120 characters."]},
        ),
        (
            {"name": "X", "time_zone": "Mars/Olympus"},
            {"time_zone": ["“Mars/Olympus” is not a known time zone (e.g. Europe/Tallinn)."]},
        ),
        ({}, {"name": ["This field is required."]}),
        (
            {"name": "Old Town"},
            {"name": ["Location with this Name already exists."]},
        ),
    ],
    ids=["email", "phone", "too-long", "time-zone", "missing", "duplicate"],
)
def test_create_location_rejects_bad_input(salon, owner_api, body, errors):
    # given
    LocationFactory(salon=salon, name="Old Town")

    # when
    response = owner_api.post(LIST_URL, body, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == errors
    assert Location.objects.count() == 1


def test_same_location_name_in_another_salon_is_fine(salon, other_salon, owner_api):
    # given
    LocationFactory(salon=other_salon, name="Old Town")

    # when
    response = owner_api.post(LIST_URL, {"name": "Old Town"}, format="json")

    # then
    assert response.status_code == 201


def test_rename_to_a_taken_name_changes_nothing(salon, owner_api):
    # given
    LocationFactory(salon=salon, name="Old Town")
    location = LocationFactory(salon=salon, name="New Town")

    # when
    response = owner_api.patch(detail_url(location), {"name": "Old Town"}, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == {"name": ["Location with this Name already exists."]}
    location.refresh_from_db()
    assert location.name == "New Town"


def test_add_and_delete_opening_hours(salon, owner_api):
    # given
    location = LocationFactory(salon=salon)

    # when
    created = owner_api.post(
        hours_url(location), {"weekday": 2, "opens": "10:00", "closes": "14:00"}, format="json"
    )
    listed = owner_api.get(hours_url(location))

    # then
    assert created.status_code == 201
    hours = LocationHours.objects.get()
    assert created.json() == {
        "id": hours.pk,
        "weekday": 2,
        "opens": "10:00:00",
        "closes": "14:00:00",
    }
    assert listed.json() == [created.json()]

    # when
    deleted = owner_api.delete(f"{hours_url(location)}{hours.pk}/")

    # then
    assert deleted.status_code == 204
    assert LocationHours.objects.count() == 0


def test_opening_hours_of_another_location_are_404_under_this_one(salon, owner_api):
    # given
    location = LocationFactory(salon=salon)
    hours_elsewhere = LocationHoursFactory(location=LocationFactory(salon=salon))

    # when
    response = owner_api.delete(f"{hours_url(location)}{hours_elsewhere.pk}/")

    # then
    assert response.status_code == 404
    assert LocationHours.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            # (Issue 13: an end before the start is on the next day; this runs into its hours.)
            {"weekday": 6, "opens": "18:00", "closes": "10:00"},
            {"opens": [MIDNIGHT % ("18:00–10:00", "09:00–17:00")]},
        ),
        (
            {"weekday": 0, "opens": "12:00", "closes": "12:00"},
            {"closes": ["Closing time must be after opening time."]},
        ),
        (
            {"weekday": 0, "opens": "16:00", "closes": "20:00"},
            {"opens": ["Hours on the same day overlap (09:00–17:00 and 16:00–20:00)."]},
        ),
        (
            {"weekday": 7, "opens": "09:00", "closes": "10:00"},
            {"weekday": ['"7" is not a valid choice.']},
        ),
        (
            {"weekday": 1, "opens": "25:00", "closes": "26:00"},
            {
                # (Issue 13: local wall-clock times, one message for malformed and offsets.)
                "opens": [LOCAL_TIME],
                "closes": [LOCAL_TIME],
            },
        ),
    ],
    ids=["overnight-overlap", "empty-range", "overlap", "weekday", "malformed"],
)
def test_bad_opening_hours_are_rejected(salon, owner_api, body, errors):
    # given
    location = LocationFactory(salon=salon)
    LocationHoursFactory(location=location, weekday=0, opens=dt.time(9), closes=dt.time(17))

    # when
    response = owner_api.post(hours_url(location), body, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == errors
    assert LocationHours.objects.count() == 1


def test_location_list_query_count_does_not_grow(salon, owner_api, django_assert_max_num_queries):
    # given
    for _ in range(5):
        LocationHoursFactory(location=LocationFactory(salon=salon))
    with django_assert_max_num_queries(6) as few:
        owner_api.get(LIST_URL)
    for _ in range(45):
        LocationHoursFactory(location=LocationFactory(salon=salon))

    # when
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = owner_api.get(LIST_URL)

    # then
    assert response.json()["count"] == 50
