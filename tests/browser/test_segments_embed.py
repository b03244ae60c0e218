"""The booking widget embedded in another website, in a real Chromium: a plain HTML page
served from another origin (127.0.0.1, another port) pastes the dashboard's snippet for the
VIP segment; the client books the segment-only service with the owner inside the iframe. The
widget sets and needs no cookie (a cross-site frame gets none of the site's Lax cookies), our
script sizes the iframe to its content, and a page of the booking site itself cannot be framed.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import RequestFactory
from playwright.sync_api import expect

from bookings.models import Appointment, Service
from segments.embed_snippet import embed_snippet
from segments.models import SegmentBooking
from segments.services.segments import segment_create
from tests.factories import ServiceFactory, StaffMemberFactory, WorkingHoursFactory

from .conftest import Pages

pytestmark = pytest.mark.browser


class _HostPage(BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return


@pytest.fixture
def host_site() -> Iterator[tuple[str, type[_HostPage]]]:
    """Another origin: a plain HTTP server on 127.0.0.1 (the live server is `localhost`)."""
    handler = type("HostPage", (_HostPage,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def vip_shop(shop: dict[str, Any]) -> dict[str, Any]:
    salon, location = shop["salon"], shop["location"]
    vip_cut = ServiceFactory(
        salon=salon,
        name="VIP cut",
        duration_minutes=60,
        price=Decimal("90.00"),
        visibility=Service.Visibility.SEGMENTS,
    )
    owner = StaffMemberFactory(
        salon=salon, name="Olga", offered_online=False, locations=[location], services=[vip_cut]
    )
    for weekday in range(7):
        WorkingHoursFactory(
            staff=owner, location=location, weekday=weekday, starts=dt.time(8), ends=dt.time(20)
        )
    segment = segment_create(salon=salon, name="VIP", services=[vip_cut], staff=[owner])
    return {**shop, "vip_cut": vip_cut, "owner": owner, "segment": segment}


def test_embedded_segment_widget_books_on_another_origin(
    pages: Pages, live_server: Any, host_site: tuple[str, type[_HostPage]], vip_shop: dict
) -> None:
    # given the owner's snippet pasted into a plain page of another origin, next to an
    # iframe of an ordinary booking-site page (which must stay unframeable)
    host_url, handler = host_site
    live = urlsplit(live_server.url)
    request = RequestFactory(HTTP_HOST=live.netloc).get("/")
    snippet = embed_snippet(request, vip_shop["salon"], vip_shop["segment"])
    handler.body = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Alpha Hair</title></head>"
        "<body><h1>Welcome to Alpha Hair</h1>"
        f"{snippet}"
        f"<iframe id='site' src='{live_server.url}/s/alpha/' title='site'></iframe>"
        "</body></html>"
    ).encode()
    assert urlsplit(host_url).netloc != live.netloc
    page = pages.new()

    # when the visitor books inside the widget
    page.goto(host_url + "/")
    page.wait_for_load_state("load")
    frame_id = f"#salonbook-alpha-{vip_shop['segment'].pk}"
    widget = page.frame_locator(frame_id)
    expect(widget.get_by_text("You are booking through a private link: VIP.")).to_be_visible()
    expect(widget.locator("a.choice", has_text="Haircut")).to_have_count(0)
    widget.locator("a.choice", has_text="VIP cut").click()
    expect(widget.get_by_role("heading", name="Choose a time")).to_be_visible()
    expect(widget.get_by_role("link", name="Olga")).to_be_visible()
    expect(widget.get_by_role("link", name="Anna")).to_have_count(0)
    widget.get_by_role("link", name="Next week").click()
    widget.locator("#picker a.day").last.click()
    widget.locator("#picker a.time").first.click()
    expect(widget.get_by_role("heading", name="Your details")).to_be_visible()
    # the long details page: the iframe grows to it (no inner scrollbar)
    page.wait_for_function(
        "id => parseInt(document.querySelector(id).dataset.salonbookHeight || '0') > 900",
        arg=f"#salonbook-alpha-{vip_shop['segment'].pk}",
    )
    widget.get_by_label("First name").fill("Kati")
    widget.get_by_label("Last name").fill("Karu")
    widget.get_by_label("Email").fill("kati@example.test")
    widget.get_by_label("Phone").fill("+372 5123 4567")
    widget.get_by_label("Pay at the salon").check()
    widget.get_by_role("button", name="Book now").click()

    # then the booking is made with the owner and records the segment
    expect(widget.get_by_role("heading", name="Your appointment is booked")).to_be_visible()
    appointment = Appointment.objects.get()
    assert (appointment.service, appointment.staff) == (vip_shop["vip_cut"], vip_shop["owner"])
    assert SegmentBooking.objects.get().segment == vip_shop["segment"]
    manage = widget.get_by_role("link", name="Open my appointment")
    expect(manage).to_have_attribute("target", "_blank")

    # and the iframe follows the height of its content (our script on the host page)
    frame = page.locator(frame_id)
    expect(frame).to_have_attribute("data-salonbook-height", re.compile(r"^\d+$"))
    height = int(frame.get_attribute("data-salonbook-height") or 0)
    box = frame.bounding_box()
    assert box is not None and abs(box["height"] - height) <= 1
    assert 120 <= height < 5000

    # and no cookie was needed or set for the booking site in the frame
    assert [c for c in page.context.cookies() if c["domain"] in ("localhost", live.hostname)] == []

    # and the ordinary booking site did not render inside the other origin's page
    handle = page.locator("iframe#site").element_handle()
    site = handle.content_frame() if handle is not None else None
    assert site is not None
    site_text = site.evaluate("() => document.body ? document.body.innerText : ''")
    assert "Choose a service" not in site_text and "Old Town" not in site_text
