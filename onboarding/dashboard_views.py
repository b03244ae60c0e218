"""Dashboard pages of staff invitations (`dashboard:staff_invite`, `dashboard:staff_invitation_
revoke`), for owners and managers: invite a staff member by e-mail, see and withdraw pending
invitations. The rules are in onboarding/invitations.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views import View

from bookings.dashboard.mixins import SalonViewMixin
from bookings.dashboard.views import SalonFormView
from bookings.models import Membership, StaffMember
from bookings.selectors import tenant_get

from .invitations import staff_invitation_create, staff_invitation_revoke
from .models import StaffInvitation


class StaffInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (Membership.Role.STAFF, Membership.Role.STAFF.label),
            (Membership.Role.MANAGER, Membership.Role.MANAGER.label),
        ],
        help_text=_("Staff see their own day; managers can change the salon's settings."),
    )

    def __init__(self, *args: Any, salon: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # `salon` comes from SalonFormView; not needed here


class StaffInviteView(SalonFormView):
    form_class = StaffInviteForm
    template_name = "onboarding/staff_invite.html"
    submit_label = _("Send the invitation")
    success_message = _("The invitation was sent.")
    cancel_url_name = "dashboard:staff_list"

    @property
    def staff(self) -> StaffMember:
        if not hasattr(self, "_staff"):
            self._staff = tenant_get(StaffMember, salon=self.salon, pk=self.kwargs["staff_id"])
        return self._staff

    def get_initial(self) -> dict[str, Any]:
        return {"email": self.staff.email, "role": Membership.Role.STAFF}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["staff"] = self.staff
        context["page_title"] = _("Invite %(name)s to log in") % {"name": self.staff.name}
        context["pending"] = StaffInvitation.objects.for_salon(self.salon).filter(
            staff=self.staff, accepted_at=None, revoked_at=None
        )
        context["cancel_url"] = self.url("dashboard:staff_detail", pk=self.staff.pk)
        return context

    def perform_write(self, form: forms.Form) -> Any:
        return staff_invitation_create(
            salon=self.salon, actor=self.request.user, staff=self.staff, **form.cleaned_data
        ).invitation

    def get_success_url_for(self, obj: Any) -> str:
        return self.url("dashboard:staff_invite", staff_id=self.staff.pk)


class StaffInvitationRevokeView(SalonViewMixin, View):
    def post(self, request: HttpRequest, salon_slug: str, invitation_id: int) -> HttpResponse:
        invitation = tenant_get(StaffInvitation, salon=self.salon, pk=invitation_id)
        try:
            staff_invitation_revoke(salon=self.salon, actor=request.user, invitation=invitation)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The invitation was withdrawn."))
        return redirect(
            "dashboard:staff_invite", salon_slug=salon_slug, staff_id=invitation.staff_id
        )
