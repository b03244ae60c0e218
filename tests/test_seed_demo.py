"""`manage.py seed_demo`: the stated demo data, built once; a second run changes nothing."""

from __future__ import annotations

from io import StringIO
from typing import Any

import phonenumbers
import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client as HttpClient

from bookings import models as booking_models
from bookings.management.commands import seed_demo as seed_demo_module
from bookings.management.commands.seed_demo import OWNER_EMAIL, OWNER_PASSWORD, seed_appointments
from bookings.models import (
    Client,
    Location,
    LocationHours,
    Membership,
    Salon,
    Service,
    ServiceCategory,
    StaffLocation,
    StaffMember,
    StaffService,
    WorkingHours,
)

SEEDED_MODELS = [
    Salon,
    Location,
    LocationHours,
    ServiceCategory,
    Service,
    StaffMember,
    StaffLocation,
    StaffService,
    WorkingHours,
    Client,
    Membership,
    EmailAddress,
]


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _snapshot() -> dict[str, Any]:
    """Every column of every seeded row, so that "changes nothing" is checked, not assumed."""
    models = [*SEEDED_MODELS]
    if hasattr(booking_models, "Appointment"):
        models.append(booking_models.Appointment)
    rows: dict[str, Any] = {
        model._meta.label: sorted(model.objects.order_by("pk").values_list(), key=str)
        for model in models
    }
    rows["users"] = list(get_user_model().objects.order_by("pk").values_list())
    return rows


@pytest.mark.django_db
def test_seed_demo_creates_the_stated_demo_salon():
    # given an empty database
    assert Salon.objects.count() == 0

    # when
    output = _seed()

    # then
    salon = Salon.objects.get(slug="demo")
    assert (salon.name, salon.time_zone, salon.currency) == ("Demo Salon", "Europe/Tallinn", "EUR")
    assert sorted(Location.objects.for_salon(salon).values_list("name", flat=True)) == [
        "Kalamaja",
        "Old Town",
    ]
    for location in Location.objects.for_salon(salon):
        weekdays = set(location.opening_hours.values_list("weekday", flat=True))
        assert weekdays == {0, 1, 2, 3, 4, 5}, location.name
    assert StaffMember.objects.for_salon(salon).count() == 4
    assert ServiceCategory.objects.for_salon(salon).count() == 3
    assert Service.objects.for_salon(salon).count() == 10
    assert Service.objects.for_salon(salon).filter(category__isnull=True).count() == 0
    assert Client.objects.for_salon(salon).count() == 30
    assert "owner@demo.salonbook.test" in output
    assert "demo-owner-2026" in output


@pytest.mark.django_db
def test_seed_demo_staff_work_weekly_without_overlaps_at_their_locations():
    # when
    _seed()

    # then every staff member has shifts, only at locations they belong to, never overlapping
    salon = Salon.objects.get(slug="demo")
    locations_in_use: set[str] = set()
    for staff in StaffMember.objects.for_salon(salon):
        shifts = list(staff.working_hours.select_related("location").order_by("weekday", "starts"))
        assert shifts, staff.name
        own_locations = set(staff.locations.values_list("pk", flat=True))
        assert {shift.location_id for shift in shifts} <= own_locations
        assert staff.services.exists(), staff.name
        for earlier, later in zip(shifts, shifts[1:], strict=False):
            if earlier.weekday == later.weekday:
                assert earlier.ends <= later.starts, staff.name
        locations_in_use |= {shift.location.name for shift in shifts}
    assert locations_in_use == {"Old Town", "Kalamaja"}
    assert (
        StaffMember.objects.for_salon(salon)
        .filter(locations__name="Kalamaja")
        .filter(locations__name="Old Town")
        .exists()
    )


@pytest.mark.django_db
def test_seed_demo_services_have_realistic_durations_prices_and_buffers():
    # when
    _seed()

    # then
    for service in Service.objects.filter(salon__slug="demo"):
        assert 15 <= service.duration_minutes <= 240, service.name
        assert service.duration_minutes % 5 == 0, service.name
        assert 10 <= service.price <= 300, service.name
    assert Service.objects.filter(salon__slug="demo", buffer_after_minutes__gt=0).count() == 10
    assert Service.objects.filter(salon__slug="demo", buffer_before_minutes__gt=0).exists()


@pytest.mark.django_db
def test_seed_demo_clients_have_unique_emails_valid_phones_and_mixed_consent():
    # when
    _seed()

    # then
    clients = list(Client.objects.filter(salon__slug="demo"))
    assert len({client.email for client in clients}) == 30
    assert all(client.email.endswith("@example.com") for client in clients)
    for client in clients:
        assert client.phone.country_code == 372, client
        assert phonenumbers.is_valid_number(client.phone), client
    consenting = [client for client in clients if client.marketing_consent]
    assert len(consenting) == 15
    assert all(client.marketing_consent_at is not None for client in consenting)
    assert {client.preferred_channel for client in clients} == {"email", "sms"}


@pytest.mark.django_db
def test_seed_demo_owner_can_log_in_with_mandatory_verification():
    # given
    _seed()

    # when
    response = HttpClient().post(
        "/accounts/login/", {"login": OWNER_EMAIL, "password": OWNER_PASSWORD}
    )

    # then the login goes straight through to the demo dashboard
    assert response.status_code == 302
    assert response["Location"] == "/"
    owner = get_user_model().objects.get(email=OWNER_EMAIL)
    address = EmailAddress.objects.get(user=owner)
    assert (address.email, address.verified, address.primary) == (OWNER_EMAIL, True, True)
    membership = Membership.objects.get(user=owner)
    assert (membership.salon.slug, membership.role) == ("demo", "owner")


