"""Hooks for feature apps: panels on the dashboard's client page
(bookings/dashboard/extensions.py) and links in the public site's navigation
(bookings/public/extensions.py), each tried with a throw-away registration."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.http import HttpRequest
from django.test import Client as HttpClient
from django.test import override_settings

from bookings.dashboard.extensions import (
    ClientPanel,
    client_panels,
    register_client_panel,
    unregister_client_panel,
)
from bookings.models import Client, Membership, Salon
from bookings.passcodes import location_passcode_set
from bookings.public.extensions import (
    PublicNavItem,
    public_nav_links,
    register_public_nav,
    unregister_public_nav,
)
from bookings.tests.test_public_booking import next_wednesday_at, pick_details
from tests.factories import ClientFactory, LocationFactory

PANEL_TEMPLATES = {
    "test/panel_points.html": (
        '<section class="card" id="test-points">'
        "salon={{ salon.slug }};role={{ membership.role }};client={{ client.first_name }};"
        "path={{ request.path }};balance={{ balance }};"
        '<form method="post" action="/nowhere/">{% csrf_token %}</form></section>'
    ),
    "test/panel_first.html": '<section class="card" id="test-first">first</section>',
}


@pytest.fixture
def panel_templates() -> Iterator[None]:
    """The test panels' templates from memory, besides the project's own."""
    templates = copy.deepcopy(settings.TEMPLATES)
    engine = templates[0]
    engine["APP_DIRS"] = False
    engine["OPTIONS"]["loaders"] = [
        ("django.template.loaders.locmem.Loader", PANEL_TEMPLATES),
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    with override_settings(TEMPLATES=templates):
        yield


@pytest.fixture
def points_panel(panel_templates) -> Iterator[list[tuple[Any, ...]]]:
    calls: list[tuple[Any, ...]] = []

    def context(
        request: HttpRequest, salon: Salon, membership: Membership, client: Client
    ) -> dict[str, Any]:
        calls.append((request.path, salon.slug, membership.role, client.pk))
        return {"balance": 42, "salon": "not overridden"}

    register_client_panel(
        ClientPanel(key="test_points", template_name="test/panel_points.html", context=context)
    )
    register_client_panel(
        ClientPanel(
            key="test_first",
            template_name="test/panel_first.html",
            context=lambda *args: {},
            position=1,
        )
    )
    yield calls
    unregister_client_panel("test_points")
    unregister_client_panel("test_first")


def client_url(client: Client, slug: str = "alpha") -> str:
    return f"/dashboard/{slug}/clients/{client.pk}/"


# --- Client page panels -----------------------------------------------------------------


def test_the_client_page_shows_registered_panels_in_order_with_their_context(
    salon, owner_client, points_panel
):
    # given
    client = ClientFactory(salon=salon, first_name="Liis")

    # when
    response = owner_client.get(client_url(client))

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert points_panel == [(client_url(client), "alpha", "owner", client.pk)]
    assert f"salon=alpha;role=owner;client=Liis;path={client_url(client)};balance=42;" in page
    assert 'name="csrfmiddlewaretoken"' in page.split('id="test-points"')[1]
    assert page.index('id="test-first"') < page.index('id="test-points"')
    assert page.index("Notes") < page.index('id="test-first"')


def test_a_staff_member_sees_the_panels_with_their_membership(salon, staff_user, points_panel):
    http = HttpClient()
    http.force_login(staff_user)
    client = ClientFactory(salon=salon)
    response = http.get(client_url(client))
    assert response.status_code == 200
    assert points_panel[0][2] == "staff"


def test_another_salons_client_is_a_404_and_no_panel_is_asked(
    salon, other_salon, owner_client, points_panel
):
    theirs = ClientFactory(salon=other_salon)
    response = owner_client.get(client_url(theirs))
    assert response.status_code == 404
    assert points_panel == []


def test_client_panels_are_sorted_and_unregistered(points_panel):
    keys = [panel.key for panel in client_panels()]
    assert keys.index("test_first") < keys.index("test_points")
    unregister_client_panel("test_first")
    assert "test_first" not in [panel.key for panel in client_panels()]


def test_another_panel_under_a_taken_key_is_refused(points_panel):
    panel = next(p for p in client_panels() if p.key == "test_points")
    assert register_client_panel(panel) is panel  # the same again: fine
    with pytest.raises(ValueError):
        register_client_panel(
            ClientPanel(key="test_points", template_name="x.html", context=lambda *a: {})
        )


# --- Public navigation ------------------------------------------------------------------


@pytest.fixture
def nav_items() -> Iterator[None]:
    items = [
        # Reverses with the salon's slug: shown to everyone.
        PublicNavItem("public:checkout", "Test basket", position=5),
        # Logged-in visitors only.
        PublicNavItem("public:my_appointments", "Test points", login_required=True),
        # Needs more than the slug / does not exist: left out, never an error.
        PublicNavItem("public:services", "Test broken"),
        PublicNavItem("nowhere:at_all", "Test missing"),
    ]
    for item in items:
        register_public_nav(item)
    yield
    for item in items:
        unregister_public_nav(item.url_name)


def test_every_public_page_shows_the_registered_links(shop, nav_items):
    # given
    http = HttpClient()
    location = shop["location"]
    pick_details(http, shop, next_wednesday_at(10))

    other = LocationFactory(salon=shop["salon"], name="Locked Place")
    location_passcode_set(location=other, enabled=True, code="4321")

    # when: pages of different views, an error page and the lock view
    pages = [
        http.get("/s/alpha/"),
        http.get(f"/s/alpha/l/{location.pk}/"),
        http.get(f"/s/alpha/l/{location.pk}/s/{shop['service'].pk}/"),
        http.get("/s/alpha/checkout/"),
        http.get(f"/s/alpha/l/{location.pk}/s/{shop['service'].pk}/time/?date=nonsense"),
        http.get(f"/s/alpha/l/{other.pk}/"),
    ]

    # then
    assert [response.status_code for response in pages] == [200, 200, 200, 200, 400, 403]
    for response in pages:
        page = response.content.decode()
        assert '<a href="/s/alpha/checkout/"' in page
        assert "Test basket" in page
        assert "Test points" not in page
        assert "Test broken" not in page
        assert "Test missing" not in page


def test_login_required_links_are_shown_to_logged_in_visitors(shop, stranger, nav_items):
    http = HttpClient()
    http.force_login(stranger)
    page = http.get(f"/s/alpha/l/{shop['location'].pk}/").content.decode()
    assert "Test points" in page
    assert page.index("Test basket") < page.index("Test points")  # by position


def test_the_current_pages_link_is_marked(shop, nav_items):
    http = HttpClient()
    pick_details(http, shop, next_wednesday_at(10))
    page = http.get("/s/alpha/checkout/").content.decode()
    assert '<a href="/s/alpha/checkout/" aria-current="page">Test basket</a>' in page


def test_nav_links_unit(nav_items):
    links = public_nav_links(salon_slug="beta")
    assert [(link.url, str(link.label)) for link in links if "Test" in str(link.label)] == [
        ("/s/beta/checkout/", "Test basket")
    ]
    unregister_public_nav("public:checkout")
    assert "Test basket" not in [str(link.label) for link in public_nav_links(salon_slug="beta")]
