"""Races on PostgreSQL, each contender on its own connection: no package balance goes below
zero however bookings race, an appointment is paid once, a use is returned once, and one
purchase waits for payment per client and type."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bookings.checkout import ClientDetails, checkout_complete
from bookings.models import Appointment
from bookings.passcodes import PasscodeUnlocks
from bookings.services.booking import BookingRequest
from bookings.tests.test_public_booking import next_wednesday_at
from packages.models import ClientPackage, PackageEntry
from packages.selectors import package_balance_from_ledger
from packages.services.holdings import client_package_assign, client_package_buy
from packages.services.usage import (
    package_pay_appointment,
    package_return_for_appointment,
)
from tests.concurrency import race

from .conftest import make_type, tallinn_day_at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def pay_or_refuse(appointment: Appointment) -> Callable[[], None]:
    def run() -> None:
        if package_pay_appointment(appointment=appointment) is None:
            raise ValidationError("nothing paid")

    return run


def ledger_matches(client_package: ClientPackage) -> None:
    client_package.refresh_from_db()
    credit, visits = package_balance_from_ledger(
        salon=client_package.salon, client_package=client_package
    )
    assert credit == (client_package.credit_left or 0)
    assert visits == (client_package.visits_left or 0)


def test_concurrent_online_bookings_never_use_more_visits_than_there_are(pkg):
    # given a package of 3 visits and 8 checkouts at 8 different times, all paying with it
    held = client_package_assign(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=make_type(pkg["salon"], [pkg["service"]], visits=3),
        actor=None,
    )

    def book(hour: int) -> Callable[[], None]:
        def run() -> None:
            checkout_complete(
                salon=pkg["salon"],
                request=BookingRequest(
                    location=pkg["location"],
                    service=pkg["service"],
                    starts_at=next_wednesday_at(hour),
                    staff=pkg["staff"][hour % 2],
                ),
                details=ClientDetails(
                    first_name="Kati", last_name="", email="kati@example.test", phone=""
                ),
                payment_method="package",
                unlocks=PasscodeUnlocks(),
                user=pkg["user"],
            )

        return run

    # when they race
    results = race([book(hour) for hour in range(9, 17)])
    # then three are booked and paid, five refused with nothing written, no visit below zero
    assert results == ["ok"] * 3 + ["refused"] * 5
    assert Appointment.objects.count() == 3
    assert PackageEntry.objects.filter(kind="used").count() == 3
    held.refresh_from_db()
    assert held.visits_left == 0
    ledger_matches(held)


def test_concurrent_payments_never_overdraw_a_credit_package(pkg):
    # given 100 credit and six bookings of 40
    held = client_package_assign(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=make_type(pkg["salon"], [pkg["service"]], kind="credit", credit="100"),
        actor=None,
    )
    appointments = [pkg["appointment"]() for _ in range(6)]
    # when they are paid at once
    results = race([pay_or_refuse(a) for a in appointments])
    # then 40 + 40 + 20 are taken and the rest is refused
    assert results == ["ok"] * 3 + ["refused"] * 3
    taken = sorted(-e.credit for e in PackageEntry.objects.filter(kind="used"))
    assert taken == [Decimal("20.00"), Decimal("40.00"), Decimal("40.00")]
    held.refresh_from_db()
    assert held.credit_left == Decimal("0.00")
    ledger_matches(held)


def test_concurrent_overlapping_bookings_are_paid_once_by_a_time_pass(pkg):
    client_package_assign(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=make_type(pkg["salon"], [pkg["service"]], kind="time", name="Month"),
        actor=None,
    )
    first = pkg["appointment"](starts_at=tallinn_day_at(1, 10))
    second = pkg["appointment"](starts_at=tallinn_day_at(1, 10, 30), staff=pkg["staff"][1])
    assert race([pay_or_refuse(first), pay_or_refuse(second)]) == ["ok", "refused"]
    assert PackageEntry.objects.filter(kind="used").count() == 1


def test_one_appointment_paid_at_once_by_two_packages_is_paid_once(pkg):
    # given a package A, a type B and an appointment that two paths try to pay at once: the
    # automatic payment (by A) and assigning B "for existing bookings too"
    a = client_package_assign(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=make_type(pkg["salon"], [pkg["service"]], name="A"),
        actor=None,
    )
    type_b = make_type(pkg["salon"], [pkg["service"]], name="B")
    appointment = pkg["appointment"]()

    def assign_b_for_existing() -> None:
        client_package_assign(
            salon=pkg["salon"],
            client=pkg["client"],
            package_type=type_b,
            actor=None,
            apply_to_existing=True,
        )

    # when they race
    results = race([pay_or_refuse(appointment), assign_b_for_existing])
    # then the appointment is paid by one of them, once, and both ledgers add up
    assert "error" not in " ".join(results)
    assert PackageEntry.objects.filter(kind="used", appointment=appointment).count() == 1
    for package in ClientPackage.objects.all():
        ledger_matches(package)
    a.refresh_from_db()
    b = ClientPackage.objects.get(name="B")
    assert a.visits_left + b.visits_left == 9


def test_concurrent_returns_give_a_use_back_once(pkg):
    held = client_package_assign(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=make_type(pkg["salon"], [pkg["service"]]),
        actor=None,
    )
    appointment = pkg["appointment"]()
    package_pay_appointment(appointment=appointment)
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.CANCELLED)

    def give_back() -> None:
        package_return_for_appointment(salon=pkg["salon"], appointment_id=appointment.pk)

    assert race([give_back] * 6) == ["ok"] * 6
    assert PackageEntry.objects.filter(kind="returned").count() == 1
    held.refresh_from_db()
    assert held.visits_left == 5
    ledger_matches(held)


def test_concurrent_purchases_of_one_package_leave_one_waiting_for_payment(pkg):
    package_type = make_type(pkg["salon"], [pkg["service"]])

    def buy() -> None:
        client_package_buy(salon=pkg["salon"], client=pkg["client"], package_type=package_type)

    assert race([buy] * 6) == ["ok"] + ["refused"] * 5
    assert ClientPackage.objects.filter(status="pending").count() == 1
