"""The owner calendar in a real browser: drag an appointment to another time and stylist."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

import pytest
from django.utils import formats, translation
from playwright.sync_api import expect

from bookings.models import Appointment
from bookings.services.booking import BookingRequest, appointment_book
from tests.factories import ClientFactory

from .conftest import Pages

pytestmark = pytest.mark.browser

TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")
PX_PER_MINUTE = 1.2  # static/js/calendar.js


def test_owner_moves_an_appointment_in_the_calendar(
    shop: dict[str, Any], owner: Any, pages: Pages
) -> None:
    # given: Kati with Anna tomorrow 10:00–11:00, the owner on that day's calendar
    anna, mari = shop["staff"]
    day = dt.datetime.now(TALLINN).date() + dt.timedelta(days=1)
    appointment = appointment_book(
        salon=shop["salon"],
        request=BookingRequest(
            location=shop["location"],
            service=shop["service"],
            starts_at=dt.datetime.combine(day, dt.time(10), tzinfo=TALLINN),
            staff=anna,
        ),
        client=ClientFactory(salon=shop["salon"], first_name="Kati", last_name="Kask"),
        source=Appointment.Source.DASHBOARD,
    )
    page = pages.logged_in(owner)
    page.set_viewport_size({"width": 1280, "height": 1200})  # 72px an hour: 13:00 in view
    page.goto(
        f"/dashboard/alpha/calendar/?location={shop['location'].pk}&date={day.isoformat()}&view=day"
    )
    block = page.locator(f"#appt-{appointment.pk}")
    mari_column = page.locator(f".cal-col-body[data-staff='{mari.pk}']")
    expect(
        page.locator(f".cal-col-body[data-staff='{anna.pk}'] #appt-{appointment.pk}")
    ).to_have_count(1)
    expect(page.locator("#cal")).to_have_class(re.compile(r"\bcal-positioned\b"))  # laid out by JS
    grid_start = int(page.locator("#cal").get_attribute("data-grid-start") or "0")
    grab_y = 5  # px below the block's top edge; calendar.js subtracts it again on drop

    # when: drop it in Mari's column with its top at 13:00
    with page.expect_navigation():  # calendar.js reloads the page after a successful move
        page.drag_and_drop(
            f"#appt-{appointment.pk}",
            f".cal-col-body[data-staff='{mari.pk}']",
            source_position={"x": 10, "y": grab_y},
            target_position={"x": 10, "y": (13 * 60 - grid_start) * PX_PER_MINUTE + grab_y},
        )

    # then
    appointment.refresh_from_db()
    assert appointment.starts_at == dt.datetime.combine(day, dt.time(13), tzinfo=TALLINN)
    assert appointment.ends_at == dt.datetime.combine(day, dt.time(14), tzinfo=TALLINN)
    assert appointment.staff == mari
    assert Appointment.objects.count() == 1
    with translation.override("en"):
        when = formats.date_format(appointment.starts_at.astimezone(TALLINN), "D j M H:i")
    expect(page.locator(".message-success")).to_have_text(f"Appointment moved to {when} with Mari.")
    expect(mari_column.locator(f"#appt-{appointment.pk} .cal-appt-time")).to_have_text(
        "13:00–14:00"
    )
    expect(block).to_have_count(1)
    assert pages.csp_violations == []
    assert pages.js_errors == []
