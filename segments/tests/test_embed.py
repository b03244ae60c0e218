"""The embeddable widget: only its pages may be framed (and only by the listed websites when
the owner listed some); it books without cookies; bad input is a clear page, never a 500."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.test import Client as HttpClient

from bookings.models import Appointment
from bookings.passcodes import location_passcode_set
from segments.models import SegmentBooking
from segments.services.segments import embed_settings_update, segment_update

from .conftest import GUEST, next_wednesday_at


def frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(p.strip() for p in policy.split(";") if p.strip().startswith("frame-ancestors"))


class CookielessClient(HttpClient):
    """A browser in a third-party frame that keeps no cookies at all."""

    def request(self, **request):  # type: ignore[override]
        self.cookies.clear()
        response = super().request(**request)
        self.cookies.clear()
        return response


def test_only_embed_pages_may_be_framed(vip, owner_client):
    http = HttpClient()

    # when
    embed = http.get("/s/alpha/embed/")
    public_pages = [
        http.get("/s/alpha/"),
        http.get(f"/s/alpha/l/{vip['location'].pk}/"),
        http.get(f"/s/alpha/link/{vip['segment'].token}/"),
        owner_client.get("/dashboard/alpha/segments/"),
    ]

    # then
    assert embed.status_code == 200
    assert "X-Frame-Options" not in embed
    assert frame_ancestors(embed) == "frame-ancestors *"
    for response in public_pages:
        assert response["X-Frame-Options"] == "DENY"
        assert frame_ancestors(response) == "frame-ancestors 'none'"


def test_frame_ancestors_follow_the_listed_websites(vip):
    # given the salon lists its website, the segment its own
    embed_settings_update(salon=vip["salon"], embed_domains="https://alpha-hair.test")
    segment_update(segment=vip["segment"], embed_domains="https://vip.alpha-hair.test:8443/")
    http = HttpClient()

    # when
    salon_embed = http.get("/s/alpha/embed/")
    segment_embed = http.get("/s/alpha/embed/", {"segment": vip["segment"].token})
    invalid = http.get("/s/alpha/embed/", {"segment": "nope"})

    # then
    assert frame_ancestors(salon_embed) == "frame-ancestors 'self' https://alpha-hair.test"
    assert (
        frame_ancestors(segment_embed) == "frame-ancestors 'self' https://vip.alpha-hair.test:8443"
    )
    assert invalid.status_code == 404 and "X-Frame-Options" not in invalid


def test_segment_booking_completes_without_any_cookie(vip):
    # given a client whose browser sends no cookies, and CSRF checks on
    http = CookielessClient(enforce_csrf_checks=True)
    token = vip["segment"].token
    starts_at = next_wednesday_at(18)

    # when: every step of the widget
    start = http.get("/s/alpha/embed/", {"segment": token})
    times = http.get(
        "/s/alpha/embed/book/",
        {
            "location": vip["location"].pk,
            "service": vip["vip_cut"].pk,
            "date": starts_at.date().isoformat(),
            "segment": token,
        },
    )
    time_link = re.search(r'href="(/s/alpha/embed/details/[^"]+)"', times.content.decode())
    details = http.get(time_link.group(1).replace("&amp;", "&"))
    state = re.search(r'name="state" value="([^"]+)"', details.content.decode()).group(1)
    post_url = re.search(r'action="([^"]+)"', details.content.decode()).group(1)
    done = http.post(
        post_url.replace("&amp;", "&"),
        {**GUEST, "state": state, "payment_method": "pay_at_salon"},
    )

    # then
    assert "VIP cut" in start.content.decode() and "Haircut" not in start.content.decode()
    assert "Olga" in times.content.decode()
    assert done.status_code == 302, done.content.decode()[:3000]
    appointment = Appointment.objects.get()
    assert (appointment.service, appointment.staff) == (vip["vip_cut"], vip["olga"])
    assert appointment.starts_at == next_wednesday_at(17)  # the first free time
    assert SegmentBooking.objects.get().segment == vip["segment"]
    confirmation = http.get(done["Location"])
    assert confirmation.status_code == 200
    assert 'target="_blank"' in confirmation.content.decode()
    assert "X-Frame-Options" not in confirmation
    assert not done.cookies.get("sessionid")


@pytest.mark.parametrize("state", ["", "garbage", "a:b:c"])
def test_a_bad_or_missing_state_is_a_clear_page(vip, state):
    # when
    response = CookielessClient().post(
        "/s/alpha/embed/details/", {**GUEST, "state": state, "payment_method": "pay_at_salon"}
    )

    # then
    assert response.status_code == 400
    assert "Please start again" in response.content.decode()
    assert Appointment.objects.count() == 0


def test_regenerating_the_link_before_the_post_stops_the_booking(vip):
    from segments.services.segments import segment_link_regenerate

    http = CookielessClient()
    token = vip["segment"].token
    details = http.get(
        "/s/alpha/embed/details/?"
        + urlencode(
            {
                "location": vip["location"].pk,
                "service": vip["vip_cut"].pk,
                "staff": "any",
                "start": next_wednesday_at(18).isoformat(),
                "segment": token,
            }
        )
    )
    state = re.search(r'name="state" value="([^"]+)"', details.content.decode()).group(1)
    segment_link_regenerate(segment=vip["segment"])

    # when
    response = http.post(
        "/s/alpha/embed/details/", {**GUEST, "state": state, "payment_method": "pay_at_salon"}
    )

    # then
    assert response.status_code == 404
    assert "This link is no longer valid" in response.content.decode()
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize(
    "query",
    [
        {"location": "abc", "service": "1"},
        {"location": "999999", "service": "1"},
        {"service": "x"},
        {"location": "1", "service": "1", "staff": "'; drop"},
        {"location": "1", "service": "1", "date": "2026-13-45"},
    ],
)
def test_garbage_in_the_widget_is_never_a_500(vip, query):
    query = {
        k: (str(vip["location"].pk) if v == "1" and k == "location" else v)
        for k, v in query.items()
    }
    response = HttpClient().get("/s/alpha/embed/book/?" + urlencode(query))
    assert response.status_code in (400, 404)


def test_bad_details_are_form_errors(vip):
    http = CookielessClient()
    details = http.get(
        "/s/alpha/embed/details/?"
        + urlencode(
            {
                "location": vip["location"].pk,
                "service": vip["haircut"].pk,
                "staff": "any",
                "start": next_wednesday_at(10).isoformat(),
            }
        )
    )
    state = re.search(r'name="state" value="([^"]+)"', details.content.decode()).group(1)

    # when
    response = http.post(
        "/s/alpha/embed/details/",
        {"first_name": "", "email": "not-an-email", "state": state, "payment_method": "x"},
    )

    # then
    assert response.status_code == 400
    assert Appointment.objects.count() == 0
    assert 'name="state"' in response.content.decode()


def test_a_locked_location_sends_to_the_booking_site_unless_the_link_opens_it(vip):
    # given
    location_passcode_set(location=vip["location"], enabled=True, code="4821")
    http = HttpClient()

    # when
    salon_widget = http.get("/s/alpha/embed/")
    times = http.get(
        "/s/alpha/embed/book/", {"location": vip["location"].pk, "service": vip["haircut"].pk}
    )
    segment_widget = http.get("/s/alpha/embed/", {"segment": vip["segment"].token})

    # then
    assert "needs a passcode" in salon_widget.content.decode()
    assert "Haircut" not in salon_widget.content.decode()
    assert times.status_code == 403
    assert "VIP cut" in segment_widget.content.decode()


def test_embed_start_queries_do_not_grow_with_services(vip, django_assert_max_num_queries):
    from tests.factories import ServiceFactory

    for n in range(10):
        service = ServiceFactory(salon=vip["salon"], name=f"Extra {n}")
        vip["anna"].services.add(service, through_defaults={"salon_id": vip["salon"].pk})
    with django_assert_max_num_queries(8):
        response = HttpClient().get("/s/alpha/embed/")
    assert response.content.decode().count("Extra ") == 10


def test_a_salon_that_asks_for_login_is_booked_on_its_site(vip):
    # given
    vip["salon"].require_login_to_book = True
    vip["salon"].save()

    # when
    response = CookielessClient().get(
        "/s/alpha/embed/details/?"
        + urlencode(
            {
                "location": vip["location"].pk,
                "service": vip["haircut"].pk,
                "staff": "any",
                "start": next_wednesday_at(10).isoformat(),
            }
        )
    )

    # then
    assert response.status_code == 403
    assert 'target="_blank"' in response.content.decode()
    assert "X-Frame-Options" not in response
