"""The public booking site in a real browser: a guest books, and two guests race for a time."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import formats, translation
from playwright.sync_api import Page, expect

from bookings.models import Appointment
from notices.models import Notice

from .conftest import Pages

pytestmark = pytest.mark.browser

TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")


def choose_a_time(page: Page, *, staff: str) -> dt.datetime:
    """From the salon's page: Haircut, then `staff`, then the next week (never today, whose
    first free time could pass during the test), its last day and that day's first time.
    Returns the chosen start, read from the link the guest followed."""
    page.goto("/s/alpha/")  # one location: straight to its services
    page.locator("a.choice", has_text="Haircut").click()
    page.get_by_role("link", name=staff, exact=True).click()
    expect(page.get_by_role("heading", name="Choose a day and time")).to_be_visible()

    # htmx swaps the picker in place and pushes each week's / day's URL.
    page.get_by_role("link", name="Next week").click()
    expect(page).to_have_url(re.compile(r"/time/\?staff=\w+&date=\d{4}-\d{2}-\d{2}$"))
    days = page.locator("#picker a.day")
    expect(days).to_have_count(7)
    sunday = days.last
    sunday_url = sunday.get_attribute("href") or ""
    sunday.click()
    expect(page.locator("#picker a.day-selected")).to_have_attribute("href", sunday_url)
    expect(page).to_have_url(re.compile(re.escape(sunday_url) + "$"))

    first_time = page.locator("#picker a.time").first
    expect(first_time).to_have_text("08:00")
    start = parse_qs(urlsplit(first_time.get_attribute("href") or "").query)["start"][0]
    first_time.click()
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    return dt.datetime.fromisoformat(start)


def fill_details_and_go_to_checkout(page: Page, *, first_name: str, email: str) -> None:
    page.get_by_label("First name").fill(first_name)
    page.get_by_label("Last name").fill("Tamm")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Phone").fill("+372 5123 4567")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Confirm and pay")).to_be_visible()
    page.get_by_label("Pay at the salon").check()


def local_text(moment: dt.datetime, fmt: str) -> str:
    with translation.override("en"):
        return formats.date_format(moment.astimezone(TALLINN), fmt)


def test_client_books_an_appointment_on_the_public_site(shop: dict[str, Any], pages: Pages) -> None:
    # given
    page = pages.new()

    # when
    starts_at = choose_a_time(page, staff="Any available")
    fill_details_and_go_to_checkout(page, first_name="Kati", email="kati@example.test")
    page.get_by_role("button", name="Book now").click()

    # then
    expect(page.get_by_role("heading", name="Your appointment")).to_be_visible()
    expect(page.locator(".message-success")).to_have_text("Your appointment is booked.")
    time_text = page.locator("dt", has_text=re.compile("^Time$")).locator(
        "xpath=following-sibling::dd[1]"
    )
    ends_at = starts_at + dt.timedelta(minutes=60)
    expect(time_text).to_have_text(
        f"{local_text(starts_at, 'l j F Y, H:i')}–{local_text(ends_at, 'H:i')} (Europe/Tallinn)"
    )
    appointment = Appointment.objects.get()
    assert appointment.starts_at == starts_at
    assert appointment.salon == shop["salon"]
    assert appointment.service == shop["service"]
    assert appointment.status == Appointment.Status.BOOKED
    assert (appointment.client.first_name, appointment.client.email) == (
        "Kati",
        "kati@example.test",
    )
    assert list(Notice.objects.values_list("kind", "recipient", "client")) == [
        ("booking_confirmation", "kati@example.test", appointment.client_id)
    ]
    assert pages.csp_violations == []
    assert pages.js_errors == []


def test_cannot_double_book_from_a_second_browser(shop: dict[str, Any], pages: Pages) -> None:
    # given: two guests in two browsers reach the checkout for the same time with Anna
    first, second = pages.new(), pages.new()
    first_start = choose_a_time(first, staff="Anna")
    fill_details_and_go_to_checkout(first, first_name="Kati", email="kati@example.test")
    second_start = choose_a_time(second, staff="Anna")
    fill_details_and_go_to_checkout(second, first_name="Mari", email="mari@example.test")
    assert second_start == first_start
    first.get_by_role("button", name="Book now").click()
    expect(first.get_by_role("heading", name="Your appointment")).to_be_visible()

    # when
    with second.expect_response(re.compile(r"/s/alpha/checkout/$")) as taken:
        second.get_by_role("button", name="Book now").click()

    # then
    assert taken.value.status == 409
    expect(second.get_by_role("heading", name="This time was just taken")).to_be_visible()
    appointment = Appointment.objects.get()
    assert (appointment.starts_at, appointment.staff, appointment.client.email) == (
        first_start,
        shop["staff"][0],
        "kati@example.test",
    )
    assert list(Notice.objects.values_list("recipient", flat=True)) == ["kati@example.test"]
    assert pages.csp_violations == []
    assert pages.js_errors == []
