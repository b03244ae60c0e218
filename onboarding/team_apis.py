"""Owner API of the salon's team and its booking e-mails, under `/api/v1/salons/<slug>/`
(onboarding/api_urls.py), through the services the dashboard calls:

- `members/` (GET), `members/<id>/` (PATCH the role, DELETE = revoke access):
  onboarding/members.py;
- `invitations/` (GET, POST: e-mails the link), `invitations/<id>/` (GET, DELETE = withdraw):
  onboarding/invitations.py. The link's token is only ever in the e-mail;
- `booking-notices/` (GET, PATCH): which client changes the salon is e-mailed about, and to
  whom, and `staff/<id>/booking-notices/` (GET, PUT): one staff member's own switch
  (onboarding/salon_notices.py).

Reading is for any member, writing for owners and managers (`SalonApi`); ids of another salon
are 404; bad input is a 400 with messages per field.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from bookings.api.base import SalonApi, SalonPrimaryKeyRelatedField
from bookings.models import Membership, StaffMember
from bookings.selectors import tenant_get

from .invitations import INVITABLE_ROLES, staff_invitation_create, staff_invitation_revoke
from .members import member_list, member_revoke, member_role_change, member_staff_map
from .models import SalonBookingNotices, StaffInvitation
from .salon_notices import (
    SETTINGS_FIELDS,
    booking_notices_get,
    booking_notices_update,
    staff_booking_notices_enabled,
    staff_booking_notices_set,
)

# Plain strings, not the model's enums: drf-spectacular would otherwise name an enum after
# the field, and another app's `role`/`status` field with other values would collide.
ROLE_CHOICES = [(value, value) for value in Membership.Role.values]


# --- Members ----------------------------------------------------------------------------------


class MemberOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField(source="user.email")
    name = serializers.SerializerMethodField()
    role = serializers.CharField(help_text="owner, manager or staff")
    staff = serializers.SerializerMethodField(help_text="Id of the linked staff member, or null.")
    created_at = serializers.DateTimeField()

    def get_name(self, membership: Membership) -> str:
        return membership.user.get_full_name()

    def get_staff(self, membership: Membership) -> int | None:
        staff = self.context.get("staff_by_user", {}).get(membership.user_id)
        return staff.pk if staff is not None else None


class MemberRoleInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=ROLE_CHOICES)


def _member_data(api: SalonApi, members: list[Membership]) -> list[dict]:
    staff = member_staff_map(salon=api.salon, user_ids=[m.user_id for m in members])
    return MemberOutputSerializer(members, many=True, context={"staff_by_user": staff}).data


class MemberListApi(SalonApi):
    """Who can open the salon's dashboard, with their role."""

    @extend_schema(tags=["team"], responses=MemberOutputSerializer(many=True))
    def get(self, request: Request, salon_slug: str) -> Response:
        return Response(_member_data(self, list(member_list(salon=self.salon))))


