"""The OpenAPI schema builds without warnings and the docs page loads only our own assets."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command


def test_schema_builds_and_validates_without_warnings(tmp_path: Path):
    # when (fails with CommandError on any warning or error)
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )

    # then
    schema = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/salons/{salon_slug}/staff/{staff_id}/working-hours/:" in schema
    assert "/api/v1/auth/token/:" in schema


def test_schema_endpoint_lists_the_owner_api(db, client):
    # when
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    # then
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert set(paths) >= {
        "/api/v1/auth/token/",
        "/api/v1/salons/{salon_slug}/locations/",
        "/api/v1/salons/{salon_slug}/locations/{location_id}/",
        "/api/v1/salons/{salon_slug}/locations/{location_id}/hours/",
        "/api/v1/salons/{salon_slug}/locations/{location_id}/hours/{hours_id}/",
        "/api/v1/salons/{salon_slug}/service-categories/",
        "/api/v1/salons/{salon_slug}/service-categories/{category_id}/",
        "/api/v1/salons/{salon_slug}/services/",
        "/api/v1/salons/{salon_slug}/services/{service_id}/",
        "/api/v1/salons/{salon_slug}/staff/",
        "/api/v1/salons/{salon_slug}/staff/{staff_id}/",
        "/api/v1/salons/{salon_slug}/staff/{staff_id}/working-hours/",
        "/api/v1/salons/{salon_slug}/staff/{staff_id}/working-hours/{hours_id}/",
        "/api/v1/salons/{salon_slug}/staff/{staff_id}/time-off/",
        "/api/v1/salons/{salon_slug}/staff/{staff_id}/time-off/{time_off_id}/",
        "/api/v1/salons/{salon_slug}/clients/",
        "/api/v1/salons/{salon_slug}/clients/{client_id}/",
        "/api/v1/salons/{salon_slug}/appointments/",
        "/api/v1/salons/{salon_slug}/appointments/{appointment_id}/",
        "/api/v1/salons/{salon_slug}/appointments/{appointment_id}/status/",
    }
    client_list = paths["/api/v1/salons/{salon_slug}/clients/"]["get"]
    assert {p["name"] for p in client_list["parameters"]} == {
        "salon_slug",
        "search",
        "limit",
        "offset",
    }
    appointment_list = paths["/api/v1/salons/{salon_slug}/appointments/"]["get"]
    assert {p["name"] for p in appointment_list["parameters"]} == {
        "salon_slug",
        "start",
        "end",
        "location",
        "staff",
        "client",
        "status",
        "limit",
        "offset",
    }
    # No DELETE: an appointment is cancelled through …/status/.
    appointment_detail = paths["/api/v1/salons/{salon_slug}/appointments/{appointment_id}/"]
    assert set(appointment_detail) == {"get", "patch"}


class _AssetCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []
        self.inline_scripts = 0
        self.inline_styles = 0
        self.style_attributes = 0
        self._in_script_without_src = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if "style" in values:
            self.style_attributes += 1
        if tag == "script":
            if values.get("src"):
                self.assets.append(values["src"] or "")
            else:
                self.inline_scripts += 1
        elif tag == "link" and values.get("href"):
            self.assets.append(values["href"] or "")
        elif tag == "style":
            self.inline_styles += 1
        elif tag == "img" and values.get("src"):
            self.assets.append(values["src"] or "")


def test_docs_page_loads_only_local_assets_without_inline_code(db, client):
    # when
    response = client.get("/api/docs/")

    # then
    assert response.status_code == 200
    html = response.content.decode()
    page = _AssetCollector()
    page.feed(html)
    assert page.assets, "the page should load Swagger UI"
    for asset in page.assets:
        assert asset.startswith("/"), asset
        assert not asset.startswith("//"), asset
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert (page.inline_scripts, page.inline_styles, page.style_attributes) == (0, 0, 0)


@pytest.mark.parametrize("asset_kind", ["script", "stylesheet"])
def test_docs_assets_are_served(db, client, asset_kind):
    # given
    page = _AssetCollector()
    page.feed(client.get("/api/docs/").content.decode())
    wanted = ".css" if asset_kind == "stylesheet" else ".js"
    urls = [a for a in page.assets if wanted in a.split("?")[0]]

    # then
    assert urls
    for url in urls:
        assert url.startswith("/static/")
        path = url.removeprefix("/static/")
        assert finders.find(path), url


def test_docs_init_script_is_served_from_our_url(db, client):
    # when
    response = client.get("/api/docs/?script=")

    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in response.content.decode()
