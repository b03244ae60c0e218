"""Roles and revoking access (onboarding/members.py): the services, the dashboard page and the
owner API, with the rules — staff change nothing, only owners touch the owner role, the last
owner stays, revoking takes effect on the next request, other salons' ids are 404."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from rest_framework.test import APIClient

from bookings.models import Membership, StaffMember
from onboarding.invitations import staff_invitation_create
from onboarding.members import member_revoke, member_role_change
from onboarding.models import StaffInvitation
from tests.concurrency import race
from tests.factories import MembershipFactory, StaffMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def _member(salon, user) -> Membership:
    return Membership.objects.get(salon=salon, user=user)


@pytest.fixture
def manager(salon):
    user = UserFactory(email="manager@alpha.test")
    MembershipFactory(salon=salon, user=user, role="manager")
    return user


# --- services ---------------------------------------------------------------------------------


def test_owner_makes_a_staff_member_a_manager(salon, owner, staff_user):
    # when
    changed = member_role_change(
        salon=salon, actor=owner, membership=_member(salon, staff_user), role="manager"
    )
    # then
    assert changed.role == "manager"
    assert _member(salon, staff_user).role == "manager"


def test_staff_cannot_change_roles(salon, owner, staff_user):
    # when / then
    with pytest.raises(ValidationError):
        member_role_change(
            salon=salon, actor=staff_user, membership=_member(salon, staff_user), role="owner"
        )
    with pytest.raises(ValidationError):
        member_revoke(salon=salon, actor=staff_user, membership=_member(salon, owner))
    # nothing written
    assert _member(salon, staff_user).role == "staff"
    assert _member(salon, owner).role == "owner"


def test_the_last_owner_can_be_neither_demoted_nor_revoked(salon, owner):
    with pytest.raises(ValidationError, match="at least one owner"):
        member_role_change(salon=salon, actor=owner, membership=_member(salon, owner), role="staff")
    with pytest.raises(ValidationError, match="at least one owner"):
        member_revoke(salon=salon, actor=owner, membership=_member(salon, owner))
    assert _member(salon, owner).role == "owner"


def test_with_a_second_owner_an_owner_may_step_down(salon, owner):
    # given
    second = UserFactory()
    MembershipFactory(salon=salon, user=second, role="owner")
    # when
    member_role_change(salon=salon, actor=owner, membership=_member(salon, owner), role="manager")
    # then
    assert _member(salon, owner).role == "manager"
    assert _member(salon, second).role == "owner"


def test_a_manager_cannot_touch_owners_or_make_one(salon, owner, manager, staff_user):
    with pytest.raises(ValidationError, match="Only an owner"):
        member_role_change(
            salon=salon, actor=manager, membership=_member(salon, staff_user), role="owner"
        )
    second = UserFactory()
    MembershipFactory(salon=salon, user=second, role="owner")
    with pytest.raises(ValidationError, match="Only an owner"):
        member_revoke(salon=salon, actor=manager, membership=_member(salon, second))
    # but a manager may manage staff
    member_role_change(
        salon=salon, actor=manager, membership=_member(salon, staff_user), role="manager"
    )
    assert _member(salon, staff_user).role == "manager"


def test_unknown_role_is_a_field_error(salon, owner, staff_user):
    with pytest.raises(ValidationError) as caught:
        member_role_change(
            salon=salon, actor=owner, membership=_member(salon, staff_user), role="boss"
        )
    assert "role" in caught.value.message_dict


def test_revoking_unlinks_the_staff_member_and_withdraws_invitations(salon, owner, staff_user):
    # given the staff user is linked to a staff member, who also has a pending invitation
    linked = StaffMemberFactory(salon=salon, user=staff_user)
    other = StaffMemberFactory(salon=salon)
    pending = staff_invitation_create(
        salon=salon, actor=owner, staff=other, email="x@example.test"
    ).invitation
    StaffInvitation.objects.filter(pk=pending.pk).update(staff=linked)
    # when
    member_revoke(salon=salon, actor=owner, membership=_member(salon, staff_user))
    # then
    assert not Membership.objects.filter(salon=salon, user=staff_user).exists()
    assert StaffMember.objects.get(pk=linked.pk).user_id is None
    assert StaffInvitation.objects.get(pk=pending.pk).revoked_at is not None


def test_another_salons_membership_is_refused(salon, owner, other_salon, other_owner):
    with pytest.raises(ValidationError):
        member_role_change(
            salon=salon, actor=owner, membership=_member(other_salon, other_owner), role="staff"
        )
    assert _member(other_salon, other_owner).role == "owner"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_owners_demoting_each_other_at_once_leave_one_owner():
    # given a salon with exactly two owners
    from tests.factories import SalonFactory

    shop = SalonFactory(slug="race")
    first, second = UserFactory(), UserFactory()
    first_m = MembershipFactory(salon=shop, user=first, role="owner")
    second_m = MembershipFactory(salon=shop, user=second, role="owner")
    # when each demotes themselves at the same moment
    outcomes = race(
        [
            lambda: member_role_change(salon=shop, actor=first, membership=first_m, role="staff"),
            lambda: member_role_change(salon=shop, actor=second, membership=second_m, role="staff"),
        ]
    )
    # then one wins and the salon still has an owner
    assert outcomes == ["ok", "refused"]
    assert Membership.objects.filter(salon=shop, role="owner").count() == 1


# --- dashboard --------------------------------------------------------------------------------


def test_access_page_lists_members_and_changes_a_role(salon, owner, owner_client, staff_user):
    # given
    url = reverse("dashboard:member_list", kwargs={"salon_slug": "alpha"})
    membership = _member(salon, staff_user)
    # when
    page = owner_client.get(url)
    response = owner_client.post(
        reverse(
            "dashboard:member_role", kwargs={"salon_slug": "alpha", "membership_id": membership.pk}
        ),
        {f"member-{membership.pk}-role": "manager"},
    )
    # then
    assert page.status_code == 200
    assert "staff@alpha.test" in page.content.decode()
    assert response.status_code == 302
    assert _member(salon, staff_user).role == "manager"


def test_staff_cannot_open_the_access_page_or_post_to_it(salon, owner, staff_user):
    http = HttpClient()
    http.force_login(staff_user)
    owner_membership = _member(salon, owner)
    assert (
        http.get(reverse("dashboard:member_list", kwargs={"salon_slug": "alpha"})).status_code
        == 403
    )
    response = http.post(
        reverse(
            "dashboard:member_role",
            kwargs={"salon_slug": "alpha", "membership_id": owner_membership.pk},
        ),
        {f"member-{owner_membership.pk}-role": "staff"},
    )
    assert response.status_code == 403
    assert _member(salon, owner).role == "owner"


def test_revoked_staff_lose_the_dashboard_at_once(salon, owner, owner_client, staff_user):
    # given the staff user is logged in and sees the calendar
    http = HttpClient()
    http.force_login(staff_user)
    calendar = reverse("dashboard:calendar", kwargs={"salon_slug": "alpha"})
    assert http.get(calendar).status_code == 200
    # when the owner revokes
    membership = _member(salon, staff_user)
    owner_client.post(
        reverse(
            "dashboard:member_revoke",
            kwargs={"salon_slug": "alpha", "membership_id": membership.pk},
        )
    )
    # then the very next request is refused, on pages and in the API
    assert http.get(calendar).status_code == 404
    api = APIClient()
    api.force_authenticate(staff_user)
    assert api.get("/api/v1/salons/alpha/appointments/").status_code == 404


def test_the_last_owner_sees_an_error_not_a_change(salon, owner, owner_client):
    membership = _member(salon, owner)
    response = owner_client.post(
        reverse(
            "dashboard:member_revoke",
            kwargs={"salon_slug": "alpha", "membership_id": membership.pk},
        ),
        follow=True,
    )
    assert response.status_code == 200
    assert "at least one owner" in response.content.decode()
    assert _member(salon, owner).role == "owner"


def test_another_salons_membership_id_is_404_in_the_dashboard(
    salon, owner_client, other_salon, other_owner
):
    foreign = _member(other_salon, other_owner)
    for name in ("member_role", "member_revoke"):
        url = reverse(
            f"dashboard:{name}", kwargs={"salon_slug": "alpha", "membership_id": foreign.pk}
        )
        assert owner_client.post(url, {f"member-{foreign.pk}-role": "staff"}).status_code == 404
    assert Membership.objects.filter(pk=foreign.pk, role="owner").exists()


# --- owner API --------------------------------------------------------------------------------


def test_api_lists_members_with_their_staff_member(salon, owner, owner_api, staff_user):
    linked = StaffMemberFactory(salon=salon, user=staff_user)
    response = owner_api.get("/api/v1/salons/alpha/members/")
    assert response.status_code == 200
    rows = {row["email"]: row for row in response.json()}
    assert rows["staff@alpha.test"]["role"] == "staff"
    assert rows["staff@alpha.test"]["staff"] == linked.pk
    assert rows["owner@alpha.test"]["role"] == "owner"


def test_api_changes_a_role_and_refuses_bad_input(salon, owner, owner_api, staff_user):
    membership = _member(salon, staff_user)
    url = f"/api/v1/salons/alpha/members/{membership.pk}/"
    bad = owner_api.patch(url, {"role": "boss"}, format="json")
    assert bad.status_code == 400
    assert "role" in bad.json()
    good = owner_api.patch(url, {"role": "manager"}, format="json")
    assert good.status_code == 200
    assert good.json()["role"] == "manager"


def test_api_staff_cannot_change_roles(salon, owner, staff_user):
    api = APIClient()
    api.force_authenticate(staff_user)
    owner_membership = _member(salon, owner)
    response = api.patch(
        f"/api/v1/salons/alpha/members/{owner_membership.pk}/", {"role": "staff"}, format="json"
    )
    assert response.status_code == 403
    assert _member(salon, owner).role == "owner"


def test_api_last_owner_is_400(salon, owner, owner_api):
    membership = _member(salon, owner)
    url = f"/api/v1/salons/alpha/members/{membership.pk}/"
    assert owner_api.patch(url, {"role": "staff"}, format="json").status_code == 400
    assert owner_api.delete(url).status_code == 400
    assert _member(salon, owner).role == "owner"


def test_api_revokes(salon, owner, owner_api, staff_user):
    membership = _member(salon, staff_user)
    response = owner_api.delete(f"/api/v1/salons/alpha/members/{membership.pk}/")
    assert response.status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_api_another_salons_member_id_is_404(salon, owner, owner_api, other_salon, other_owner):
    foreign = _member(other_salon, other_owner)
    url = f"/api/v1/salons/alpha/members/{foreign.pk}/"
    assert owner_api.get(url).status_code == 404
    assert owner_api.patch(url, {"role": "staff"}, format="json").status_code == 404
    assert owner_api.delete(url).status_code == 404
    assert Membership.objects.filter(pk=foreign.pk, role="owner").exists()


def test_an_owner_who_steps_down_to_staff_lands_on_their_day(salon, owner, owner_client):
    # given a second owner
    MembershipFactory(salon=salon, user=UserFactory(), role="owner")
    membership = _member(salon, owner)
    # when
    response = owner_client.post(
        reverse(
            "dashboard:member_role",
            kwargs={"salon_slug": "alpha", "membership_id": membership.pk},
        ),
        {f"member-{membership.pk}-role": "staff"},
    )
    # then
    assert response.url == reverse("dashboard:my_day", kwargs={"salon_slug": "alpha"})
    assert _member(salon, owner).role == "staff"
