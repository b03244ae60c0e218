"""Owner API of the dashboard's booking settings (bookings/api/settings.py): booking
preferences, write-only passcodes, closed days; 400 per field, staff read-only, other salons'
ids 404."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from bookings.models import Location, LocationClosure, Salon, StaffMember
from tests.factories import LocationClosureFactory, LocationFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/salons/alpha"


@pytest.fixture
def location(salon):
    return LocationFactory(salon=salon, name="Old Town")


@pytest.fixture
def foreign_location(other_salon):
    return LocationFactory(salon=other_salon, name="Elsewhere")


@pytest.fixture
def staff_api(staff_user):
    api = APIClient()
    api.force_authenticate(staff_user)
    return api


# --- booking preferences ------------------------------------------------------------------------


def test_reads_and_changes_booking_preferences(salon, owner_api):
    response = owner_api.get(f"{BASE}/booking-settings/")
    assert response.status_code == 200
    assert response.json()["slot_step_minutes"] == salon.slot_step_minutes

    response = owner_api.patch(
        f"{BASE}/booking-settings/",
        {"slot_step_minutes": 30, "require_login_to_book": True, "max_advance_days": 60},
        format="json",
    )
    assert response.status_code == 200
    salon.refresh_from_db()
    assert (salon.slot_step_minutes, salon.require_login_to_book, salon.max_advance_days) == (
        30,
        True,
        60,
    )


def test_bad_preferences_are_400_per_field_and_nothing_is_written(salon, owner_api):
    before = Salon.objects.values().get(pk=salon.pk)
    response = owner_api.patch(
        f"{BASE}/booking-settings/",
        {"slot_step_minutes": 1, "max_advance_days": 0, "min_notice_minutes": "soon"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"slot_step_minutes", "max_advance_days", "min_notice_minutes"}
    assert Salon.objects.values().get(pk=salon.pk) == before


def test_staff_read_but_do_not_change_preferences(salon, staff_api):
    assert staff_api.get(f"{BASE}/booking-settings/").status_code == 200
    response = staff_api.patch(
        f"{BASE}/booking-settings/", {"slot_step_minutes": 30}, format="json"
    )
    assert response.status_code == 403


def test_another_salons_preferences_are_404(owner_api, other_salon):
    response = owner_api.patch(
        "/api/v1/salons/beta/booking-settings/", {"slot_step_minutes": 30}, format="json"
    )
    assert response.status_code == 404
    other_salon.refresh_from_db()
    assert other_salon.slot_step_minutes != 30


def test_owner_changes_the_salons_language(salon, owner_api):
    # when
    response = owner_api.patch(
        f"{BASE}/booking-settings/", {"default_language": "fi"}, format="json"
    )

    # then
    assert response.status_code == 200
    assert response.json()["default_language"] == "fi"
    salon.refresh_from_db()
    assert salon.default_language == "fi"
    assert owner_api.get(f"{BASE}/booking-settings/").json()["default_language"] == "fi"


def test_unknown_language_is_a_400_on_that_field(salon, owner_api):
    before = salon.default_language
    response = owner_api.patch(
        f"{BASE}/booking-settings/",
        {"default_language": "xx", "slot_step_minutes": 30},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"default_language"}
    salon.refresh_from_db()
    assert (salon.default_language, salon.slot_step_minutes) == (before, 15)


def test_another_salons_language_is_404(salon, owner_api, other_salon):
    before = other_salon.default_language
    new = "de" if before != "de" else "fi"
    response = owner_api.patch(
        "/api/v1/salons/beta/booking-settings/", {"default_language": new}, format="json"
    )
    assert response.status_code == 404
    other_salon.refresh_from_db()
    assert other_salon.default_language == before


def test_staff_cannot_change_the_salons_language(salon, staff_api):
    response = staff_api.patch(
        f"{BASE}/booking-settings/", {"default_language": "de"}, format="json"
    )
    assert response.status_code == 403
    salon.refresh_from_db()
    assert salon.default_language != "de"


# --- passcodes ----------------------------------------------------------------------------------


def test_location_passcode_is_set_and_never_read_back(location, owner_api):
    url = f"{BASE}/locations/{location.pk}/passcode/"
    response = owner_api.put(url, {"enabled": True, "code": "4821"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"enabled": True, "weakness": None}
    assert "4821" not in owner_api.get(url).content.decode()
    assert "4821" not in owner_api.get(f"{BASE}/locations/{location.pk}/").content.decode()
    location.refresh_from_db()
    assert location.passcode_active and location.booking_passcode == "4821"


def test_location_passcode_off_and_bad_codes(location, owner_api):
    url = f"{BASE}/locations/{location.pk}/passcode/"
    owner_api.put(url, {"enabled": True, "code": "4821"}, format="json")
    bad = owner_api.put(url, {"enabled": True, "code": "12ab"}, format="json")
    assert bad.status_code == 400
    assert "code" in bad.json() or "booking_passcode" in bad.json()
    missing = owner_api.put(url, {"code": "1234"}, format="json")
    assert missing.status_code == 400 and "enabled" in missing.json()
    location.refresh_from_db()
    assert location.booking_passcode == "4821"
    off = owner_api.put(url, {"enabled": False}, format="json")
    assert off.json()["enabled"] is False
    location.refresh_from_db()
    assert not location.passcode_active


def test_weak_code_is_saved_with_a_warning(location, owner_api):
    response = owner_api.put(
        f"{BASE}/locations/{location.pk}/passcode/",
        {"enabled": True, "code": "1111"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["weakness"]


def test_staff_passcode_set_and_removed(salon, owner_api):
    member = StaffMemberFactory(salon=salon)
    url = f"{BASE}/staff/{member.pk}/passcode/"
    assert owner_api.put(url, {"code": "73910"}, format="json").json()["enabled"] is True
    assert "73910" not in owner_api.get(f"{BASE}/staff/{member.pk}/").content.decode()
    assert owner_api.put(url, {"code": ""}, format="json").json()["enabled"] is False
    assert StaffMember.objects.get(pk=member.pk).booking_passcode == ""


def test_passcodes_of_another_salon_are_404(owner_api, foreign_location, other_salon):
    foreign_staff = StaffMemberFactory(salon=other_salon)
    response = owner_api.put(
        f"{BASE}/locations/{foreign_location.pk}/passcode/",
        {"enabled": True, "code": "4821"},
        format="json",
    )
    assert response.status_code == 404
    response = owner_api.put(
        f"{BASE}/staff/{foreign_staff.pk}/passcode/", {"code": "4821"}, format="json"
    )
    assert response.status_code == 404
    assert not Location.objects.get(pk=foreign_location.pk).passcode_active
    assert StaffMember.objects.get(pk=foreign_staff.pk).booking_passcode == ""


def test_staff_cannot_set_passcodes(location, staff_api):
    response = staff_api.put(
        f"{BASE}/locations/{location.pk}/passcode/",
        {"enabled": True, "code": "4821"},
        format="json",
    )
    assert response.status_code == 403


# --- closed days --------------------------------------------------------------------------------


def test_closed_days_are_added_listed_and_removed(location, owner_api):
    url = f"{BASE}/locations/{location.pk}/closed-days/"
    created = owner_api.post(url, {"date": "2026-12-24", "reason": "Christmas Eve"}, format="json")
    assert created.status_code == 201
    listed = owner_api.get(url).json()
    assert listed == [{"id": created.json()["id"], "date": "2026-12-24", "reason": "Christmas Eve"}]
    deleted = owner_api.delete(f"{url}{created.json()['id']}/")
    assert deleted.status_code == 204
    assert not LocationClosure.objects.exists()


def test_bad_closed_days_are_400(location, owner_api):
    url = f"{BASE}/locations/{location.pk}/closed-days/"
    owner_api.post(url, {"date": "2026-12-24"}, format="json")
    duplicate = owner_api.post(url, {"date": "2026-12-24"}, format="json")
    assert duplicate.status_code == 400
    bad = owner_api.post(url, {"date": "1800-01-01", "reason": "x" * 300}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()) == {"date", "reason"}
    assert LocationClosure.objects.count() == 1


def test_closed_days_of_another_salon_are_404(owner_api, location, foreign_location):
    foreign = LocationClosureFactory(location=foreign_location, date=dt.date(2026, 12, 24))
    assert owner_api.get(f"{BASE}/locations/{foreign_location.pk}/closed-days/").status_code == 404
    response = owner_api.post(
        f"{BASE}/locations/{foreign_location.pk}/closed-days/",
        {"date": "2026-12-25"},
        format="json",
    )
    assert response.status_code == 404
    # another salon's closure id, also under one of our locations
    assert (
        owner_api.delete(f"{BASE}/locations/{location.pk}/closed-days/{foreign.pk}/").status_code
        == 404
    )
    assert LocationClosure.objects.filter(pk=foreign.pk).exists()
    assert LocationClosure.objects.count() == 1
