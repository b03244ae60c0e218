"""Services of staff invitations: an owner or manager invites a staff member by e-mail; the
link signs the person up (or logs them in) and links their account to that staff member,
with a membership of the salon in the invitation's role.

Rules (each has a test in onboarding/tests/test_invitations.py):
- only owners and managers invite or revoke; the staff member must be the salon's own;
- the link's token is random, stored only as a hash, and read within its salon (the salon's
  slug is part of the link), so another salon's link is simply unknown;
- an invitation expires after INVITATION_DAYS, is used once, and a newer one for the same
  staff member revokes the older ones;
- accepting never lowers a role the person already has in the salon.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Membership, Salon, StaffMember
from bookings.services.salons import membership_set
from languages.formats import LocalDate
from notices.registry import Channel
from notices.services import notice_send

from .models import StaffInvitation
from .notice_kinds import STAFF_INVITATION

INVITATION_DAYS = 7
INVITABLE_ROLES = (Membership.Role.STAFF, Membership.Role.MANAGER)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(*, salon: Salon, token: str) -> str:
    path = reverse("onboarding:invitation", kwargs={"salon_slug": salon.slug, "token": token})
    return settings.SITE_URL + path


def _require_manager(*, salon: Salon, actor: Any) -> None:
    membership = Membership.objects.for_salon(salon).filter(user=actor).first()
    if membership is None or not membership.can_manage:
        raise ValidationError(_("Only the salon's owners and managers can invite staff."))


@dataclass(frozen=True)
class NewInvitation:
    invitation: StaffInvitation
    token: str  # only ever in the e-mail (and here, for the caller to show or test)


def _account_language(email: str) -> str | None:
    """The own language (`User.language`) of the account with this e-mail, if any."""
    language = (
        get_user_model()
        .objects.filter(email__iexact=email, is_active=True)
        .exclude(language="")
        .values_list("language", flat=True)
        .first()
    )
    return language or None


@transaction.atomic
def staff_invitation_create(
    *, salon: Salon, actor: Any, staff: StaffMember, email: str, role: str = "staff"
) -> NewInvitation:
    _require_manager(salon=salon, actor=actor)
    if staff.salon_id != salon.pk:
        raise ValidationError({"staff": _("Select a valid choice.")})
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": exc.messages}) from exc
    if role not in INVITABLE_ROLES:
        raise ValidationError({"role": _("Choose staff or manager.")})
    StaffMember.objects.select_for_update().filter(pk=staff.pk).first()
    if staff.user_id is not None:
        raise ValidationError(_("This staff member already has an account."))
    now = timezone.now()
    StaffInvitation.objects.for_salon(salon).filter(
        staff=staff, accepted_at=None, revoked_at=None
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = StaffInvitation.objects.create(
        salon=salon,
        staff=staff,
        email=email,
        role=role,
        token_hash=token_hash(token),
        invited_by=actor,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    notice_send(
        salon=salon,
        kind=STAFF_INVITATION.key,
        channel=Channel.EMAIL,
        recipient=email,
        context={
            "staff_name": staff.name,
            "invited_by": actor.get_full_name() or actor.email,
            "invitation_url": invitation_url(salon=salon, token=token),
            # Printed in the notice's language.
            "expires": LocalDate(
                timezone.localtime(invitation.expires_at, salon.tzinfo), "SHORT_DATE_FORMAT"
            ),
        },
        # Someone who already has an account reads it in their own language, else the salon's.
        language=_account_language(email),
    )
    return NewInvitation(invitation=invitation, token=token)


def staff_invitation_problem(invitation: StaffInvitation | None) -> str | None:
    """Why this invitation cannot be accepted, or None."""
    if invitation is None:
        return _("This invitation link is not valid.")
    if invitation.revoked_at is not None:
        return _("This invitation was withdrawn. Ask the salon for a new one.")
    if invitation.accepted_at is not None:
        return _("This invitation has already been used.")
    if invitation.expires_at <= timezone.now():
        return _("This invitation has expired. Ask the salon for a new one.")
    return None


@transaction.atomic
def staff_invitation_accept(*, salon: Salon, token: str, user: Any) -> Membership:
    invitation = (
        StaffInvitation.objects.for_salon(salon)
        .select_for_update()
        .filter(token_hash=token_hash(token))
        .first()
    )
    if (problem := staff_invitation_problem(invitation)) is not None:
        raise ValidationError(problem)
    staff = StaffMember.objects.for_salon(salon).select_for_update().get(pk=invitation.staff_id)
    if staff.user_id is not None and staff.user_id != user.pk:
        raise ValidationError(_("This staff member is already linked to another account."))
    if StaffMember.objects.for_salon(salon).filter(user=user).exclude(pk=staff.pk).exists():
        raise ValidationError(_("Your account is already linked to another staff member here."))
    staff.user = user
    staff.save(update_fields=["user"])
    existing = Membership.objects.for_salon(salon).filter(user=user).first()
    if existing is not None and existing.can_manage:
        membership = existing  # never lower an owner's or manager's role
    else:
        membership = membership_set(salon=salon, user=user, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def staff_invitation_revoke(
    *, salon: Salon, actor: Any, invitation: StaffInvitation
) -> StaffInvitation:
    _require_manager(salon=salon, actor=actor)
    if invitation.salon_id != salon.pk:
        raise ValidationError(_("This invitation link is not valid."))
    if invitation.is_pending:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation
