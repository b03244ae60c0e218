"""Packages in a real browser: a client holding a visit package logs in, books, sees the
package chosen at the last step, and gets the visit back when she cancels."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from bookings.models import Appointment
from packages.models import (
    ClientPackage,
    PackageEntry,
    PackageKind,
    PackageType,
    PackageTypeService,
)
from packages.services.holdings import client_package_assign
from tests.factories import ClientFactory, UserFactory

from .conftest import Pages
from .test_public_site import choose_a_time

pytestmark = pytest.mark.browser


@pytest.fixture
def holder(shop: dict[str, Any]) -> dict[str, Any]:
    """Kati, with a verified account and a package of 5 visits for the Haircut."""
    salon = shop["salon"]
    user = UserFactory(email="kati@example.test", first_name="Kati", last_name="Tamm")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client = ClientFactory(
        salon=salon,
        user=user,
        first_name="Kati",
        last_name="Tamm",
        email="kati@example.test",
        phone="+37255512345",
    )
    package_type = PackageType.objects.create(
        salon=salon, kind=PackageKind.VISITS, name="5 haircuts", price="180.00", visits=5
    )
    PackageTypeService.objects.create(
        salon=salon, package_type=package_type, service=shop["service"]
    )
    held = client_package_assign(salon=salon, client=client, package_type=package_type, actor=None)
    return {"user": user, "client": client, "held": held}


def test_a_client_books_with_her_package_and_cancelling_returns_the_visit(
    shop: dict[str, Any], holder: dict[str, Any], pages: Pages
) -> None:
    # given Kati, logged in
    page = pages.logged_in(holder["user"])

    # when she books a Haircut
    choose_a_time(page, staff="Any available")
    expect(page.get_by_label("First name")).to_have_value("Kati")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Confirm and pay")).to_be_visible()

    # then her package is chosen at the last step
    expect(page.get_by_label("My package")).to_be_checked()
    expect(page.get_by_label("Pay at the salon")).not_to_be_checked()
    page.get_by_role("button", name="Book now").click()
    expect(page.get_by_role("heading", name="Your appointment")).to_be_visible()
    appointment_url = page.url
    appointment = Appointment.objects.get()
    use = PackageEntry.objects.get(kind="used")
    assert (use.appointment, use.client_package) == (appointment, holder["held"])

    # and "My packages" shows one visit used, paying this booking
    page.get_by_role("link", name="My packages").click()
    package = page.locator(f"#my-package-{holder['held'].pk}")
    expect(package.locator(".package-left")).to_have_text("4 of 5 visits left")
    expect(package).to_contain_text("Paid: Haircut on")

    # when she cancels the appointment
    page.goto(appointment_url)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel appointment").click()
    expect(page.locator(".message-success")).to_have_text("Your appointment is cancelled.")

    # then the visit is back
    page.get_by_role("link", name="My packages").click()
    expect(package.locator(".package-left")).to_have_text("5 of 5 visits left")
    expect(package).to_contain_text(re.compile(r"Returned: Haircut on .* was cancelled or moved"))
    held = ClientPackage.objects.get()
    assert held.visits_left == 5
    assert pages.csp_violations == []
    assert pages.js_errors == []


def test_a_guest_is_told_to_log_in_to_use_a_package(
    shop: dict[str, Any], holder: dict[str, Any], pages: Pages
) -> None:
    # given a visitor who is not logged in
    page = pages.new()
    # when she reaches the last step
    choose_a_time(page, staff="Any available")
    page.get_by_label("First name").fill("Kati")
    page.get_by_label("Last name").fill("Tamm")
    page.get_by_label("Email").fill("kati@example.test")
    page.get_by_label("Phone").fill("+372 5123 4567")
    page.get_by_role("button", name="Continue").click()
    # then the package is not offered, and she is told to log in
    expect(page.get_by_role("heading", name="Confirm and pay")).to_be_visible()
    expect(page.get_by_label("My package")).to_have_count(0)
    expect(page.locator(".login-hint")).to_contain_text("Log in to pay with it.")
    assert pages.csp_violations == []
