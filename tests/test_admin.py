"""The Django admin is for platform operators: it renders for a superuser and is closed to
salon owners."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from tests.factories import UserFactory

ADMIN_LISTS = [
    "admin:bookings_salon_changelist",
    "admin:bookings_location_changelist",
    "admin:bookings_service_changelist",
    "admin:bookings_staffmember_changelist",
    "admin:bookings_client_changelist",
    "admin:bookings_appointment_changelist",
    "admin:notices_notice_changelist",
]


@pytest.mark.parametrize("url_name", ADMIN_LISTS)
def test_operator_sees_admin_lists(db, salon, url_name):
    operator = UserFactory(email="ops@salonbook.test", is_staff=True, is_superuser=True)
    http = HttpClient()
    http.force_login(operator)
    assert http.get(reverse(url_name)).status_code == 200


def test_salon_owner_cannot_use_the_admin(owner_client):
    response = owner_client.get(reverse("admin:bookings_salon_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
