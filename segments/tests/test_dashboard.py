"""The owner's segments pages: create (the issue's "Done when"), edit, bad input, the link's
regenerate / switch off, bookings per month, embed snippets, access and tenant isolation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client as HttpClient

from bookings.models import Appointment, Service
from bookings.services.booking import BookingRequest, appointment_book
from segments.models import Segment, SegmentBooking, SegmentService
from segments.selectors import segment_month_figures
from segments.services.segments import segment_create
from tests.factories import ClientFactory, ServiceFactory, StaffMemberFactory

from .conftest import TALLINN


def url(name: str = "", pk: int | None = None) -> str:
    base = "/dashboard/alpha/segments/"
    if pk is None:
        return base + name
    return f"{base}{pk}/{name}"


def test_owner_creates_the_vip_segment_with_a_hidden_service_and_the_owner(vip, owner_client):
    # given the owner marks a new service "for segments only" in the service form
    response = owner_client.post(
        "/dashboard/alpha/services/new/",
        {
            "name": "Owner's signature cut",
            "duration_minutes": "60",
            "price": "120.00",
            "buffer_before_minutes": "0",
            "buffer_after_minutes": "0",
            "online_bookable": "on",
            "visibility": "segments",
            "color": "#7c3aed",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    signature = Service.objects.get(name="Owner's signature cut")
    assert signature.visibility == Service.Visibility.SEGMENTS

    # when the owner creates the segment with it and herself as the only staff
    form = owner_client.get(url("new/")).content.decode()
    created = owner_client.post(
        url("new/"),
        {
            "name": "VIP 2",
            "services": [str(signature.pk)],
            "staff": [str(vip["olga"].pk)],
            "is_active": "on",
        },
    )

    # then
    assert "Olga (not offered online)" in form
    assert "VIP cut (for segments only)" in form
    segment = Segment.objects.get(name="VIP 2")
    assert created.status_code == 302
    assert created["Location"] == url(pk=segment.pk)
    assert list(segment.services.all()) == [signature]
    assert list(segment.staff.all()) == [vip["olga"]]
    page = owner_client.get(created["Location"]).content.decode()
    assert f"/s/alpha/link/{segment.token}/" in page
    assert f"/s/alpha/embed/?segment={segment.token}" in page
    assert "/static/segments/embed.js" in page


@pytest.mark.parametrize(
    "case",
    ["no-services", "other-salon-service", "other-salon-staff", "duplicate-name", "bad-domain"],
)
def test_bad_segment_input_is_a_form_error_and_writes_nothing(vip, owner_client, other_salon, case):
    # given
    data = {"name": "Members", "services": [str(vip["vip_cut"].pk)], "is_active": "on"}
    if case == "no-services":
        data["services"] = []
    elif case == "other-salon-service":
        data["services"] = [str(ServiceFactory(salon=other_salon).pk)]
    elif case == "other-salon-staff":
        data["staff"] = [str(StaffMemberFactory(salon=other_salon).pk)]
    elif case == "duplicate-name":
        data["name"] = "VIP"
    else:
        data["embed_domains"] = "javascript:alert(1)"
    before = (Segment.objects.count(), SegmentService.objects.count())

    # when
    response = owner_client.post(url("new/"), data)

    # then
    assert response.status_code == 200
    assert response.context["form"].errors
    assert (Segment.objects.count(), SegmentService.objects.count()) == before


def test_owner_edits_a_segment(vip, owner_client):
    # given
    segment = vip["segment"]

    # when
    response = owner_client.post(
        url("edit/", segment.pk),
        {
            "name": "VIP clients",
            "services": [str(vip["vip_cut"].pk), str(vip["haircut"].pk)],
            "staff": [],
            "is_active": "on",
            "embed_domains": "https://www.alpha-hair.test/\nhttps://alpha.test:8443",
        },
    )

    # then
    segment.refresh_from_db()
    assert response.status_code == 302
    assert segment.name == "VIP clients"
    assert set(segment.services.all()) == {vip["vip_cut"], vip["haircut"]}
    assert list(segment.staff.all()) == []
    assert segment.embed_domains == "https://www.alpha-hair.test\nhttps://alpha.test:8443"


def test_regenerate_and_switch_off_from_the_segment_page(vip, owner_client):
    # given
    segment = vip["segment"]
    old = segment.token

    # when
    regenerated = owner_client.post(url("regenerate/", segment.pk))
    segment.refresh_from_db()
    off = owner_client.post(url("deactivate/", segment.pk))
    off_state = Segment.objects.get(pk=segment.pk).is_active
    on = owner_client.post(url("activate/", segment.pk))

    # then
    assert regenerated.status_code == off.status_code == on.status_code == 302
    assert segment.token != old and len(segment.token) >= 32
    assert off_state is False
    assert Segment.objects.get(pk=segment.pk).is_active is True
    assert owner_client.get(url("regenerate/", segment.pk)).status_code == 405


def _book(vip, starts_at: dt.datetime, *, status: str = Appointment.Status.BOOKED) -> None:
    appointment = appointment_book(
        salon=vip["salon"],
        request=BookingRequest(
            location=vip["location"],
            service=vip["vip_cut"],
            starts_at=starts_at,
            staff=vip["olga"],
        ),
        client=ClientFactory(salon=vip["salon"]),
        source=Appointment.Source.DASHBOARD,
        enforce_hours=False,
    )
    Appointment.objects.filter(pk=appointment.pk).update(
        status=status,
        hold_expires_at=(
            dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=10)
            if status in (Appointment.Status.HELD, Appointment.Status.RELEASED)
            else None
        ),
    )
    SegmentBooking.objects.create(
        salon=vip["salon"], segment=vip["segment"], appointment=appointment
    )


def test_bookings_per_month_count_and_value(vip, owner_client):
    # given two bookings in one month (one cancelled), one in the next; the first of a month
    # at 00:30 in Tallinn is still that month (22:30 UTC the day before)
    year = dt.date.today().year + 1
    _book(vip, dt.datetime(year, 3, 1, 0, 30, tzinfo=TALLINN))
    _book(vip, dt.datetime(year, 3, 20, 18, 0, tzinfo=TALLINN), status="cancelled")
    _book(vip, dt.datetime(year, 4, 2, 18, 0, tzinfo=TALLINN))
    _book(vip, dt.datetime(year, 4, 9, 18, 0, tzinfo=TALLINN), status="completed")

    # when
    figures = segment_month_figures(salon=vip["salon"], segment=vip["segment"])
    page = owner_client.get(url(pk=vip["segment"].pk)).content.decode()

    # then
    assert [(f.month, f.count, f.value, f.cancelled) for f in figures] == [
        (dt.date(year, 4, 1), 2, Decimal("180.00"), 0),
        (dt.date(year, 3, 1), 1, Decimal("90.00"), 1),
    ]
    assert f"April {year}" in page and f"March {year}" in page
    assert "180.00 EUR" in page and "270.00 EUR" in page


def test_held_and_unpaid_bookings_are_not_counted(vip):
    # given a booking, one held for payment and one never paid, in one month
    year = dt.date.today().year + 1
    _book(vip, dt.datetime(year, 5, 4, 10, 0, tzinfo=TALLINN))
    _book(vip, dt.datetime(year, 5, 5, 10, 0, tzinfo=TALLINN), status=Appointment.Status.HELD)
    _book(vip, dt.datetime(year, 5, 6, 10, 0, tzinfo=TALLINN), status=Appointment.Status.RELEASED)

    figures = segment_month_figures(salon=vip["salon"], segment=vip["segment"])

    assert [(f.month, f.count, f.value, f.cancelled) for f in figures] == [
        (dt.date(year, 5, 1), 1, Decimal("90.00"), 0),
    ]


def test_list_page_queries_do_not_grow_with_segments(
    vip, owner_client, django_assert_max_num_queries
):
    # given
    owner_client.get(url())
    for n in range(8):
        segment_create(
            salon=vip["salon"],
            name=f"Group {n}",
            services=[vip["vip_cut"], vip["haircut"]],
            staff=[vip["olga"], vip["anna"]],
        )

    # when / then
    with django_assert_max_num_queries(14):
        response = owner_client.get(url())
    assert response.status_code == 200
    assert response.content.decode().count("Group ") >= 8
    assert "/static/segments/embed.js" in response.content.decode()


def test_another_salons_segment_is_404_and_staff_members_are_403(
    vip, other_owner_client, staff_user
):
    # given
    segment = vip["segment"]
    member = HttpClient()
    member.force_login(staff_user)

    # then
    for path in ("", "edit/"):
        assert other_owner_client.get(url(path, segment.pk)).status_code == 404
    assert other_owner_client.get("/dashboard/beta/segments/").status_code == 200
    assert other_owner_client.get(f"/dashboard/beta/segments/{segment.pk}/").status_code == 404
    assert (
        other_owner_client.post(f"/dashboard/beta/segments/{segment.pk}/regenerate/").status_code
        == 404
    )
    assert member.get(url()).status_code == 403
    old = segment.token
    segment.refresh_from_db()
    assert segment.token == old


def test_embed_settings_page(vip, owner_client):
    # when
    bad = owner_client.post(url("embed/"), {"embed_domains": "not a site"})
    good = owner_client.post(url("embed/"), {"embed_domains": "https://alpha-hair.test/"})
    page = owner_client.get(url()).content.decode()

    # then
    assert bad.status_code == 200 and bad.context["form"].errors
    assert good.status_code == 302
    assert "https://alpha-hair.test" in page
