"""Invariant 6: a segment-only service and a staff member not offered online never appear,
and cannot be booked, outside a valid segment link — on every public page and endpoint."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient

from bookings.models import Appointment
from bookings.services.booking import BookingRequest, appointment_book
from tests.factories import ClientFactory

from .conftest import GUEST, flow_base, next_wednesday_at

API = "/api/v1/public/alpha"


def test_services_page_and_api_list_only_public_services(vip, api_client):
    # when
    page = HttpClient().get(f"/s/alpha/l/{vip['location'].pk}/")
    listed = api_client.get(f"{API}/services/", {"location": vip["location"].pk})

    # then
    assert page.status_code == 200
    assert "Haircut" in page.content.decode()
    assert "VIP cut" not in page.content.decode()
    assert [s["name"] for s in listed.json()] == ["Haircut"]


def test_staff_page_and_api_list_only_staff_offered_online(vip, api_client):
    # when
    page = HttpClient().get(f"{flow_base(vip, vip['haircut'])}/")
    listed = api_client.get(
        f"{API}/staff/", {"location": vip["location"].pk, "service": vip["haircut"].pk}
    )

    # then
    assert page.status_code == 200
    assert "Anna" in page.content.decode()
    assert "Olga" not in page.content.decode()
    assert [s["name"] for s in listed.json()] == ["Anna"]


@pytest.mark.parametrize("step", ["/", "/time/", "/details/"])
def test_segment_only_service_pages_are_404(vip, step):
    # when
    response = HttpClient().get(
        f"{flow_base(vip)}{step}?"
        + urlencode({"staff": "any", "start": next_wednesday_at(18).isoformat()})
    )

    # then
    assert response.status_code == 404


def test_any_available_never_offers_the_owner_not_offered_online(vip, api_client):
    # given Olga alone works after 17:00
    day = next_wednesday_at(9).date()

    # when
    response = api_client.get(
        f"{API}/availability/",
        {
            "location": vip["location"].pk,
            "service": vip["haircut"].pk,
            "start": day.isoformat(),
            "end": day.isoformat(),
        },
    )
    page = HttpClient().get(
        f"{flow_base(vip, vip['haircut'])}/time/", {"staff": "any", "date": day.isoformat()}
    )

    # then: only Anna's times (09:00–16:00 starts), none of Olga's evening
    starts = [dt.datetime.fromisoformat(s["starts_at"]) for s in response.json()["slots"]]
    assert starts and max(starts).hour == 16
    assert {tuple(s["staff"]) for s in response.json()["slots"]} == {(vip["anna"].pk,)}
    assert "17:00" not in page.content.decode() and "09:00" in page.content.decode()


def test_public_availability_refuses_hidden_service_and_staff(vip, api_client):
    day = next_wednesday_at(9).date().isoformat()
    base = {"location": vip["location"].pk, "start": day, "end": day}

    # when
    hidden_service = api_client.get(f"{API}/availability/", {**base, "service": vip["vip_cut"].pk})
    hidden_staff = api_client.get(
        f"{API}/availability/",
        {**base, "service": vip["haircut"].pk, "staff": vip["olga"].pk},
    )

    # then
    assert hidden_service.status_code == 400
    assert "service" in hidden_service.json()
    assert hidden_staff.status_code == 400
    assert "staff" in hidden_staff.json()


@pytest.mark.parametrize("what", ["service", "staff"])
def test_public_api_refuses_booking_hidden_ones_by_id(vip, api_client, what):
    # given
    body = {
        "location": vip["location"].pk,
        "service": vip["vip_cut"].pk if what == "service" else vip["haircut"].pk,
        "staff": vip["olga"].pk,
        "starts_at": next_wednesday_at(18).isoformat(),
        "client": {"first_name": "Kati", "email": "kati@example.test"},
    }

    # when
    response = api_client.post(f"{API}/bookings/", body, format="json")

    # then
    assert response.status_code == 400
    assert what in response.json()
    assert Appointment.objects.count() == 0


def test_site_refuses_booking_the_owner_by_id(vip):
    # when
    response = HttpClient().post(
        f"{flow_base(vip, vip['haircut'])}/details/?"
        + urlencode({"staff": vip["olga"].pk, "start": next_wednesday_at(18).isoformat()}),
        GUEST,
    )

    # then
    assert response.status_code == 404
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize("what", ["service", "staff"])
def test_booking_service_refuses_hidden_ones_online_without_a_link(vip, what):
    # given
    request = BookingRequest(
        location=vip["location"],
        service=vip["vip_cut"] if what == "service" else vip["haircut"],
        starts_at=next_wednesday_at(18),
        staff=vip["olga"],
    )

    # when / then
    with pytest.raises(ValidationError) as refused:
        appointment_book(
            salon=vip["salon"], request=request, client=ClientFactory(salon=vip["salon"])
        )
    assert what in refused.value.message_dict
    assert Appointment.objects.count() == 0


def test_any_available_booking_online_never_assigns_the_owner(vip):
    # given only Olga, who is not offered online, works at 17:00
    request = BookingRequest(
        location=vip["location"], service=vip["haircut"], starts_at=next_wednesday_at(17)
    )

    # when / then: 17:00 is outside every public staff member's hours
    with pytest.raises(ValidationError):
        appointment_book(
            salon=vip["salon"], request=request, client=ClientFactory(salon=vip["salon"])
        )
    assert Appointment.objects.count() == 0


def test_owner_may_still_book_the_hidden_service_in_the_dashboard(vip):
    # given
    request = BookingRequest(
        location=vip["location"],
        service=vip["vip_cut"],
        starts_at=next_wednesday_at(18),
        staff=vip["olga"],
    )

    # when
    appointment = appointment_book(
        salon=vip["salon"],
        request=request,
        client=ClientFactory(salon=vip["salon"]),
        source=Appointment.Source.DASHBOARD,
    )

    # then
    assert appointment.staff == vip["olga"]


def test_embed_without_a_link_hides_them_too(vip):
    http = HttpClient()

    # when
    start = http.get("/s/alpha/embed/")
    hidden = http.get(
        "/s/alpha/embed/book/", {"location": vip["location"].pk, "service": vip["vip_cut"].pk}
    )
    owner_by_id = http.get(
        "/s/alpha/embed/book/",
        {
            "location": vip["location"].pk,
            "service": vip["haircut"].pk,
            "staff": vip["olga"].pk,
        },
    )
    times = http.get(
        "/s/alpha/embed/book/",
        {
            "location": vip["location"].pk,
            "service": vip["haircut"].pk,
            "date": next_wednesday_at(9).date().isoformat(),
        },
    )

    # then
    assert "Haircut" in start.content.decode() and "VIP cut" not in start.content.decode()
    assert hidden.status_code == 404
    assert owner_by_id.status_code == 404
    assert "Olga" not in times.content.decode() and "17:00" not in times.content.decode()
