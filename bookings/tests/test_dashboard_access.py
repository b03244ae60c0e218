"""Who may open which dashboard page: every route of locations, services, staff and clients,
walked as anonymous, stranger, another salon's owner, the owner with another salon's ids, a
staff-role member and the owner."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from bookings.models import (
    Client,
    Location,
    LocationClosure,
    LocationHours,
    Salon,
    Service,
    ServiceCategory,
    StaffMember,
    TimeOff,
    WorkingHours,
)
from tests.factories import (
    ClientFactory,
    LocationFactory,
    LocationHoursFactory,
    ServiceCategoryFactory,
    ServiceFactory,
    StaffMemberFactory,
    WorkingHoursFactory,
)

# (url name, URL kwargs naming objects of the world below, a POST that would write if allowed)
ROUTES: list[tuple[str, dict[str, str], dict[str, Any]]] = [
    ("location_list", {}, {}),
    ("location_create", {}, {"name": "Intruder", "time_zone": "Europe/Tallinn"}),
    ("location_detail", {"pk": "location"}, {}),
    ("location_edit", {"pk": "location"}, {"name": "Intruder", "time_zone": "Europe/Tallinn"}),
    ("location_hours_add", {"pk": "location"}, {"weekday": 2, "opens": "08:00", "closes": "09:00"}),
    ("location_hours_delete", {"pk": "location", "hours_pk": "location_hours"}, {}),
    ("location_closure_add", {"pk": "location"}, {"date": "2031-01-01"}),
    ("location_closure_delete", {"pk": "location", "closure_pk": "closure"}, {}),
    ("service_list", {}, {}),
    ("service_create", {}, {"name": "Intruder", "duration_minutes": 30, "price": "10"}),
    (
        "service_edit",
        {"pk": "service"},
        {"name": "Intruder", "duration_minutes": 30, "price": "10", "color": "#000000"},
    ),
    ("category_create", {}, {"name": "Intruder", "position": 0}),
    ("category_edit", {"pk": "category"}, {"name": "Intruder", "position": 0}),
    ("staff_list", {}, {}),
    ("staff_create", {}, {"name": "Intruder", "color": "#000000"}),
    ("staff_detail", {"pk": "staff"}, {}),
    ("staff_edit", {"pk": "staff"}, {"name": "Intruder", "color": "#000000"}),
    ("working_hours_add", {"pk": "staff"}, {"weekday": 3, "starts": "08:00", "ends": "09:00"}),
    ("working_hours_delete", {"pk": "staff", "hours_pk": "working_hours"}, {}),
    ("time_off_add", {"pk": "staff"}, {"kind": "days", "start_date": "2031-01-01"}),
    ("time_off_delete", {"pk": "staff", "time_off_pk": "time_off"}, {}),
    ("client_list", {}, {}),
    ("client_create", {}, {"first_name": "Intruder", "preferred_channel": "email"}),
    ("client_detail", {"pk": "client"}, {}),
    ("client_edit", {"pk": "client"}, {"first_name": "Intruder", "preferred_channel": "email"}),
]
ROUTES_WITH_IDS = [route for route in ROUTES if route[1]]
VIEW_ROUTES = {
    "location_list",
    "location_detail",
    "service_list",
    "staff_list",
    "staff_detail",
    "client_list",
    "client_detail",
}
MANAGE_ROUTES = [route for route in ROUTES if route[0] not in VIEW_ROUTES]
DELETE_ROUTES = [route for route in ROUTES if route[0].endswith("_delete")]
ADD_ROUTES = {"location_hours_add", "location_closure_add", "working_hours_add", "time_off_add"}
ALL_MODELS = [
    Location,
    LocationHours,
    LocationClosure,
    ServiceCategory,
    Service,
    StaffMember,
    WorkingHours,
    TimeOff,
    Client,
]


def route_id(route: tuple[str, dict[str, str], dict[str, Any]]) -> str:
    return route[0]


def make_world(salon: Salon) -> dict[str, Any]:
    location = LocationFactory(salon=salon)
    category = ServiceCategoryFactory(salon=salon)
    service = ServiceFactory(salon=salon, category=category)
    staff = StaffMemberFactory(salon=salon, locations=[location], services=[service])
    starts = dt.datetime(2030, 5, 1, 9, tzinfo=dt.UTC)
    return {
        "location": location,
        "location_hours": LocationHoursFactory(location=location),
        "closure": LocationClosure.objects.create(
            salon=salon, location=location, date=dt.date(2030, 12, 24)
        ),
        "category": category,
        "service": service,
        "staff": staff,
        "working_hours": WorkingHoursFactory(staff=staff, location=location),
        "time_off": TimeOff.objects.create(
            salon=salon, staff=staff, starts_at=starts, ends_at=starts + dt.timedelta(hours=2)
        ),
        "client": ClientFactory(salon=salon),
    }


def allowed_methods(name: str) -> list[str]:
    if name in VIEW_ROUTES:
        return ["get"]
    if name.endswith("_delete"):
        return ["post"]
    return ["get", "post"]


def route_url(name: str, kwargs: dict[str, str], world: dict[str, Any]) -> str:
    ids = {key: world[obj].pk for key, obj in kwargs.items()}
    return reverse(f"dashboard:{name}", kwargs={"salon_slug": "alpha", **ids})


def db_state() -> dict[str, list[dict[str, Any]]]:
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in ALL_MODELS}


@pytest.fixture
def alpha_world(salon) -> dict[str, Any]:
    return make_world(salon)


@pytest.fixture
def beta_world(other_salon) -> dict[str, Any]:
    return make_world(other_salon)


@pytest.fixture
def staff_client(staff_user) -> HttpClient:
    http = HttpClient()
    http.force_login(staff_user)
    return http


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_anonymous_is_sent_to_login(client, alpha_world, route):
    # given
    name, kwargs, payload = route
    url = route_url(name, kwargs, alpha_world)
    before = db_state()

    # when
    get_response = client.get(url)
    post_response = client.post(url, payload)

    # then
    for response in (get_response, post_response):
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={url}"
    assert db_state() == before


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_stranger_gets_404(client, stranger, alpha_world, route):
    # given
    name, kwargs, payload = route
    client.force_login(stranger)
    url = route_url(name, kwargs, alpha_world)
    before = db_state()

    # when
    get_response = client.get(url)
    post_response = client.post(url, payload)

    # then
    assert get_response.status_code == 404
    assert post_response.status_code == 404
    assert db_state() == before


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_other_salon_owner_gets_404(other_owner_client, alpha_world, beta_world, route):
    # given
    name, kwargs, payload = route
    url = route_url(name, kwargs, alpha_world)
    before = db_state()

    # when
    get_response = other_owner_client.get(url)
    post_response = other_owner_client.post(url, payload)

    # then
    assert get_response.status_code == 404
    assert post_response.status_code == 404
    assert db_state() == before


@pytest.mark.parametrize("route", ROUTES_WITH_IDS, ids=route_id)
def test_owner_gets_404_for_another_salons_ids(owner_client, alpha_world, beta_world, route):
    # given: alpha's slug in the URL, beta's ids
    name, kwargs, payload = route
    url = route_url(name, kwargs, beta_world)
    before = db_state()

    # when
    responses = [getattr(owner_client, m)(url, payload) for m in allowed_methods(name)]

    # then
    assert [r.status_code for r in responses] == [404] * len(responses)
    assert db_state() == before


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("location_hours_delete", {"pk": "other_location", "hours_pk": "location_hours"}),
        ("location_closure_delete", {"pk": "other_location", "closure_pk": "closure"}),
        ("working_hours_delete", {"pk": "other_staff", "hours_pk": "working_hours"}),
        ("time_off_delete", {"pk": "other_staff", "time_off_pk": "time_off"}),
    ],
)
def test_deleting_a_row_under_another_parent_of_the_same_salon_is_404(
    owner_client, salon, alpha_world, name, kwargs
):
    # given: the row is alpha's, but the parent in the URL is another alpha row
    alpha_world["other_location"] = LocationFactory(salon=salon)
    alpha_world["other_staff"] = StaffMemberFactory(salon=salon)
    url = route_url(name, kwargs, alpha_world)
    before = db_state()

    # when
    response = owner_client.post(url)

    # then
    assert response.status_code == 404
    assert db_state() == before


@pytest.mark.parametrize("route", [r for r in ROUTES if r[0] in VIEW_ROUTES], ids=route_id)
def test_staff_role_can_view_lists_and_details(staff_client, alpha_world, route):
    # given
    name, kwargs, _ = route
    url = route_url(name, kwargs, alpha_world)

    # when
    response = staff_client.get(url)

    # then
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" not in response.content.split(b'class="container"')[1]


@pytest.mark.parametrize("route", MANAGE_ROUTES, ids=route_id)
def test_staff_role_cannot_create_edit_or_delete(staff_client, alpha_world, route):
    # given
    name, kwargs, payload = route
    url = route_url(name, kwargs, alpha_world)
    before = db_state()

    # when
    get_response = staff_client.get(url)
    post_response = staff_client.post(url, payload)

    # then
    assert get_response.status_code == 403
    assert post_response.status_code == 403
    assert db_state() == before


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_owner_can_open_every_route(owner_client, alpha_world, route):
    # given
    name, kwargs, _ = route
    url = route_url(name, kwargs, alpha_world)

    # when
    response = owner_client.get(url)

    # then
    if name.endswith("_delete"):
        assert response.status_code == 405
    elif name in ADD_ROUTES:
        assert response.status_code == 302
        detail = "location_detail" if name.startswith("location") else "staff_detail"
        assert response["Location"] == route_url(detail, {"pk": kwargs["pk"]}, alpha_world)
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("route", DELETE_ROUTES, ids=route_id)
def test_delete_needs_a_csrf_token(salon, owner, alpha_world, route):
    # given
    name, kwargs, _ = route
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(owner)
    before = db_state()

    # when
    response = http.post(route_url(name, kwargs, alpha_world))

    # then
    assert response.status_code == 403
    assert db_state() == before


@pytest.mark.parametrize(
    ("name", "model", "obj"),
    [
        ("location_hours_delete", LocationHours, "location_hours"),
        ("location_closure_delete", LocationClosure, "closure"),
        ("working_hours_delete", WorkingHours, "working_hours"),
        ("time_off_delete", TimeOff, "time_off"),
    ],
)
def test_owner_deletes_a_row_and_returns_to_the_page(
    owner_client, alpha_world, beta_world, name, model, obj
):
    # given
    kwargs = next(route[1] for route in ROUTES if route[0] == name)
    parent = "location" if name.startswith("location") else "staff"
    detail = f"{parent}_detail"

    # when
    response = owner_client.post(route_url(name, kwargs, alpha_world))

    # then
    assert response.status_code == 302
    assert response["Location"] == route_url(detail, {"pk": "pk"}, {"pk": alpha_world[parent]})
    assert not model.objects.filter(pk=alpha_world[obj].pk).exists()
    assert model.objects.filter(pk=beta_world[obj].pk).exists()


def test_navigation_links_the_new_pages(owner_client, salon):
    # when
    response = owner_client.get(reverse("dashboard:home", kwargs={"salon_slug": "alpha"}))

    # then
    nav = {item["label"]: item for item in response.context["dashboard_nav"]}
    assert nav["Clients"]["url"] == "/dashboard/alpha/clients/"
    assert nav["Services"]["url"] == "/dashboard/alpha/services/"
    assert nav["Staff"]["url"] == "/dashboard/alpha/staff/"
    assert nav["Locations and hours"]["url"] == "/dashboard/alpha/locations/"
    assert not any(nav[label]["disabled"] for label in ("Clients", "Services", "Staff"))


@pytest.mark.parametrize("route", ROUTES_WITH_IDS, ids=route_id)
def test_ids_too_large_for_the_database_are_404(owner_client, alpha_world, route):
    # given
    name, kwargs, payload = route
    huge = dict.fromkeys(kwargs, 10**30)
    url = reverse(f"dashboard:{name}", kwargs={"salon_slug": "alpha", **huge})
    before = db_state()

    # when
    responses = [getattr(owner_client, m)(url, payload) for m in allowed_methods(name)]

    # then
    assert [r.status_code for r in responses] == [404] * len(responses)
    assert db_state() == before


def test_choices_too_large_for_the_database_are_form_errors(owner_client, alpha_world):
    # given
    staff = alpha_world["staff"]
    before = db_state()

    # when
    shift = owner_client.post(
        route_url("working_hours_add", {"pk": "staff"}, alpha_world),
        {"weekday": 1, "location": str(10**30), "starts": "08:00", "ends": "09:00"},
    )
    member = owner_client.post(
        route_url("staff_edit", {"pk": "staff"}, alpha_world),
        {"name": staff.name, "color": "#000000", "locations": [str(10**30)]},
    )
    service = owner_client.post(
        route_url("service_create", {}, alpha_world),
        {
            "name": "New",
            "duration_minutes": 30,
            "price": "1",
            "buffer_before_minutes": 0,
            "buffer_after_minutes": 0,
            "color": "#000000",
            "category": 10**30,
        },
    )

    # then
    assert shift.context["hours_form"].errors == {
        "location": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert member.context["form"].errors == {
        "locations": [f"Select a valid choice. {10**30} is not one of the available choices."]
    }
    assert service.context["form"].errors == {
        "category": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert db_state() == before
