"""Paying appointments with packages and giving uses back: every rule of
packages/services/usage.py, each next to its refusal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from bookings.models import Appointment
from bookings.services.booking import (
    BookingRequest,
    appointment_book,
    appointment_reschedule,
    appointment_set_status,
)
from packages.models import ClientPackage, PackageEntry, PackageKind
from packages.selectors import appointment_package_use, package_balance_from_ledger
from packages.services.holdings import client_package_assign
from packages.services.usage import (
    package_pay_appointment,
    package_recheck_after_move,
    package_return_for_appointment,
)

from .conftest import TALLINN, make_type, package_row_counts, tallinn_day_at


def assign(pkg, package_type, **kwargs) -> ClientPackage:
    return client_package_assign(
        salon=pkg["salon"], client=pkg["client"], package_type=package_type, actor=None, **kwargs
    )


def ledger_matches(client_package: ClientPackage) -> None:
    client_package.refresh_from_db()
    credit, visits = package_balance_from_ledger(
        salon=client_package.salon, client_package=client_package
    )
    if client_package.kind == PackageKind.CREDIT:
        assert credit == client_package.credit_left
    if client_package.kind == PackageKind.VISITS:
        assert visits == client_package.visits_left


@pytest.fixture
def visits(pkg) -> ClientPackage:
    return assign(pkg, make_type(pkg["salon"], [pkg["service"]], visits=3))


@pytest.fixture
def credit(pkg) -> ClientPackage:
    package_type = make_type(
        pkg["salon"], [pkg["service"], pkg["colour"]], kind="credit", name="Credit", credit="100"
    )
    return assign(pkg, package_type)


@pytest.fixture
def time_pass(pkg) -> ClientPackage:
    package_type = make_type(pkg["salon"], [pkg["service"]], kind="time", name="Month")
    return assign(pkg, package_type)


# --- What each kind gives -----------------------------------------------------------------


def test_a_visit_package_gives_one_visit(pkg, visits):
    appointment = pkg["appointment"]()
    entry = package_pay_appointment(appointment=appointment)
    assert (entry.kind, entry.visits, entry.credit, entry.appointment) == (
        "used",
        -1,
        Decimal("0"),
        appointment,
    )
    visits.refresh_from_db()
    assert visits.visits_left == 2
    ledger_matches(visits)


def test_a_credit_package_gives_the_price(pkg, credit):
    entry = package_pay_appointment(appointment=pkg["appointment"]())  # 40.00
    assert entry.credit == Decimal("-40.00")
    credit.refresh_from_db()
    assert credit.credit_left == Decimal("60.00")
    ledger_matches(credit)


def test_a_credit_package_with_less_left_than_the_price_gives_what_is_left(pkg, credit):
    # given 100 credit and a Colour at 80: 20 left after it
    package_pay_appointment(appointment=pkg["appointment"](service=pkg["colour"]))
    # when a Haircut at 40 is paid
    entry = package_pay_appointment(appointment=pkg["appointment"]())
    # then it gives the 20 left; the other 20 are paid at the salon
    assert entry.credit == Decimal("-20.00")
    credit.refresh_from_db()
    assert credit.credit_left == Decimal("0.00")
    ledger_matches(credit)
    # and a used-up package pays nothing more
    assert package_pay_appointment(appointment=pkg["appointment"]()) is None


def test_a_time_pass_gives_any_number_of_bookings(pkg, time_pass):
    entries = [package_pay_appointment(appointment=pkg["appointment"]()) for _ in range(5)]
    assert [(e.credit, e.visits) for e in entries] == [(Decimal("0"), 0)] * 5
    assert PackageEntry.objects.filter(kind="used", client_package=time_pass).count() == 5


def test_a_visit_package_runs_out(pkg, visits):
    paid = [package_pay_appointment(appointment=pkg["appointment"]()) for _ in range(4)]
    assert [e is not None for e in paid] == [True, True, True, False]
    visits.refresh_from_db()
    assert visits.visits_left == 0
    ledger_matches(visits)


def test_a_booking_with_nothing_to_pay_uses_no_package(pkg, visits):
    appointment = pkg["appointment"](price=Decimal("0"))
    assert package_pay_appointment(appointment=appointment) is None
    visits.refresh_from_db()
    assert visits.visits_left == 3


def test_a_service_the_package_does_not_cover_is_not_paid(pkg, visits):
    assert package_pay_appointment(appointment=pkg["appointment"](service=pkg["colour"])) is None


def test_a_cancelled_appointment_is_not_paid(pkg, visits):
    appointment = pkg["appointment"](status=Appointment.Status.CANCELLED)
    assert package_pay_appointment(appointment=appointment) is None


def test_a_purchase_waiting_for_payment_pays_nothing(pkg, visits):
    ClientPackage.objects.filter(pk=visits.pk).update(status=ClientPackage.Status.PENDING)
    assert package_pay_appointment(appointment=pkg["appointment"]()) is None


def test_another_clients_package_pays_nothing(pkg, visits):
    from tests.factories import ClientFactory

    other = ClientFactory(salon=pkg["salon"])
    assert package_pay_appointment(appointment=pkg["appointment"](client=other)) is None
    visits.refresh_from_db()
    assert visits.visits_left == 3


def test_one_appointment_is_paid_once(pkg, visits):
    appointment = pkg["appointment"]()
    assert package_pay_appointment(appointment=appointment) is not None
    before = package_row_counts()
    assert package_pay_appointment(appointment=appointment) is None
    assert package_row_counts() == before
    visits.refresh_from_db()
    assert visits.visits_left == 2


# --- Validity: judged on the appointment's date -----------------------------------------


def test_validity_is_judged_on_the_appointments_date_not_the_booking_day(pkg):
    # given a package valid through the day after tomorrow
    package_type = make_type(pkg["salon"], [pkg["service"]])
    last_day = timezone.localdate(timezone.now(), TALLINN) + dt.timedelta(days=2)
    held = assign(pkg, package_type, expires_on=last_day)
    # when, today, bookings are made for its last day and for the day after
    on_last_day = pkg["appointment"](starts_at=tallinn_day_at(2, 16))
    after = pkg["appointment"](starts_at=tallinn_day_at(3, 9))
    # then the last day is covered and the day after is not
    assert package_pay_appointment(appointment=on_last_day) is not None
    assert package_pay_appointment(appointment=after) is None
    held.refresh_from_db()
    assert held.visits_left == 4


def test_validity_uses_the_locations_date_near_midnight(pkg):
    # given a package whose last day is the day after tomorrow (Tallinn)
    package_type = make_type(pkg["salon"], [pkg["service"]])
    last_day = timezone.localdate(timezone.now(), TALLINN) + dt.timedelta(days=2)
    assign(pkg, package_type, expires_on=last_day)
    # when a booking starts at 00:30 Tallinn the next day (still 22:30 UTC on the last day)
    start = tallinn_day_at(3, 0, 30)
    assert start.astimezone(dt.UTC).date() == last_day
    appointment = pkg["appointment"](starts_at=start)
    # then it is after the expiry where it takes place
    assert package_pay_appointment(appointment=appointment) is None


# --- Which package pays -------------------------------------------------------------------


def test_time_passes_pay_first_then_the_package_expiring_soonest(pkg):
    today = timezone.localdate(timezone.now(), TALLINN)
    late = assign(
        pkg,
        make_type(pkg["salon"], [pkg["service"]], name="Late"),
        expires_on=today + dt.timedelta(days=300),
    )
    never = assign(pkg, make_type(pkg["salon"], [pkg["service"]], name="Never"), expires_on=None)
    soon = assign(
        pkg,
        make_type(pkg["salon"], [pkg["service"]], name="Soon"),
        expires_on=today + dt.timedelta(days=30),
    )
    assert package_pay_appointment(appointment=pkg["appointment"]()).client_package == soon
    month = assign(pkg, make_type(pkg["salon"], [pkg["service"]], kind="time", name="Month"))
    assert package_pay_appointment(appointment=pkg["appointment"]()).client_package == month
    assert {late.pk, never.pk}  # not used yet
    for package in (late, never):
        package.refresh_from_db()
        assert package.visits_left == 5


# --- Time pass and overlapping bookings -------------------------------------------------


def test_a_time_pass_does_not_pay_two_overlapping_bookings(pkg, time_pass):
    # given a booking at 10:00–11:00 paid by the pass
    first = pkg["appointment"](starts_at=tallinn_day_at(1, 10))
    assert package_pay_appointment(appointment=first) is not None
    # when the client books 10:30 with the other stylist
    overlapping = pkg["appointment"](starts_at=tallinn_day_at(1, 10, 30), staff=pkg["staff"][1])
    back_to_back = pkg["appointment"](starts_at=tallinn_day_at(1, 11), staff=pkg["staff"][0])
    # then the overlapping one is not paid by the pass; the one right after is
    assert package_pay_appointment(appointment=overlapping) is None
    assert package_pay_appointment(appointment=back_to_back) is not None


def test_an_overlapping_booking_is_paid_by_another_package(pkg, time_pass, visits):
    package_pay_appointment(appointment=pkg["appointment"](starts_at=tallinn_day_at(1, 10)))
    overlapping = pkg["appointment"](starts_at=tallinn_day_at(1, 10, 30), staff=pkg["staff"][1])
    assert package_pay_appointment(appointment=overlapping).client_package == visits


def test_a_cancelled_booking_no_longer_blocks_the_time_pass(pkg, time_pass):
    first = pkg["appointment"](starts_at=tallinn_day_at(1, 10))
    package_pay_appointment(appointment=first)
    appointment_set_status(appointment=first, status=Appointment.Status.CANCELLED)
    package_return_for_appointment(salon=pkg["salon"], appointment_id=first.pk)
    overlapping = pkg["appointment"](starts_at=tallinn_day_at(1, 10, 30), staff=pkg["staff"][1])
    assert package_pay_appointment(appointment=overlapping) is not None


# --- Cancel returns, no-show keeps ------------------------------------------------------


def test_cancelling_returns_the_visit_once(pkg, visits, django_capture_on_commit_callbacks):
    appointment = pkg["appointment"]()
    use = package_pay_appointment(appointment=appointment)
    # when the booking is cancelled (the event's handler runs after the commit), twice
    with django_capture_on_commit_callbacks(execute=True):
        appointment_set_status(appointment=appointment, status=Appointment.Status.CANCELLED)
    assert package_return_for_appointment(salon=pkg["salon"], appointment_id=appointment.pk) is None
    # then the visit is back, by one return row reversing the use
    visits.refresh_from_db()
    assert visits.visits_left == 3
    returned = PackageEntry.objects.get(kind="returned")
    assert (returned.reverses, returned.visits, returned.appointment) == (use, 1, appointment)
    assert appointment_package_use(salon=pkg["salon"], appointment_id=appointment.pk) is None
    ledger_matches(visits)


def test_cancelling_returns_the_credit_it_took(pkg, credit, django_capture_on_commit_callbacks):
    appointment = pkg["appointment"](service=pkg["colour"])
    package_pay_appointment(appointment=appointment)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_set_status(appointment=appointment, status=Appointment.Status.CANCELLED)
    credit.refresh_from_db()
    assert credit.credit_left == Decimal("100.00")
    ledger_matches(credit)


def test_an_owners_correction_of_a_completed_visit_to_cancelled_returns_it(
    pkg, visits, django_capture_on_commit_callbacks
):
    appointment = pkg["appointment"]()
    package_pay_appointment(appointment=appointment)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_set_status(appointment=appointment, status=Appointment.Status.COMPLETED)
        appointment_set_status(appointment=appointment, status=Appointment.Status.CANCELLED)
    visits.refresh_from_db()
    assert visits.visits_left == 3


def test_a_no_show_keeps_the_visit_used(pkg, visits, django_capture_on_commit_callbacks):
    appointment = pkg["appointment"]()
    package_pay_appointment(appointment=appointment)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_set_status(appointment=appointment, status=Appointment.Status.NO_SHOW)
    visits.refresh_from_db()
    assert visits.visits_left == 2
    assert not PackageEntry.objects.filter(kind="returned").exists()


def test_a_return_goes_to_an_expired_package_too(pkg, visits):
    appointment = pkg["appointment"]()
    package_pay_appointment(appointment=appointment)
    ClientPackage.objects.filter(pk=visits.pk).update(
        starts_on=dt.date(2020, 1, 1), expires_on=dt.date(2020, 1, 31)
    )
    assert package_return_for_appointment(salon=pkg["salon"], appointment_id=appointment.pk)
    visits.refresh_from_db()
    assert visits.visits_left == 3


def test_a_return_for_an_unpaid_appointment_does_nothing(pkg, visits):
    appointment = pkg["appointment"]()
    assert package_return_for_appointment(salon=pkg["salon"], appointment_id=appointment.pk) is None


def test_another_salons_return_finds_nothing(pkg, visits, other_salon):
    appointment = pkg["appointment"]()
    package_pay_appointment(appointment=appointment)
    assert package_return_for_appointment(salon=other_salon, appointment_id=appointment.pk) is None
    visits.refresh_from_db()
    assert visits.visits_left == 2


# --- Moving a booking ---------------------------------------------------------------------


def test_a_move_within_validity_keeps_the_use(pkg, visits, django_capture_on_commit_callbacks):
    appointment = pkg["appointment"](starts_at=tallinn_day_at(1, 10))
    use = package_pay_appointment(appointment=appointment)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_reschedule(
            appointment=appointment, starts_at=tallinn_day_at(5, 12), by_owner=True
        )
    assert appointment_package_use(salon=pkg["salon"], appointment_id=appointment.pk) == use
    visits.refresh_from_db()
    assert visits.visits_left == 2


def test_a_move_past_the_expiry_returns_the_use_and_moving_back_does_not_take_it_again(
    pkg, django_capture_on_commit_callbacks
):
    # given a package valid through the day after tomorrow, paying tomorrow's booking
    last_day = timezone.localdate(timezone.now(), TALLINN) + dt.timedelta(days=2)
    held = assign(pkg, make_type(pkg["salon"], [pkg["service"]]), expires_on=last_day)
    appointment = pkg["appointment"](starts_at=tallinn_day_at(1, 10))
    package_pay_appointment(appointment=appointment)
    # when it moves to after the expiry
    with django_capture_on_commit_callbacks(execute=True):
        appointment_reschedule(
            appointment=appointment, starts_at=tallinn_day_at(4, 10), by_owner=True
        )
    # then the visit is returned
    held.refresh_from_db()
    assert held.visits_left == 5
    assert appointment_package_use(salon=pkg["salon"], appointment_id=appointment.pk) is None
    # and moving it back does not take the package again
    with django_capture_on_commit_callbacks(execute=True):
        appointment_reschedule(
            appointment=appointment, starts_at=tallinn_day_at(1, 12), by_owner=True
        )
    held.refresh_from_db()
    assert held.visits_left == 5
    ledger_matches(held)


def test_a_time_pass_use_is_returned_when_the_move_overlaps_another_paid_booking(pkg, time_pass):
    first = pkg["appointment"](starts_at=tallinn_day_at(1, 10))
    second = pkg["appointment"](starts_at=tallinn_day_at(1, 12), staff=pkg["staff"][1])
    package_pay_appointment(appointment=first)
    package_pay_appointment(appointment=second)
    Appointment.objects.filter(pk=second.pk).update(
        starts_at=tallinn_day_at(1, 10, 30),
        ends_at=tallinn_day_at(1, 11, 30),
        block_starts_at=tallinn_day_at(1, 10, 30),
        block_ends_at=tallinn_day_at(1, 11, 30),
    )
    assert package_recheck_after_move(salon=pkg["salon"], appointment_id=second.pk) is not None
    assert appointment_package_use(salon=pkg["salon"], appointment_id=second.pk) is None
    assert appointment_package_use(salon=pkg["salon"], appointment_id=first.pk) is not None


# --- Bookings the salon makes are paid automatically ------------------------------------


def test_a_dashboard_booking_for_a_package_holder_is_paid_by_the_package(
    pkg, visits, owner, django_capture_on_commit_callbacks
):
    request = BookingRequest(
        location=pkg["location"],
        service=pkg["service"],
        starts_at=tallinn_day_at(3, 11),
        staff=pkg["staff"][0],
    )
    with django_capture_on_commit_callbacks(execute=True):
        appointment = appointment_book(
            salon=pkg["salon"],
            request=request,
            client=pkg["client"],
            source=Appointment.Source.DASHBOARD,
            actor=owner,
        )
    use = appointment_package_use(salon=pkg["salon"], appointment_id=appointment.pk)
    assert (use.client_package, use.visits, use.actor) == (visits, -1, owner)
    visits.refresh_from_db()
    assert visits.visits_left == 2


def test_an_online_booking_is_not_paid_by_the_event_handler(
    pkg, visits, django_capture_on_commit_callbacks
):
    # the client chose how to pay at the checkout (here: at the salon)
    request = BookingRequest(
        location=pkg["location"], service=pkg["service"], starts_at=tallinn_day_at(3, 11)
    )
    with django_capture_on_commit_callbacks(execute=True):
        appointment = appointment_book(
            salon=pkg["salon"], request=request, client=pkg["client"], source="online"
        )
    assert appointment_package_use(salon=pkg["salon"], appointment_id=appointment.pk) is None
    visits.refresh_from_db()
    assert visits.visits_left == 3


def test_a_dashboard_booking_of_a_client_without_packages_is_untouched(
    pkg, owner, django_capture_on_commit_callbacks
):
    request = BookingRequest(
        location=pkg["location"], service=pkg["service"], starts_at=tallinn_day_at(3, 11)
    )
    before = package_row_counts()
    with django_capture_on_commit_callbacks(execute=True):
        appointment_book(
            salon=pkg["salon"], request=request, client=pkg["client"], source="dashboard"
        )
    assert package_row_counts() == before


def test_the_created_handler_is_idempotent(pkg, visits):
    from packages.handlers import on_appointment_created

    appointment = pkg["appointment"]()
    on_appointment_created(appointment.pk)
    on_appointment_created(appointment.pk)
    assert PackageEntry.objects.filter(kind="used", appointment=appointment).count() == 1
    visits.refresh_from_db()
    assert visits.visits_left == 2
