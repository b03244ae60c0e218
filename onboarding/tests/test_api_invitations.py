"""Owner API of staff invitations (onboarding/team_apis.py): list, create (the e-mail goes
out, the token does not come back), withdraw; bad input 400, staff 403, other salons 404."""

from __future__ import annotations

import pytest
from django.core import mail
from rest_framework.test import APIClient

from onboarding.models import StaffInvitation
from tests.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/salons/alpha/invitations/"


@pytest.fixture
def mari(salon):
    return StaffMemberFactory(salon=salon, name="Mari Saar", email="mari@example.test")


def test_creates_lists_and_withdraws(
    salon, owner, owner_api, mari, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = owner_api.post(
            BASE, {"staff": mari.pk, "email": "mari@example.test", "role": "staff"}, format="json"
        )
    assert created.status_code == 201
    body = created.json()
    assert (body["staff"], body["email"], body["role"], body["state"]) == (
        mari.pk,
        "mari@example.test",
        "staff",
        "pending",
    )
    assert "token" not in body and "token_hash" not in body
    assert len(mail.outbox) == 1 and "/start/invite/alpha/" in mail.outbox[0].body
    assert [row["id"] for row in owner_api.get(BASE).json()] == [body["id"]]
    assert owner_api.delete(f"{BASE}{body['id']}/").status_code == 204
    assert owner_api.get(f"{BASE}{body['id']}/").json()["state"] == "revoked"


def test_bad_input_is_400_per_field(salon, owner_api, mari):
    response = owner_api.post(
        BASE, {"staff": mari.pk, "email": "nope", "role": "owner"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"email", "role"}
    assert not StaffInvitation.objects.exists()


def test_another_salons_staff_member_is_refused(salon, owner_api, other_salon):
    foreign = StaffMemberFactory(salon=other_salon)
    response = owner_api.post(BASE, {"staff": foreign.pk, "email": "x@example.test"}, format="json")
    assert response.status_code == 400
    assert "staff" in response.json()
    assert not StaffInvitation.objects.exists()


def test_staff_cannot_invite(salon, staff_user, mari):
    api = APIClient()
    api.force_authenticate(staff_user)
    response = api.post(BASE, {"staff": mari.pk, "email": "mari@example.test"}, format="json")
    assert response.status_code == 403
    assert not StaffInvitation.objects.exists()


def test_another_salons_invitation_is_404(salon, owner_api, other_salon, other_owner):
    from onboarding.invitations import staff_invitation_create

    foreign = staff_invitation_create(
        salon=other_salon,
        actor=other_owner,
        staff=StaffMemberFactory(salon=other_salon),
        email="x@example.test",
    ).invitation
    assert owner_api.get(f"{BASE}{foreign.pk}/").status_code == 404
    assert owner_api.delete(f"{BASE}{foreign.pk}/").status_code == 404
    assert StaffInvitation.objects.get(pk=foreign.pk).revoked_at is None
