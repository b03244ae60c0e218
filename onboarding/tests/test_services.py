"""The wizard's services: each step validates everything first and writes nothing when wrong."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bookings.models import (
    Location,
    LocationHours,
    Membership,
    Salon,
    Service,
    StaffMember,
    WorkingHours,
)
from onboarding.models import SalonSetup
from onboarding.services import (
    OpeningHours,
    ServiceDraft,
    salon_setup_start,
    setup_location_create,
    setup_services_create,
    setup_staff_create,
    setup_step_skip,
    slug_suggest,
)
from tests.factories import SalonFactory, UserFactory

pytestmark = pytest.mark.django_db


def _start(owner, **overrides):
    data = {"name": "Studio Anna", "slug": "studio-anna", "country": "EE", **overrides}
    return salon_setup_start(owner=owner, **data)


def test_start_creates_the_salon_owned_by_the_caller_with_country_defaults():
    # given
    user = UserFactory()

    # when
    salon = _start(user, country="DK")

    # then
    assert (salon.slug, salon.name) == ("studio-anna", "Studio Anna")
    assert (salon.time_zone, salon.currency, salon.default_language) == (
        "Europe/Copenhagen",
        "DKK",
        "da",
    )
    assert Membership.objects.get(salon=salon).user == user
    assert Membership.objects.get(salon=salon).role == Membership.Role.OWNER
    setup = SalonSetup.objects.for_salon(salon).get()
    assert setup.country == "DK"
    assert setup.next_step == "location"


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("EE", ("Europe/Tallinn", "EUR", "et")),
        ("RO", ("Europe/Bucharest", "RON", "ro")),
        ("FI", ("Europe/Helsinki", "EUR", "fi")),
        ("DE", ("Europe/Berlin", "EUR", "de")),
        ("FR", ("UTC", "EUR", "en")),
    ],
)
def test_country_defaults(country, expected):
    salon = _start(UserFactory(), country=country)
    assert (salon.time_zone, salon.currency, salon.default_language) == expected


def test_explicit_values_win_over_the_country_defaults():
    salon = _start(
        UserFactory(), country="EE", time_zone="Europe/Riga", currency="usd", default_language="en"
    )
    assert (salon.time_zone, salon.currency, salon.default_language) == ("Europe/Riga", "USD", "en")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"slug": "admin"}, "slug"),
        ({"slug": "start"}, "slug"),
        ({"slug": "taken"}, "slug"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"currency": "XYZ"}, "currency"),
        ({"country": "Estonia"}, "country"),
        ({"name": "  "}, "name"),
    ],
)
def test_start_refuses_bad_input_and_writes_nothing(overrides, field):
    # given
    SalonFactory(slug="taken")
    user = UserFactory()

    # when
    with pytest.raises(ValidationError) as caught:
        _start(user, **overrides)

    # then
    assert field in caught.value.message_dict
    assert Salon.objects.count() == 1
    assert not Membership.objects.filter(user=user).exists()
    assert not SalonSetup.objects.exists()


def test_slug_suggest_skips_taken_and_reserved():
    SalonFactory(slug="studio-anna")
    assert slug_suggest("Studio Anna") == "studio-anna-2"
    assert slug_suggest("Admin") == "admin-2"
    assert slug_suggest("Ärgo Ümar") == "argo-umar"
    assert slug_suggest("!!!") == "salon"


def test_location_step_creates_location_and_hours():
    # given
    salon = _start(UserFactory())
    hours = [OpeningHours(d, dt.time(9), dt.time(18)) for d in range(5)]

    # when
    location = setup_location_create(
        salon=salon, name="Old Town", address="Vene 1", city="Tallinn", hours=hours
    )

    # then
    assert (location.country, location.time_zone) == ("EE", "Europe/Tallinn")
    assert sorted(LocationHours.objects.for_salon(salon).values_list("weekday", flat=True)) == [
        0,
        1,
        2,
        3,
        4,
    ]
    assert SalonSetup.objects.for_salon(salon).get().next_step == "services"


def test_location_step_with_bad_hours_writes_nothing():
    # given
    salon = _start(UserFactory())
    hours = [OpeningHours(0, dt.time(9), dt.time(18)), OpeningHours(1, dt.time(18), dt.time(9))]

    # when
    with pytest.raises(ValidationError):
        setup_location_create(salon=salon, name="Old Town", hours=hours)

    # then
    assert not Location.objects.for_salon(salon).exists()
    assert not LocationHours.objects.for_salon(salon).exists()
    assert SalonSetup.objects.for_salon(salon).get().steps_done == []


def test_services_step_creates_bookable_services():
    salon = _start(UserFactory())
    setup_services_create(
        salon=salon,
        kind="barber",
        services=[ServiceDraft("Haircut", 30, Decimal("25")), ServiceDraft("Beard", 20, 18)],
    )
    assert sorted(Service.objects.for_salon(salon).values_list("name", "online_bookable")) == [
        ("Beard", True),
        ("Haircut", True),
    ]
    setup = SalonSetup.objects.for_salon(salon).get()
    assert (setup.kind, setup.steps_done) == ("barber", ["services"])


@pytest.mark.parametrize(
    "drafts",
    [
        [],
        [ServiceDraft("Cut", 30, Decimal("20")), ServiceDraft("cut", 45, Decimal("30"))],
        [ServiceDraft("Cut", 30, Decimal("20")), ServiceDraft("Colour", 0, Decimal("30"))],
    ],
)
def test_services_step_with_bad_input_writes_nothing(drafts):
    salon = _start(UserFactory())
    with pytest.raises(ValidationError):
        setup_services_create(salon=salon, kind="hair", services=drafts)
    assert not Service.objects.for_salon(salon).exists()
    assert SalonSetup.objects.for_salon(salon).get().steps_done == []


def test_staff_step_makes_the_owner_the_first_bookable_staff_member():
    # given
    owner = UserFactory(email="anna@example.test")
    salon = _start(owner)
    setup_location_create(
        salon=salon, name="Main", hours=[OpeningHours(0, dt.time(9), dt.time(18))]
    )
    setup_services_create(salon=salon, kind="hair", services=[ServiceDraft("Cut", 30, 20)])

    # when
    staff = setup_staff_create(salon=salon, owner=owner, owner_name="Anna", other_names=["Mari"])

    # then
    assert [(s.name, s.user_id) for s in staff] == [("Anna", owner.pk), ("Mari", None)]
    assert all(s.services.count() == 1 and s.locations.count() == 1 for s in staff)
    assert WorkingHours.objects.for_salon(salon).count() == 2
    assert SalonSetup.objects.for_salon(salon).get().next_step is None


def test_staff_step_refuses_duplicate_names_and_writes_nothing():
    owner = UserFactory()
    salon = _start(owner)
    with pytest.raises(ValidationError):
        setup_staff_create(salon=salon, owner=owner, owner_name="Anna", other_names=["anna"])
    assert not StaffMember.objects.for_salon(salon).exists()


def test_skip_then_resume():
    # given
    owner = UserFactory()
    salon = _start(owner)

    # when
    setup_step_skip(salon=salon, step="location")

    # then the wizard goes on, and the skipped step is still open
    setup = SalonSetup.objects.for_salon(salon).get()
    assert setup.next_step == "services"
    assert setup.open_steps == ["location"]

    # when it is done later
    setup_location_create(salon=salon, name="Main")

    # then
    setup.refresh_from_db()
    assert setup.open_steps == []
    assert setup.steps_done == ["location"]


def test_skip_unknown_step_is_refused():
    salon = _start(UserFactory())
    with pytest.raises(ValidationError):
        setup_step_skip(salon=salon, step="payments")
