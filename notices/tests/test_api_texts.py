"""Owner API of the notice texts (notices/apis.py): list with variables, save the salon's own
text (checked against the kind), reset to the default; 400 per field, 404 for another salon."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from notices.models import NoticeTemplate

pytestmark = pytest.mark.django_db

BASE = "/api/v1/salons/alpha/notices/templates"


def test_lists_every_kind_and_channel_with_variables(salon, owner_api):
    response = owner_api.get(f"{BASE}/")
    assert response.status_code == 200
    rows = {(row["kind"], row["channel"]): row for row in response.json()}
    confirmation = rows[("booking_confirmation", "email")]
    assert confirmation["customized"] is False
    assert "{{ service }}" in confirmation["body"]
    assert "salon_name" in {v["name"] for v in confirmation["variables"]}
    assert ("salon_booking_created", "email") in rows


def test_saves_and_resets_the_salons_text(salon, owner_api):
    url = f"{BASE}/booking_confirmation/email/"
    response = owner_api.put(
        url,
        {"subject": "Booked: {{ service }}", "body": "See you, {{ client.first_name }}!"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["customized"] is True
    assert response.json()["subject"] == "Booked: {{ service }}"
    assert NoticeTemplate.objects.filter(salon=salon, kind="booking_confirmation").count() == 1
    assert owner_api.delete(url).status_code == 204
    assert owner_api.get(url).json()["customized"] is False
    assert not NoticeTemplate.objects.exists()


def test_bad_texts_are_400_per_field_and_nothing_is_saved(salon, owner_api):
    response = owner_api.put(
        f"{BASE}/booking_confirmation/email/",
        {"subject": "", "body": "Hi {{ password }}"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"subject", "body"}
    bad_language = owner_api.put(
        f"{BASE}/booking_confirmation/sms/", {"body": "Hi", "language": "xx"}, format="json"
    )
    assert bad_language.status_code == 400 and "language" in bad_language.json()
    assert not NoticeTemplate.objects.exists()


def test_unknown_kind_or_channel_is_404(salon, owner_api):
    assert owner_api.get(f"{BASE}/no_such_kind/email/").status_code == 404
    assert (
        owner_api.put(f"{BASE}/booking_confirmation/fax/", {"body": "x"}, format="json").status_code
        == 404
    )


def test_staff_may_read_but_not_write(salon, staff_user):
    api = APIClient()
    api.force_authenticate(staff_user)
    assert api.get(f"{BASE}/").status_code == 200
    response = api.put(f"{BASE}/booking_confirmation/sms/", {"body": "Hi"}, format="json")
    assert response.status_code == 403
    assert not NoticeTemplate.objects.exists()


def test_another_salons_texts_are_404(salon, owner_api, other_salon):
    url = "/api/v1/salons/beta/notices/templates/booking_confirmation/sms/"
    assert owner_api.get("/api/v1/salons/beta/notices/templates/").status_code == 404
    assert owner_api.put(url, {"body": "Hi"}, format="json").status_code == 404
    assert owner_api.delete(url).status_code == 404
    assert not NoticeTemplate.objects.exists()
