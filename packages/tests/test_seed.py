"""The demo: after `seed_demo`, `seed_demo_loyalty` and `seed_demo_packages`, the salon has a
package of each kind and Mari's upcoming appointments are paid by her visit package."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from bookings.models import Appointment, Client
from packages.models import ClientPackage, PackageEntry, PackageType
from packages.selectors import appointment_package_use, package_balance_from_ledger


def seed() -> None:
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo_loyalty", stdout=StringIO())
    call_command("seed_demo_packages", stdout=StringIO())


def test_the_demo_has_a_package_of_each_kind_and_maris_bookings_are_paid(db):
    # when
    seed()
    # then
    client = Client.objects.get(email="mari.kask@example.com")
    salon = client.salon
    assert sorted(PackageType.objects.filter(salon=salon).values_list("kind", flat=True)) == [
        "credit",
        "time",
        "visits",
    ]
    held = ClientPackage.objects.get(client=client)
    upcoming = Appointment.objects.filter(
        client=client, status="booked", starts_at__gte=timezone.now()
    )
    assert upcoming.exists()
    for appointment in upcoming:
        use = appointment_package_use(salon=salon, appointment_id=appointment.pk)
        assert use is not None and use.client_package == held
    held.refresh_from_db()
    assert held.visits_left == 10 - upcoming.count()
    assert package_balance_from_ledger(salon=salon, client_package=held)[1] == held.visits_left
    assert client.user is not None  # she can log in and book with it


def test_a_second_run_creates_nothing(db):
    seed()
    counts = (
        PackageType.objects.count(),
        ClientPackage.objects.count(),
        PackageEntry.objects.count(),
    )
    out = StringIO()
    call_command("seed_demo_packages", stdout=out)
    assert "nothing created" in out.getvalue()
    assert (
        PackageType.objects.count(),
        ClientPackage.objects.count(),
        PackageEntry.objects.count(),
    ) == counts


def test_without_the_demo_salon_it_says_what_to_run(db):
    import pytest
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("seed_demo_packages", stdout=StringIO())
