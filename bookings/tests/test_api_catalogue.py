"""Service categories and services API: CRUD and field errors for bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from bookings.models import Appointment, Location, Service, ServiceCategory
from tests.factories import (
    ClientFactory,
    LocationFactory,
    ServiceCategoryFactory,
    ServiceFactory,
    StaffMemberFactory,
)

CATEGORIES_URL = "/api/v1/salons/alpha/service-categories/"
SERVICES_URL = "/api/v1/salons/alpha/services/"


def test_category_good_path(salon, owner_api):
    # when
    created = owner_api.post(CATEGORIES_URL, {"name": "Hair", "position": 2}, format="json")
    category = ServiceCategory.objects.get()
    listed = owner_api.get(CATEGORIES_URL)
    updated = owner_api.patch(f"{CATEGORIES_URL}{category.pk}/", {"name": "Hair & beard"})
    retrieved = owner_api.get(f"{CATEGORIES_URL}{category.pk}/")

    # then
    assert created.status_code == 201
    assert created.json() == {"id": category.pk, "name": "Hair", "position": 2}
    assert listed.json()["results"] == [{"id": category.pk, "name": "Hair", "position": 2}]
    assert updated.status_code == 200
    assert retrieved.json() == {"id": category.pk, "name": "Hair & beard", "position": 2}


def test_deleting_a_category_keeps_its_services(salon, owner_api):
    # given
    category = ServiceCategoryFactory(salon=salon)
    service = ServiceFactory(salon=salon, category=category)

    # when
    response = owner_api.delete(f"{CATEGORIES_URL}{category.pk}/")

    # then
    assert response.status_code == 204
    assert ServiceCategory.objects.count() == 0
    service.refresh_from_db()
    assert service.category is None


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"name": "Hair"}, {"name": ["Service category with this Name already exists."]}),
        ({"name": "x" * 101}, {"name": ["Ensure this field has no more than 100 characters."]}),
        (
            {"name": "Nails", "position": -1},
            {"position": ["Ensure this value is greater than or equal to 0."]},
        ),
        ({"name": ""}, {"name": ["This field may not be blank."]}),
    ],
    ids=["duplicate", "too-long", "negative-position", "blank"],
)
def test_bad_category_is_rejected(salon, owner_api, body, errors):
    # given
    ServiceCategoryFactory(salon=salon, name="Hair")

    # when
    response = owner_api.post(CATEGORIES_URL, body, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == errors
    assert ServiceCategory.objects.count() == 1


def test_service_good_path(salon, owner_api):
    # given
    category = ServiceCategoryFactory(salon=salon)

    # when
    created = owner_api.post(
        SERVICES_URL,
        {
            "category": category.pk,
            "name": "Haircut",
            "duration_minutes": 45,
            "price": "35.50",
            "buffer_after_minutes": 10,
        },
        format="json",
    )

    # then
    assert created.status_code == 201
    service = Service.objects.get()
    assert created.json() == {
        "id": service.pk,
        "category": category.pk,
        "name": "Haircut",
        "description": "",
        "duration_minutes": 45,
        "price": "35.50",
        "buffer_before_minutes": 0,
        "buffer_after_minutes": 10,
        "online_bookable": True,
        "visibility": "public",
        "color": "#7c3aed",
        "is_active": True,
    }

    # when
    updated = owner_api.patch(
        f"{SERVICES_URL}{service.pk}/", {"price": "40.00", "category": None}, format="json"
    )

    # then
    assert updated.status_code == 200
    service.refresh_from_db()
    assert (service.price, service.category) == (Decimal("40.00"), None)
    assert owner_api.get(f"{SERVICES_URL}{service.pk}/").json()["price"] == "40.00"
    assert owner_api.get(SERVICES_URL).json()["count"] == 1

    # when
    deleted = owner_api.delete(f"{SERVICES_URL}{service.pk}/")

    # then
    assert deleted.status_code == 204
    assert Service.objects.count() == 0


VALID_SERVICE = {"name": "Colour", "duration_minutes": 60, "price": "50.00"}


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"price": "-1.00"}, {"price": ["Ensure this value is greater than or equal to 0."]}),
        (
            {"duration_minutes": -30},
            {"duration_minutes": ["Ensure this value is greater than or equal to 5."]},
        ),
        (
            {"duration_minutes": 0},
            {"duration_minutes": ["Ensure this value is greater than or equal to 5."]},
        ),
        (
            {"duration_minutes": 24 * 60 + 1},
            {"duration_minutes": ["Ensure this value is less than or equal to 1440."]},
        ),
        ({"price": "abc"}, {"price": ["A valid number is required."]}),
        ({"name": "x" * 121}, {"name": ["Ensure this field has no more than 120 characters."]}),
        (
            {"description": "x" * 2001},
            {"description": ["Ensure this field has no more than 2000 characters."]},
        ),
        ({"color": "red"}, {"color": ["Use a color in the form #RRGGBB."]}),
        ({"name": "Haircut"}, {"name": ["Service with this Name already exists."]}),
        ({"category": 999_999}, {"category": ['Invalid pk "999999" - object does not exist.']}),
    ],
    ids=[
        "negative-price",
        "negative-duration",
        "zero-duration",
        "too-long-duration",
        "price-not-a-number",
        "too-long-name",
        "too-long-description",
        "color",
        "duplicate",
        "unknown-category",
    ],
)
def test_bad_service_is_rejected(salon, owner_api, changes, errors):
    # given
    ServiceFactory(salon=salon, name="Haircut")

    # when
    response = owner_api.post(SERVICES_URL, {**VALID_SERVICE, **changes}, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == errors
    assert Service.objects.count() == 1


def test_another_salons_category_is_rejected_like_an_unknown_one(salon, other_salon, owner_api):
    # given
    theirs = ServiceCategoryFactory(salon=other_salon)

    # when
    response = owner_api.post(SERVICES_URL, {**VALID_SERVICE, "category": theirs.pk})

    # then
    assert response.status_code == 400
    assert response.json() == {"category": [f'Invalid pk "{theirs.pk}" - object does not exist.']}
    assert Service.objects.count() == 0


def test_bad_update_changes_nothing(salon, owner_api):
    # given
    service = ServiceFactory(salon=salon, name="Haircut", price=Decimal("40.00"))

    # when
    response = owner_api.patch(
        f"{SERVICES_URL}{service.pk}/", {"name": "Cut", "price": "-5"}, format="json"
    )

    # then
    assert response.status_code == 400
    assert response.json() == {"price": ["Ensure this value is greater than or equal to 0."]}
    service.refresh_from_db()
    assert (service.name, service.price) == ("Haircut", Decimal("40.00"))


def test_service_list_query_count_does_not_grow(salon, owner_api, django_assert_max_num_queries):
    # given
    ServiceFactory.create_batch(5, salon=salon, category=ServiceCategoryFactory(salon=salon))
    with django_assert_max_num_queries(5) as few:
        owner_api.get(SERVICES_URL)
    ServiceFactory.create_batch(45, salon=salon, category=ServiceCategoryFactory(salon=salon))

    # when
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = owner_api.get(SERVICES_URL)

    # then
    assert response.json()["count"] == 50


def test_service_with_appointments_is_not_deleted(salon, owner_api):
    # given
    service = ServiceFactory(salon=salon, name="Haircut")
    location = LocationFactory(salon=salon)
    starts = dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)
    Appointment.objects.create(
        salon=salon,
        location=location,
        staff=StaffMemberFactory(salon=salon, locations=[location], services=[service]),
        service=service,
        client=ClientFactory(salon=salon),
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        block_starts_at=starts,
        block_ends_at=starts + dt.timedelta(hours=1),
        source=Appointment.Source.DASHBOARD,
        price=Decimal("40.00"),
    )

    # when
    response = owner_api.delete(f"{SERVICES_URL}{service.pk}/")
    location_response = owner_api.delete(f"/api/v1/salons/alpha/locations/{location.pk}/")

    # then
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["“Haircut” is in use by appointments; deactivate it instead."]
    }
    assert location_response.status_code == 400
    assert Service.objects.filter(pk=service.pk).exists()
    assert Appointment.objects.count() == 1
    assert Location.objects.filter(pk=location.pk).exists()
