"""The dashboard on a phone (issue 12), with the demo salon's data (`seed_demo` and the feature
apps' demo seeds):

- every dashboard page (each URL name of the `dashboard` namespace that answers GET with a
  whole page) fits 390 px: no horizontal overflow of the document;
- the menu is folded behind a button (aria-expanded, keyboard, Escape);
- list tables read as cards;
- the day calendar shows one staff column per screen with tabs, and tapping an appointment
  opens its panel on screen next to the finger;
- the text on every appointment block reaches WCAG AA contrast (4.5:1) on its colour.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, reverse
from playwright.sync_api import Page, expect

from bookings.management.commands.seed_demo import OWNER_EMAIL, SALON_SLUG
from bookings.models import Salon
from salonbook import dashboard_urls

from .conftest import Pages

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DEMO_SEEDS = (
    "seed_demo",
    "seed_demo_loyalty",
    "seed_demo_referrals",
    "seed_demo_packages",
    "seed_demo_payments",
)

# URL parameters → the demo object they name (app label.model); by URL name prefix for `pk`.
PK_MODELS: tuple[tuple[str, str], ...] = (
    ("location_", "bookings.Location"),
    ("online_booking_location_", "bookings.Location"),
    ("online_booking_staff_", "bookings.StaffMember"),
    ("service_", "bookings.Service"),
    ("category_", "bookings.ServiceCategory"),
    ("staff_", "bookings.StaffMember"),
    ("working_hours_", "bookings.StaffMember"),
    ("time_off_", "bookings.StaffMember"),
    ("client_", "bookings.Client"),
    ("appointment_", "bookings.Appointment"),
    ("notice_", "notices.Notice"),
    ("loyalty_gift_card_type_", "loyalty.GiftCardType"),
    ("loyalty_gift_card_", "loyalty.GiftCard"),
    ("packages_type_", "packages.PackageType"),
    ("packages_held_", "packages.ClientPackage"),
    ("segments_", "segments.Segment"),
    ("payment_", "payments.Order"),
)
OTHER_PARAMS: dict[str, str | tuple[str, str]] = {
    "client_id": "bookings.Client",
    "staff_id": "bookings.StaffMember",
    "service_id": "bookings.Service",
    "kind": ("notice_template_", "booking_confirmation"),
    "channel": ("notice_template_", "email"),
}
PACKAGE_KINDS = {"kind": "visits"}
# Names whose parameters are not objects of the demo (export jobs' tokens).
NO_DEMO_OBJECT = {"report_export_job", "report_export_job_download"}


def _patterns(patterns: list[Any]) -> list[URLPattern]:
    found: list[URLPattern] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found.extend(_patterns(pattern.url_patterns))
        else:
            found.append(pattern)
    return found


def _first_pk(label: str, salon: Salon) -> int | None:
    model = apps.get_model(label)
    return model.objects.filter(salon=salon).order_by("pk").values_list("pk", flat=True).first()


def _kwargs(pattern: URLPattern, salon: Salon) -> dict[str, Any] | None:
    """The URL's arguments for the demo salon; None when the demo has no such object."""
    name = pattern.name or ""
    kwargs: dict[str, Any] = {"salon_slug": salon.slug}
    for param in pattern.pattern.regex.groupindex:
        if param == "pk":
            labels = [label for prefix, label in PK_MODELS if name.startswith(prefix)]
            assert labels, f"{name}: add its <pk> model to PK_MODELS"
            # the longest matching prefix is the most specific
            prefix_label = max(
                ((p, lbl) for p, lbl in PK_MODELS if name.startswith(p)), key=lambda x: len(x[0])
            )[1]
            value = _first_pk(prefix_label, salon)
        elif name.startswith("packages_type_create") and param == "kind":
            value = PACKAGE_KINDS["kind"]
        elif param in OTHER_PARAMS:
            source = OTHER_PARAMS[param]
            value = source[1] if isinstance(source, tuple) else _first_pk(source, salon)
        else:
            raise AssertionError(f"{name}: unknown URL parameter <{param}>; teach this test")
        if value is None:
            return None
        kwargs[param] = value
    return kwargs


