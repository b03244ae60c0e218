"""Owner API of packages (`/api/v1/salons/<slug>/packages/…`): package types, a client's
packages, assigning, marking paid and the usage ledger — exact answers, bad input next to the
good case (400, nothing written), who may call what (members read, owners and managers write,
other salons 404), and flat query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from packages.models import ClientPackage, PackageEntry, PackageType
from packages.services.holdings import client_package_assign, client_package_buy
from packages.services.usage import package_pay_appointment
from tests.factories import ClientFactory, ServiceFactory

from .conftest import TALLINN, make_type, package_row_counts

BASE = "/api/v1/salons/alpha/packages/"


def type_body(pkg, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "visits",
        "name": "10 visits",
        "price": "350.00",
        "visits": 10,
        "validity_count": 6,
        "validity_unit": "months",
        "services": [pkg["service"].pk],
    }
    body.update(changes)
    return body


@pytest.fixture
def staff_api(staff_user) -> APIClient:
    api = APIClient()
    api.force_authenticate(staff_user)
    return api


@pytest.fixture
def other_api(other_owner) -> APIClient:
    api = APIClient()
    api.force_authenticate(other_owner)
    return api


# --- Package types --------------------------------------------------------------------------


def test_create_a_package_type(pkg, owner_api):
    response = owner_api.post(f"{BASE}package-types/", type_body(pkg), format="json")
    assert response.status_code == 201, response.json()
    package_type = PackageType.objects.get()
    body = response.json()
    assert body == {
        "id": package_type.pk,
        "kind": "visits",
        "name": "10 visits",
        "description": "",
        "price": "350.00",
        "credit": None,
        "visits": 10,
        "validity_count": 6,
        "validity_unit": "months",
        "services": [pkg["service"].pk],
        "offered_online": True,
        "is_active": True,
        "created_at": body["created_at"],
    }


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"price": "0"}, {"price": ["The price must be more than zero."]}),
        ({"price": "-1"}, {"price": ["The price must be more than zero."]}),
        ({"visits": 0}, {"visits": ["A visit package has at least 1 visit."]}),
        ({"visits": -2}, {"visits": ["A visit package has at least 1 visit."]}),
        (
            {"kind": "credit", "visits": None, "credit": "0"},
            {"credit": ["The credit must be more than zero."]},
        ),
        ({"validity_count": 0}, {"validity_count": ["The validity must be at least 1."]}),
        (
            {"kind": "time", "visits": None, "validity_count": None, "validity_unit": ""},
            {"validity_count": ["A time pass needs a validity: the period it covers."]},
        ),
        ({"kind": "gold"}, {"kind": ["Choose a time pass, a credit package or a visit package."]}),
        ({"services": []}, {"services": ["Choose the services the package covers."]}),
    ],
)
def test_bad_package_types_are_400_and_nothing_written(pkg, owner_api, changes, errors):
    before = package_row_counts()
    response = owner_api.post(f"{BASE}package-types/", type_body(pkg, **changes), format="json")
    assert response.status_code == 400
    assert response.json() == errors
    assert package_row_counts() == before


def test_another_salons_service_is_an_invalid_pk(pkg, owner_api, other_salon):
    foreign = ServiceFactory(salon=other_salon)
    before = package_row_counts()
    response = owner_api.post(
        f"{BASE}package-types/", type_body(pkg, services=[foreign.pk]), format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["services"]
    assert "Invalid pk" in response.json()["services"][0]
    assert package_row_counts() == before


def test_list_get_and_patch_a_package_type(pkg, owner_api):
    package_type = make_type(pkg["salon"], [pkg["service"]])
    listing = owner_api.get(f"{BASE}package-types/").json()
    assert [row["id"] for row in listing["results"]] == [package_type.pk]
    response = owner_api.patch(
        f"{BASE}package-types/{package_type.pk}/",
        {"price": "120.00", "services": [pkg["colour"].pk]},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["price"], response.json()["services"]) == (
        "120.00",
        [pkg["colour"].pk],
    )
    assert owner_api.get(f"{BASE}package-types/{package_type.pk}/").json()["price"] == "120.00"


def test_the_kind_cannot_be_patched(pkg, owner_api):
    package_type = make_type(pkg["salon"], [pkg["service"]])
    response = owner_api.patch(
        f"{BASE}package-types/{package_type.pk}/", {"kind": "time"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["kind"]


def test_deactivate_and_activate(pkg, owner_api):
    package_type = make_type(pkg["salon"], [pkg["service"]])
    response = owner_api.post(f"{BASE}package-types/{package_type.pk}/deactivate/")
    assert (response.status_code, response.json()["is_active"]) == (200, False)
    response = owner_api.post(f"{BASE}package-types/{package_type.pk}/activate/")
    assert (response.status_code, response.json()["is_active"]) == (200, True)


def test_deleting_a_held_type_is_400_pointing_to_deactivation(pkg, owner_api):
    package_type = make_type(pkg["salon"], [pkg["service"]])
    client_package_assign(
        salon=pkg["salon"], client=pkg["client"], package_type=package_type, actor=None
    )
    before = package_row_counts()
    response = owner_api.delete(f"{BASE}package-types/{package_type.pk}/")
    assert response.status_code == 400
    message = response.json()["non_field_errors"][0]
    assert "cannot be deleted" in message and "Deactivate it instead" in message
    assert package_row_counts() == before


def test_deleting_a_type_nobody_holds(pkg, owner_api):
    package_type = make_type(pkg["salon"], [pkg["service"]])
    assert owner_api.delete(f"{BASE}package-types/{package_type.pk}/").status_code == 204
    assert not PackageType.objects.exists()


# --- A client's packages ------------------------------------------------------------------


def test_assign_for_existing_bookings(pkg, owner_api, owner):
    package_type = make_type(pkg["salon"], [pkg["service"]], visits=2)
    first, second, third = (pkg["appointment"]() for _ in range(3))
    response = owner_api.post(
        f"{BASE}clients/{pkg['client'].pk}/packages/",
        {"package_type": package_type.pk, "apply_to_existing": True},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    held = ClientPackage.objects.get()
    assert body["id"] == held.pk
    assert (body["status"], body["state"], body["visits_left"], body["expires_on"]) == (
        "active",
        "used_up",
        0,
        None,
    )
    assert [(e["kind"], e["visits"], e["appointment"]) for e in body["entries"]][::-1] == [
        ("issued", 2, None),
        ("used", -1, first.pk),
        ("used", -1, second.pk),
    ]
    assert held.created_by == owner
    assert third.pk not in PackageEntry.objects.values_list("appointment", flat=True)


def test_assign_with_an_expiry_or_none(pkg, owner_api):
    package_type = make_type(
        pkg["salon"], [pkg["service"]], validity_count=1, validity_unit="months"
    )
    day = (timezone.localdate(timezone.now(), TALLINN) + dt.timedelta(days=5)).isoformat()
    url = f"{BASE}clients/{pkg['client'].pk}/packages/"
    given = owner_api.post(url, {"package_type": package_type.pk, "expires_on": day}, format="json")
    none = owner_api.post(url, {"package_type": package_type.pk, "expires_on": None}, format="json")
    default = owner_api.post(url, {"package_type": package_type.pk}, format="json")
    assert given.json()["expires_on"] == day
    assert none.json()["expires_on"] is None
    assert default.json()["expires_on"] is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"expires_on": "2001-01-01"}, "expires_on"),
        ({"expires_on": "2026-02-30"}, "expires_on"),
        ({"package_type": 999999}, "package_type"),
        ({"package_type": "x"}, "package_type"),
        ({"apply_to_existing": "maybe"}, "apply_to_existing"),
    ],
)
def test_bad_assignments_are_400_and_nothing_written(pkg, owner_api, body, field):
    package_type = make_type(pkg["salon"], [pkg["service"]])
    before = package_row_counts()
    response = owner_api.post(
        f"{BASE}clients/{pkg['client'].pk}/packages/",
        {"package_type": package_type.pk, **body},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert package_row_counts() == before


def test_a_deactivated_or_another_salons_package_cannot_be_assigned(pkg, owner_api, other_salon):
    inactive = make_type(pkg["salon"], [pkg["service"]], is_active=False)
    foreign = make_type(other_salon, [ServiceFactory(salon=other_salon)])
    before = package_row_counts()
    url = f"{BASE}clients/{pkg['client'].pk}/packages/"
    response = owner_api.post(url, {"package_type": inactive.pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "package_type": [
            "This package is deactivated, so it cannot be assigned. Activate it first."
        ]
    }
    response = owner_api.post(url, {"package_type": foreign.pk}, format="json")
    assert response.status_code == 400
    assert "Invalid pk" in response.json()["package_type"][0]
    assert package_row_counts() == before


def test_a_clients_packages_and_one_package_with_its_ledger(pkg, owner_api):
    held = client_package_assign(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=make_type(pkg["salon"], [pkg["service"]], kind="credit", credit="100"),
        actor=None,
    )
    appointment = pkg["appointment"]()
    package_pay_appointment(appointment=appointment)
    listing = owner_api.get(f"{BASE}clients/{pkg['client'].pk}/packages/").json()
    assert [(r["id"], r["credit_left"]) for r in listing["results"]] == [(held.pk, "60.00")]
    detail = owner_api.get(f"{BASE}client-packages/{held.pk}/").json()
    assert [(e["kind"], e["credit"]) for e in detail["entries"]] == [
        ("used", "-40.00"),
        ("issued", "100.00"),
    ]
    assert detail["entries"][0]["description"].startswith("Paid: Haircut on ")
    entries = owner_api.get(f"{BASE}client-packages/{held.pk}/entries/").json()
    assert entries["count"] == 2
    assert entries["results"][0]["appointment"] == appointment.pk


def test_pending_purchases_are_listed_and_marked_paid(pkg, owner_api):
    held = client_package_buy(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=make_type(pkg["salon"], [pkg["service"]]),
    )
    client_package_assign(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=make_type(pkg["salon"], [pkg["service"]], name="Other"),
        actor=None,
    )
    pending = owner_api.get(f"{BASE}client-packages/", {"status": "pending"}).json()
    assert [r["id"] for r in pending["results"]] == [held.pk]
    assert owner_api.get(f"{BASE}client-packages/", {"status": "gone"}).status_code == 400
    response = owner_api.post(f"{BASE}client-packages/{held.pk}/mark-paid/", {}, format="json")
    assert (response.status_code, response.json()["status"]) == (200, "active")
    again = owner_api.post(f"{BASE}client-packages/{held.pk}/mark-paid/", {}, format="json")
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["This package is paid already."]}


# --- Access -------------------------------------------------------------------------------


def test_staff_read_but_cannot_write(pkg, staff_api):
    package_type = make_type(pkg["salon"], [pkg["service"]])
    before = package_row_counts()
    assert staff_api.get(f"{BASE}package-types/").status_code == 200
    assert staff_api.get(f"{BASE}clients/{pkg['client'].pk}/packages/").status_code == 200
    for method, url, body in [
        ("post", f"{BASE}package-types/", type_body(pkg)),
        ("patch", f"{BASE}package-types/{package_type.pk}/", {"price": "1"}),
        ("delete", f"{BASE}package-types/{package_type.pk}/", None),
        ("post", f"{BASE}package-types/{package_type.pk}/deactivate/", None),
        ("post", f"{BASE}clients/{pkg['client'].pk}/packages/", {"package_type": package_type.pk}),
    ]:
        assert getattr(staff_api, method)(url, body, format="json").status_code == 403, url
    assert package_row_counts() == before


def test_anonymous_is_401(pkg):
    assert APIClient().get(f"{BASE}package-types/").status_code == 401


def test_other_salons_ids_are_404(pkg, owner_api, other_salon):
    foreign_type = make_type(other_salon, [ServiceFactory(salon=other_salon)])
    foreign_client = ClientFactory(salon=other_salon)
    held = client_package_buy(salon=other_salon, client=foreign_client, package_type=foreign_type)
    before = package_row_counts()
    for method, url in [
        ("get", f"{BASE}package-types/{foreign_type.pk}/"),
        ("patch", f"{BASE}package-types/{foreign_type.pk}/"),
        ("delete", f"{BASE}package-types/{foreign_type.pk}/"),
        ("post", f"{BASE}package-types/{foreign_type.pk}/deactivate/"),
        ("get", f"{BASE}clients/{foreign_client.pk}/packages/"),
        ("post", f"{BASE}clients/{foreign_client.pk}/packages/"),
        ("get", f"{BASE}client-packages/{held.pk}/"),
        ("post", f"{BASE}client-packages/{held.pk}/mark-paid/"),
        ("get", f"{BASE}client-packages/{held.pk}/entries/"),
    ]:
        assert getattr(owner_api, method)(url, {}, format="json").status_code == 404, url
    assert package_row_counts() == before


def test_another_salons_owner_gets_404_for_the_salon(pkg, other_api):
    assert other_api.get(f"{BASE}package-types/").status_code == 404


# --- Queries ------------------------------------------------------------------------------


def _more_types(pkg, n: int) -> None:
    start = PackageType.objects.count()
    for i in range(n):
        make_type(pkg["salon"], [pkg["service"], pkg["colour"]], name=f"T{start + i}")


def _more_held(pkg, n: int) -> None:
    package_type = PackageType.objects.first() or make_type(pkg["salon"], [pkg["service"]])
    for _ in range(n):
        client_package_assign(
            salon=pkg["salon"], client=pkg["client"], package_type=package_type, actor=None
        )


def _more_uses(pkg, n: int) -> None:
    if not ClientPackage.objects.exists():
        _more_held(pkg, 1)
        ClientPackage.objects.update(visits_total=1000, visits_left=1000)
        PackageEntry.objects.update(visits=1000)
    for _ in range(n):
        package_pay_appointment(appointment=pkg["appointment"]())


@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("package-types/", _more_types),
        ("clients/{client}/packages/", _more_held),
        ("client-packages/", _more_held),
        ("client-packages/{held}/", _more_uses),
        ("client-packages/{held}/entries/", _more_uses),
    ],
)
def test_query_counts_do_not_grow(pkg, owner_api, django_assert_max_num_queries, url, make):
    make(pkg, 3)
    if "{held}" in url and not ClientPackage.objects.exists():
        _more_held(pkg, 1)
    held = ClientPackage.objects.order_by("pk").first()
    target = BASE + url.format(client=pkg["client"].pk, held=held.pk if held else 0)
    with django_assert_max_num_queries(12) as few:
        assert owner_api.get(target).status_code == 200
    make(pkg, 27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert owner_api.get(target).status_code == 200


def test_decimal_answers_are_exact(pkg, owner_api):
    response = owner_api.post(
        f"{BASE}package-types/",
        type_body(pkg, kind="credit", visits=None, credit="99.90", price="89.10"),
        format="json",
    )
    package_type = PackageType.objects.get()
    assert (package_type.credit, package_type.price) == (Decimal("99.90"), Decimal("89.10"))
    assert (response.json()["credit"], response.json()["price"]) == ("99.90", "89.10")
