"""Dashboard pages of the salon's team (joined into the `dashboard` namespace by
onboarding/dashboard_urls.py):

- "My day" (`dashboard:my_day`), for every member: the appointments of the staff member the
  account is linked to, one day at a time (previous / next day). Staff land here after login.
- "Access" (`dashboard:member_list`), for owners and managers: who can log in to the salon's
  dashboard, their role (changed in place) and revoking access (onboarding/members.py).
- "Booking e-mails" (`dashboard:booking_notices`), for owners and managers: which client
  changes the salon is e-mailed about, and to whom (onboarding/salon_notices.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from bookings.dashboard.forms import add_service_errors
from bookings.dashboard.mixins import SalonViewMixin
from bookings.models import Membership
from bookings.selectors import tenant_get

from .members import member_list, member_revoke, member_role_change, member_staff_map
from .models import SalonBookingNotices
from .salon_notices import (
    SETTINGS_FIELDS,
    booking_notices_get,
    booking_notices_update,
    staff_booking_notices_enabled,
    staff_booking_notices_off,
    staff_booking_notices_set,
)
from .selectors import my_day_appointments, my_day_staff_get

MIN_DAY = dt.date(2000, 1, 2)
MAX_DAY = dt.date(2100, 12, 30)


# --- My day -------------------------------------------------------------------------------


class MyDayView(SalonViewMixin, TemplateView):
    manage_required = False
    template_name = "onboarding/my_day.html"

    def _day(self, today: dt.date) -> dt.date:
        raw = self.request.GET.get("date", "").strip()
        if not raw:
            return today
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            messages.warning(
                self.request, _("That is not a valid date (use YYYY-MM-DD); showing today.")
            )
            return today
        return min(max(day, MIN_DAY), MAX_DAY)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.now().astimezone(self.salon.tzinfo).date()
        day = self._day(today)
        staff = my_day_staff_get(salon=self.salon, user=self.request.user)
        base = reverse("dashboard:my_day", kwargs={"salon_slug": self.salon.slug})
        context.update(
            page_title=_("My day"),
            staff=staff,
            day=day,
            today=today,
            is_today=day == today,
            prev_url=f"{base}?date={(day - dt.timedelta(days=1)).isoformat()}",
            next_url=f"{base}?date={(day + dt.timedelta(days=1)).isoformat()}",
            today_url=base,
            appointments=list(my_day_appointments(salon=self.salon, staff=staff, day=day))
            if staff is not None
            else [],
            calendar_url=reverse("dashboard:calendar", kwargs={"salon_slug": self.salon.slug}),
        )
        if staff is not None:
            context.update(
                booking_emails_on=staff_booking_notices_enabled(salon=self.salon, staff=staff),
                salon_sends_to_staff=booking_notices_get(salon=self.salon).to_staff,
                booking_emails_url=reverse(
                    "dashboard:my_booking_emails", kwargs={"salon_slug": self.salon.slug}
                ),
            )
        return context


class MyBookingEmailsView(SalonViewMixin, View):
    """A staff member switches the e-mails about their own online bookings on or off."""

    manage_required = False

    def post(self, request: HttpRequest, salon_slug: str) -> HttpResponse:
        staff = my_day_staff_get(salon=self.salon, user=request.user)
        if staff is None:
            raise Http404("Your account is not linked to a staff member.")
        enabled = request.POST.get("enabled") == "on"
        staff_booking_notices_set(salon=self.salon, staff=staff, enabled=enabled)
        if enabled:
            messages.success(request, _("You will get an e-mail about your online bookings."))
        else:
            messages.success(request, _("You will not get e-mails about your online bookings."))
        return HttpResponseRedirect(reverse("dashboard:my_day", kwargs={"salon_slug": salon_slug}))


# --- Access: roles and revoking -------------------------------------------------------------


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Membership.Role.choices)


class MemberListView(SalonViewMixin, TemplateView):
    template_name = "onboarding/members.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        members = list(member_list(salon=self.salon))
        staff_by_user = member_staff_map(salon=self.salon, user_ids=[m.user_id for m in members])
        errors = kwargs.get("errors") or {}
        context.update(
            page_title=_("Access to the dashboard"),
            rows=[
                {
                    "membership": member,
                    "staff": staff_by_user.get(member.user_id),
                    "is_me": member.user_id == self.request.user.pk,
                    "form": MemberRoleForm(
                        initial={"role": member.role}, prefix=f"member-{member.pk}"
                    ),
                    "error": errors.get(member.pk, ""),
                }
                for member in members
            ],
            can_grant_owner=self.membership.role == Membership.Role.OWNER,
        )
        return context


class MemberRoleView(SalonViewMixin, View):
    def post(self, request: HttpRequest, salon_slug: str, membership_id: int) -> HttpResponse:
        member = tenant_get(Membership, salon=self.salon, pk=membership_id)
        form = MemberRoleForm(request.POST, prefix=f"member-{member.pk}")
        url = reverse("dashboard:member_list", kwargs={"salon_slug": salon_slug})
        if not form.is_valid():
            messages.error(request, _("Choose owner, manager or staff."))
            return HttpResponseRedirect(url)
        try:
            member_role_change(
                salon=self.salon, actor=request.user, membership=member, **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if member.user_id == request.user.pk and form.cleaned_data["role"] == "staff":
                # Their own access page is for owners and managers only now.
                messages.success(request, _("You are now staff in this salon."))
                return HttpResponseRedirect(
                    reverse("dashboard:my_day", kwargs={"salon_slug": salon_slug})
                )
            messages.success(
                request,
                _("%(person)s is now %(role)s.")
                % {
                    "person": member.user.email,
                    "role": Membership.Role(form.cleaned_data["role"]).label,
                },
            )
        return HttpResponseRedirect(url)


class MemberRevokeView(SalonViewMixin, View):
    def post(self, request: HttpRequest, salon_slug: str, membership_id: int) -> HttpResponse:
        member = tenant_get(Membership, salon=self.salon, pk=membership_id)
        try:
            member_revoke(salon=self.salon, actor=request.user, membership=member)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(person)s can no longer open this salon's dashboard.")
                % {"person": member.user.email},
            )
            if member.user_id == request.user.pk:
                return HttpResponseRedirect(reverse("home"))
        return HttpResponseRedirect(
            reverse("dashboard:member_list", kwargs={"salon_slug": salon_slug})
        )


# --- Booking e-mails to the salon ------------------------------------------------------------


class BookingNoticesForm(forms.ModelForm):
    class Meta:
        model = SalonBookingNotices
        fields = list(SETTINGS_FIELDS)

    def __init__(self, *args: Any, salon: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if salon is not None and salon.email:
            self.fields["salon_email"].help_text = _(
                "Leave empty to use the salon's contact e-mail (%(email)s)."
            ) % {"email": salon.email}


class BookingNoticesView(SalonViewMixin, TemplateView):
    template_name = "onboarding/booking_notices.html"
    http_method_names = ["get", "post"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = _("Booking e-mails to the salon")
        context["form"] = kwargs.get("form") or BookingNoticesForm(
            instance=booking_notices_get(salon=self.salon), salon=self.salon
        )
        context["notices_url"] = reverse(
            "dashboard:notices", kwargs={"salon_slug": self.salon.slug}
        )
        context["staff_off"] = list(staff_booking_notices_off(salon=self.salon))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = BookingNoticesForm(
            request.POST, instance=booking_notices_get(salon=self.salon), salon=self.salon
        )
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in SETTINGS_FIELDS}
            try:
                booking_notices_update(salon=self.salon, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Booking e-mail settings saved."))
                return HttpResponseRedirect(
                    reverse("dashboard:booking_notices", kwargs={"salon_slug": self.salon.slug})
                )
        return self.render_to_response(self.get_context_data(form=form))
