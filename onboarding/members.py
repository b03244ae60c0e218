"""Who may use a salon's dashboard: changing a member's role and revoking their access.

Rules (each has a test in onboarding/tests/test_members.py):
- only owners and managers change roles or revoke access; staff get a ValidationError;
- only an owner makes someone an owner, or changes or revokes an owner;
- a salon always keeps at least one owner: the last owner can be neither demoted nor revoked.
  The salon's owner rows are locked (in pk order) before the count, so two owners demoting
  each other at the same time cannot both succeed;
- revoking deletes the membership (the next request of that account, page or API, is a 404
  for this salon) and unlinks the account from its staff member, so it can be invited again;
  pending invitations of that staff member are withdrawn.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Membership, Salon, StaffMember

from .models import StaffInvitation


def member_list(*, salon: Salon) -> QuerySet[Membership]:
    """The salon's members with their accounts, owners first."""
    order = {Membership.Role.OWNER: 0, Membership.Role.MANAGER: 1, Membership.Role.STAFF: 2}
    return (
        Membership.objects.for_salon(salon)
        .select_related("user")
        .annotate(
            role_order=Case(
                *(When(role=role, then=Value(rank)) for role, rank in order.items()),
                output_field=IntegerField(),
            )
        )
        .order_by("role_order", "user__email", "pk")
    )


def member_staff_map(*, salon: Salon, user_ids: list[int]) -> dict[int, StaffMember]:
    """The staff member each account is linked to (one query)."""
    staff = StaffMember.objects.for_salon(salon).filter(user_id__in=user_ids)
    return {member.user_id: member for member in staff}


def _actor_membership(*, salon: Salon, actor: Any) -> Membership:
    membership = Membership.objects.for_salon(salon).filter(user=actor).first()
    if membership is None or not membership.can_manage:
        raise ValidationError(_("Only the salon's owners and managers can change access."))
    return membership


def _lock_owners(salon: Salon) -> list[Membership]:
    return list(
        Membership.objects.for_salon(salon)
        .filter(role=Membership.Role.OWNER)
        .order_by("pk")
        .select_for_update()
    )


def _check_may_touch(*, actor: Membership, target: Membership, new_role: str | None) -> None:
    touches_owner = target.role == Membership.Role.OWNER or new_role == Membership.Role.OWNER
    if touches_owner and actor.role != Membership.Role.OWNER:
        raise ValidationError(_("Only an owner can give or take the owner role."))


def _check_not_last_owner(*, salon: Salon, target: Membership) -> None:
    owners = _lock_owners(salon)
    if target.role == Membership.Role.OWNER and [o.pk for o in owners] == [target.pk]:
        raise ValidationError(
            _("A salon needs at least one owner. Make someone else an owner first.")
        )


@transaction.atomic
def member_role_change(
    *, salon: Salon, actor: Any, membership: Membership, role: str
) -> Membership:
    """Give a member of the salon another role (owner, manager or staff)."""
    if membership.salon_id != salon.pk:
        raise ValidationError(_("This person is not a member of this salon."))
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Choose owner, manager or staff.")})
    acting = _actor_membership(salon=salon, actor=actor)
    _check_not_last_owner(salon=salon, target=membership)
    target = (
        Membership.objects.for_salon(salon).select_for_update().filter(pk=membership.pk).first()
    )
    if target is None:
        raise ValidationError(_("This person is not a member of this salon."))
    _check_may_touch(actor=acting, target=target, new_role=role)
    if target.role != role:
        target.role = role
        target.save(update_fields=["role"])
    return target


@transaction.atomic
def member_revoke(*, salon: Salon, actor: Any, membership: Membership) -> None:
    """End a member's access to the salon at once (their next request is refused)."""
    if membership.salon_id != salon.pk:
        raise ValidationError(_("This person is not a member of this salon."))
    acting = _actor_membership(salon=salon, actor=actor)
    _check_not_last_owner(salon=salon, target=membership)
    target = (
        Membership.objects.for_salon(salon).select_for_update().filter(pk=membership.pk).first()
    )
    if target is None:
        return  # already revoked: nothing left to do
    _check_may_touch(actor=acting, target=target, new_role=None)
    staff_ids = list(
        StaffMember.objects.for_salon(salon)
        .filter(user_id=target.user_id)
        .values_list("pk", flat=True)
    )
    StaffMember.objects.for_salon(salon).filter(pk__in=staff_ids).update(user=None)
    StaffInvitation.objects.for_salon(salon).filter(
        staff_id__in=staff_ids, accepted_at=None, revoked_at=None
    ).update(revoked_at=timezone.now())
    target.delete()
