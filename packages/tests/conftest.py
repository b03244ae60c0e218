"""Fixtures of the packages tests: a bookable salon (the `shop` of bookings' tests, open 08–20,
two stylists 09–17, a 60-minute Haircut at 40.00), a second service, a client with a verified
account, and helpers that write package types and appointments directly (the booking rules
are tested in bookings/)."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.test import Client as HttpClient
from django.utils import timezone

from bookings.models import Appointment
from bookings.tests.conftest import shop  # noqa: F401 - a bookable location
from packages.models import PackageKind, PackageType, PackageTypeService, ValidityUnit
from tests.factories import ClientFactory, ServiceFactory, UserFactory

TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")


def make_type(salon: Any, services: list[Any], **kwargs: Any) -> PackageType:
    """A package type written directly: a visit package of 5 visits for 150.00 by default."""
    values: dict[str, Any] = {"kind": PackageKind.VISITS, "name": "5 visits", "price": "150.00"}
    values.update(kwargs)
    kind = values["kind"]
    if kind == PackageKind.VISITS:
        values.setdefault("visits", 5)
    elif kind == PackageKind.CREDIT:
        values.setdefault("credit", Decimal("100.00"))
    elif kind == PackageKind.TIME:
        values.setdefault("validity_count", 1)
        values.setdefault("validity_unit", ValidityUnit.MONTHS)
    package_type = PackageType.objects.create(salon=salon, **values)
    for service in services:
        PackageTypeService.objects.create(salon=salon, package_type=package_type, service=service)
    return package_type


def tallinn_day_at(days_ahead: int, hour: int, minute: int = 0) -> dt.datetime:
    day = timezone.localdate(timezone.now(), TALLINN) + dt.timedelta(days=days_ahead)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TALLINN)


@pytest.fixture
def pkg(shop):  # noqa: F811
    """The shop with a second service (Colour, 90 min, 80.00, not covered by default), a
    client Kati with a verified account, and `appointment(...)`: a booked appointment of
    Kati's written directly, by default tomorrow-and-on at 10:00 with Anna (each call one
    day later unless `starts_at` is given)."""
    salon = shop["salon"]
    colour = ServiceFactory(salon=salon, name="Colour", duration_minutes=90, price=Decimal("80.00"))
    for member in shop["staff"]:
        member.services.add(colour, through_defaults={"salon_id": salon.pk})
    user = UserFactory(email="kati@example.test")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client = ClientFactory(salon=salon, first_name="Kati", email="kati@example.test", user=user)
    days = itertools.count(1)

    def appointment(**kwargs: Any) -> Appointment:
        service = kwargs.pop("service", shop["service"])
        starts_at = kwargs.pop("starts_at", None) or tallinn_day_at(next(days), 10)
        ends_at = starts_at + dt.timedelta(minutes=service.duration_minutes)
        values: dict[str, Any] = {
            "salon": salon,
            "location": shop["location"],
            "staff": shop["staff"][0],
            "service": service,
            "client": client,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "block_starts_at": starts_at,
            "block_ends_at": ends_at,
            "status": Appointment.Status.BOOKED,
            "source": Appointment.Source.DASHBOARD,
            "price": service.price,
        }
        values.update(kwargs)
        return Appointment.objects.create(**values)

    return {
        **shop,
        "colour": colour,
        "user": user,
        "client": client,
        "appointment": appointment,
    }


@pytest.fixture
def kati_http(pkg) -> HttpClient:
    http = HttpClient()
    http.force_login(pkg["user"])
    return http


def package_row_counts() -> dict[str, int]:
    """Rows of every packages table: compare before and after to prove nothing was written."""
    from django.apps import apps

    return {m.__name__: m.objects.count() for m in apps.get_app_config("packages").get_models()}
