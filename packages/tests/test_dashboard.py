"""The owner's package pages: the list by kind with its colours, creating and editing each
kind, deactivating and deleting, the client page's panel ("Add package", mark paid), the
marker in the client list, who may do what, other salons' ids, bad input and query counts."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookings.models import Client, Salon, Service
from packages.models import ClientPackage, PackageEntry, PackageType
from packages.services.holdings import client_package_assign, client_package_buy
from packages.services.usage import package_pay_appointment
from tests.factories import ClientFactory, ServiceFactory
from tests.test_no_server_errors import FIELDS, assert_no_server_error, garbage_for

from .conftest import make_type, package_row_counts, tallinn_day_at


def url(name: str, slug: str = "alpha", **kwargs: Any) -> str:
    return reverse(f"dashboard:{name}", kwargs={"salon_slug": slug, **kwargs})


def good_form(pkg, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "10 visits",
        "description": "Ten haircuts.",
        "price": "350.00",
        "visits": "10",
        "credit": "200",
        "validity_count": "6",
        "validity_unit": "months",
        "services": [pkg["service"].pk],
        "offered_online": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def staff_client(staff_user) -> HttpClient:
    http = HttpClient()
    http.force_login(staff_user)
    return http


# --- The list -----------------------------------------------------------------------------


def test_the_list_groups_packages_by_kind_with_their_colours(pkg, owner_client):
    # given one package of each kind
    make_type(pkg["salon"], [pkg["service"]], kind="visits", name="Ten visits")
    make_type(pkg["salon"], [pkg["service"]], kind="credit", name="Credit 100")
    make_type(pkg["salon"], [pkg["service"]], kind="time", name="Month pass")
    # when
    response = owner_client.get(url("packages"))
    # then: time (yellow), credit (purple), visits (green), each with "+ New …"
    html = response.content.decode()
    assert response.status_code == 200
    groups = re.findall(r'class="card package-group (package-\w+)" id="packages-(\w+)"', html)
    assert groups == [
        ("package-time", "time"),
        ("package-credit", "credit"),
        ("package-visits", "visits"),
    ]
    assert html.index("Month pass") < html.index("Credit 100") < html.index("Ten visits")
    for kind, label in [
        ("time", "+ New time pass"),
        ("credit", "+ New credit package"),
        ("visits", "+ New visit package"),
    ]:
        assert f'href="/dashboard/alpha/packages/new/{kind}/">{label}</a>' in html
    css = Path("static/css/app.css").read_text()
    assert ".package-time { --package-colour:#ca8a04" in css  # yellow
    assert ".package-credit { --package-colour:#7c3aed" in css  # purple
    assert ".package-visits { --package-colour:#16a34a" in css  # green


def test_the_side_navigation_links_to_packages(pkg, owner_client):
    html = owner_client.get(url("home")).content.decode()
    assert 'href="/dashboard/alpha/packages/"' in html


def test_staff_read_the_list_without_buttons_and_cannot_write(pkg, staff_client):
    package_type = make_type(pkg["salon"], [pkg["service"]])
    html = staff_client.get(url("packages")).content.decode()
    assert "5 visits" in html and "+ New" not in html and "Deactivate" not in html
    before = package_row_counts()
    for target in [
        url("packages_type_create", kind="visits"),
        url("packages_type_edit", pk=package_type.pk),
        url("packages_type_deactivate", pk=package_type.pk),
        url("packages_type_delete", pk=package_type.pk),
        url("packages_assign", client_id=pkg["client"].pk),
    ]:
        assert staff_client.post(target, good_form(pkg)).status_code == 403, target
    assert package_row_counts() == before


def test_another_salons_owner_gets_404(pkg, other_owner_client):
    package_type = make_type(pkg["salon"], [pkg["service"]])
    for target in [
        url("packages"),
        url("packages_type_edit", pk=package_type.pk),
    ]:
        assert other_owner_client.get(target).status_code == 404


def test_another_salons_ids_are_404(pkg, owner_client, other_salon):
    foreign_type = make_type(other_salon, [ServiceFactory(salon=other_salon)])
    foreign_client = ClientFactory(salon=other_salon)
    held = client_package_assign(
        salon=other_salon, client=foreign_client, package_type=foreign_type, actor=None
    )
    before = package_row_counts()
    assert owner_client.get(url("packages_type_edit", pk=foreign_type.pk)).status_code == 404
    for target in [
        url("packages_type_edit", pk=foreign_type.pk),
        url("packages_type_deactivate", pk=foreign_type.pk),
        url("packages_type_delete", pk=foreign_type.pk),
        url("packages_assign", client_id=foreign_client.pk),
        url("packages_mark_paid", pk=held.pk),
    ]:
        assert owner_client.post(target, good_form(pkg)).status_code == 404, target
    assert owner_client.get(url("packages_held_detail", pk=held.pk)).status_code == 404
    assert package_row_counts() == before


# --- Creating and editing -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "amount"),
    [("visits", {"visits": 10}), ("credit", {"credit": Decimal("200.00")}), ("time", {})],
)
def test_a_package_of_each_kind_is_created(pkg, owner_client, kind, amount):
    response = owner_client.post(url("packages_type_create", kind=kind), good_form(pkg))
    assert response.status_code == 302
    assert response["Location"] == url("packages")
    package_type = PackageType.objects.get()
    assert (package_type.kind, package_type.name, package_type.price) == (
        kind,
        "10 visits",
        Decimal("350.00"),
    )
    assert package_type.visits == amount.get("visits")
    assert package_type.credit == amount.get("credit")
    assert (package_type.validity_count, package_type.validity_unit) == (6, "months")
    assert list(package_type.services.all()) == [pkg["service"]]


def test_the_form_shows_only_the_fields_of_its_kind(pkg, owner_client):
    credit = owner_client.get(url("packages_type_create", kind="credit")).content.decode()
    visits = owner_client.get(url("packages_type_create", kind="visits")).content.decode()
    time = owner_client.get(url("packages_type_create", kind="time")).content.decode()
    assert 'name="credit"' in credit and 'name="visits"' not in credit
    assert 'name="visits"' in visits and 'name="credit"' not in visits
    assert 'name="credit"' not in time and 'name="visits"' not in time


def test_an_unknown_kind_is_404(pkg, owner_client):
    assert owner_client.get(url("packages_type_create", kind="forever")).status_code == 404


@pytest.mark.parametrize(
    ("kind", "changes", "field", "message"),
    [
        ("visits", {"price": "0"}, "price", "The price must be more than zero."),
        ("visits", {"price": "-10"}, "price", "The price must be more than zero."),
        ("visits", {"visits": "0"}, "visits", "A visit package has at least 1 visit."),
        ("credit", {"credit": "0"}, "credit", "The credit must be more than zero."),
        ("credit", {"credit": "-1"}, "credit", "The credit must be more than zero."),
        ("visits", {"validity_count": "0"}, "validity_count", "The validity must be at least 1."),
        (
            "time",
            {"validity_count": "", "validity_unit": ""},
            "validity_count",
            "A time pass needs a validity: the period it covers.",
        ),
        ("visits", {"services": []}, "services", "Choose the services the package covers."),
    ],
)
def test_bad_input_shows_the_error_on_the_form_and_writes_nothing(
    pkg, owner_client, kind, changes, field, message
):
    before = package_row_counts()
    response = owner_client.post(url("packages_type_create", kind=kind), good_form(pkg, **changes))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert package_row_counts() == before


def test_another_salons_service_is_refused_on_the_form(pkg, owner_client, other_salon):
    foreign = ServiceFactory(salon=other_salon)
    before = package_row_counts()
    response = owner_client.post(
        url("packages_type_create", kind="visits"),
        good_form(pkg, services=[pkg["service"].pk, foreign.pk]),
    )
    assert response.status_code == 200
    assert "services" in response.context["form"].errors
    assert package_row_counts() == before


def test_a_taken_name_is_refused_on_the_form(pkg, owner_client):
    make_type(pkg["salon"], [pkg["service"]], name="10 Visits")
    response = owner_client.post(url("packages_type_create", kind="visits"), good_form(pkg))
    assert response.context["form"].errors["name"] == ["A package with this name already exists."]
    assert PackageType.objects.count() == 1


def test_editing_a_package(pkg, owner_client):
    package_type = make_type(pkg["salon"], [pkg["service"]])
    page = owner_client.get(url("packages_type_edit", pk=package_type.pk)).content.decode()
    assert 'value="5 visits"' in page
    response = owner_client.post(
        url("packages_type_edit", pk=package_type.pk),
        good_form(pkg, name="Six visits", visits="6", services=[pkg["colour"].pk]),
    )
    assert response.status_code == 302
    package_type.refresh_from_db()
    assert (package_type.name, package_type.visits) == ("Six visits", 6)
    assert list(package_type.services.all()) == [pkg["colour"]]


# --- Deactivate, don't delete -----------------------------------------------------------


def test_deactivating_and_activating_again(pkg, owner_client):
    package_type = make_type(pkg["salon"], [pkg["service"]])
    response = owner_client.post(url("packages_type_deactivate", pk=package_type.pk), follow=True)
    package_type.refresh_from_db()
    assert package_type.is_active is False
    assert "the packages clients hold stay valid" in response.content.decode()
    owner_client.post(url("packages_type_activate", pk=package_type.pk))
    package_type.refresh_from_db()
    assert package_type.is_active is True


def test_deleting_a_held_package_is_refused_and_points_to_deactivation(pkg, owner_client):
    package_type = make_type(pkg["salon"], [pkg["service"]])
    client_package_assign(
        salon=pkg["salon"], client=pkg["client"], package_type=package_type, actor=None
    )
    before = package_row_counts()
    response = owner_client.post(url("packages_type_delete", pk=package_type.pk), follow=True)
    html = response.content.decode()
    assert "cannot be deleted" in html and "Deactivate it instead" in html
    assert package_row_counts() == before


def test_deleting_a_package_nobody_holds(pkg, owner_client):
    package_type = make_type(pkg["salon"], [pkg["service"]])
    owner_client.post(url("packages_type_delete", pk=package_type.pk))
    assert not PackageType.objects.exists()


def test_a_get_of_an_action_is_not_allowed(pkg, owner_client):
    package_type = make_type(pkg["salon"], [pkg["service"]])
    assert owner_client.get(url("packages_type_delete", pk=package_type.pk)).status_code == 405
    assert PackageType.objects.exists()


# --- The client page ----------------------------------------------------------------------


def test_the_client_page_shows_each_package_with_its_state_and_history(pkg, owner_client):
    # given a visit package used once and a credit package waiting for payment
    visits = client_package_assign(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=make_type(pkg["salon"], [pkg["service"]], name="Five visits"),
        actor=None,
    )
    package_pay_appointment(appointment=pkg["appointment"](starts_at=tallinn_day_at(2, 10)))
    credit = client_package_buy(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=make_type(pkg["salon"], [pkg["service"]], kind="credit", name="Credit 100"),
    )
    # when
    html = owner_client.get(url("client_detail", pk=pkg["client"].pk)).content.decode()
    # then
    assert 'id="client-packages"' in html
    assert f'id="client-package-{visits.pk}"' in html
    assert "4 of 5 visits left" in html
    assert "Paid: Haircut on" in html
    assert f'id="client-package-{credit.pk}"' in html
    assert "100.00 of 100.00 EUR left" in html
    assert "Waiting for payment" in html
    assert url("packages_mark_paid", pk=credit.pk) in html
    assert "package-visits" in html and "package-credit" in html
    assert "Add package" in html


def test_assigning_for_existing_bookings_from_the_client_page(pkg, owner_client, owner):
    # given two booked appointments and a 5-visit package
    package_type = make_type(pkg["salon"], [pkg["service"]])
    first, second = pkg["appointment"](), pkg["appointment"]()
    # when
    response = owner_client.post(
        url("packages_assign", client_id=pkg["client"].pk),
        {"package_type": package_type.pk, "expires_on": "", "apply_to": "existing"},
        follow=True,
    )
    # then
    assert response.redirect_chain[-1][0] == url("client_detail", pk=pkg["client"].pk)
    held = ClientPackage.objects.get()
    assert (held.visits_left, held.created_by, held.source) == (3, owner, "assigned")
    assert held.expires_on is None  # the type has no validity
    assert set(PackageEntry.objects.filter(kind="used").values_list("appointment", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert "It pays 2 of their booked appointments." in response.content.decode()


def test_assigning_for_new_bookings_only_with_an_expiry(pkg, owner_client):
    package_type = make_type(pkg["salon"], [pkg["service"]])
    pkg["appointment"]()
    expiry = tallinn_day_at(30, 0).date()
    owner_client.post(
        url("packages_assign", client_id=pkg["client"].pk),
        {"package_type": package_type.pk, "expires_on": expiry.isoformat(), "apply_to": "new"},
    )
    held = ClientPackage.objects.get()
    assert (held.visits_left, held.expires_on) == (5, expiry)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"expires_on": "2001-01-01"}, "expires_on"),
        ({"expires_on": "2026-02-30"}, "expires_on"),
        ({"apply_to": "sometimes"}, "apply_to"),
        ({"package_type": "99999999999999999999999"}, "package_type"),
        ({"package_type": "abc"}, "package_type"),
    ],
)
def test_bad_assign_input_shows_the_error_in_the_panel_and_writes_nothing(
    pkg, owner_client, data, field
):
    package_type = make_type(pkg["salon"], [pkg["service"]])
    before = package_row_counts()
    body = {"package_type": package_type.pk, "expires_on": "", "apply_to": "new", **data}
    response = owner_client.post(url("packages_assign", client_id=pkg["client"].pk), body)
    assert response.status_code == 200
    assert field in response.context["packages_assign_form"].errors
    assert 'id="client-packages"' in response.content.decode()
    assert package_row_counts() == before


def test_a_deactivated_or_another_salons_package_cannot_be_assigned(pkg, owner_client, other_salon):
    inactive = make_type(pkg["salon"], [pkg["service"]], is_active=False)
    foreign = make_type(other_salon, [ServiceFactory(salon=other_salon)])
    before = package_row_counts()
    for package_type in (inactive, foreign):
        response = owner_client.post(
            url("packages_assign", client_id=pkg["client"].pk),
            {"package_type": package_type.pk, "apply_to": "new"},
        )
        assert response.context["packages_assign_form"].errors["package_type"] == [
            "Choose one of the active packages of this salon."
        ]
    assert package_row_counts() == before


def test_marking_a_purchase_paid_from_the_client_page(pkg, owner_client, owner):
    appointment = pkg["appointment"]()
    held = client_package_buy(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=make_type(pkg["salon"], [pkg["service"]]),
    )
    response = owner_client.post(
        url("packages_mark_paid", pk=held.pk), {"back": "client", "apply_to_existing": "on"}
    )
    assert response["Location"] == url("client_detail", pk=pkg["client"].pk)
    held.refresh_from_db()
    assert (held.status, held.paid_by, held.visits_left) == ("active", owner, 4)
    assert PackageEntry.objects.get(kind="used").appointment == appointment
    # twice: a message, nothing more
    response = owner_client.post(url("packages_mark_paid", pk=held.pk), follow=True)
    assert "This package is paid already." in response.content.decode()
    assert PackageEntry.objects.filter(kind="used").count() == 1


def test_the_pending_purchases_are_listed_on_the_packages_page(pkg, owner_client):
    held = client_package_buy(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=make_type(pkg["salon"], [pkg["service"]]),
    )
    html = owner_client.get(url("packages")).content.decode()
    assert 'id="pending-purchases"' in html
    assert url("packages_mark_paid", pk=held.pk) in html


def test_the_held_package_page_shows_its_whole_ledger(pkg, owner_client):
    held = client_package_assign(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=make_type(pkg["salon"], [pkg["service"]], visits=20),
        actor=None,
    )
    for _ in range(12):
        package_pay_appointment(appointment=pkg["appointment"]())
    response = owner_client.get(url("packages_held_detail", pk=held.pk))
    assert response.status_code == 200
    assert len(response.context["entries"]) == 13
    assert "8 of 20 visits left" in response.content.decode()


# --- The client list's marker -------------------------------------------------------------


def test_package_holders_have_a_marker_in_the_client_list(pkg, owner_client):
    other = ClientFactory(salon=pkg["salon"], first_name="Other")
    client_package_assign(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=make_type(pkg["salon"], [pkg["service"]]),
        actor=None,
    )
    response = owner_client.get(url("client_list"))
    rows = {c.pk: [b.title for b in c.badges] for c in response.context["page_obj"].object_list}
    assert rows == {pkg["client"].pk: ["Holds a package"], other.pk: []}
    assert 'class="badge client-badge package-holder" title="Holds a package"' in (
        response.content.decode()
    )


def _queries(http: HttpClient, target: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert http.get(target).status_code == 200
    return len(captured)


def test_the_client_list_costs_the_same_queries_with_many_package_holders(
    pkg, owner_client, django_assert_max_num_queries
):
    package_type = make_type(pkg["salon"], [pkg["service"]])
    client_package_assign(
        salon=pkg["salon"], client=pkg["client"], package_type=package_type, actor=None
    )
    few = _queries(owner_client, url("client_list"))
    for _ in range(30):
        client_package_assign(
            salon=pkg["salon"],
            client=ClientFactory(salon=pkg["salon"]),
            package_type=package_type,
            actor=None,
        )
    with django_assert_max_num_queries(few):
        response = owner_client.get(url("client_list"))
    assert sum(bool(c.badges) for c in response.context["page_obj"].object_list) == 25


def test_the_pages_cost_the_same_queries_for_few_and_many_rows(
    pkg, owner_client, django_assert_max_num_queries
):
    # given one package of each kind, held, with a use
    for kind in ("visits", "credit", "time"):
        client_package_assign(
            salon=pkg["salon"],
            client=pkg["client"],
            package_type=make_type(pkg["salon"], [pkg["service"]], kind=kind, name=kind),
            actor=None,
        )
    package_pay_appointment(appointment=pkg["appointment"]())
    pages = [url("packages"), url("client_detail", pk=pkg["client"].pk)]
    few = [_queries(owner_client, page) for page in pages]
    # when there are 30 types, 20 packages held and 40 uses
    for i in range(27):
        make_type(pkg["salon"], [pkg["service"], pkg["colour"]], name=f"Type {i}")
    for i in range(17):
        client_package_buy(
            salon=pkg["salon"],
            client=pkg["client"],
            package_type=PackageType.objects.get(name=f"Type {i}"),
        )
    for _ in range(40):
        package_pay_appointment(appointment=pkg["appointment"]())
    # then
    for page, count in zip(pages, few, strict=True):
        with django_assert_max_num_queries(count):
            owner_client.get(page)


# --- No inline code, garbage -------------------------------------------------------------


def test_the_pages_have_no_inline_scripts_or_styles(pkg, owner_client):
    package_type = make_type(pkg["salon"], [pkg["service"]])
    held = client_package_assign(
        salon=pkg["salon"], client=pkg["client"], package_type=package_type, actor=None
    )
    for target in [
        url("packages"),
        url("packages_type_create", kind="time"),
        url("packages_type_edit", pk=package_type.pk),
        url("client_detail", pk=pkg["client"].pk),
        url("packages_held_detail", pk=held.pk),
    ]:
        html = owner_client.get(target).content.decode()
        assert "style=" not in html, target
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), target


PACKAGE_FIELDS = [
    "credit",
    "visits",
    "validity_count",
    "validity_unit",
    "offered_online",
    "package_type",
    "expires_on",
    "apply_to",
    "apply_to_existing",
    "back",
]


def test_package_pages_survive_garbage_on_the_demo_salon(db):
    call_command("seed_demo", stdout=io.StringIO())
    salon = Salon.objects.get(slug="demo")
    owner = get_user_model().objects.get(email="owner@demo.salonbook.test")
    client = Client.objects.for_salon(salon).first()
    service = Service.objects.for_salon(salon).first()
    package_type = make_type(salon, [service])
    held = client_package_buy(salon=salon, client=client, package_type=package_type)
    urls = [
        url(name, slug="demo", **kwargs)
        for name, kwargs in [
            ("packages", {}),
            ("packages_type_create", {"kind": "visits"}),
            ("packages_type_create", {"kind": "credit"}),
            ("packages_type_create", {"kind": "time"}),
            ("packages_type_edit", {"pk": package_type.pk}),
            ("packages_type_deactivate", {"pk": package_type.pk}),
            ("packages_type_activate", {"pk": package_type.pk}),
            ("packages_assign", {"client_id": client.pk}),
            ("packages_held_detail", {"pk": held.pk}),
            ("packages_mark_paid", {"pk": held.pk}),
            ("client_detail", {"pk": client.pk}),
            ("client_list", {}),
        ]
    ]
    http = HttpClient(raise_request_exception=False)
    http.force_login(owner)
    assert_no_server_error(http, urls)
    fields = sorted({*FIELDS, *PACKAGE_FIELDS})
    failures = []
    for shift in range(4):
        for target in urls:
            response = http.post(target, garbage_for(fields, shift))
            if response.status_code >= 500:
                failures.append(f"POST {target} (shift {shift}) → {response.status_code}")
    assert failures == []