@pytest.mark.django_db
def test_seed_demo_twice_creates_nothing_and_changes_nothing():
    # given
    _seed()
    before = _snapshot()
    counts = {label: len(rows) for label, rows in before.items()}

    # when
    output = _seed()

    # then
    after = _snapshot()
    assert {label: len(rows) for label, rows in after.items()} == counts
    assert after == before
    assert counts["bookings.Salon"] == 1
    assert counts["bookings.Client"] == 30
    assert counts["users"] == 1
    assert "nothing created" in output
    assert "owner@demo.salonbook.test" in output


@pytest.mark.django_db
def test_seed_demo_completes_a_partly_seeded_salon_without_duplicates():
    # given a seeded salon that lost a Saturday: its opening hours and a shift
    _seed()
    salon = Salon.objects.get(slug="demo")
    LocationHours.objects.for_salon(salon).filter(location__name="Kalamaja", weekday=5).delete()
    WorkingHours.objects.for_salon(salon).filter(staff__name="Jaan Mets", weekday=5).delete()

    # when
    output = _seed()

    # then only the missing rows come back
    assert "created 1 opening hours, 1 working hours." in output
    assert LocationHours.objects.for_salon(salon).count() == 12
    assert WorkingHours.objects.for_salon(salon).filter(staff__name="Jaan Mets").count() == 5
    assert Client.objects.for_salon(salon).count() == 30


@pytest.mark.django_db
def test_seed_demo_leaves_an_existing_owner_password_alone():
    # given the owner changed the demo password
    _seed()
    owner = get_user_model().objects.get(email=OWNER_EMAIL)
    owner.set_password("another-long-passphrase")
    owner.save()

    # when
    output = _seed()

    # then
    owner.refresh_from_db()
    assert owner.check_password("another-long-passphrase")
    assert "already existed with another password" in output


@pytest.mark.django_db
def test_seed_appointments_does_nothing_without_the_appointment_model(monkeypatch):
    # given a codebase from before appointments existed
    _seed()
    salon = Salon.objects.get(slug="demo")
    monkeypatch.delattr(booking_models, "Appointment", raising=False)

    # when
    created = seed_appointments(salon)
    output = _seed()

    # then
    assert created == 0
    assert "Appointments: not seeded (the Appointment model does not exist yet)." in output


@pytest.mark.django_db
def test_seed_demo_books_the_coming_week_within_shifts_and_without_overlaps():
    # given
    appointment_model = getattr(booking_models, "Appointment", None)
    if appointment_model is None:
        pytest.skip("no Appointment model yet")

    # when
    output = _seed()

    # then
    salon = Salon.objects.get(slug="demo")
    appointments = list(
        appointment_model.objects.for_salon(salon).select_related("staff", "location", "service")
    )
    assert len(appointments) > 20
    assert f"{len(appointments)} appointments" in output
    assert {a.status for a in appointments} == {"booked"}
    assert len({a.client_id for a in appointments}) == min(len(appointments), 30)
    tz = salon.tzinfo
    for appointment in appointments:
        local_start = appointment.starts_at.astimezone(tz)
        local_end = appointment.ends_at.astimezone(tz)
        assert appointment.service.staff.filter(pk=appointment.staff_id).exists()
        assert (
            WorkingHours.objects.for_salon(salon)
            .filter(
                staff=appointment.staff,
                location=appointment.location,
                weekday=local_start.weekday(),
                starts__lte=local_start.time(),
                ends__gte=local_end.time(),
            )
            .exists()
        ), appointment
    by_staff: dict[int, list] = {}
    for appointment in sorted(appointments, key=lambda a: a.block_starts_at):
        by_staff.setdefault(appointment.staff_id, []).append(appointment)
    for booked in by_staff.values():
        for earlier, later in zip(booked, booked[1:], strict=False):
            assert earlier.block_ends_at <= later.block_starts_at


@pytest.mark.django_db
def test_seed_appointments_books_nothing_for_a_salon_that_has_appointments():
    # given
    _seed()
    salon = Salon.objects.get(slug="demo")
    if not hasattr(booking_models, "Appointment"):
        pytest.skip("no Appointment model yet")
    count = booking_models.Appointment.objects.for_salon(salon).count()

    # when
    created = seed_appointments(salon)

    # then
    assert created == 0
    assert booking_models.Appointment.objects.for_salon(salon).count() == count


@pytest.mark.django_db
def test_a_failing_appointment_step_keeps_the_seeded_salon(monkeypatch):
    # given booking rules that refuse everything unexpectedly
    def broken(salon: Salon) -> int:
        raise RuntimeError("booking service changed")

    monkeypatch.setattr(seed_demo_module, "seed_appointments", broken)

    # when
    output = _seed()

    # then
    assert "Appointments were not seeded: RuntimeError: booking service changed" in output
    assert Client.objects.filter(salon__slug="demo").count() == 30
    assert "demo-owner-2026" in output


@pytest.mark.django_db
def test_seed_demo_adopts_an_owner_made_with_createsuperuser():
    # given the owner account exists without an allauth address (createsuperuser)
    get_user_model().objects.create_superuser(OWNER_EMAIL, OWNER_PASSWORD)

    # when
    output = _seed()

    # then the account gets its verified address and the salon, and can log in
    assert "1 owner email address" in output
    assert get_user_model().objects.count() == 1
    address = EmailAddress.objects.get(email=OWNER_EMAIL)
    assert (address.verified, address.primary) == (True, True)
    assert Membership.objects.get(user=address.user).role == "owner"
    response = HttpClient().post(
        "/accounts/login/", {"login": OWNER_EMAIL, "password": OWNER_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
