"""The lock screen of a passcode-locked location in a real browser: the visitor sees only the
lock, a wrong code is refused, the right one shows the services."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from bookings.passcodes import location_passcode_set

from .conftest import Pages

pytestmark = pytest.mark.browser


def test_visitor_unlocks_a_locked_location_with_its_code(
    shop: dict[str, Any], pages: Pages
) -> None:
    # given
    location_passcode_set(location=shop["location"], enabled=True, code="8305")
    page = pages.new()

    # when the visitor opens the salon's booking page
    page.goto("/s/alpha/")

    # then only the lock is shown
    expect(page.get_by_role("heading", name="This booking page is locked")).to_be_visible()
    expect(page.locator(".lock-card svg.lock-icon")).to_be_visible()
    expect(page.get_by_text("Haircut")).to_have_count(0)

    # when a wrong code is given
    page.get_by_label("Code").fill("8304")
    page.get_by_role("button", name="Unlock").click()

    # then it is refused, and the field is empty again
    expect(page.get_by_role("alert")).to_have_text("That code is not right.")
    expect(page.get_by_label("Code")).to_have_value("")
    expect(page.get_by_text("Haircut")).to_have_count(0)

    # when the right code is given
    page.get_by_label("Code").fill("8305")
    page.get_by_role("button", name="Unlock").click()

    # then the services are shown, and stay open in this browser session
    expect(page.get_by_role("heading", name="Choose a service")).to_be_visible()
    expect(page.locator("a.choice", has_text="Haircut")).to_be_visible()
    page.locator("a.choice", has_text="Haircut").click()
    expect(page.get_by_role("heading", name="Choose a staff member")).to_be_visible()
    # another browser is still locked
    other = pages.new()
    other.goto("/s/alpha/")
    expect(other.get_by_role("heading", name="This booking page is locked")).to_be_visible()
    assert pages.csp_violations == []
    assert pages.js_errors == []