def dashboard_pages(salon: Salon, http: HttpClient) -> tuple[list[tuple[str, str]], list[str]]:
    """(name, url) of every dashboard URL that answers GET with a whole page; and the names
    left out (POST only, partials, files, no demo object) — for the report."""
    pages: list[tuple[str, str]] = []
    left_out: list[str] = []
    for pattern in _patterns(dashboard_urls.urlpatterns):
        name = pattern.name or ""
        view = getattr(pattern.callback, "view_class", None)
        if view is None or not hasattr(view, "get") or name in NO_DEMO_OBJECT:
            left_out.append(name)
            continue
        kwargs = _kwargs(pattern, salon)
        if kwargs is None:
            left_out.append(name)
            continue
        url = reverse(f"dashboard:{name}", kwargs=kwargs)
        response = http.get(url)
        whole_page = (
            response.status_code == 200
            and response.get("Content-Type", "").startswith("text/html")
            and b'class="dashboard"' in response.content
        )
        if whole_page:
            pages.append((name, url))
        else:
            left_out.append(name)
    return pages, left_out


def overflow(page: Page) -> int:
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.fixture
def demo(transactional_db: None, pages: Pages) -> dict[str, Any]:
    for command in DEMO_SEEDS:
        call_command(command, stdout=StringIO(), stderr=StringIO())
    salon = Salon.objects.get(slug=SALON_SLUG)
    owner = get_user_model().objects.get(email=OWNER_EMAIL)
    return {"salon": salon, "owner": owner}


def test_every_dashboard_page_fits_a_phone(demo: dict[str, Any], pages: Pages) -> None:
    # given
    http = HttpClient()
    http.force_login(demo["owner"])
    found, left_out = dashboard_pages(demo["salon"], http)
    names = {name for name, _url in found}
    # the pages of the findings are among them
    for name in (
        "home",
        "calendar",
        "client_list",
        "client_detail",
        "staff_list",
        "staff_detail",
        "service_list",
        "location_list",
        "location_detail",
        "online_booking",
        "notices",
        "appointment_create",
        "payments",
        "payment_detail",
        "payment_record",
        "payment_settings",
    ):
        assert name in names, f"{name} was not checked (left out: {left_out})"
    page = pages.logged_in(demo["owner"])
    page.set_viewport_size(PHONE)

    # when / then
    too_wide: list[str] = []
    for name, url in found:
        page.goto(url)
        page.wait_for_load_state("load")
        extra = overflow(page)
        if extra > 0:
            culprits = page.evaluate(
                """() => {
                  const width = document.documentElement.clientWidth;
                  return [...document.querySelectorAll('body *')]
                    .filter(el => el.getBoundingClientRect().right > width + 1)
                    .filter(el => !el.closest('.cal-scroll, .table-wrap, .dialog'))
                    .slice(0, 3)
                    .map(el => el.tagName.toLowerCase() + '.' + [...el.classList].join('.'));
                }"""
            )
            too_wide.append(f"{name} {url}: {extra}px ({', '.join(culprits)})")
    assert too_wide == [], "pages wider than a phone:\n" + "\n".join(too_wide)
    assert len(found) >= 30
    assert pages.js_errors == [] and pages.csp_violations == []


def test_the_menu_folds_behind_a_button_on_a_phone(demo: dict[str, Any], pages: Pages) -> None:
    # given
    page = pages.logged_in(demo["owner"])
    page.set_viewport_size(PHONE)
    page.goto(f"/dashboard/{SALON_SLUG}/clients/")
    page.wait_for_load_state("load")
    button = page.get_by_role("button", name="Menu")
    menu = page.locator("#dashboard-menu")

    # then: folded; the page's own heading is on the first screen
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_have_attribute("aria-controls", "dashboard-menu")
    expect(menu).to_be_hidden()
    heading_top = page.get_by_role("heading", name="Clients", exact=True).bounding_box()
    assert heading_top is not None and heading_top["y"] < 200

    # when: opened with the keyboard
    button.focus()
    page.keyboard.press("Enter")

    # then
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(menu).to_be_visible()
    expect(menu.get_by_role("link", name="Clients")).to_be_focused()
    expect(menu.get_by_role("link", name="Calendar")).to_be_visible()
    assert overflow(page) <= 0

    # when: Escape
    page.keyboard.press("Escape")

    # then
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()
    expect(button).to_be_focused()

    # when: a wide screen
    page.set_viewport_size({"width": 1280, "height": 800})

    # then: the side navigation is always there, without the button
    expect(menu).to_be_visible()
    expect(button).to_be_hidden()


