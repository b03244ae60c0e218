"""The owner's referral pages: settings (`dashboard:referrals`: the points, when they are
credited, the thank-you SMS and its text), the list of referrals with the top referrers of a
period, and the writes posted from the client page's panel (referrals/dashboard/panels.py):
"referred by" (search, then the question "add N referral points to …?"), removing it, and
crediting a pending referral.

Every member of the salon may read; writes need an owner or manager (staff: 403). Ids in URLs
go through `tenant_get` (another salon's: 404). A service's ValidationError is shown on the
form (on the client page for the panel's writes) and nothing is written."""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from bookings.dashboard.forms import add_service_errors
from bookings.dashboard.mixins import SalonViewMixin
from bookings.dashboard.views import ClientDetailView, DetailAddView
from bookings.models import Client
from bookings.selectors import tenant_get
from loyalty.selectors import loyalty_is_enabled
from notices.registry import Channel
from referrals import selectors
from referrals.models import Referral
from referrals.notice_kinds import THANK_YOU
from referrals.services.program import referral_settings_update, thank_you_text_get
from referrals.services.referrals import (
    referral_award,
    referral_clear,
    referral_set,
    referral_set_check,
)

from .forms import ReferralFilterForm, ReferralSettingsForm, ReferredByForm

REFERRALS_PER_PAGE = 25
CANDIDATES_SHOWN = 20
MAX_SEARCH_LENGTH = 64
# The bound "referred by" form travels to the client page's panel on the request.
REFERRED_BY_FORM_ATTR = "referrals_referred_by_form"


def _search_param(request: HttpRequest, name: str = "q") -> str:
    # PostgreSQL refuses NUL characters in a query parameter (a 500); nobody types them.
    return request.GET.get(name, "").replace("\x00", "").strip()[:MAX_SEARCH_LENGTH]


def _is_htmx_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


class ReferralPageMixin(SalonViewMixin):
    """Readable by every member; the tabs of the referrals section in the context."""

    manage_required = False
    referrals_tab = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["referrals_tab"] = self.referrals_tab
        context["loyalty_enabled"] = loyalty_is_enabled(salon=self.salon)
        return context


# --- Settings -----------------------------------------------------------------------------


