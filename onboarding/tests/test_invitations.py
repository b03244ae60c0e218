"""Staff invitations: who may invite, the e-mail, accepting once, expiry, withdrawal, and
tenant isolation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from bookings.models import Membership
from onboarding.invitations import (
    staff_invitation_accept,
    staff_invitation_create,
    staff_invitation_revoke,
)
from onboarding.models import StaffInvitation
from tests.factories import StaffMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mari(salon):
    return StaffMemberFactory(salon=salon, name="Mari Saar", email="mari@example.test")


def _invite(salon, owner, staff, **kwargs):
    data = {"email": "mari@example.test", **kwargs}
    return staff_invitation_create(salon=salon, actor=owner, staff=staff, **data)


def test_owner_invites_and_the_email_carries_the_link(
    salon, owner, mari, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        new = _invite(salon, owner, mari)

    # then
    assert new.invitation.token_hash != new.token
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mari@example.test"]
    assert f"/start/invite/alpha/{new.token}/" in mail.outbox[0].body


def test_accepting_links_the_account_with_the_staff_role(salon, owner, mari):
    # given
    new = _invite(salon, owner, mari)
    person = UserFactory(email="mari@example.test")

    # when
    membership = staff_invitation_accept(salon=salon, token=new.token, user=person)

    # then
    assert (membership.user, membership.role) == (person, "staff")
    mari.refresh_from_db()
    assert mari.user == person
    new.invitation.refresh_from_db()
    assert new.invitation.accepted_by == person


def test_an_invitation_is_single_use(salon, owner, mari):
    new = _invite(salon, owner, mari)
    staff_invitation_accept(salon=salon, token=new.token, user=UserFactory())
    other = UserFactory()
    with pytest.raises(ValidationError, match="already been used"):
        staff_invitation_accept(salon=salon, token=new.token, user=other)
    assert not Membership.objects.filter(user=other).exists()


def test_an_expired_invitation_is_refused(salon, owner, mari):
    new = _invite(salon, owner, mari)
    StaffInvitation.objects.for_salon(salon).update(expires_at=timezone.now() - timedelta(1))
    person = UserFactory()
    with pytest.raises(ValidationError, match="expired"):
        staff_invitation_accept(salon=salon, token=new.token, user=person)
    mari.refresh_from_db()
    assert mari.user is None
    assert not Membership.objects.filter(user=person).exists()


def test_a_new_invitation_withdraws_the_old_one(salon, owner, mari):
    old = _invite(salon, owner, mari)
    _invite(salon, owner, mari)
    with pytest.raises(ValidationError, match="withdrawn"):
        staff_invitation_accept(salon=salon, token=old.token, user=UserFactory())


def test_revoked_invitation_is_refused(salon, owner, mari):
    new = _invite(salon, owner, mari)
    staff_invitation_revoke(salon=salon, actor=owner, invitation=new.invitation)
    with pytest.raises(ValidationError, match="withdrawn"):
        staff_invitation_accept(salon=salon, token=new.token, user=UserFactory())


def test_a_staff_member_cannot_invite(salon, staff_user, mari):
    with pytest.raises(ValidationError, match="owners and managers"):
        _invite(salon, staff_user, mari)
    assert not StaffInvitation.objects.exists()


def test_another_salons_staff_member_cannot_be_invited(salon, owner, other_salon):
    theirs = StaffMemberFactory(salon=other_salon)
    with pytest.raises(ValidationError):
        _invite(salon, owner, theirs)
    assert not StaffInvitation.objects.exists()


def test_another_salons_token_is_unknown(salon, owner, mari, other_salon):
    new = _invite(salon, owner, mari)
    with pytest.raises(ValidationError, match="not valid"):
        staff_invitation_accept(salon=other_salon, token=new.token, user=UserFactory())


def test_accepting_never_lowers_a_managers_role(salon, owner, mari):
    manager = UserFactory()
    Membership.objects.create(salon=salon, user=manager, role="manager")
    new = _invite(salon, owner, mari)
    assert staff_invitation_accept(salon=salon, token=new.token, user=manager).role == "manager"


def test_invite_page_sends_and_lists_pending(
    owner_client, salon, mari, django_capture_on_commit_callbacks
):
    url = reverse("dashboard:staff_invite", kwargs={"salon_slug": "alpha", "staff_id": mari.pk})
    assert owner_client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(url, {"email": "mari@example.test", "role": "staff"})
    assert response.status_code == 302
    assert "mari@example.test" in owner_client.get(url).content.decode()
    assert len(mail.outbox) == 1


def test_invite_page_of_another_salons_staff_is_404(owner_client, other_salon):
    theirs = StaffMemberFactory(salon=other_salon)
    url = reverse("dashboard:staff_invite", kwargs={"salon_slug": "alpha", "staff_id": theirs.pk})
    assert owner_client.post(url, {"email": "x@example.test", "role": "staff"}).status_code == 404
    assert not StaffInvitation.objects.exists()


def test_staff_member_cannot_open_the_invite_page(salon, staff_user, mari):
    http = HttpClient()
    http.force_login(staff_user)
    url = reverse("dashboard:staff_invite", kwargs={"salon_slug": "alpha", "staff_id": mari.pk})
    assert http.post(url, {"email": "x@example.test", "role": "staff"}).status_code == 403
    assert not StaffInvitation.objects.exists()


def test_link_page_accepts_for_a_logged_in_person(salon, owner, mari):
    # given
    new = _invite(salon, owner, mari)
    url = reverse("onboarding:invitation", kwargs={"salon_slug": "alpha", "token": new.token})
    person = UserFactory()
    http = HttpClient()

    # a visitor is offered sign-up and log-in, coming back to the link
    assert f"/accounts/signup/?next={url}" in http.get(url).content.decode()

    # when logged in and accepting
    http.force_login(person)
    response = http.post(url)

    # then staff land on their day
    assert response["Location"] == "/dashboard/alpha/my-day/"
    assert http.get("/dashboard/alpha/my-day/").status_code == 200
    # and the link is used up
    assert re.search("already been used", http.get(url).content.decode())


def test_link_with_a_wrong_token_is_404(salon, owner, mari):
    url = reverse("onboarding:invitation", kwargs={"salon_slug": "alpha", "token": "nope"})
    assert HttpClient().get(url).status_code == 404
