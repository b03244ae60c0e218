"""Pages of the setup wizard under /start/. Anyone logged in may start a salon; each later
page belongs to the salon's owners and managers only (404 for everyone else, like the
dashboard). Every page parses its form and calls one service of onboarding/services.py; a
ValidationError is shown on the form and nothing is written."""

from __future__ import annotations

import io
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from bookings.dashboard.forms import add_service_errors
from bookings.models import Salon
from bookings.selectors import location_list

from . import services
from .defaults import CURRENCIES, STARTER_SERVICES, country_defaults
from .forms import (
    WEEKDAYS,
    KindForm,
    LocationStepForm,
    OpeningHoursFormSet,
    SalonStartForm,
    ServiceRowFormSet,
    StaffStepForm,
    opening_hours_initial,
)
from .invitations import staff_invitation_accept, staff_invitation_problem, token_hash
from .models import STEPS, SalonSetup, SetupStep, StaffInvitation
from .selectors import setup_get_for_user, setup_list_unfinished_for_user, time_zone_names

LANGUAGE_COUNTRY = {"et": "EE", "da": "DK", "ro": "RO", "fi": "FI", "de": "DE"}


def step_url(salon: Salon, step: str | None) -> str:
    if step is None:
        return reverse("onboarding:live", kwargs={"salon_slug": salon.slug})
    return reverse(f"onboarding:{step}", kwargs={"salon_slug": salon.slug})


def _steps_context(setup: SalonSetup, current: str) -> dict[str, Any]:
    labels = dict(SetupStep.choices)
    return {
        "salon": setup.salon,
        "setup": setup,
        "steps": [
            {
                "key": step,
                "label": labels[step],
                "url": step_url(setup.salon, step),
                "current": step == current,
                "done": step in setup.steps_done,
            }
            for step in STEPS
        ],
    }


class StartView(View):
    """The first page: the salon itself. Logged out, it sends the visitor to sign up first
    (and back here after the e-mail is verified: accounts/adapters.py)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_signup')}?next={reverse('onboarding:start')}")
        country = LANGUAGE_COUNTRY.get(getattr(request, "LANGUAGE_CODE", ""), "EE")
        defaults = country_defaults(country)
        form = SalonStartForm(
            initial={
                "country": country,
                "time_zone": defaults.time_zone,
                "currency": defaults.currency,
                "default_language": defaults.language,
            }
        )
        return self.render(request, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect("account_signup")
        form = SalonStartForm(request.POST)
        if not form.is_valid():
            return self.render(request, form)
        data = form.cleaned_data
        try:
            salon = services.salon_setup_start(
                owner=request.user,
                name=data["name"],
                slug=data["slug"] or services.slug_suggest(data["name"]),
                country=data["country"],
                time_zone=data["time_zone"],
                currency=data["currency"],
                default_language=data["default_language"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.render(request, form)
        return redirect(step_url(salon, STEPS[0]))

    def render(self, request: HttpRequest, form: SalonStartForm) -> HttpResponse:
        return render(
            request,
            "onboarding/start.html",
            {
                "form": form,
                "country_defaults": SalonStartForm.defaults_by_country(),
                "time_zones": time_zone_names(),
                "currencies": sorted(CURRENCIES),
                "unfinished": setup_list_unfinished_for_user(user=request.user),
            },
        )


class SetupStepView(LoginRequiredMixin, View):
    """A step of one salon's wizard: `self.setup` for its owner/manager, 404 otherwise."""

    step: str
    setup: SalonSetup

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.setup = setup_get_for_user(user=request.user, salon_slug=kwargs["salon_slug"])
        return super().dispatch(request, *args, **kwargs)

    @property
    def salon(self) -> Salon:
        return self.setup.salon

    def done(self) -> HttpResponse:
        self.setup.refresh_from_db()
        return redirect(step_url(self.salon, self.setup.next_step))

    def render(self, template: str, **context: Any) -> HttpResponse:
        return render(
            self.request,
            f"onboarding/{template}",
            {**_steps_context(self.setup, self.step), **context},
        )


class ResumeView(SetupStepView):
    """/start/<salon>/: the first step neither done nor skipped."""

    def get(self, request: HttpRequest, salon_slug: str) -> HttpResponse:
        return redirect(step_url(self.salon, self.setup.next_step))


class LocationStepView(SetupStepView):
    step = SetupStep.LOCATION

    def get(self, request: HttpRequest, salon_slug: str) -> HttpResponse:
        form = LocationStepForm(initial={"name": self.salon.name})
        hours = OpeningHoursFormSet(initial=opening_hours_initial(), prefix="hours")
        return self.page(form, hours)

    def post(self, request: HttpRequest, salon_slug: str) -> HttpResponse:
        form = LocationStepForm(request.POST)
        hours = OpeningHoursFormSet(request.POST, prefix="hours")
        if not (form.is_valid() and hours.is_valid()):
            return self.page(form, hours)
        rows = [
            services.OpeningHours(d["weekday"], d["opens"], d["closes"])
            for d in hours.cleaned_data
            if d.get("is_open")
        ]
        try:
            services.setup_location_create(salon=self.salon, hours=rows, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, field_map={"opens": "__all__", "closes": "__all__"})
            return self.page(form, hours)
        return self.done()

    def page(self, form: LocationStepForm, hours: Any) -> HttpResponse:
        return self.render("location.html", form=form, hours=hours, weekdays=WEEKDAYS)


