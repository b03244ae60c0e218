"""Who may call the owner API: members read, owners and managers write, everybody else gets
404 (another salon's members) or 401 (anonymous). Every route of bookings/api/urls.py is
walked, with the other salon's URLs and with the other salon's ids in our URLs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from bookings.api import urls as api_urls
from bookings.models import (
    Appointment,
    Client,
    Location,
    LocationClosure,
    LocationHours,
    Service,
    ServiceCategory,
    StaffMember,
    TimeOff,
    WorkingHours,
)
from tests.factories import (
    ClientFactory,
    LocationClosureFactory,
    LocationFactory,
    LocationHoursFactory,
    ServiceCategoryFactory,
    ServiceFactory,
    StaffMemberFactory,
    TimeOffFactory,
    WorkingHoursFactory,
)

MODELS = [
    Location,
    LocationHours,
    ServiceCategory,
    Service,
    StaffMember,
    WorkingHours,
    TimeOff,
    Client,
    Appointment,
    LocationClosure,
]


@dataclass(frozen=True)
class Route:
    method: str
    name: str
    # URL kwarg -> key of the objects dict made by `make_objects`
    ids: dict[str, str] = field(default_factory=dict)
    # a value "@key" stands for the id of objects[key]
    body: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.name}"


ROUTES = [
    Route("get", "location-list"),
    Route("post", "location-list", body={"name": "New"}),
    Route("get", "location-detail", {"location_id": "location"}),
    Route("patch", "location-detail", {"location_id": "location"}, {"name": "Renamed"}),
    Route("delete", "location-detail", {"location_id": "location"}),
    Route("get", "location-hours-list", {"location_id": "location"}),
    Route(
        "post",
        "location-hours-list",
        {"location_id": "location"},
        {"weekday": 3, "opens": "09:00", "closes": "12:00"},
    ),
    Route(
        "delete",
        "location-hours-detail",
        {"location_id": "location", "hours_id": "location_hours"},
    ),
    Route("get", "service-category-list"),
    Route("post", "service-category-list", body={"name": "New"}),
    Route("get", "service-category-detail", {"category_id": "category"}),
    Route("patch", "service-category-detail", {"category_id": "category"}, {"name": "Renamed"}),
    Route("delete", "service-category-detail", {"category_id": "category"}),
    Route("get", "service-list"),
    Route("post", "service-list", body={"name": "New", "duration_minutes": 30, "price": "10.00"}),
    Route("get", "service-detail", {"service_id": "service"}),
    Route("patch", "service-detail", {"service_id": "service"}, {"name": "Renamed"}),
    Route("delete", "service-detail", {"service_id": "service"}),
    Route("get", "staff-list"),
    Route("post", "staff-list", body={"name": "New"}),
    Route("get", "staff-detail", {"staff_id": "staff"}),
    Route("patch", "staff-detail", {"staff_id": "staff"}, {"name": "Renamed"}),
    Route("get", "working-hours-list", {"staff_id": "staff"}),
    Route(
        "post",
        "working-hours-list",
        {"staff_id": "staff"},
        {"location": "@location", "weekday": 3, "starts": "09:00", "ends": "12:00"},
    ),
    Route("get", "working-hours-detail", {"staff_id": "staff", "hours_id": "working_hours"}),
    Route("delete", "working-hours-detail", {"staff_id": "staff", "hours_id": "working_hours"}),
    Route("get", "time-off-list", {"staff_id": "staff"}),
    Route(
        "post",
        "time-off-list",
        {"staff_id": "staff"},
        {"starts_at": "2026-03-02T09:00:00Z", "ends_at": "2026-03-02T12:00:00Z"},
    ),
    Route("get", "time-off-detail", {"staff_id": "staff", "time_off_id": "time_off"}),
    Route("delete", "time-off-detail", {"staff_id": "staff", "time_off_id": "time_off"}),
    Route("get", "client-list"),
    Route("post", "client-list", body={"first_name": "New"}),
    Route("get", "client-detail", {"client_id": "client"}),
    Route("patch", "client-detail", {"client_id": "client"}, {"first_name": "Renamed"}),
    Route("get", "client-duplicates", {"client_id": "client"}),
    Route("post", "client-merge", {"client_id": "client"}, {"merged": "@client"}),
    Route("get", "appointment-list"),
    Route(
        "post",
        "appointment-list",
        body={
            "location": "@location",
            "service": "@service",
            "staff": "@staff",
            "client": "@client",
            "starts_at": "2030-03-06T10:00:00+02:00",
        },
    ),
    Route("get", "appointment-detail", {"appointment_id": "appointment"}),
    Route("patch", "appointment-detail", {"appointment_id": "appointment"}, {"notes": "Changed"}),
    Route(
        "post",
        "appointment-status",
        {"appointment_id": "appointment"},
        {"status": "cancelled"},
    ),
    # bookings/api/settings.py
    Route("get", "booking-settings"),
    Route("patch", "booking-settings", body={"slot_step_minutes": 30}),
    Route("get", "location-passcode", {"location_id": "location"}),
    Route("put", "location-passcode", {"location_id": "location"}, {"enabled": False}),
    Route("get", "staff-passcode", {"staff_id": "staff"}),
    Route("put", "staff-passcode", {"staff_id": "staff"}, {"code": ""}),
    Route("get", "closed-day-list", {"location_id": "location"}),
    Route("post", "closed-day-list", {"location_id": "location"}, {"date": "2030-12-24"}),
    Route("delete", "closed-day-detail", {"location_id": "location", "closure_id": "closure"}),
]
ROUTES_WITH_IDS = [route for route in ROUTES if route.ids]
SAFE_ROUTES = [route for route in ROUTES if route.method == "get"]
WRITE_ROUTES = [route for route in ROUTES if route.method != "get"]


def make_objects(salon) -> dict[str, Any]:
    location = LocationFactory(salon=salon)
    service = ServiceFactory(salon=salon)
    staff = StaffMemberFactory(salon=salon, locations=[location], services=[service])
    client = ClientFactory(salon=salon)
    starts_at = dt.datetime(2030, 3, 6, 8, tzinfo=dt.UTC)
    # Written directly: the booking rules are not what these tests are about.
    appointment = Appointment.objects.create(
        salon=salon,
        location=location,
        staff=staff,
        service=service,
        client=client,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        block_starts_at=starts_at,
        block_ends_at=starts_at + dt.timedelta(hours=1),
        source="dashboard",
        price=Decimal("10.00"),
    )
    return {
        "location": location,
        "location_hours": LocationHoursFactory(location=location),
        "category": ServiceCategoryFactory(salon=salon),
        "service": service,
        "staff": staff,
        "working_hours": WorkingHoursFactory(staff=staff, location=location),
        "time_off": TimeOffFactory(staff=staff),
        "client": client,
        "appointment": appointment,
        "closure": LocationClosureFactory(location=location),
    }


def url_for(route: Route, salon, objects: dict[str, Any]) -> str:
    kwargs = {name: objects[key].pk for name, key in route.ids.items()}
    return reverse(f"bookings-api:{route.name}", kwargs={"salon_slug": salon.slug, **kwargs})


def call(api: APIClient, route: Route, salon, objects: dict[str, Any], url_objects=None):
    url = url_for(route, salon, url_objects if url_objects is not None else objects)
    body = {
        key: objects[value[1:]].pk if isinstance(value, str) and value.startswith("@") else value
        for key, value in route.body.items()
    }
    return getattr(api, route.method)(url, body, format="json")


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_routes_cover_every_url_and_method():
    # given
    declared = {
        (method, pattern.name)
        for pattern in api_urls.urlpatterns
        for method in ("get", "post", "patch", "put", "delete")
        if hasattr(pattern.callback.view_class, method)
    }

    # then
    assert {(route.method, route.name) for route in ROUTES} == declared


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_member_of_another_salon_gets_404_on_every_route(route, salon, other_owner):
    # given
    objects = make_objects(salon)
    api = APIClient()
    api.force_authenticate(other_owner)
    before = row_counts()

    # when
    response = call(api, route, salon, objects)

    # then
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert row_counts() == before


@pytest.mark.parametrize("route", ROUTES_WITH_IDS, ids=str)
def test_other_salons_ids_in_our_urls_are_404(route, salon, other_salon, owner_api):
    # given
    ours = make_objects(salon)
    theirs = make_objects(other_salon)
    before = row_counts()

    # when
    response = call(owner_api, route, salon, ours, url_objects=theirs)

    # then
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert row_counts() == before


@pytest.mark.parametrize("route", ROUTES_WITH_IDS, ids=str)
def test_missing_ids_answer_like_other_salons_ids(route, salon, owner_api):
    # given
    ours = make_objects(salon)
    missing = {key: type(obj)(pk=999_999) for key, obj in ours.items()}
    before = row_counts()

    # when
    response = call(owner_api, route, salon, ours, url_objects=missing)

    # then
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert row_counts() == before


def test_unknown_salon_answers_like_a_foreign_one(owner_api, other_salon):
    # when
    unknown = owner_api.get("/api/v1/salons/no-such-salon/locations/")
    foreign = owner_api.get("/api/v1/salons/beta/locations/")

    # then
    assert (unknown.status_code, unknown.json()) == (404, {"detail": "Not found."})
    assert (foreign.status_code, foreign.json()) == (404, {"detail": "Not found."})


@pytest.mark.parametrize("route", SAFE_ROUTES, ids=str)
def test_staff_role_may_read(route, salon, staff_user):
    # given
    objects = make_objects(salon)
    api = APIClient()
    api.force_authenticate(staff_user)

    # when
    response = call(api, route, salon, objects)

    # then
    assert response.status_code == 200


@pytest.mark.parametrize("route", WRITE_ROUTES, ids=str)
def test_staff_role_may_not_write(route, salon, staff_user):
    # given
    objects = make_objects(salon)
    api = APIClient()
    api.force_authenticate(staff_user)
    before = row_counts()

    # when
    response = call(api, route, salon, objects)

    # then
    assert response.status_code == 403
    assert row_counts() == before


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_owner_and_manager_may_write(role, salon):
    # given
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory()
    MembershipFactory(salon=salon, user=user, role=role)
    api = APIClient()
    api.force_authenticate(user)

    # when
    response = api.post("/api/v1/salons/alpha/service-categories/", {"name": "Hair"})

    # then
    assert response.status_code == 201
    assert list(ServiceCategory.objects.for_salon(salon).values_list("name", flat=True)) == ["Hair"]


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_anonymous_gets_401_on_every_route(route, salon, api_client):
    # given
    objects = make_objects(salon)
    before = row_counts()

    # when
    response = call(api_client, route, salon, objects)

    # then
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert row_counts() == before


def test_stranger_gets_404_not_403(salon, stranger):
    # given
    api = APIClient()
    api.force_authenticate(stranger)

    # when
    response = api.get("/api/v1/salons/alpha/clients/")

    # then
    assert response.status_code == 404
