from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import (
    LocationFactory,
    LocationHoursFactory,
    ServiceFactory,
    StaffMemberFactory,
    WorkingHoursFactory,
)


@pytest.fixture
def shop(salon):
    """A location open 08–20 every day with two stylists working 09–17 every day and a
    60-minute service with 10 minutes of buffer after it."""
    salon.slot_step_minutes = 15
    salon.min_notice_minutes = 0
    salon.max_advance_days = 365
    salon.save()
    location = LocationFactory(salon=salon, name="Old Town", time_zone="Europe/Tallinn")
    for weekday in range(7):
        LocationHoursFactory(
            location=location, weekday=weekday, opens=dt.time(8), closes=dt.time(20)
        )
    service = ServiceFactory(
        salon=salon, name="Haircut", duration_minutes=60, buffer_after_minutes=10
    )
    staff = [
        StaffMemberFactory(salon=salon, name=name, locations=[location], services=[service])
        for name in ("Anna", "Mari")
    ]
    for member in staff:
        for weekday in range(7):
            WorkingHoursFactory(
                staff=member,
                location=location,
                weekday=weekday,
                starts=dt.time(9),
                ends=dt.time(17),
            )
    return {"salon": salon, "location": location, "service": service, "staff": staff}
