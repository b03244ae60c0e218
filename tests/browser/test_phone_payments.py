"""The client's pay pages on a phone (390×844, issue 17): `/pay/<reference>/` and its return
pages (`done/`, `cancelled/`) fit the screen in every state they show, with no script errors
or Content Security Policy violations. (The owner's payments pages are checked with every
dashboard page in test_phone_dashboard.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from payments.models import Order, OrderItem
from payments.tests.surfaces import make_order

from .conftest import Pages

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LONG = "Balayage with toner, cut and blow-dry — long hair, extra products included" * 2


def test_the_pay_pages_fit_a_phone(shop: dict[str, Any], pages: Pages) -> None:
    # given orders in the states the pages show
    salon = shop["salon"]
    paid = make_order(salon, status=Order.Status.PAID, description=LONG)
    at_salon = make_order(salon, status=Order.Status.PAID, provider="pay_at_salon")
    refunded = make_order(
        salon, status=Order.Status.PARTLY_REFUNDED, refunded="10.00", description=LONG
    )
    waiting = make_order(
        salon, status=Order.Status.PENDING, kind=OrderItem.Kind.DEPOSIT, description=LONG
    )
    cancelled = make_order(salon, status=Order.Status.CANCELLED, description=LONG)
    visits = [
        ("pay", paid, "Thank you: your payment was received."),
        ("pay", at_salon, "This order is paid at the salon."),
        ("done", refunded, "This payment was partly refunded."),
        ("done", waiting, "We are confirming your payment"),
        ("done", paid, "Thank you: your payment was received."),
        ("cancelled", cancelled, "The payment was cancelled"),
    ]
    page = pages.new()
    page.set_viewport_size(PHONE)
    too_wide: list[str] = []

    # when / then
    for name, order, says in visits:
        url = reverse(f"payments_public:{name}", kwargs={"reference": order.reference})
        page.goto(url)
        expect(page.locator(".order-state")).to_contain_text(says)
        extra = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if extra > 0:
            too_wide.append(f"{name} ({order.status}): {extra}px")
    assert too_wide == [], "pay pages wider than a phone:\n" + "\n".join(too_wide)
    assert pages.js_errors == [] and pages.csp_violations == []
