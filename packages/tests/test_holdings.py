"""Packages clients hold: assigning (also "for existing bookings too"), buying online, marking
paid, and a package assigned before the person had an account."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings.models import Appointment
from bookings.public.selectors import client_of_user
from packages.models import ClientPackage, PackageEntry
from packages.selectors import appointment_package_use, package_balance_from_ledger
from packages.services.holdings import (
    client_package_assign,
    client_package_buy,
    client_package_mark_paid,
)
from packages.services.types import package_type_set_active
from tests.factories import ClientFactory, ServiceFactory, UserFactory

from .conftest import TALLINN, make_type, package_row_counts, tallinn_day_at


def today():
    return timezone.localdate(timezone.now(), TALLINN)


@pytest.fixture
def five_visits(pkg):
    return make_type(pkg["salon"], [pkg["service"]], validity_count=3, validity_unit="months")


# --- Assigning ----------------------------------------------------------------------------


def test_assigning_gives_the_client_the_package_with_its_ledger(pkg, five_visits, owner):
    # when
    held = client_package_assign(
        salon=pkg["salon"], client=pkg["client"], package_type=five_visits, actor=owner
    )
    # then
    held.refresh_from_db()
    start = today()
    assert (held.status, held.source, held.kind, held.name) == (
        "active",
        "assigned",
        "visits",
        "5 visits",
    )
    assert (held.visits_total, held.visits_left, held.price, held.currency) == (
        5,
        5,
        Decimal("150.00"),
        "EUR",
    )
    assert held.starts_on == start
    assert held.expires_on is not None and held.expires_on.month == (start.month + 2) % 12 + 1
    assert (held.created_by, held.paid_by) == (owner, owner)
    issued = PackageEntry.objects.get(client_package=held)
    assert (issued.kind, issued.visits, issued.actor) == ("issued", 5, owner)
    assert package_balance_from_ledger(salon=pkg["salon"], client_package=held) == (
        Decimal("0"),
        5,
    )


def test_the_owner_may_give_another_expiry_or_none(pkg, five_visits):
    day = today() + dt.timedelta(days=10)
    held = client_package_assign(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=five_visits,
        actor=None,
        expires_on=day,
    )
    assert held.expires_on == day
    unlimited = client_package_assign(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=five_visits,
        actor=None,
        expires_on=None,
    )
    assert unlimited.expires_on is None


@pytest.mark.parametrize(
    ("expires_in_days", "message"),
    [
        (-1, "The expiry date is in the past."),
        (4000, "At most ten years from today."),
    ],
)
def test_a_bad_expiry_is_refused_and_nothing_written(pkg, five_visits, expires_in_days, message):
    before = package_row_counts()
    with pytest.raises(ValidationError) as exc:
        client_package_assign(
            salon=pkg["salon"],
            client=pkg["client"],
            package_type=five_visits,
            actor=None,
            expires_on=today() + dt.timedelta(days=expires_in_days),
        )
    assert exc.value.message_dict == {"expires_on": [message]}
    assert package_row_counts() == before


def test_a_time_pass_without_expiry_is_refused(pkg):
    month = make_type(pkg["salon"], [pkg["service"]], kind="time", name="Month")
    before = package_row_counts()
    with pytest.raises(ValidationError) as exc:
        client_package_assign(
            salon=pkg["salon"],
            client=pkg["client"],
            package_type=month,
            actor=None,
            expires_on=None,
        )
    assert exc.value.message_dict == {
        "expires_on": ["A time pass needs an expiry date: the last day it covers."]
    }
    assert package_row_counts() == before


def test_a_deactivated_package_cannot_be_assigned(pkg, five_visits):
    package_type_set_active(package_type=five_visits, active=False)
    before = package_row_counts()
    with pytest.raises(ValidationError) as exc:
        client_package_assign(
            salon=pkg["salon"], client=pkg["client"], package_type=five_visits, actor=None
        )
    assert exc.value.message_dict == {
        "package_type": [
            "This package is deactivated, so it cannot be assigned. Activate it first."
        ]
    }
    assert package_row_counts() == before


def test_another_salons_client_or_type_is_refused(pkg, five_visits, other_salon):
    stranger = ClientFactory(salon=other_salon)
    foreign_type = make_type(other_salon, [ServiceFactory(salon=other_salon)])
    before = package_row_counts()
    with pytest.raises(ValueError):
        client_package_assign(
            salon=pkg["salon"], client=stranger, package_type=five_visits, actor=None
        )
    with pytest.raises(ValueError):
        client_package_assign(
            salon=pkg["salon"], client=pkg["client"], package_type=foreign_type, actor=None
        )
    assert package_row_counts() == before


# --- "For existing bookings too" ----------------------------------------------------------


def test_for_existing_bookings_pays_upcoming_ones_in_date_order_as_far_as_it_goes(pkg, owner):
    # given: bookings on days 1..4 (Haircut), a Colour on day 2, a past one and a cancelled one
    package_type = make_type(pkg["salon"], [pkg["service"]], visits=3)
    day4 = pkg["appointment"](starts_at=tallinn_day_at(4, 10))
    day1 = pkg["appointment"](starts_at=tallinn_day_at(1, 10))
    day3 = pkg["appointment"](starts_at=tallinn_day_at(3, 10))
    day2 = pkg["appointment"](starts_at=tallinn_day_at(2, 10))
    colour = pkg["appointment"](starts_at=tallinn_day_at(2, 14), service=pkg["colour"])
    past = pkg["appointment"](starts_at=timezone.now() - dt.timedelta(days=1))
    cancelled = pkg["appointment"](
        starts_at=tallinn_day_at(1, 14), status=Appointment.Status.CANCELLED
    )
    # when
    held = client_package_assign(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=package_type,
        actor=owner,
        apply_to_existing=True,
    )
    # then the three earliest Haircuts are paid, in date order
    paid = list(
        PackageEntry.objects.filter(kind="used")
        .order_by("pk")
        .values_list("appointment", flat=True)
    )
    assert paid == [day1.pk, day2.pk, day3.pk]
    for unpaid in (day4, colour, past, cancelled):
        assert appointment_package_use(salon=pkg["salon"], appointment_id=unpaid.pk) is None
    held.refresh_from_db()
    assert held.visits_left == 0
    assert package_balance_from_ledger(salon=pkg["salon"], client_package=held)[1] == 0


def test_without_existing_bookings_only_new_ones_use_it(pkg):
    package_type = make_type(pkg["salon"], [pkg["service"]])
    pkg["appointment"]()
    held = client_package_assign(
        salon=pkg["salon"], client=pkg["client"], package_type=package_type, actor=None
    )
    held.refresh_from_db()
    assert held.visits_left == 5
    assert not PackageEntry.objects.filter(kind="used").exists()


def test_for_existing_bookings_skips_appointments_another_package_paid(pkg):
    first = client_package_assign(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=make_type(pkg["salon"], [pkg["service"]], name="First", visits=1),
        actor=None,
    )
    a = pkg["appointment"]()
    b = pkg["appointment"]()
    from packages.services.usage import package_pay_appointment

    package_pay_appointment(appointment=a)
    second = client_package_assign(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=make_type(pkg["salon"], [pkg["service"]], name="Second"),
        actor=None,
        apply_to_existing=True,
    )
    assert appointment_package_use(salon=pkg["salon"], appointment_id=a.pk).client_package == first
    assert appointment_package_use(salon=pkg["salon"], appointment_id=b.pk).client_package == second
    second.refresh_from_db()
    assert second.visits_left == 4


def test_for_existing_bookings_stops_at_the_expiry(pkg):
    package_type = make_type(pkg["salon"], [pkg["service"]])
    inside = pkg["appointment"](starts_at=tallinn_day_at(1, 10))
    after = pkg["appointment"](starts_at=tallinn_day_at(5, 10))
    client_package_assign(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=package_type,
        actor=None,
        expires_on=today() + dt.timedelta(days=2),
        apply_to_existing=True,
    )
    assert appointment_package_use(salon=pkg["salon"], appointment_id=inside.pk) is not None
    assert appointment_package_use(salon=pkg["salon"], appointment_id=after.pk) is None


def test_for_existing_bookings_with_credit_uses_the_rest_on_the_last_one(pkg):
    package_type = make_type(pkg["salon"], [pkg["service"]], kind="credit", credit="100")
    a, b, c, d = (pkg["appointment"]() for _ in range(4))  # 40.00 each
    held = client_package_assign(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=package_type,
        actor=None,
        apply_to_existing=True,
    )
    taken = [-PackageEntry.objects.get(kind="used", appointment=x).credit for x in (a, b, c)]
    assert taken == [Decimal("40.00"), Decimal("40.00"), Decimal("20.00")]
    assert appointment_package_use(salon=pkg["salon"], appointment_id=d.pk) is None
    held.refresh_from_db()
    assert held.credit_left == Decimal("0.00")


def test_for_existing_bookings_a_time_pass_skips_overlapping_ones(pkg):
    month = make_type(pkg["salon"], [pkg["service"]], kind="time", name="Month")
    first = pkg["appointment"](starts_at=tallinn_day_at(1, 10))
    overlapping = pkg["appointment"](starts_at=tallinn_day_at(1, 10, 30), staff=pkg["staff"][1])
    later = pkg["appointment"](starts_at=tallinn_day_at(2, 10))
    client_package_assign(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=month,
        actor=None,
        apply_to_existing=True,
    )
    assert appointment_package_use(salon=pkg["salon"], appointment_id=first.pk) is not None
    assert appointment_package_use(salon=pkg["salon"], appointment_id=overlapping.pk) is None
    assert appointment_package_use(salon=pkg["salon"], appointment_id=later.pk) is not None


# --- Buying online and marking paid -----------------------------------------------------


def test_buying_online_leaves_the_package_waiting_for_payment(pkg, five_visits):
    held = client_package_buy(
        salon=pkg["salon"], client=pkg["client"], package_type=five_visits, actor=pkg["user"]
    )
    held.refresh_from_db()
    assert (held.status, held.source, held.visits_left, held.paid_at) == (
        "pending",
        "purchase",
        5,
        None,
    )
    assert held.created_by == pkg["user"]
    # and it pays nothing while it waits
    from packages.services.usage import package_pay_appointment

    assert package_pay_appointment(appointment=pkg["appointment"]()) is None


def test_a_second_purchase_of_the_same_package_waiting_for_payment_is_refused(pkg, five_visits):
    client_package_buy(salon=pkg["salon"], client=pkg["client"], package_type=five_visits)
    before = package_row_counts()
    with pytest.raises(ValidationError) as exc:
        client_package_buy(salon=pkg["salon"], client=pkg["client"], package_type=five_visits)
    assert list(exc.value.message_dict) == ["package_type"]
    assert package_row_counts() == before


@pytest.mark.parametrize("change", [{"is_active": False}, {"offered_online": False}])
def test_a_package_not_sold_online_cannot_be_bought(pkg, five_visits, change):
    for name, value in change.items():
        setattr(five_visits, name, value)
    five_visits.save()
    before = package_row_counts()
    with pytest.raises(ValidationError) as exc:
        client_package_buy(salon=pkg["salon"], client=pkg["client"], package_type=five_visits)
    assert exc.value.message_dict == {
        "package_type": ["This package is not sold online at the moment."]
    }
    assert package_row_counts() == before


def test_marking_paid_activates_it_once(pkg, five_visits, owner):
    held = client_package_buy(salon=pkg["salon"], client=pkg["client"], package_type=five_visits)
    client_package_mark_paid(salon=pkg["salon"], client_package=held, actor=owner)
    held.refresh_from_db()
    assert (held.status, held.paid_by) == ("active", owner)
    assert held.paid_at is not None
    with pytest.raises(ValidationError) as exc:
        client_package_mark_paid(salon=pkg["salon"], client_package=held, actor=owner)
    assert exc.value.messages == ["This package is paid already."]


def test_marking_paid_for_existing_bookings_pays_them(pkg, five_visits, owner):
    appointment = pkg["appointment"]()
    held = client_package_buy(salon=pkg["salon"], client=pkg["client"], package_type=five_visits)
    client_package_mark_paid(
        salon=pkg["salon"], client_package=held, actor=owner, apply_to_existing=True
    )
    assert appointment_package_use(salon=pkg["salon"], appointment_id=appointment.pk)
    held.refresh_from_db()
    assert held.visits_left == 4


def test_marking_another_salons_package_paid_is_refused(pkg, five_visits, other_salon):
    held = client_package_buy(salon=pkg["salon"], client=pkg["client"], package_type=five_visits)
    with pytest.raises(ValueError):
        client_package_mark_paid(salon=other_salon, client_package=held, actor=None)
    held.refresh_from_db()
    assert held.status == ClientPackage.Status.PENDING


# --- Late registration ------------------------------------------------------------------


def test_a_package_assigned_before_the_account_becomes_the_persons_once_verified(pkg, five_visits):
    # given a client record without an account, holding a package
    record = ClientFactory(salon=pkg["salon"], first_name="Liis", email="liis@example.test")
    held = client_package_assign(
        salon=pkg["salon"], client=record, package_type=five_visits, actor=None
    )
    # when the person signs up with the same address in other letters, not yet verified
    user = UserFactory(email="LIIS@example.test")
    address = EmailAddress.objects.create(user=user, email="LIIS@example.test", verified=False)
    # then the package is not theirs yet
    assert client_of_user(salon=pkg["salon"], user=user) is None
    # when they verify it
    address.verified = True
    address.save()
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    # then their client record, with the package, is theirs
    assert client_of_user(salon=pkg["salon"], user=user) == record
    assert ClientPackage.objects.get(client__user=user) == held