class MemberDetailApi(SalonApi):
    def _member(self, membership_id: int) -> Membership:
        return tenant_get(
            Membership,
            salon=self.salon,
            pk=membership_id,
            queryset=Membership.objects.select_related("user"),
        )

    @extend_schema(tags=["team"], responses=MemberOutputSerializer)
    def get(self, request: Request, salon_slug: str, membership_id: int) -> Response:
        return Response(_member_data(self, [self._member(membership_id)])[0])

    @extend_schema(
        tags=["team"], request=MemberRoleInputSerializer, responses=MemberOutputSerializer
    )
    def patch(self, request: Request, salon_slug: str, membership_id: int) -> Response:
        """Change the member's role. Only an owner gives or takes the owner role; the last
        owner keeps it."""
        member = self._member(membership_id)
        serializer = MemberRoleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changed = member_role_change(
            salon=self.salon, actor=request.user, membership=member, **serializer.validated_data
        )
        changed.user = member.user
        return Response(_member_data(self, [changed])[0])

    @extend_schema(tags=["team"], responses={204: None})
    def delete(self, request: Request, salon_slug: str, membership_id: int) -> Response:
        """Revoke the member's access at once (the last owner cannot be revoked)."""
        member_revoke(salon=self.salon, actor=request.user, membership=self._member(membership_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Invitations ------------------------------------------------------------------------------


class InvitationOutputSerializer(serializers.ModelSerializer):
    role = serializers.CharField(help_text="staff or manager")
    state = serializers.SerializerMethodField(help_text="pending, accepted, revoked or expired")

    class Meta:
        model = StaffInvitation
        fields = ["id", "staff", "email", "role", "state", "created_at", "expires_at"]

    def get_state(self, invitation: StaffInvitation) -> str:
        if invitation.accepted_at is not None:
            return "accepted"
        if invitation.revoked_at is not None:
            return "revoked"
        if invitation.expires_at <= timezone.now():
            return "expired"
        return "pending"


class InvitationInputSerializer(serializers.Serializer):
    staff = SalonPrimaryKeyRelatedField(queryset=StaffMember.objects.all())
    email = serializers.EmailField()
    role = serializers.ChoiceField(
        choices=[(str(role), str(role)) for role in INVITABLE_ROLES], default="staff"
    )


class InvitationListApi(SalonApi):
    """Staff invitations: the newest first."""

    @extend_schema(tags=["team"], responses=InvitationOutputSerializer(many=True))
    def get(self, request: Request, salon_slug: str) -> Response:
        invitations = StaffInvitation.objects.for_salon(self.salon).order_by("-created_at", "-pk")
        return Response(InvitationOutputSerializer(invitations, many=True).data)

    @extend_schema(
        tags=["team"],
        request=InvitationInputSerializer,
        responses={201: InvitationOutputSerializer},
    )
    def post(self, request: Request, salon_slug: str) -> Response:
        """E-mail a staff member a link that signs them up and links their account (valid once,
        for 7 days; a newer invitation withdraws the older ones)."""
        serializer = InvitationInputSerializer(data=request.data, context=self.serializer_context())
        serializer.is_valid(raise_exception=True)
        new = staff_invitation_create(
            salon=self.salon, actor=request.user, **serializer.validated_data
        )
        return Response(
            InvitationOutputSerializer(new.invitation).data, status=status.HTTP_201_CREATED
        )


class InvitationDetailApi(SalonApi):
    @extend_schema(tags=["team"], responses=InvitationOutputSerializer)
    def get(self, request: Request, salon_slug: str, invitation_id: int) -> Response:
        invitation = tenant_get(StaffInvitation, salon=self.salon, pk=invitation_id)
        return Response(InvitationOutputSerializer(invitation).data)

    @extend_schema(tags=["team"], responses={204: None})
    def delete(self, request: Request, salon_slug: str, invitation_id: int) -> Response:
        """Withdraw the invitation (its link stops working)."""
        invitation = tenant_get(StaffInvitation, salon=self.salon, pk=invitation_id)
        staff_invitation_revoke(salon=self.salon, actor=request.user, invitation=invitation)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Booking e-mails to the salon ---------------------------------------------------------------


class BookingNoticesSerializer(serializers.ModelSerializer):
    class Meta:
        model = SalonBookingNotices
        fields = list(SETTINGS_FIELDS)


class BookingNoticesApi(SalonApi):
    """Which client changes made online (new bookings, cancellations, moves) are e-mailed to
    the salon's address and to the staff member concerned."""

    @extend_schema(tags=["notices"], responses=BookingNoticesSerializer)
    def get(self, request: Request, salon_slug: str) -> Response:
        return Response(BookingNoticesSerializer(booking_notices_get(salon=self.salon)).data)

    @extend_schema(
        tags=["notices"], request=BookingNoticesSerializer, responses=BookingNoticesSerializer
    )
    def patch(self, request: Request, salon_slug: str) -> Response:
        serializer = BookingNoticesSerializer(
            booking_notices_get(salon=self.salon), data=request.data, partial=True
        )
        serializer.is_valid(raise_exception=True)
        row = booking_notices_update(salon=self.salon, **serializer.validated_data)
        return Response(BookingNoticesSerializer(row).data)


class StaffBookingNoticesSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(
        help_text="Whether this staff member gets the booking e-mails about their appointments."
    )


class StaffBookingNoticesApi(SalonApi):
    """One staff member's own switch for the booking e-mails (also on their "My day" page)."""

    @extend_schema(tags=["notices"], responses=StaffBookingNoticesSerializer)
    def get(self, request: Request, salon_slug: str, staff_id: int) -> Response:
        staff = tenant_get(StaffMember, salon=self.salon, pk=staff_id)
        enabled = staff_booking_notices_enabled(salon=self.salon, staff=staff)
        return Response(StaffBookingNoticesSerializer({"enabled": enabled}).data)

    @extend_schema(
        tags=["notices"],
        request=StaffBookingNoticesSerializer,
        responses=StaffBookingNoticesSerializer,
    )
    def put(self, request: Request, salon_slug: str, staff_id: int) -> Response:
        staff = tenant_get(StaffMember, salon=self.salon, pk=staff_id)
        serializer = StaffBookingNoticesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enabled = staff_booking_notices_set(
            salon=self.salon, staff=staff, enabled=serializer.validated_data["enabled"]
        )
        return Response(StaffBookingNoticesSerializer({"enabled": enabled}).data)
