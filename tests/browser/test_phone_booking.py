"""A guest books on a phone (390×844): reads the location's hours and the salon's policy, uses
"first available" and the time picker's parts of the day, is stopped by the details form's
checks before any round trip, types a local phone number, and is told where the confirmation
went. No page is wider than the screen."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from bookings.models import Appointment, Client
from tests.factories import LocationClosureFactory

from .conftest import Pages

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")
CLOSED_DAYS = 9


def assert_fits_the_width(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def test_guest_books_on_a_phone_with_first_available_and_the_parts_of_the_day(
    shop: dict[str, Any], pages: Pages
) -> None:
    # given: the salon's policy and address; the location closed for the next nine days, so
    # the first free time is 08:00 on the tenth day, in a later week
    salon, location = shop["salon"], shop["location"]
    salon.cancellation_cutoff_hours = 24
    salon.cancellation_policy = "Late cancellations are charged 50%."
    salon.save()
    location.address = "Raekoja plats 1"
    location.city = "Tallinn"
    location.save()
    today = dt.datetime.now(TALLINN).date()
    for offset in range(CLOSED_DAYS):
        LocationClosureFactory(
            salon=salon, location=location, date=today + dt.timedelta(days=offset)
        )
    first_day = today + dt.timedelta(days=CLOSED_DAYS)
    first_start = dt.datetime(first_day.year, first_day.month, first_day.day, 8, tzinfo=TALLINN)
    page = pages.new()
    page.set_viewport_size(PHONE)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    # when: the guest opens the salon's page
    page.goto("/s/alpha/")

    # then: the hours and the address are there, on one screen's width
    expect(page.get_by_role("heading", name="Opening hours this week")).to_be_visible()
    expect(page.get_by_text("Raekoja plats 1").first).to_be_visible()
    assert_fits_the_width(page)

    # when: Haircut with anyone
    page.locator("a.choice", has_text="Haircut").click()
    page.get_by_role("link", name="Any available", exact=True).click()
    page.wait_for_load_state("load")

    # then: this week's closed days are marked as without free times before any tap
    expect(page.get_by_role("heading", name="Choose a day and time")).to_be_visible()
    bookable = page.locator("#picker a.day")
    full = page.locator('#picker a.day[data-has-times="false"]')
    expect(full).to_have_count(bookable.count())
    expect(full.first.locator(".day-status")).to_have_text("full")
    first_link = page.locator("a.first-available-link")
    expect(first_link).to_contain_text("First available")
    expect(first_link).to_contain_text(first_start.strftime("%a %-d %b, 08:00"))
    assert_fits_the_width(page)

    # when: the guest taps "First available"
    first_link.click()

    # then: its day is shown (the week it is in), its time marked and focused, the day's
    # times grouped into morning, afternoon and evening
    expect(page.locator("#picker a.day-selected")).to_contain_text(first_day.strftime("%-d %b"))
    marked = page.locator("#picker a.time-first")
    expect(marked).to_have_count(1)
    expect(marked).to_contain_text("08:00")
    expect(marked).to_be_focused()
    groups = page.locator("#picker .time-group h3")
    expect(groups).to_have_count(3)
    expect(groups.nth(0)).to_have_text(re.compile(r"^Morning \(16\)$"))
    expect(groups.nth(1)).to_have_text(re.compile(r"^Afternoon \(20\)$"))
    expect(groups.nth(2)).to_have_text(re.compile(r"^Evening \(9\)$"))
    expect(page.locator(".time-group-evening a.time").last).to_have_text("19:00")
    expect(page).to_have_url(re.compile(rf"date={first_day.isoformat()}"))
    assert_fits_the_width(page)
    start = parse_qs(urlsplit(marked.get_attribute("href") or "").query)["start"][0]
    assert dt.datetime.fromisoformat(start) == first_start
    marked.click()

    # when: the guest continues with nothing filled in
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Continue").click()

    # then: the browser says what is missing, next to each field, and nothing was sent
    first_name = page.get_by_label("First name")
    expect(first_name).to_be_focused()
    expect(first_name).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_first_name-client-error")).to_have_text("This field is required.")
    expect(page.locator("#id_phone-client-error")).to_have_text("This field is required.")
    assert posts == []

    # when: a wrong e-mail address, then the right one; a local number as people type it
    first_name.fill("Kati")
    page.get_by_label("Last name").fill("Tamm")
    email = page.get_by_label("Email")
    email.fill("kati@")
    email.blur()
    expect(page.locator("#id_email-client-error")).to_have_text("Enter a valid email address.")
    email.fill("kati.tamm@example.test")
    expect(page.locator("#id_email-client-error")).to_be_empty()
    page.get_by_label("Phone").fill("(5123) 45-67")
    assert_fits_the_width(page)
    page.get_by_role("button", name="Continue").click()

    # then: the checkout shows the policy before the guest confirms
    expect(page.get_by_role("heading", name="Confirm and pay")).to_be_visible()
    expect(page.get_by_role("heading", name="Cancellation and change policy")).to_be_visible()
    expect(page.get_by_text("Late cancellations are charged 50%.")).to_be_visible()
    assert_fits_the_width(page)
    page.get_by_label("Pay at the salon").check()
    page.get_by_role("button", name="Book now").click()

    # then: the confirmation says where it was sent (masked), and repeats the policy
    expect(page.get_by_role("heading", name="Your appointment")).to_be_visible()
    expect(page.locator(".sent-to")).to_have_text(
        "We sent the confirmation by e-mail to k•••m@example.test."
    )
    expect(page.get_by_role("heading", name="Cancellation and change policy")).to_be_visible()
    assert_fits_the_width(page)
    appointment = Appointment.objects.get()
    assert appointment.starts_at == first_start
    assert str(Client.objects.get().phone) == "+37251234567"
    assert pages.js_errors == [] and pages.csp_violations == []
