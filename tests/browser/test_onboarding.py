"""A new person opens SalonBook, signs up, confirms their e-mail, goes through the setup
wizard (skipping nothing) and opens their live booking page, all in a real browser."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from bookings.models import Membership, Salon, Service, StaffMember
from onboarding.invitations import staff_invitation_create
from onboarding.services import salon_setup_start
from tests.factories import StaffMemberFactory, UserFactory

from .conftest import Pages

pytestmark = pytest.mark.browser

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+/")


def test_new_owner_signs_up_and_sets_up_a_salon(transactional_db: None, pages: Pages) -> None:
    page = pages.new()

    # when a visitor asks to create a salon, they sign up first
    page.goto("/")
    page.get_by_role("link", name="Create your salon").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/"))
    page.locator("input[name='email']").fill("kadri@example.test")
    page.locator("input[name='password1']").fill("a-long-passphrase-2026")
    page.locator("input[name='password2']").fill("a-long-passphrase-2026")
    page.get_by_role("button", name="Create account").click()

    # and confirm their e-mail with the link they were sent
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/"))
    link = CONFIRM_LINK.search(mail.outbox[-1].body)
    assert link is not None
    page.goto(link.group(0))
    page.get_by_role("button", name="Confirm").click()

    # then they are logged in and continue with the wizard
    expect(page).to_have_url(re.compile(r"/start/$"))
    expect(page.get_by_role("heading", name="Create your salon")).to_be_visible()
    page.wait_for_load_state("load")  # the wizard's script is deferred

    # the salon: the web address follows the name, the country fills in the rest
    page.get_by_label("Salon name").fill("Studio Kadri")
    expect(page.get_by_label("Web address")).to_have_value("studio-kadri")
    page.get_by_label("Country").select_option("DK")
    expect(page.get_by_label("Currency")).to_have_value("DKK")
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Copenhagen")
    page.get_by_label("Country").select_option("EE")
    expect(page.get_by_label("Currency")).to_have_value("EUR")
    page.get_by_role("button", name="Create salon").click()

    # the location, with Monday to Friday 9–18 already filled in
    expect(page.get_by_role("heading", name="Your first location")).to_be_visible()
    expect(page.get_by_label("Location name")).to_have_value("Studio Kadri")
    page.get_by_label("Street address").fill("Vene 12")
    page.get_by_label("City").fill("Tallinn")
    page.get_by_label("Saturday").check()
    page.get_by_role("button", name="Save and continue").click()

    # the services: the barber's starter list, in the salon's language (Estonian)
    expect(page.get_by_role("heading", name="Your first services")).to_be_visible()
    page.wait_for_load_state("load")  # the list reloads on change (deferred script)
    page.get_by_label("Kind of salon").select_option("barber")
    expect(page.locator("input[value='Habeme piiramine']")).to_be_visible()
    page.locator("input[name='services-3-include']").uncheck()
    page.locator("input[name='services-0-price']").fill("27")
    page.get_by_role("button", name="Save and continue").click()

    # the staff: the owner first, and one more by name
    expect(page.get_by_role("heading", name="Who works here")).to_be_visible()
    page.get_by_label("Your name").fill("Kadri")
    page.get_by_label("More staff").fill("Jaan")
    page.get_by_role("button", name="Save and continue").click()

    # then the booking page is live, with a share text and a QR code
    expect(page.get_by_role("heading", name="Your booking page is live")).to_be_visible()
    expect(page.locator("#share-text")).to_contain_text("/s/studio-kadri/")
    qr = page.get_by_role("img", name="QR code of your booking page")
    expect(qr).to_be_visible()
    # the image is really served (it has a size before it loads: wait for the load itself)
    page.wait_for_function(
        "() => { const img = document.querySelector('img.qr-code');"
        " return img.complete && img.naturalWidth > 0; }"
    )
    expect(page.get_by_role("button", name="Copy")).to_be_visible()

    salon = Salon.objects.get(slug="studio-kadri")
    assert sorted(Service.objects.for_salon(salon).values_list("name", "price")) == [
        ("Habeme piiramine", 18),
        ("Juukselõikus", 27),
        ("Juukselõikus ja habe", 38),
    ]
    assert sorted(StaffMember.objects.for_salon(salon).values_list("name", flat=True)) == [
        "Jaan",
        "Kadri",
    ]

    # when they open their booking page, clients can pick a service there
    page.locator("#booking-link").click()
    expect(page).to_have_url(re.compile(r"/s/studio-kadri/"))
    expect(page.get_by_text("Juukselõikus ja habe").first).to_be_visible()

    # and the dashboard's header lists their salon
    page.goto("/dashboard/studio-kadri/")
    expect(page.locator(".salon-switcher summary")).to_have_text("Studio Kadri")
    page.locator(".salon-switcher summary").click()
    expect(page.locator(".salon-switcher a[aria-current]")).to_have_text("Studio Kadri")
    assert pages.csp_violations == []
    assert pages.js_errors == []


def test_invited_staff_member_signs_up_through_the_link(
    transactional_db: None, pages: Pages
) -> None:
    # given a salon whose owner invited Mari
    owner = UserFactory(email="owner@studio.test")
    salon = salon_setup_start(owner=owner, name="Studio", slug="studio", country="EE")
    mari = StaffMemberFactory(salon=salon, name="Mari Saar")
    token = staff_invitation_create(
        salon=salon, actor=owner, staff=mari, email="mari@example.test"
    ).token
    page = pages.new()

    # when Mari opens the link, signs up and confirms her e-mail
    page.goto(f"/start/invite/studio/{token}/")
    expect(page.get_by_role("heading", name="Join Studio")).to_be_visible()
    page.get_by_role("link", name="Sign up").click()
    page.locator("input[name='email']").fill("mari@example.test")
    page.locator("input[name='password1']").fill("a-long-passphrase-2026")
    page.locator("input[name='password2']").fill("a-long-passphrase-2026")
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/"))
    link = CONFIRM_LINK.search(mail.outbox[-1].body)
    assert link is not None
    page.goto(link.group(0))
    page.get_by_role("button", name="Confirm").click()

    # then she is back on the invitation, accepts it and lands on her day
    expect(page.get_by_role("button", name="Accept the invitation")).to_be_visible()
    page.get_by_role("button", name="Accept the invitation").click()
    expect(page).to_have_url(re.compile(r"/dashboard/studio/my-day/$"))
    # (in the salon's language: Mari has not chosen one of her own, the salon is Estonian)
    expect(page.get_by_role("heading", name="Minu päev — Mari Saar")).to_be_visible()
    # with only what the staff role opens in the menu
    expect(page.locator(".sidenav a[href='/dashboard/studio/calendar/']")).to_be_visible()
    expect(page.locator(".sidenav a[href='/dashboard/studio/online-booking/']")).to_have_count(0)
    expect(page.locator(".sidenav a[href='/dashboard/studio/staff/']")).to_be_visible()
    mari.refresh_from_db()
    assert mari.user is not None and mari.user.email == "mari@example.test"
    assert Membership.objects.get(salon=salon, user=mari.user).role == "staff"
    assert pages.csp_violations == []
    assert pages.js_errors == []
