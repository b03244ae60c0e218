"""The demo's staff login: after `seed_demo` and `seed_demo_staff`, Kadri Tamm logs in as
staff and lands on "My day"."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient

from bookings.models import Membership, StaffMember


def test_the_demo_stylist_logs_in_to_her_day(db):
    # given
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo_staff", stdout=StringIO())
    # when
    http = HttpClient()
    logged_in = http.login(email="staff@demo.salonbook.test", password="demo-staff-2026")
    response = http.get("/", follow=True)
    # then
    assert logged_in
    kadri = StaffMember.objects.get(salon__slug="demo", name="Kadri Tamm")
    assert kadri.user.email == "staff@demo.salonbook.test"
    assert Membership.objects.get(user=kadri.user).role == "staff"
    assert response.redirect_chain[-1][0] == "/dashboard/demo/my-day/"
    assert "Kadri Tamm" in response.content.decode()


def test_a_second_run_creates_nothing(db):
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo_staff", stdout=StringIO())
    out = StringIO()
    call_command("seed_demo_staff", stdout=out)
    assert "nothing new" in out.getvalue()
    assert Membership.objects.filter(user__email="staff@demo.salonbook.test").count() == 1


def test_without_the_demo_it_says_what_to_run(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_demo_staff", stdout=StringIO())
