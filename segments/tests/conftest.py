"""The VIP shop: a location open 08–20 every day; Anna (offered online) does the public
Haircut 09–17; the owner, Olga, is not offered online, works 17–20 and does the Haircut and the
segment-only "VIP cut"; the "VIP" segment offers the VIP cut with Olga only."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest

from bookings.models import Service
from segments.models import Segment
from segments.services.segments import segment_create
from tests.factories import (
    LocationFactory,
    LocationHoursFactory,
    ServiceFactory,
    StaffMemberFactory,
    WorkingHoursFactory,
)

TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")
GUEST = {
    "first_name": "Kati",
    "last_name": "Karu",
    "email": "kati@example.test",
    "phone": "+372 5551 2345",
    "notes": "",
}


def next_wednesday_at(hour: int, minute: int = 0) -> dt.datetime:
    today = dt.datetime.now(TALLINN).date()
    days = (2 - today.weekday()) % 7 or 7
    day = today + dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TALLINN)


@pytest.fixture
def vip(salon) -> dict[str, Any]:
    salon.slot_step_minutes = 30
    salon.min_notice_minutes = 0
    salon.max_advance_days = 365
    salon.save()
    location = LocationFactory(salon=salon, name="Old Town", time_zone="Europe/Tallinn")
    for weekday in range(7):
        LocationHoursFactory(
            location=location, weekday=weekday, opens=dt.time(8), closes=dt.time(20)
        )
    haircut = ServiceFactory(salon=salon, name="Haircut", duration_minutes=60)
    vip_cut = ServiceFactory(
        salon=salon,
        name="VIP cut",
        duration_minutes=60,
        price=Decimal("90.00"),
        visibility=Service.Visibility.SEGMENTS,
    )
    anna = StaffMemberFactory(salon=salon, name="Anna", locations=[location], services=[haircut])
    olga = StaffMemberFactory(
        salon=salon,
        name="Olga",
        offered_online=False,
        locations=[location],
        services=[haircut, vip_cut],
    )
    for weekday in range(7):
        WorkingHoursFactory(
            staff=anna, location=location, weekday=weekday, starts=dt.time(9), ends=dt.time(17)
        )
        WorkingHoursFactory(
            staff=olga, location=location, weekday=weekday, starts=dt.time(17), ends=dt.time(20)
        )
    segment = segment_create(salon=salon, name="VIP", services=[vip_cut], staff=[olga])
    return {
        "salon": salon,
        "location": location,
        "haircut": haircut,
        "vip_cut": vip_cut,
        "anna": anna,
        "olga": olga,
        "segment": segment,
    }


def seg(segment: Segment | str) -> str:
    token = segment if isinstance(segment, str) else segment.token
    return urlencode({"segment": token})


def flow_base(vip: dict[str, Any], service: Service | None = None) -> str:
    service = service or vip["vip_cut"]
    return f"/s/alpha/l/{vip['location'].pk}/s/{service.pk}"
