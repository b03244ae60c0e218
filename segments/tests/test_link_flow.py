"""Booking through a segment's link: the site's every step, the public API, the manage link;
regenerated, switched off and unknown links; passcodes."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.test import Client as HttpClient

from bookings.models import Appointment
from bookings.passcodes import location_passcode_set, staff_passcode_set
from bookings.signing import appointment_from_token, appointment_token
from segments.models import SegmentBooking
from segments.services.segments import segment_link_regenerate, segment_set_active

from .conftest import GUEST, flow_base, next_wednesday_at, seg

API = "/api/v1/public/alpha"


def book_through_site(http: HttpClient, vip, starts_at: dt.datetime, token: str):
    details = f"{flow_base(vip)}/details/?" + urlencode(
        {"staff": "any", "start": starts_at.isoformat(), "segment": token}
    )
    response = http.post(details, GUEST)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == f"/s/alpha/checkout/?{seg(token)}"
    return http.post(response["Location"], {"payment_method": "pay_at_salon"})


def test_done_when_vip_segment_books_the_owner_through_every_step(vip):
    # given the VIP segment (segment-only VIP cut, the owner Olga its only staff)
    http = HttpClient()
    segment, location = vip["segment"], vip["location"]
    starts_at = next_wednesday_at(18)

    # when / then: the link opens the booking site with the segment
    landing = http.get(f"/s/alpha/link/{segment.token}/")
    assert landing.status_code == 302
    assert landing["Location"] == f"/s/alpha/?{seg(segment)}"
    home = http.get(landing["Location"])
    assert home["Location"] == f"/s/alpha/l/{location.pk}/?{seg(segment)}"

    services = http.get(home["Location"]).content.decode()
    assert "VIP cut" in services and "Haircut" not in services
    assert f"{flow_base(vip)}/?{seg(segment)}" in services
    assert "You are booking through a private link: VIP." in services

    staff = http.get(f"{flow_base(vip)}/?{seg(segment)}").content.decode()
    assert "Olga" in staff and "Anna" not in staff

    times = http.get(
        f"{flow_base(vip)}/time/?"
        + urlencode(
            {"staff": "any", "date": starts_at.date().isoformat(), "segment": segment.token}
        )
    )
    assert times.status_code == 200
    assert "18:00" in times.content.decode()
    assert seg(segment) in times.content.decode()  # the time links keep the link

    done = book_through_site(http, vip, starts_at, segment.token)

    # then: booked with Olga, the segment recorded
    assert done.status_code == 302
    appointment = Appointment.objects.get()
    assert (appointment.service, appointment.staff) == (vip["vip_cut"], vip["olga"])
    assert appointment.starts_at == starts_at
    assert SegmentBooking.objects.get().segment == segment
    assert SegmentBooking.objects.get().appointment == appointment
    assert done["Location"] == f"/s/alpha/a/{appointment_token(appointment)}/"
    assert http.get(done["Location"]).status_code == 200


def test_manage_link_reschedules_a_segment_booking_with_its_owner(vip):
    # given a booking through the link at 18:00
    http = HttpClient()
    book_through_site(http, vip, next_wednesday_at(18), vip["segment"].token)
    appointment = Appointment.objects.get()
    token = appointment_token(appointment)
    later = next_wednesday_at(19)

    # when
    picker = http.get(
        f"/s/alpha/a/{token}/reschedule/", {"date": later.date().isoformat()}
    ).content.decode()
    moved = http.post(f"/s/alpha/a/{token}/reschedule/", {"start": later.isoformat()})

    # then
    assert later.isoformat() in picker
    assert moved.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.staff) == (later, vip["olga"])


def test_public_api_books_through_the_link_and_reschedules(vip, api_client):
    # given
    segment = vip["segment"]
    day = next_wednesday_at(9).date().isoformat()
    query = {"location": vip["location"].pk, "segment": segment.token}

    # when
    services = api_client.get(f"{API}/services/", query).json()
    staff = api_client.get(f"{API}/staff/", {**query, "service": vip["vip_cut"].pk}).json()
    slots = api_client.get(
        f"{API}/availability/", {**query, "service": vip["vip_cut"].pk, "start": day, "end": day}
    ).json()["slots"]
    booked = api_client.post(
        f"{API}/bookings/",
        {
            "location": vip["location"].pk,
            "service": vip["vip_cut"].pk,
            "staff": "any",
            "starts_at": slots[0]["starts_at"],
            "client": {"first_name": "Kati", "email": "kati@example.test"},
            "segment": segment.token,
        },
        format="json",
    )

    # then
    assert [s["name"] for s in services] == ["VIP cut"]
    assert [s["name"] for s in staff] == ["Olga"]
    assert [s["starts_at"][11:16] for s in slots] == ["17:00", "17:30", "18:00", "18:30", "19:00"]
    assert booked.status_code == 201, booked.json()
    assert booked.json()["staff"] == "Olga"
    assert SegmentBooking.objects.get().segment == segment

    # and the booking moves by its token with the segment's staff
    moved = api_client.post(
        f"{API}/bookings/{booked.json()['token']}/reschedule/",
        {"starts_at": slots[-1]["starts_at"]},
        format="json",
    )
    assert moved.status_code == 200, moved.json()


def test_link_offers_only_its_services_not_the_public_ones(vip, api_client):
    # when
    response = api_client.post(
        f"{API}/bookings/",
        {
            "location": vip["location"].pk,
            "service": vip["haircut"].pk,
            "starts_at": next_wednesday_at(10).isoformat(),
            "client": {"first_name": "Kati", "email": "kati@example.test"},
            "segment": vip["segment"].token,
        },
        format="json",
    )

    # then
    assert response.status_code == 400
    assert "service" in response.json()
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize("change", ["regenerated", "deactivated", "unknown", "garbage"])
def test_a_link_that_opens_nothing_is_a_clear_404_everywhere(vip, api_client, change):
    # given
    segment = vip["segment"]
    token = segment.token
    if change == "regenerated":
        segment_link_regenerate(segment=segment)
    elif change == "deactivated":
        segment_set_active(segment=segment, is_active=False)
    elif change == "unknown":
        token = "x" * 32
    else:
        token = "%00'<script>" * 20
    http = HttpClient()
    query = urlencode({"segment": token})

    # when
    pages = [
        http.get(f"/s/alpha/link/{urlencode({'t': token})[2:]}/"),
        http.get(f"/s/alpha/?{query}"),
        http.get(f"/s/alpha/l/{vip['location'].pk}/?{query}"),
        http.get(f"{flow_base(vip)}/time/?{query}"),
        http.get(f"/s/alpha/checkout/?{query}"),
        http.get(f"/s/alpha/embed/?{query}"),
    ]
    api = [
        api_client.get(f"{API}/services/", {"location": vip["location"].pk, "segment": token}),
        api_client.post(
            f"{API}/bookings/",
            {
                "location": vip["location"].pk,
                "service": vip["vip_cut"].pk,
                "starts_at": next_wednesday_at(18).isoformat(),
                "client": {"first_name": "Kati", "email": "kati@example.test"},
                "segment": token,
            },
            format="json",
        ),
    ]

    # then
    for page in pages:
        assert page.status_code == 404
        assert "This link is no longer valid" in page.content.decode()
    for response in api:
        assert response.status_code == 404
        assert response.json()["code"] == "link_invalid"
    assert Appointment.objects.count() == 0


def test_regenerating_between_details_and_checkout_stops_the_booking(vip):
    # given the client gave their details through the link
    http = HttpClient()
    segment = vip["segment"]
    details = f"{flow_base(vip)}/details/?" + urlencode(
        {"staff": "any", "start": next_wednesday_at(18).isoformat(), "segment": segment.token}
    )
    checkout = http.post(details, GUEST)["Location"]

    # when the owner makes a new link before the client confirms
    segment_link_regenerate(segment=segment)
    response = http.post(checkout, {"payment_method": "pay_at_salon"})

    # then
    assert response.status_code == 404
    assert "This link is no longer valid" in response.content.decode()
    assert Appointment.objects.count() == 0


def test_new_link_works_at_once(vip):
    # given
    new = segment_link_regenerate(segment=vip["segment"])

    # when
    response = book_through_site(HttpClient(), vip, next_wednesday_at(18), new.token)

    # then
    assert response.status_code == 302
    assert SegmentBooking.objects.get().segment == new


def test_a_link_counts_as_an_unlock_of_the_location_only_on_its_pages(vip, api_client):
    # given the location has a passcode
    location_passcode_set(location=vip["location"], enabled=True, code="4821")
    http = HttpClient()
    segment = vip["segment"]

    # when
    through_link = http.get(f"/s/alpha/l/{vip['location'].pk}/?{seg(segment)}")
    without_link = http.get(f"/s/alpha/l/{vip['location'].pk}/")
    api_with = api_client.get(
        f"{API}/services/", {"location": vip["location"].pk, "segment": segment.token}
    )
    api_without = api_client.get(f"{API}/services/", {"location": vip["location"].pk})
    booked = book_through_site(http, vip, next_wednesday_at(18), segment.token)

    # then
    assert through_link.status_code == 200
    assert "VIP cut" in through_link.content.decode()
    assert without_link.status_code == 403  # the same browser, without the link: locked
    assert api_with.status_code == 200
    assert api_without.status_code == 403
    assert booked.status_code == 302
    assert Appointment.objects.count() == 1


def test_a_link_does_not_unlock_a_staff_members_personal_code(vip, api_client):
    # given Olga has a personal code
    staff_passcode_set(staff=vip["olga"], code="7391")
    http = HttpClient()
    segment = vip["segment"]
    starts_at = next_wednesday_at(18)

    # when
    times = http.get(
        f"{flow_base(vip)}/time/?" + urlencode({"staff": vip["olga"].pk, "segment": segment.token})
    )
    any_times = http.get(
        f"{flow_base(vip)}/time/?"
        + urlencode(
            {"staff": "any", "date": starts_at.date().isoformat(), "segment": segment.token}
        )
    )
    api = api_client.post(
        f"{API}/bookings/",
        {
            "location": vip["location"].pk,
            "service": vip["vip_cut"].pk,
            "staff": vip["olga"].pk,
            "starts_at": starts_at.isoformat(),
            "client": {"first_name": "Kati", "email": "kati@example.test"},
            "segment": segment.token,
        },
        format="json",
    )
    unlocked = http.post(
        f"/s/alpha/l/{vip['location'].pk}/staff/{vip['olga'].pk}/unlock/?{seg(segment)}",
        {"code": "7391", "next": times.wsgi_request.get_full_path()},
    )
    after = http.get(unlocked["Location"])

    # then
    assert times.status_code == 403  # Olga's lock view
    assert "18:00" not in any_times.content.decode()  # "any available" leaves her out
    assert api.status_code == 403 and api.json()["target"] == "staff"
    assert unlocked.status_code == 302
    assert after.status_code == 200
    assert Appointment.objects.count() == 0


def test_booking_made_through_the_link_is_reached_by_its_token(vip):
    # given
    http = HttpClient()
    response = book_through_site(http, vip, next_wednesday_at(18), vip["segment"].token)
    token = response["Location"].rstrip("/").split("/")[-1]

    # then
    assert appointment_from_token(vip["salon"], token).staff == vip["olga"]