def test_list_tables_read_as_cards_on_a_phone(demo: dict[str, Any], pages: Pages) -> None:
    # given
    page = pages.logged_in(demo["owner"])
    page.set_viewport_size(PHONE)

    # when
    page.goto(f"/dashboard/{SALON_SLUG}/staff/")
    page.wait_for_load_state("load")

    # then: each row is a card whose cells are labelled with their column
    table = page.locator("main table").first
    expect(table).to_have_class("as-cards")
    first_row = table.locator("tbody tr").first
    expect(first_row.locator("td").nth(1)).to_have_attribute("data-label", "Locations")
    label = (
        first_row.locator("td").nth(1).evaluate("el => getComputedStyle(el, '::before').content")
    )
    assert label == '"Locations"'
    box = first_row.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    for button in page.locator("main .btn").all():
        right = button.bounding_box()
        assert right is not None and right["x"] + right["width"] <= PHONE["width"]


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_the_day_calendar_on_a_phone(demo: dict[str, Any], pages: Pages) -> None:
    # given: a day of the demo with appointments of several staff members
    salon = demo["salon"]
    appointment = (
        apps.get_model("bookings.Appointment")
        .objects.filter(salon=salon, status="booked", starts_at__gte=dt.datetime.now(dt.UTC))
        .select_related("location")
        .order_by("starts_at")
        .first()
    )
    assert appointment is not None
    location = appointment.location
    day = appointment.starts_at.astimezone(location.tzinfo).date()
    page = pages.logged_in(demo["owner"])
    page.set_viewport_size(PHONE)

    # when
    page.goto(
        f"/dashboard/{SALON_SLUG}/calendar/?location={location.pk}&date={day.isoformat()}&view=day"
    )
    page.wait_for_load_state("load")

    # then: one staff column fills the screen beside the hours; tabs name the staff
    cols = page.locator("#cal .cal-col")
    assert cols.count() >= 2
    scroller = page.locator("#cal .cal-scroll").bounding_box()
    times = page.locator("#cal .cal-times").bounding_box()
    first_col = cols.first.bounding_box()
    assert scroller and times and first_col
    assert abs(first_col["width"] - (scroller["width"] - times["width"])) <= 2
    tabs = page.locator(".cal-staff-tabs button")
    expect(tabs).to_have_count(cols.count())
    expect(tabs.first).to_have_attribute("aria-pressed", "true")
    assert overflow(page) <= 0

    # when: the second staff member's tab
    tabs.nth(1).click()

    # then: their column is on screen
    expect(tabs.nth(1)).to_have_attribute("aria-pressed", "true")
    page.wait_for_function(
        """() => {
          const col = document.querySelectorAll('#cal .cal-col')[1];
          const box = col.getBoundingClientRect();
          const times = document.querySelector('#cal .cal-times').getBoundingClientRect();
          return Math.abs(box.left - times.right) < 3;
        }"""
    )

    # then: every appointment block's text reaches 4.5:1 on its colour
    colours = page.evaluate(
        """() => [...document.querySelectorAll('#cal .cal-appt')].map(el => {
          const s = getComputedStyle(el);
          return [s.color, s.backgroundColor, el.textContent.trim().slice(0, 40)];
        })"""
    )
    assert colours
    weak = []
    for fg, bg, text in colours:
        fg_rgb = tuple(float(v) for v in fg[fg.index("(") + 1 : -1].split(",")[:3])
        bg_rgb = tuple(float(v) for v in bg[bg.index("(") + 1 : -1].split(",")[:3])
        ratio = _contrast(fg_rgb, bg_rgb)  # type: ignore[arg-type]
        if ratio < 4.5:
            weak.append(f"{text}: {fg} on {bg} = {ratio:.2f}")
    assert weak == []

    # when: the owner taps an appointment block on screen
    block = page.locator(f"#appt-{appointment.pk}")
    block.scroll_into_view_if_needed()
    tap = block.bounding_box()
    assert tap is not None
    page.mouse.click(tap["x"] + tap["width"] / 2, tap["y"] + min(tap["height"] / 2, 10))

    # then: its panel opens on screen, next to where the finger was
    panel = page.locator("#cal-panel")
    expect(panel.locator(".cal-panel-body")).to_be_visible()
    box = panel.bounding_box()
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"] + 1
    finger = tap["y"] + min(tap["height"] / 2, 10)
    assert box["y"] > finger or box["y"] + box["height"] < finger
    assert min(abs(box["y"] - finger), abs(box["y"] + box["height"] - finger)) < 40
    assert overflow(page) <= 0
