"""At phone width: a guest reads the location's hours and the salon's policy while booking,
and the owner sees that booking in the client's history on the client page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from bookings.models import Appointment

from .conftest import Pages
from .test_public_site import choose_a_time, fill_details_and_go_to_checkout

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def assert_fits_the_width(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def test_guest_reads_hours_and_policy_and_owner_sees_the_booking(
    shop: dict[str, Any], pages: Pages, owner: Any
) -> None:
    # given
    salon, location = shop["salon"], shop["location"]
    salon.cancellation_cutoff_hours = 24
    salon.cancellation_policy = "Late cancellations are charged 50%."
    salon.save()
    location.address = "Raekoja plats 1"
    location.city = "Tallinn"
    location.phone = "+372 5123 4567"
    location.description = "Entrance from the courtyard."
    location.save()
    page = pages.new()
    page.set_viewport_size(PHONE)

    # when: the guest reads the location's page
    page.goto("/s/alpha/")

    # then
    expect(page.get_by_role("heading", name="Opening hours this week")).to_be_visible()
    expect(page.locator(".opening-hours tr.today td")).to_have_text("08:00–20:00")
    expect(page.get_by_role("link", name="Show on map (OpenStreetMap)")).to_have_attribute(
        "href", "https://www.openstreetmap.org/search?query=Raekoja+plats+1%2C+Tallinn"
    )
    expect(page.get_by_text("Entrance from the courtyard.")).to_be_visible()
    assert_fits_the_width(page)

    # when: the guest books, reading the policy before confirming
    choose_a_time(page, staff="Any available")
    fill_details_and_go_to_checkout(page, first_name="Kati", email="kati@example.test")
    expect(page.get_by_role("heading", name="Cancellation and change policy")).to_be_visible()
    expect(page.get_by_text("Late cancellations are charged 50%.")).to_be_visible()
    assert_fits_the_width(page)
    page.get_by_role("button", name="Book now").click()

    # then: the confirmation repeats the policy and says how to reach the salon
    expect(page.get_by_role("heading", name="Your appointment")).to_be_visible()
    expect(page.get_by_role("heading", name="Cancellation and change policy")).to_be_visible()
    expect(page.get_by_role("heading", name="Contact the salon")).to_be_visible()
    expect(page.locator('a[href="tel:+37251234567"]').first).to_be_visible()
    assert_fits_the_width(page)

    # when: the owner opens the client's page on a phone
    appointment = Appointment.objects.get()
    desk = pages.logged_in(owner)
    desk.set_viewport_size(PHONE)
    desk.goto(f"/dashboard/alpha/clients/{appointment.client_id}/")

    # then
    expect(desk.get_by_role("heading", name="Kati Tamm")).to_be_visible()
    upcoming = desk.locator('table[data-appointments="upcoming"] tbody tr')
    expect(upcoming).to_have_count(1)
    expect(upcoming.first).to_contain_text("Haircut")
    expect(upcoming.first).to_contain_text("Booked")
    expect(desk.get_by_role("link", name="New appointment for this client")).to_be_visible()
    assert pages.csp_violations == []
    assert pages.js_errors == []