class ReferralSettingsView(ReferralPageMixin, FormView):
    template_name = "referrals/dashboard/settings.html"
    form_class = ReferralSettingsForm
    referrals_tab = "settings"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.membership.can_manage:
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    @cached_property
    def program(self) -> Any:
        return selectors.referral_settings_get(salon=self.salon)

    def get_initial(self) -> dict[str, Any]:
        return {
            "points": self.program.points,
            "award_on": self.program.award_on,
            "send_sms": self.program.send_sms,
            "sms_text": thank_you_text_get(salon=self.salon),
        }

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["read_only"] = not self.membership.can_manage
        return kwargs

    def form_valid(self, form: ReferralSettingsForm) -> HttpResponse:  # type: ignore[override]
        try:
            referral_settings_update(salon=self.salon, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Referral settings saved."))
        return HttpResponseRedirect(self.request.path)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["program"] = self.program
        context["variables"] = THANK_YOU.all_variables
        context["notice_url"] = reverse(
            "dashboard:notice_template_edit",
            kwargs={"salon_slug": self.salon.slug, "kind": THANK_YOU.key, "channel": Channel.SMS},
        )
        return context


# --- The list and the top referrers ---------------------------------------------------------


class ReferralListView(ReferralPageMixin, TemplateView):
    template_name = "referrals/dashboard/list.html"
    referrals_tab = "list"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = ReferralFilterForm(self.request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        start, end = data.get("start"), data.get("end")
        created_from, created_before = selectors.local_day_bounds(
            salon=self.salon, start=start, end=end
        )
        referrals = selectors.referral_list(
            salon=self.salon,
            status=data.get("status", ""),
            source=data.get("source", ""),
            created_from=created_from,
            created_before=created_before,
            search=data.get("q", ""),
        )
        page = Paginator(referrals, REFERRALS_PER_PAGE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter_form=form,
            page_obj=page,
            rows=[selectors.referral_row(referral) for referral in page],
            page_query=query.urlencode(),
            top=selectors.top_referrers(
                salon=self.salon, created_from=created_from, created_before=created_before
            ),
            period_start=start,
            period_end=end,
            periods=self._periods(),
        )
        return context

    def _periods(self) -> list[dict[str, str]]:
        """Quick choices of the period: the last 30 days, this month, this year."""
        today = timezone.localdate(timezone.now(), self.salon.tzinfo)
        choices = [
            (_("Last 30 days"), today - dt.timedelta(days=29)),
            (_("This month"), today.replace(day=1)),
            (_("This year"), today.replace(month=1, day=1)),
        ]
        base = reverse("dashboard:referral_list", kwargs={"salon_slug": self.salon.slug})
        return [
            {"label": label, "url": f"{base}?start={start.isoformat()}&end={today.isoformat()}"}
            for label, start in choices
        ]


# --- The client page's panel: referred by ---------------------------------------------------


class ClientReferralMixin(SalonViewMixin):
    """A write about one client of the salon (`client_id` in the URL; another salon's: 404)."""

    @cached_property
    def client(self) -> Client:
        return tenant_get(Client, salon=self.salon, pk=self.kwargs["client_id"])

    def client_url(self) -> str:
        return reverse(
            "dashboard:client_detail", kwargs={"salon_slug": self.salon.slug, "pk": self.client.pk}
        )


class ReferrerSearchView(ClientReferralMixin, TemplateView):
    """The clients matching the search, each with a button choosing them as the referrer. An
    htmx request (the panel's live search) gets only the results; without JavaScript the
    search form opens this as a page."""

    template_name = "referrals/dashboard/referrer_search.html"
    results_template_name = "referrals/dashboard/_referrer_results.html"

    def get_template_names(self) -> list[str]:
        partial = _is_htmx_partial(self.request)
        return [self.results_template_name if partial else self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = _search_param(self.request)
        candidates = (
            list(
                selectors.referrer_candidates(salon=self.salon, referred=self.client, search=query)[
                    :CANDIDATES_SHOWN
                ]
            )
            if query
            else []
        )
        context.update(client=self.client, query=query, candidates=candidates)
        return context

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        patch_vary_headers(response, ["HX-Request"])
        return response


class ReferredBySetView(DetailAddView, ClientDetailView):
    """POST target of the panel's choice and of the question page.

    1. `referrer` alone: the choice is checked (self, circle, not new: shown on the client
       page, nothing written); with loyalty on, the page asks "add N referral points to …?";
       with loyalty off, the referral is recorded without points.
    2. `referrer`, `confirm` and `award` (yes / no): `referral_set` records it, and credits the
       points for yes. A double click changes nothing the second time."""

    form_context_name = "referred_by_form"

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.kwargs["pk"] = kwargs["client_id"]  # what the client page reads

    @cached_property
    def client(self) -> Client:
        return tenant_get(Client, salon=self.salon, pk=self.kwargs["client_id"])

    def detail_url(self) -> str:
        return reverse(
            "dashboard:client_detail", kwargs={"salon_slug": self.salon.slug, "pk": self.client.pk}
        )

    def build_form(self, **kwargs: Any) -> forms.Form:
        clients = Client.objects.for_salon(self.salon).exclude(pk=self.client.pk)
        form = ReferredByForm(clients=clients, **kwargs)
        setattr(self.request, REFERRED_BY_FORM_ATTR, form)
        return form

    def page_with_errors(self, form: forms.Form) -> HttpResponse:
        return self.render_to_response(self.get_context_data(referred_by_form=form), status=400)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.client  # noqa: B018 - another salon's client: 404 before reading the input
        form = self.build_form(data=request.POST)
        if not form.is_valid():
            return self.page_with_errors(form)
        referrer: Client = form.cleaned_data["referrer"]
        loyalty_on = loyalty_is_enabled(salon=self.salon)
        if not form.cleaned_data["confirm"]:
            try:
                current = referral_set_check(
                    salon=self.salon, referred=self.client, referrer=referrer
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
                return self.page_with_errors(form)
            if loyalty_on and not (
                current is not None
                and current.referrer_id == referrer.pk
                and current.status == Referral.Status.AWARDED
            ):
                return self.render_question(referrer, current)
        award = loyalty_on and form.cleaned_data["confirm"] and form.cleaned_data["award"] == "yes"
        try:
            referral = referral_set(
                salon=self.salon,
                referred=self.client,
                referrer=referrer,
                actor=request.user,
                award=bool(award),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.page_with_errors(form)
        messages.success(request, self.done_message(referral))
        return redirect(self.detail_url())

    def render_question(self, referrer: Client, current: Referral | None) -> HttpResponse:
        program = selectors.referral_settings_get(salon=self.salon)
        return render(
            self.request,
            "referrals/dashboard/confirm.html",
            {
                **super(ClientDetailView, self).get_context_data(),
                "client": self.client,
                "referrer": referrer,
                "current": current,
                "points": program.points,
                "first_visit": program.award_on == program.AwardOn.FIRST_VISIT,
                "form_action": self.request.path,
            },
        )

    def done_message(self, referral: Referral) -> str:
        names = {"referrer": referral.referrer.full_name, "client": self.client.full_name}
        if referral.status == Referral.Status.AWARDED:
            return _(
                "%(referrer)s referred %(client)s: %(points)d points credited to %(referrer)s."
            ) % {**names, "points": referral.points or 0}
        return _("%(referrer)s referred %(client)s: recorded, no points yet.") % names


class ReferredByClearView(ClientReferralMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        ended = referral_clear(salon=self.salon, referred=self.client, actor=request.user)
        if ended is None:
            messages.info(
                request,
                _("%(client)s was not referred by anyone.") % {"client": self.client.full_name},
            )
        elif ended.status == Referral.Status.REVERSED:
            messages.success(
                request,
                _("“Referred by” removed; the referral points were taken back from %(name)s.")
                % {"name": ended.referrer.full_name},
            )
        else:
            messages.success(request, _("“Referred by” removed."))
        return redirect(self.client_url())


class ReferralAwardView(SalonViewMixin, View):
    """Credit a pending referral now (from the panel or the list). Once: a second click says it
    was credited already."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        referral = tenant_get(
            Referral,
            salon=self.salon,
            pk=kwargs["pk"],
            queryset=Referral.objects.select_related("referrer", "referred"),
        )
        was_awarded = referral.status == Referral.Status.AWARDED
        try:
            referral = referral_award(salon=self.salon, referral=referral, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if was_awarded:
                messages.info(request, _("These referral points were credited already."))
            else:
                messages.success(
                    request,
                    _("%(points)d referral points credited to %(name)s.")
                    % {"points": referral.points or 0, "name": referral.referrer.full_name},
                )
        if request.POST.get("back") == "list":
            return redirect("dashboard:referral_list", salon_slug=self.salon.slug)
        return redirect(
            "dashboard:client_detail", salon_slug=self.salon.slug, pk=referral.referred_id
        )
