"""The owner's booking panel in a real browser at desktop width: click an empty slot in the
calendar, the side panel opens with the staff member and time filled in, search a returning
client by phone, book — no duplicate client, and the client page shows the booking."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

import pytest
from playwright.sync_api import expect

from bookings.models import Appointment, Client
from tests.factories import ClientFactory

from .conftest import Pages

pytestmark = pytest.mark.browser

TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")
PX_PER_MINUTE = 1.2  # static/js/calendar.js


def test_owner_books_a_returning_client_from_the_calendar_panel(
    shop: dict[str, Any], owner: Any, pages: Pages
) -> None:
    # given Kati, a returning client, and the owner on tomorrow's calendar at desktop width
    kati = ClientFactory(
        salon=shop["salon"], first_name="Kati", last_name="Kask", phone="+3725123456"
    )
    anna, mari = shop["staff"]
    day = dt.datetime.now(TALLINN).date() + dt.timedelta(days=1)
    page = pages.logged_in(owner)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(
        f"/dashboard/alpha/calendar/?location={shop['location'].pk}&date={day.isoformat()}&view=day"
    )
    page.wait_for_load_state("load")
    expect(page.locator("#cal")).to_have_class(re.compile(r"\bcal-positioned\b"))
    grid_start = int(page.locator("#cal").get_attribute("data-grid-start") or "0")

    # when the owner clicks Mari's empty 14:00
    page.locator(f".cal-col-body[data-staff='{mari.pk}']").click(
        position={"x": 20, "y": (14 * 60 - grid_start) * PX_PER_MINUTE + 3}
    )

    # then the side panel opens (no page load) with Mari and 14:00
    panel = page.locator("#cal-panel #booking-panel")
    expect(panel).to_be_visible()
    expect(page.locator("#booking-form select[name=staff]")).to_have_value(str(mari.pk))
    expect(page.locator("#booking-form input[name=time]")).to_have_value("14:00")
    expect(page.locator("#booking-form input[name=date]")).to_have_value(day.isoformat())

    # when the service is chosen (the lists filter each other) and Kati is found by phone
    with page.expect_response(lambda response: "refresh=1" in response.url):
        page.locator("#booking-form select[name=service]").select_option(str(shop["service"].pk))
    expect(page.locator("#booking-form select[name=service]")).to_have_value(
        str(shop["service"].pk)
    )
    # (the re-rendered form is swapped in after its response: typing before that is lost)
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
    page.locator("#booking-form input[name=client_query]").fill("512 3456")
    choice = page.locator(f"#client-suggestions input[name=client][value='{kati.pk}']")
    expect(choice).to_be_visible()
    expect(page.locator("#client-suggestions")).to_contain_text("Kati Kask")
    choice.check()
    with page.expect_navigation():  # HX-Redirect to the calendar of that day
        page.locator("#booking-form [data-book]").click()

    # then one booking for Kati with Mari at 14:00, and no second client
    appointment = Appointment.objects.get()
    assert appointment.client_id == kati.pk
    assert appointment.staff_id == mari.pk
    assert appointment.starts_at == dt.datetime.combine(day, dt.time(14), tzinfo=TALLINN)
    assert Client.objects.count() == 1
    expect(page.locator(".message-success")).to_contain_text("Appointment booked: Kati Kask")
    expect(
        page.locator(f".cal-col-body[data-staff='{mari.pk}'] #appt-{appointment.pk}")
    ).to_contain_text("Kati Kask")

    # and the client page shows the booking in Kati's history
    page.goto(f"/dashboard/alpha/clients/{kati.pk}/")
    expect(
        page.locator(f"[data-appointments='upcoming'] tr[data-appointment='{appointment.pk}']")
    ).to_contain_text("Mari")
    assert pages.csp_violations == []
    assert pages.js_errors == []
