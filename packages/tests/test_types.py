"""Package types: creating and editing each kind, bad input next to the good case, validity
arithmetic, deactivating, and deleting only what nobody holds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from packages.models import ClientPackage, PackageKind, PackageType, PackageTypeService
from packages.services.holdings import client_package_assign
from packages.services.types import (
    package_type_create,
    package_type_delete,
    package_type_set_active,
    package_type_update,
)
from packages.validity import validity_end
from tests.factories import ServiceFactory

from .conftest import make_type, package_row_counts


def _create(pkg, **kwargs):
    data = {
        "kind": PackageKind.VISITS,
        "name": "10 visits",
        "price": Decimal("300.00"),
        "visits": 10,
        "services": [pkg["service"]],
    }
    data.update(kwargs)
    return package_type_create(salon=pkg["salon"], **data)


# --- Creating each kind -------------------------------------------------------------------


def test_a_visit_package_is_created_with_its_services(pkg):
    # when
    package_type = _create(
        pkg, services=[pkg["service"], pkg["colour"]], validity_count=6, validity_unit="months"
    )
    # then
    package_type.refresh_from_db()
    assert (package_type.kind, package_type.visits, package_type.credit) == ("visits", 10, None)
    assert (package_type.validity_count, package_type.validity_unit) == (6, "months")
    assert package_type.offered_online and package_type.is_active
    assert set(package_type.services.all()) == {pkg["service"], pkg["colour"]}
    assert PackageTypeService.objects.filter(salon=pkg["salon"]).count() == 2


def test_a_credit_package_is_created(pkg):
    package_type = _create(pkg, kind="credit", name="Credit 200", visits=None, credit="200.00")
    package_type.refresh_from_db()
    assert (package_type.credit, package_type.visits) == (Decimal("200.00"), None)


def test_a_time_pass_is_created_with_its_period(pkg):
    package_type = _create(
        pkg, kind="time", name="Month", visits=None, validity_count=1, validity_unit="months"
    )
    package_type.refresh_from_db()
    assert (package_type.credit, package_type.visits, package_type.validity_count) == (
        None,
        None,
        1,
    )


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"price": Decimal("0")}, {"price": ["The price must be more than zero."]}),
        ({"price": Decimal("-5")}, {"price": ["The price must be more than zero."]}),
        ({"price": None}, {"price": ["Give the price."]}),
        ({"price": Decimal("100001")}, {"price": ["The price can be at most 100000."]}),
        ({"visits": 0}, {"visits": ["A visit package has at least 1 visit."]}),
        ({"visits": -3}, {"visits": ["A visit package has at least 1 visit."]}),
        ({"visits": None}, {"visits": ["Give the number of visits."]}),
        ({"visits": 1001}, {"visits": ["At most 1000 visits."]}),
        (
            {"kind": "credit", "visits": None, "credit": Decimal("0")},
            {"credit": ["The credit must be more than zero."]},
        ),
        (
            {"kind": "credit", "visits": None, "credit": Decimal("-1")},
            {"credit": ["The credit must be more than zero."]},
        ),
        (
            {"kind": "credit", "visits": None},
            {"credit": ["Give the credit of the package."]},
        ),
        (
            {"credit": Decimal("10")},
            {"credit": ["Only a credit package has a credit."]},
        ),
        (
            {"kind": "time", "visits": None},
            {"validity_count": ["A time pass needs a validity: the period it covers."]},
        ),
        (
            {"validity_count": 0, "validity_unit": "days"},
            {"validity_count": ["The validity must be at least 1."]},
        ),
        (
            {"validity_count": -1, "validity_unit": "days"},
            {"validity_count": ["The validity must be at least 1."]},
        ),
        (
            {"validity_count": 3, "validity_unit": ""},
            {"validity_unit": ["Choose days, months or years."]},
        ),
        (
            {"validity_unit": "months"},
            {"validity_count": ["Give the number of months the package is valid."]},
        ),
        (
            {"validity_count": 11, "validity_unit": "years"},
            {"validity_count": ["At most 10 years."]},
        ),
        (
            {"kind": "forever"},
            {"kind": ["Choose a time pass, a credit package or a visit package."]},
        ),
        ({"services": []}, {"services": ["Choose the services the package covers."]}),
    ],
)
def test_bad_input_is_refused_with_a_field_error_and_nothing_written(pkg, changes, errors):
    # given
    before = package_row_counts()
    # when
    with pytest.raises(ValidationError) as exc:
        _create(pkg, **changes)
    # then
    assert exc.value.message_dict == errors
    assert package_row_counts() == before


def test_another_salons_service_is_refused_and_nothing_written(pkg, other_salon):
    # given
    foreign = ServiceFactory(salon=other_salon, name="Foreign")
    before = package_row_counts()
    # when
    with pytest.raises(ValidationError) as exc:
        _create(pkg, services=[pkg["service"], foreign])
    # then
    assert exc.value.message_dict == {"services": ["Choose services of this salon."]}
    assert package_row_counts() == before


def test_a_taken_name_is_refused(pkg):
    _create(pkg)
    before = package_row_counts()
    with pytest.raises(ValidationError) as exc:
        _create(pkg)
    assert list(exc.value.message_dict) == ["name"]
    assert package_row_counts() == before


def test_the_same_name_in_another_salon_is_fine(pkg, other_salon):
    _create(pkg)
    other = ServiceFactory(salon=other_salon)
    package_type_create(
        salon=other_salon, kind="visits", name="10 visits", price="10", visits=1, services=[other]
    )
    assert PackageType.objects.filter(name="10 visits").count() == 2


# --- Editing ------------------------------------------------------------------------------


def test_editing_changes_the_fields_and_the_services(pkg):
    package_type = _create(pkg)
    package_type_update(
        package_type=package_type, name="Ten visits", price=Decimal("280"), services=[pkg["colour"]]
    )
    package_type.refresh_from_db()
    assert (package_type.name, package_type.price) == ("Ten visits", Decimal("280.00"))
    assert list(package_type.services.all()) == [pkg["colour"]]


def test_the_kind_cannot_change(pkg):
    package_type = _create(pkg)
    with pytest.raises(ValidationError) as exc:
        package_type_update(package_type=package_type, kind="credit", credit=Decimal("5"))
    assert exc.value.message_dict == {
        "kind": ["The type of a package cannot change; create a new package instead."]
    }
    package_type.refresh_from_db()
    assert package_type.kind == "visits"


def test_a_bad_edit_writes_nothing(pkg):
    package_type = _create(pkg)
    with pytest.raises(ValidationError):
        package_type_update(package_type=package_type, price=Decimal("0"), services=[pkg["colour"]])
    package_type.refresh_from_db()
    assert package_type.price == Decimal("300.00")
    assert list(package_type.services.all()) == [pkg["service"]]


def test_an_edit_changes_new_packages_only_but_the_services_of_all(pkg):
    # given a client holding 10 visits
    package_type = _create(pkg)
    held = client_package_assign(
        salon=pkg["salon"], client=pkg["client"], package_type=package_type, actor=None
    )
    # when the type becomes 12 visits for Colour only
    package_type_update(package_type=package_type, visits=12, services=[pkg["colour"]])
    # then the held package keeps 10 visits, and covers what the type covers now
    held.refresh_from_db()
    assert (held.visits_total, held.visits_left) == (10, 10)
    assert list(held.package_type.services.all()) == [pkg["colour"]]


# --- Deactivating and deleting ----------------------------------------------------------


def test_deactivating_keeps_the_packages_clients_hold(pkg):
    package_type = _create(pkg)
    held = client_package_assign(
        salon=pkg["salon"], client=pkg["client"], package_type=package_type, actor=None
    )
    package_type_set_active(package_type=package_type, active=False)
    package_type.refresh_from_db()
    held.refresh_from_db()
    assert package_type.is_active is False
    assert held.status == ClientPackage.Status.ACTIVE


def test_deleting_a_held_type_is_refused_with_a_pointer_to_deactivation(pkg):
    # given
    package_type = _create(pkg)
    client_package_assign(
        salon=pkg["salon"], client=pkg["client"], package_type=package_type, actor=None
    )
    before = package_row_counts()
    # when
    with pytest.raises(ValidationError) as exc:
        package_type_delete(package_type=package_type)
    # then
    assert "cannot be deleted" in exc.value.messages[0]
    assert "Deactivate it instead" in exc.value.messages[0]
    assert package_row_counts() == before


def test_a_type_nobody_held_is_deleted(pkg):
    package_type = _create(pkg)
    package_type_delete(package_type=package_type)
    assert PackageType.objects.count() == 0
    assert PackageTypeService.objects.count() == 0


# --- Validity arithmetic ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "count", "unit", "last_day"),
    [
        (dt.date(2026, 3, 1), 10, "days", dt.date(2026, 3, 10)),
        (dt.date(2026, 3, 1), 1, "days", dt.date(2026, 3, 1)),
        (dt.date(2026, 3, 15), 1, "months", dt.date(2026, 4, 14)),
        (dt.date(2026, 1, 31), 1, "months", dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), 1, "months", dt.date(2028, 2, 29)),
        (dt.date(2026, 11, 20), 3, "months", dt.date(2027, 2, 19)),
        (dt.date(2026, 3, 1), 1, "years", dt.date(2027, 2, 28)),
        (dt.date(2028, 2, 29), 1, "years", dt.date(2029, 2, 28)),
        (dt.date(2026, 3, 1), None, "", None),
    ],
)
def test_validity_end(start, count, unit, last_day):
    assert validity_end(start, count, unit) == last_day


def test_make_type_helper_writes_a_valid_row(pkg):
    package_type = make_type(pkg["salon"], [pkg["service"]], kind="time")
    package_type.full_clean()