class ServicesStepView(SetupStepView):
    step = SetupStep.SERVICES

    def kind(self, data: Any) -> str:
        kind_form = KindForm(data)
        return kind_form.cleaned_data["kind"] if kind_form.is_valid() else "hair"

    def get(self, request: HttpRequest, salon_slug: str) -> HttpResponse:
        kind = self.kind(request.GET or {"kind": self.setup.kind or "hair"})
        language = self.salon.default_language
        initial = [
            {
                "include": True,
                "name": starter.name(language),
                "duration_minutes": starter.duration_minutes,
                "price": starter.price,
            }
            for starter in STARTER_SERVICES[kind]
        ]
        return self.page(kind, ServiceRowFormSet(initial=initial, prefix="services"))

    def post(self, request: HttpRequest, salon_slug: str) -> HttpResponse:
        kind = self.kind(request.POST)
        rows = ServiceRowFormSet(request.POST, prefix="services")
        if not rows.is_valid():
            return self.page(kind, rows)
        drafts = [
            services.ServiceDraft(d["name"], d["duration_minutes"], d["price"])
            for d in rows.cleaned_data
            if d.get("include")
        ]
        try:
            services.setup_services_create(salon=self.salon, kind=kind, services=drafts)
        except ValidationError as exc:
            return self.page(kind, rows, errors=exc.messages)
        return self.done()

    def page(self, kind: str, rows: Any, errors: list[str] | None = None) -> HttpResponse:
        return self.render(
            "services.html",
            kind_form=KindForm(initial={"kind": kind}),
            kind=kind,
            rows=rows,
            errors=errors or [],
        )


class StaffStepView(SetupStepView):
    step = SetupStep.STAFF

    def get(self, request: HttpRequest, salon_slug: str) -> HttpResponse:
        user = request.user
        name = user.get_full_name() or user.email.split("@")[0]  # type: ignore[union-attr]
        return self.render("staff.html", form=StaffStepForm(initial={"owner_name": name}))

    def post(self, request: HttpRequest, salon_slug: str) -> HttpResponse:
        form = StaffStepForm(request.POST)
        if form.is_valid():
            try:
                services.setup_staff_create(
                    salon=self.salon,
                    owner=request.user,
                    owner_name=form.cleaned_data["owner_name"],
                    other_names=form.names(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return self.done()
        return self.render("staff.html", form=form)


class SkipStepView(SetupStepView):
    def post(self, request: HttpRequest, salon_slug: str, step: str) -> HttpResponse:
        try:
            services.setup_step_skip(salon=self.salon, step=step)
        except ValidationError as exc:
            raise Http404 from exc
        messages.info(request, _("Skipped for now; you can come back to it from the last page."))
        return self.done()


class LiveView(SetupStepView):
    """The wizard's last page: the booking page's link, a text to share and a QR code."""

    step = "live"

    def get(self, request: HttpRequest, salon_slug: str) -> HttpResponse:
        link = public_url(request, self.salon)
        share_text = _("Book your next visit at %(salon)s online: %(link)s") % {
            "salon": self.salon.name,
            "link": link,
        }
        labels = dict(SetupStep.choices)
        return self.render(
            "live.html",
            link=link,
            share_text=share_text,
            has_location=location_list(salon=self.salon).exists(),
            open_steps=[
                {"label": labels[s], "url": step_url(self.salon, s)} for s in self.setup.open_steps
            ],
        )


class QrCodeView(SetupStepView):
    """The booking page's link as an SVG QR code, drawn by us (segno), never by a CDN."""

    def get(self, request: HttpRequest, salon_slug: str) -> HttpResponse:
        buffer = io.BytesIO()
        segno.make(public_url(request, self.salon), error="m").save(
            buffer, kind="svg", scale=6, border=2, xmldecl=False
        )
        response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
        response["Content-Disposition"] = f'inline; filename="{self.salon.slug}-booking-qr.svg"'
        return response


def public_url(request: HttpRequest, salon: Salon) -> str:
    return request.build_absolute_uri(reverse("public:home", kwargs={"salon_slug": salon.slug}))


class InvitationView(View):
    """A staff invitation link: logged out, sign up or log in first (and come back here);
    logged in, accept it. An unknown, used, withdrawn or expired link says so, and writes
    nothing. The salon's slug is part of the link, so the token is only read in that salon."""

    def invitation(self, salon_slug: str, token: str) -> StaffInvitation | None:
        salon = Salon.objects.filter(slug=salon_slug).first()
        if salon is None:
            return None
        return (
            StaffInvitation.objects.for_salon(salon)
            .select_related("salon", "staff")
            .filter(token_hash=token_hash(token))
            .first()
        )

    def get(self, request: HttpRequest, salon_slug: str, token: str) -> HttpResponse:
        invitation = self.invitation(salon_slug, token)
        problem = staff_invitation_problem(invitation)
        return render(
            request,
            "onboarding/invitation.html",
            {"invitation": invitation, "problem": problem, "next": request.path},
            status=404 if invitation is None else 200,
        )

    def post(self, request: HttpRequest, salon_slug: str, token: str) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        invitation = self.invitation(salon_slug, token)
        if invitation is None:
            raise Http404
        try:
            membership = staff_invitation_accept(
                salon=invitation.salon, token=token, user=request.user
            )
        except ValidationError as exc:
            return render(
                request,
                "onboarding/invitation.html",
                {"invitation": invitation, "problem": " ".join(exc.messages)},
            )
        messages.success(request, _("Welcome to %(salon)s.") % {"salon": invitation.salon.name})
        if not membership.can_manage:
            return redirect("dashboard:my_day", salon_slug=salon_slug)
        return redirect("dashboard:home", salon_slug=salon_slug)
