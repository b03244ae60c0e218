"""Online booking → Preferences: the salon's booking settings, the passcodes of its locations
and staff members (see `bookings.passcodes`), the text to share a code, and sending a code to
chosen clients. Owner/manager only; ids in URLs go through `tenant_get` (another salon's: 404).

Each form posts to its own URL; valid input is written by a service and we go back to the page,
invalid input shows the page again with that form's errors and nothing written."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView

from bookings import selectors
from bookings.models import Location, StaffMember
from bookings.passcodes import location_passcode_set, passcode_weakness, staff_passcode_set
from bookings.selectors import tenant_get
from bookings.services.passcode_sharing import (
    passcode_booking_url,
    passcode_send_to_clients,
    passcode_share_text,
)
from bookings.services.salons import SALON_SETTINGS_FIELDS, salon_booking_settings_update

from .forms import add_service_errors
from .mixins import SalonViewMixin
from .online_booking_forms import (
    BookingSettingsForm,
    LocationPasscodeForm,
    PasscodeSendForm,
    StaffPasscodeForm,
)

# Clients listed on the "send the code" page at once; the search narrows them down.
CLIENTS_SHOWN = 100
PASSCODE_ERROR_FIELDS = {"booking_passcode": "code", "booking_passcode_enabled": "enabled"}


def location_prefix(location: Location) -> str:
    return f"location-{location.pk}"


def staff_prefix(staff: StaffMember) -> str:
    return f"staff-{staff.pk}"


class OnlineBookingView(SalonViewMixin, TemplateView):
    template_name = "dashboard/online_booking/preferences.html"

    def page_url(self, anchor: str = "") -> str:
        url = reverse("dashboard:online_booking", kwargs={"salon_slug": self.salon.slug})
        return f"{url}#{anchor}" if anchor else url

    def get_context_data(
        self,
        *,
        settings_form: forms.Form | None = None,
        bound_form: forms.Form | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        locations = list(selectors.location_list(salon=self.salon))
        # Only the staff rows themselves are needed here (not their hours or services).
        staff = list(StaffMember.objects.for_salon(self.salon).order_by("name", "pk"))
        context.update(
            page_title=_("Online booking preferences"),
            settings_form=settings_form
            or BookingSettingsForm(salon=self.salon, instance=copy.copy(self.salon)),
            booking_url=passcode_booking_url(salon=self.salon),
            location_rows=[
                self._row(
                    location,
                    prefix=location_prefix(location),
                    form_class=LocationPasscodeForm,
                    initial={
                        "enabled": location.booking_passcode_enabled,
                        "code": location.booking_passcode,
                    },
                    bound_form=bound_form,
                    url_kind="location",
                )
                for location in locations
            ],
            staff_rows=[
                self._row(
                    member,
                    prefix=staff_prefix(member),
                    form_class=StaffPasscodeForm,
                    initial={"code": member.booking_passcode},
                    bound_form=bound_form,
                    url_kind="staff",
                )
                for member in staff
            ],
        )
        return context

    def _row(
        self,
        target: Location | StaffMember,
        *,
        prefix: str,
        form_class: type[forms.Form],
        initial: dict[str, Any],
        bound_form: forms.Form | None,
        url_kind: str,
    ) -> dict[str, Any]:
        if bound_form is not None and bound_form.prefix == prefix:
            form = bound_form
        else:
            form = form_class(prefix=prefix, initial=initial)
        kwargs = {"salon_slug": self.salon.slug, "pk": target.pk}
        return {
            "object": target,
            "anchor": prefix,
            "form": form,
            "active": target.passcode_active,
            "weakness": passcode_weakness(target.booking_passcode)
            if target.passcode_active
            else None,
            "share_text": passcode_share_text(salon=self.salon, target=target),
            "action": reverse(f"dashboard:online_booking_{url_kind}_passcode", kwargs=kwargs),
            "send_url": reverse(f"dashboard:online_booking_{url_kind}_send", kwargs=kwargs),
        }


class OnlineBookingFormView(OnlineBookingView):
    """POST target of one form on the page; GET goes back to the page."""

    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return HttpResponseRedirect(self.page_url(self.anchor()))

    def anchor(self) -> str:
        return ""

    def show_errors(self, **forms_: forms.Form) -> HttpResponse:
        return self.render_to_response(self.get_context_data(**forms_))


class BookingSettingsUpdateView(OnlineBookingFormView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = BookingSettingsForm(request.POST, salon=self.salon, instance=copy.copy(self.salon))
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in SALON_SETTINGS_FIELDS}
            try:
                salon_booking_settings_update(salon=self.salon, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Booking settings saved."))
                return HttpResponseRedirect(self.page_url("settings"))
        return self.show_errors(settings_form=form)


def _warn_if_weak(request: HttpRequest, label: str, code: str) -> None:
    weakness = passcode_weakness(code)
    if weakness:
        messages.warning(
            request,
            _("The code of %(name)s was saved, but it is easy to guess. %(warning)s")
            % {"name": label, "warning": weakness},
        )


class LocationPasscodeUpdateView(OnlineBookingFormView):
    def anchor(self) -> str:
        return location_prefix(tenant_get(Location, salon=self.salon, pk=self.kwargs["pk"]))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        location = tenant_get(Location, salon=self.salon, pk=kwargs["pk"])
        form = LocationPasscodeForm(request.POST, prefix=location_prefix(location))
        if form.is_valid():
            try:
                location = location_passcode_set(
                    location=location,
                    enabled=form.cleaned_data["enabled"],
                    code=form.cleaned_data["code"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc, PASSCODE_ERROR_FIELDS)
            else:
                if location.passcode_active:
                    messages.success(
                        request,
                        _("The online booking passcode of %(location)s is on.")
                        % {"location": location.name},
                    )
                    _warn_if_weak(request, location.name, location.booking_passcode)
                else:
                    messages.success(
                        request,
                        _("The online booking passcode of %(location)s is off.")
                        % {"location": location.name},
                    )
                return HttpResponseRedirect(self.page_url(location_prefix(location)))
        return self.show_errors(bound_form=form)


class StaffPasscodeUpdateView(OnlineBookingFormView):
    def anchor(self) -> str:
        return staff_prefix(tenant_get(StaffMember, salon=self.salon, pk=self.kwargs["pk"]))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        staff = tenant_get(StaffMember, salon=self.salon, pk=kwargs["pk"])
        form = StaffPasscodeForm(request.POST, prefix=staff_prefix(staff))
        if form.is_valid():
            try:
                staff = staff_passcode_set(staff=staff, code=form.cleaned_data["code"])
            except ValidationError as exc:
                add_service_errors(form, exc, PASSCODE_ERROR_FIELDS)
            else:
                if staff.passcode_active:
                    messages.success(
                        request,
                        _("The personal code of %(staff)s is saved.") % {"staff": staff.name},
                    )
                    _warn_if_weak(request, staff.name, staff.booking_passcode)
                else:
                    messages.success(
                        request,
                        _("%(staff)s has no personal code now.") % {"staff": staff.name},
                    )
                return HttpResponseRedirect(self.page_url(staff_prefix(staff)))
        return self.show_errors(bound_form=form)


# --- Sending a code to clients -------------------------------------------------------------


class PasscodeSendView(SalonViewMixin, TemplateView):
    """Pick clients of this salon (a search narrows the list) and send them the code."""

    template_name = "dashboard/online_booking/send.html"
    http_method_names = ["get", "post"]
    model: type[Location] | type[StaffMember]

    def get_target(self) -> Location | StaffMember:
        if not hasattr(self, "_target"):
            self._target = tenant_get(self.model, salon=self.salon, pk=self.kwargs["pk"])
        return self._target

    def search_term(self) -> str:
        return self.request.GET.get("q", "").strip()[: selectors.MAX_SEARCH_LENGTH]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        target = self.get_target()
        form = kwargs.get("form") or PasscodeSendForm(salon=self.salon)
        search = self.search_term()
        found = selectors.client_list(salon=self.salon, search=search)
        shown = list(found[: CLIENTS_SHOWN + 1])
        context.update(
            target=target,
            is_location=isinstance(target, Location),
            active=target.passcode_active,
            form=form,
            search=search,
            clients=shown[:CLIENTS_SHOWN],
            more_clients=len(shown) > CLIENTS_SHOWN,
            chosen=form.chosen_ids(),
            share_text=passcode_share_text(salon=self.salon, target=target),
            back_url=reverse("dashboard:online_booking", kwargs={"salon_slug": self.salon.slug}),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        target = self.get_target()
        form = PasscodeSendForm(request.POST, salon=self.salon)
        if form.is_valid():
            try:
                result = passcode_send_to_clients(
                    salon=self.salon,
                    target=target,
                    clients=list(form.cleaned_data["clients"]),
                    channel=form.cleaned_data["channel"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    ngettext(
                        "The code is on its way to %(count)d client.",
                        "The code is on its way to %(count)d clients.",
                        result.queued,
                    )
                    % {"count": result.queued},
                )
                if result.skipped:
                    messages.warning(
                        request,
                        ngettext(
                            "%(count)d client was skipped: no email address or phone number "
                            "to send to.",
                            "%(count)d clients were skipped: no email address or phone number "
                            "to send to.",
                            result.skipped,
                        )
                        % {"count": result.skipped},
                    )
                prefix = (
                    location_prefix(target)
                    if isinstance(target, Location)
                    else staff_prefix(target)
                )
                url = reverse("dashboard:online_booking", kwargs={"salon_slug": self.salon.slug})
                return HttpResponseRedirect(f"{url}#{prefix}")
        return self.render_to_response(self.get_context_data(form=form))


class LocationPasscodeSendView(PasscodeSendView):
    model = Location


class StaffPasscodeSendView(PasscodeSendView):
    model = StaffMember
