"""Fixtures of the loyalty tests: a salon with loyalty on, a service that earns 50 points, a
client who opted in to marketing, and a helper that writes appointments directly (the booking
rules are tested in bookings/)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from bookings.models import Appointment
from bookings.tests.conftest import shop  # noqa: F401 - a bookable location, for checkout tests
from loyalty.models import LoyaltyProgram, ServicePoints
from tests.factories import ClientFactory, LocationFactory, ServiceFactory, StaffMemberFactory


def make_appointment(
    *,
    salon: Any,
    client: Any,
    service: Any,
    staff: Any,
    location: Any,
    ends_at: dt.datetime | None = None,
    status: str = Appointment.Status.COMPLETED,
    price: Decimal | None = None,
    slot: int = 0,
) -> Appointment:
    """An appointment that ended at `ends_at` (default: 4 hours ago, and `slot` hours before
    that, so that many of them never overlap for one staff member)."""
    if ends_at is None:
        ends_at = timezone.now() - dt.timedelta(hours=4) - dt.timedelta(minutes=slot * 61)
    starts_at = ends_at - dt.timedelta(minutes=service.duration_minutes)
    return Appointment.objects.create(
        salon=salon,
        location=location,
        staff=staff,
        service=service,
        client=client,
        starts_at=starts_at,
        ends_at=ends_at,
        block_starts_at=starts_at,
        block_ends_at=ends_at,
        status=status,
        source=Appointment.Source.DASHBOARD,
        price=service.price if price is None else price,
    )


@pytest.fixture
def loyal(salon):
    """The salon with loyalty switched on 20 days ago and one service earning 50 points."""
    LoyaltyProgram.objects.create(
        salon=salon,
        enabled=True,
        enabled_at=timezone.now() - dt.timedelta(days=20),
        award_delay_minutes=180,
    )
    location = LocationFactory(salon=salon, name="Old Town")
    service = ServiceFactory(salon=salon, name="Haircut", price=Decimal("35.00"))
    ServicePoints.objects.create(salon=salon, service=service, points=50)
    staff = StaffMemberFactory(salon=salon, name="Anna", locations=[location], services=[service])
    client = ClientFactory(salon=salon, first_name="Kati", marketing_consent=True)
    slots = itertools.count()

    def appointment(**kwargs: Any) -> Appointment:
        params = {
            "slot": next(slots),
            "salon": salon,
            "client": client,
            "service": service,
            "staff": staff,
            "location": location,
        }
        params.update(kwargs)
        return make_appointment(**params)

    return {
        "salon": salon,
        "location": location,
        "service": service,
        "staff": staff,
        "client": client,
        "appointment": appointment,
    }
