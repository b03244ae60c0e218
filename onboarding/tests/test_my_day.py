"""Staff land on "my day": their own appointments of a day, previous / next day, and a
navigation that shows only what the staff role opens."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from bookings.models import Appointment
from bookings.services.booking import BookingRequest, appointment_book
from bookings.tests.test_booking_service import next_wednesday_at
from tests.factories import ClientFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna_user(shop):
    """Anna (the first stylist) has an account with the staff role."""
    user = UserFactory(email="anna@alpha.test")
    MembershipFactory(salon=shop["salon"], user=user, role="staff")
    anna = shop["staff"][0]
    anna.user = user
    anna.save()
    return user


def _book(shop, staff, hour, first_name, day_offset=0):
    client = ClientFactory(salon=shop["salon"], first_name=first_name, email="")
    return appointment_book(
        salon=shop["salon"],
        request=BookingRequest(
            location=shop["location"],
            service=shop["service"],
            starts_at=next_wednesday_at(hour) + dt.timedelta(days=day_offset),
            staff=staff,
        ),
        client=client,
        source=Appointment.Source.DASHBOARD,
    )


def _login(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_staff_land_on_my_day_after_login(shop, anna_user):
    response = _login(anna_user).get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("dashboard:my_day", kwargs={"salon_slug": "alpha"})


def test_owners_still_land_on_the_overview(shop, owner, owner_client):
    response = owner_client.get(reverse("home"))
    assert response.url == reverse("dashboard:home", kwargs={"salon_slug": "alpha"})


def test_my_day_lists_only_my_appointments_of_that_day(shop, anna_user):
    # given Anna has two appointments on Wednesday and one on Thursday; Mari has one Wednesday
    anna, mari = shop["staff"]
    _book(shop, anna, 13, "Later")
    _book(shop, anna, 10, "Early")
    _book(shop, anna, 10, "Thursday", day_offset=1)
    _book(shop, mari, 11, "Maris")
    wednesday = next_wednesday_at(10).date()
    url = reverse("dashboard:my_day", kwargs={"salon_slug": "alpha"})
    # when
    response = _login(anna_user).get(url, {"date": wednesday.isoformat()})
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Early") < html.index("Later")
    assert "10:00–11:00" in html  # the location's wall clock, not UTC
    assert "Thursday" not in html and "Maris" not in html
    assert f"?date={(wednesday + dt.timedelta(days=1)).isoformat()}" in html
    assert f"?date={(wednesday - dt.timedelta(days=1)).isoformat()}" in html
    # and the next day shows Thursday's
    thursday = _login(anna_user).get(url, {"date": (wednesday + dt.timedelta(days=1)).isoformat()})
    assert "Thursday" in thursday.content.decode()


def test_my_day_queries_stay_flat(shop, anna_user, django_assert_max_num_queries):
    anna = shop["staff"][0]
    for hour in (9, 11, 13, 15):
        _book(shop, anna, hour, f"C{hour}")
    http = _login(anna_user)
    url = reverse("dashboard:my_day", kwargs={"salon_slug": "alpha"})
    date = next_wednesday_at(10).date().isoformat()
    with django_assert_max_num_queries(12):
        assert http.get(url, {"date": date}).status_code == 200


def test_a_bad_date_shows_today_with_a_warning(shop, anna_user):
    url = reverse("dashboard:my_day", kwargs={"salon_slug": "alpha"})
    response = _login(anna_user).get(url, {"date": "2026-13-45"})
    assert response.status_code == 200
    assert "not a valid date" in response.content.decode()


def test_an_account_without_a_staff_member_is_told_so(salon, owner_client):
    response = owner_client.get(reverse("dashboard:my_day", kwargs={"salon_slug": "alpha"}))
    assert response.status_code == 200
    assert "not linked to a staff member" in response.content.decode()


def test_staff_navigation_leaves_out_manager_pages(shop, anna_user):
    html = _login(anna_user).get(reverse("dashboard:my_day", kwargs={"salon_slug": "alpha"}))
    html = html.content.decode()
    assert reverse("dashboard:calendar", kwargs={"salon_slug": "alpha"}) in html
    assert reverse("dashboard:client_list", kwargs={"salon_slug": "alpha"}) in html
    assert reverse("dashboard:online_booking", kwargs={"salon_slug": "alpha"}) not in html
    assert reverse("dashboard:notices", kwargs={"salon_slug": "alpha"}) not in html


def test_owner_navigation_has_everything(shop, owner, owner_client):
    html = owner_client.get(reverse("dashboard:my_day", kwargs={"salon_slug": "alpha"}))
    html = html.content.decode()
    assert reverse("dashboard:online_booking", kwargs={"salon_slug": "alpha"}) in html
    assert reverse("dashboard:notices", kwargs={"salon_slug": "alpha"}) in html


def test_strangers_get_404(shop, stranger):
    url = reverse("dashboard:my_day", kwargs={"salon_slug": "alpha"})
    assert _login(stranger).get(url).status_code == 404
