"""Dashboard pages of service categories and services."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from bookings.models import Service, ServiceCategory
from tests.factories import ServiceCategoryFactory, ServiceFactory

GOOD_SERVICE = {
    "name": "Haircut",
    "description": "Wash, cut and style.",
    "duration_minutes": "45",
    "price": "35.50",
    "buffer_before_minutes": "0",
    "buffer_after_minutes": "10",
    "online_bookable": "on",
    "color": "#22aa88",
    "is_active": "on",
}


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"dashboard:{name}", kwargs={"salon_slug": "alpha", **kwargs})


def catalogue_state() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return (
        list(ServiceCategory.objects.order_by("pk").values()),
        list(Service.objects.order_by("pk").values()),
    )


def test_service_list_is_grouped_by_category(owner_client, salon, other_salon):
    # given
    colour = ServiceCategoryFactory(salon=salon, name="Colour", position=2)
    cuts = ServiceCategoryFactory(salon=salon, name="Cuts", position=1)
    ServiceCategoryFactory(salon=salon, name="Nails", position=3)
    ServiceFactory(salon=salon, category=cuts, name="Short cut", color="#112233")
    ServiceFactory(salon=salon, category=cuts, name="Long cut")
    ServiceFactory(salon=salon, category=colour, name="Highlights")
    ServiceFactory(salon=salon, category=None, name="Consultation")
    ServiceFactory(salon=other_salon, name="Beta massage")

    # when
    response = owner_client.get(url("service_list"))

    # then
    groups = [
        (g["category"].name if g["category"] else None, [s.name for s in g["services"]])
        for g in response.context["groups"]
    ]
    assert groups == [
        ("Cuts", ["Long cut", "Short cut"]),
        ("Colour", ["Highlights"]),
        ("Nails", []),
        (None, ["Consultation"]),
    ]
    content = response.content.decode()
    assert 'class="swatch" data-color="#112233"' in content
    assert "Beta massage" not in content
    assert not re.search(r"\sstyle=", content)


def test_service_list_queries_do_not_grow_with_rows(
    owner_client, salon, django_assert_max_num_queries
):
    # given
    for _ in range(3):
        category = ServiceCategoryFactory(salon=salon)
        ServiceFactory.create_batch(10, salon=salon, category=category)
    ServiceFactory.create_batch(5, salon=salon)

    # when / then
    with django_assert_max_num_queries(6):
        response = owner_client.get(url("service_list"))
    assert response.status_code == 200


def test_owner_creates_and_edits_a_category(owner_client, salon):
    # when
    created = owner_client.post(url("category_create"), {"name": "Cuts", "position": "1"})
    category = ServiceCategory.objects.get()
    edited = owner_client.post(
        url("category_edit", pk=category.pk), {"name": "Haircuts", "position": "4"}
    )

    # then
    assert created.status_code == 302
    assert created["Location"] == url("service_list")
    assert edited.status_code == 302
    category.refresh_from_db()
    assert (category.salon, category.name, category.position) == (salon, "Haircuts", 4)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"name": "cuts", "position": "0"},
            {"name": ["A category with this name already exists."]},
        ),
        (
            {"name": "x" * 101, "position": "0"},
            {"name": ["Ensure this value has at most 100 characters (it has 101)."]},
        ),
        (
            {"name": "Colour", "position": "-1"},
            {"position": ["Ensure this value is greater than or equal to 0."]},
        ),
    ],
    ids=["duplicate", "long-name", "negative-position"],
)
def test_bad_category_input_is_a_form_error(owner_client, salon, data, errors):
    # given
    ServiceCategoryFactory(salon=salon, name="Cuts")
    before = catalogue_state()

    # when
    response = owner_client.post(url("category_create"), data)

    # then
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert catalogue_state() == before


def test_owner_creates_a_service_in_a_category(owner_client, salon):
    # given
    category = ServiceCategoryFactory(salon=salon)

    # when
    response = owner_client.post(
        url("service_create"), {**GOOD_SERVICE, "category": str(category.pk)}
    )

    # then
    service = Service.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("service_list")
    assert (service.salon, service.category, service.name) == (salon, category, "Haircut")
    assert (service.duration_minutes, service.price) == (45, Decimal("35.50"))
    assert (service.buffer_before_minutes, service.buffer_after_minutes) == (0, 10)
    assert (service.online_bookable, service.is_active, service.color) == (True, True, "#22aa88")


def test_owner_edits_a_service(owner_client, salon):
    # given
    service = ServiceFactory(
        salon=salon, name="Haircut", category=ServiceCategoryFactory(salon=salon)
    )

    # when
    response = owner_client.post(
        url("service_edit", pk=service.pk),
        {**GOOD_SERVICE, "name": "Haircut", "price": "0", "online_bookable": ""},
    )

    # then
    service.refresh_from_db()
    assert response.status_code == 302
    assert service.category is None
    assert service.price == Decimal("0.00")
    assert service.online_bookable is False


def test_new_service_form_offers_only_this_salons_categories(owner_client, salon, other_salon):
    # given
    mine = ServiceCategoryFactory(salon=salon, name="Cuts")
    ServiceCategoryFactory(salon=other_salon, name="Beta cuts")

    # when
    response = owner_client.get(url("service_create"), {"category": mine.pk})

    # then
    form = response.context["form"]
    assert list(form.fields["category"].queryset) == [mine]
    assert form["category"].value() == mine.pk
    assert "Beta cuts" not in response.content.decode()


@pytest.mark.parametrize("category", ["abc", "999999", ""])
def test_new_service_form_ignores_an_unknown_category_parameter(owner_client, salon, category):
    # when
    response = owner_client.get(url("service_create"), {"category": category})

    # then
    assert response.status_code == 200
    assert response.context["form"]["category"].value() is None


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"price": "-1"}, {"price": ["Ensure this value is greater than or equal to 0."]}),
        (
            {"duration_minutes": "-30"},
            {"duration_minutes": ["Ensure this value is greater than or equal to 0."]},
        ),
        (
            {"duration_minutes": "0"},
            {"duration_minutes": ["Ensure this value is greater than or equal to 5."]},
        ),
        (
            {"duration_minutes": "1441"},
            {"duration_minutes": ["Ensure this value is less than or equal to 1440."]},
        ),
        (
            {"buffer_after_minutes": "241"},
            {"buffer_after_minutes": ["Ensure this value is less than or equal to 240."]},
        ),
        (
            {"price": "123456789.00"},
            {"price": ["Ensure that there are no more than 10 digits in total."]},
        ),
        (
            {"description": "x" * 2001},
            {"description": ["Ensure this value has at most 2000 characters (it has 2001)."]},
        ),
        ({"name": "haircut"}, {"name": ["A service with this name already exists."]}),
        ({"color": "red"}, {"color": ["Use a color in the form #RRGGBB."]}),
        (
            {"category": "OTHER"},
            {
                "category": [
                    "Select a valid choice. That choice is not one of the available choices."
                ]
            },
        ),
    ],
    ids=[
        "negative-price",
        "negative-duration",
        "zero-duration",
        "long-duration",
        "long-buffer",
        "huge-price",
        "long-description",
        "duplicate-name",
        "color",
        "other-salon-category",
    ],
)
def test_bad_service_input_is_a_form_error(owner_client, salon, other_salon, changes, errors):
    # given
    ServiceFactory(salon=salon, name="Haircut")
    other_category = ServiceCategoryFactory(salon=other_salon)
    if changes.get("category") == "OTHER":
        changes = {"category": str(other_category.pk)}
    before = catalogue_state()

    # when
    response = owner_client.post(
        url("service_create"), {**GOOD_SERVICE, "name": "Fringe", **changes}
    )

    # then
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert catalogue_state() == before


def test_editing_a_service_to_another_services_name_is_a_form_error(owner_client, salon):
    # given
    ServiceFactory(salon=salon, name="Haircut")
    fringe = ServiceFactory(salon=salon, name="Fringe")
    before = catalogue_state()

    # when
    response = owner_client.post(url("service_edit", pk=fringe.pk), GOOD_SERVICE)

    # then
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["A service with this name already exists."]}
    assert catalogue_state() == before
