"""The embeddable booking widget: `/s/<salon_slug>/embed/…` (the whole salon, or one segment
with `?segment=<token>`), shown in an iframe on the salon's own website.

Framing. These are the only pages another site may frame: they answer without
X-Frame-Options and with a Content-Security-Policy whose `frame-ancestors` is the websites the
owner listed (the segment's, else the salon's embed settings; none listed: any site). Every
other page keeps `X-Frame-Options: DENY` and `frame-ancestors 'none'` (salonbook/settings).

Cookies. In a third-party frame browsers send no SameSite=Lax cookies and may block all of
them, so these pages use neither the session nor the CSRF cookie: the visitor is a guest, the
steps carry their state in the URL (location, service, staff, start, segment token), and the
details form carries it signed (`state`, salted, valid for `STATE_MAX_AGE`). The final POST is
exempt from CSRF checks — there is no session to ride on, it books as a guest, everything is
validated again (the link, the service, the staff, the time, the passcodes) and it is
throttled like every online booking (bookings/booking_limits.py).

A salon that asks clients to log in before booking is booked on its site: the details step
sends the visitor there in a new tab (a frame keeps no login).

Passcodes. A segment link counts as an unlock of the location (bookings/passcodes.py); without
one, a location with a passcode is not bookable in the widget (no session keeps an unlock) and
the page sends the visitor to the booking site in a new tab. Staff with a personal code are
not offered here.

After booking, the confirmation shows the booking's manage link, which opens the booking site
in a new tab (its pages are not framed). The page tells its height to our script on the host
page (static/segments/embed.js) by postMessage (static/segments/embed-frame.js).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.csp import CSP
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from bookings.booking_limits import BookingThrottled, public_booking_check, public_booking_record
from bookings.booking_scope import BookingScope
from bookings.checkout import checkout_complete, payment_methods_available, payment_summaries
from bookings.models import Location, Salon, Service, StaffMember
from bookings.passcodes import PasscodeRequired, PasscodeUnlocks, client_ip
from bookings.public import selectors as public
from bookings.public.extensions import SCOPE_PARAM, BookingScopeInvalid, booking_scope_get
from bookings.public.forms import (
    BookingDetailsForm,
    PaymentMethodForm,
    QueryParamError,
    parse_start,
)
from bookings.public.mixins import public_language
from bookings.public.picker import build_picker, start_problem
from bookings.services.booking import BookingRequest, SlotTaken
from bookings.signing import appointment_from_token, appointment_token

from . import selectors
from .models import Segment

STATE_SALT = "segments.embed.booking-state"
STATE_MAX_AGE = 2 * 60 * 60


def frame_ancestors(salon: Salon, segment: Segment | None) -> list[str]:
    """Who may frame the widget: the segment's websites, else the salon's, else anyone."""
    origins = selectors.embed_origins(segment.embed_domains) if segment is not None else []
    if not origins:
        origins = selectors.embed_origins(selectors.embed_settings_get(salon=salon).embed_domains)
    return [CSP.SELF, *origins] if origins else ["*"]


def make_frameable(response: HttpResponse, ancestors: list[str]) -> HttpResponse:
    response.xframe_options_exempt = True  # type: ignore[attr-defined]
    response._csp_config = {  # type: ignore[attr-defined]
        **settings.SECURE_CSP,
        "frame-ancestors": ancestors,
    }
    return response


class Locked(Exception):
    def __init__(self, location: Location) -> None:
        super().__init__(location.pk)
        self.location = location


class EmbedView(View):
    salon: Salon
    template_name = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.salon = get_object_or_404(Salon, slug=kwargs["salon_slug"])
        language = public_language(request, self.salon)
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        try:
            response = super().dispatch(request, *args, **kwargs)
        except BookingScopeInvalid:
            self.__dict__.update(segment=None, scope=None)
            response = self.render("segments/embed/link_invalid.html", status=404)
        except Locked as locked:
            response = self.render(
                "segments/embed/locked.html",
                {
                    "location": locked.location,
                    "site_url": self.site_url("public:services", location_id=locked.location.pk),
                },
                status=403,
            )
        except Http404:
            response = self.render("segments/embed/not_found.html", status=404)
        return make_frameable(response, frame_ancestors(self.salon, self.segment_or_none()))

    # --- the link ---

    def token(self) -> str | None:
        return self.request.GET.get(SCOPE_PARAM) or None

    @cached_property
    def scope(self) -> BookingScope | None:
        return booking_scope_get(salon=self.salon, token=self.token())

    @cached_property
    def segment(self) -> Segment | None:
        if self.scope is None:
            return None
        return selectors.segment_for_token(salon=self.salon, token=self.scope.token)

    def segment_or_none(self) -> Segment | None:
        try:
            return self.segment
        except BookingScopeInvalid:
            return None

    @cached_property
    def unlocks(self) -> PasscodeUnlocks:
        # No session in a third-party frame: nothing is unlocked but by the link itself.
        unlocks = PasscodeUnlocks()
        return unlocks.invited() if self.scope is not None else unlocks

    def staff_allowed(self, staff: StaffMember) -> bool:
        return self.unlocks.allows(staff)

    # --- urls and rendering ---

    def url(self, name: str, query: dict[str, Any] | None = None, **kwargs: Any) -> str:
        url = reverse(f"segments_public:{name}", kwargs={"salon_slug": self.salon.slug, **kwargs})
        query = dict(query or {})
        if self.scope is not None:
            query[SCOPE_PARAM] = self.scope.token
        return f"{url}?{urlencode(query)}" if query else url

    def site_url(self, name: str, **kwargs: Any) -> str:
        """A page of the booking site (opened in a new tab), with the link if any."""
        url = reverse(name, kwargs={"salon_slug": self.salon.slug, **kwargs})
        if self.scope is not None and name != "public:appointment":
            url += "?" + urlencode({SCOPE_PARAM: self.scope.token})
        return self.request.build_absolute_uri(url)

    def render(
        self, template: str, context: dict[str, Any] | None = None, status: int = 200
    ) -> HttpResponse:
        scope = self.__dict__.get("scope")  # only a link already found valid
        start_url = reverse("segments_public:embed", kwargs={"salon_slug": self.salon.slug})
        if scope is not None:
            start_url += "?" + urlencode({SCOPE_PARAM: scope.token})
        base = {"salon": self.salon, "booking_scope": scope, "start_url": start_url}
        return render(self.request, template, {**base, **(context or {})}, status=status)

    # --- the steps' objects, from the query ---

    def location_from(self, raw: Any) -> Location:
        location = public.public_location_get(salon=self.salon, pk=raw)
        if not self.unlocks.allows(location):
            raise Locked(location)
        return location

    def service_from(self, location: Location, raw: Any) -> Service:
        return public.public_service_get(
            salon=self.salon, location=location, pk=raw, scope=self.scope
        )

    def staff_from(self, location: Location, service: Service, raw: Any) -> StaffMember | None:
        staff = public.public_staff_choice(
            salon=self.salon, location=location, service=service, raw=raw, scope=self.scope
        )
        if staff is not None and not self.staff_allowed(staff):
            raise Http404("A staff member with a personal code is not offered here.")
        return staff


class EmbedStartView(EmbedView):
    """The salon's (or the segment's) services at each location."""

    def get(self, request: HttpRequest, salon_slug: str) -> HttpResponse:
        self.scope  # noqa: B018 - an invalid link shows its page before anything else
        locations = []
        for location in public.public_location_list(salon=self.salon).order_by("name", "pk"):
            if not self.unlocks.allows(location):
                locations.append(
                    {
                        "location": location,
                        "locked": True,
                        "site_url": self.site_url("public:services", location_id=location.pk),
                    }
                )
                continue
            services = [
                {
                    "service": service,
                    "url": self.url(
                        "embed_times", {"location": location.pk, "service": service.pk}
                    ),
                }
                for service in public.public_service_list(
                    salon=self.salon, location=location, scope=self.scope
                )
            ]
            locations.append({"location": location, "locked": False, "services": services})
        return self.render("segments/embed/start.html", {"locations": locations})


class EmbedTimesView(EmbedView):
    """Whom with (any available, or one of the staff) and when: the week's free times."""

    def get(self, request: HttpRequest, salon_slug: str) -> HttpResponse:
        self.scope  # noqa: B018
        location = self.location_from(request.GET.get("location"))
        service = self.service_from(location, request.GET.get("service"))
        staff = self.staff_from(location, service, request.GET.get("staff"))
        staff_param = staff.pk if staff else "any"
        base = {"location": location.pk, "service": service.pk}
        choices = [
            {
                "label": _("Any available"),
                "url": self.url("embed_times", {**base, "staff": "any"}),
                "selected": staff is None,
            }
        ]
        for member in public.public_staff_list(
            salon=self.salon, location=location, service=service, scope=self.scope
        ):
            if self.staff_allowed(member):
                choices.append(
                    {
                        "label": member.name,
                        "url": self.url("embed_times", {**base, "staff": member.pk}),
                        "selected": staff is not None and member.pk == staff.pk,
                    }
                )
        picker = build_picker(
            salon=self.salon,
            location=location,
            service=service,
            staff=staff,
            raw_date=request.GET.get("date"),
            day_url=lambda d: self.url(
                "embed_times", {**base, "staff": staff_param, "date": d.isoformat()}
            ),
            time_url=lambda t: self.url(
                "embed_details", {**base, "staff": staff_param, "start": t.isoformat()}
            ),
            staff_allowed=self.staff_allowed,
            scope=self.scope,
        )
        return self.render(
            "segments/embed/times.html",
            {
                "location": location,
                "service": service,
                "staff": staff,
                "choices": choices,
                "picker": picker,
                "picker_mode": "link",
            },
            status=picker.status,
        )


def _state_sign(data: dict[str, Any]) -> str:
    return signing.TimestampSigner(salt=STATE_SALT).sign_object(data)


def _state_read(raw: str | None) -> dict[str, Any] | None:
    if not raw:
        return None
    try:
        data = signing.TimestampSigner(salt=STATE_SALT).unsign_object(raw, max_age=STATE_MAX_AGE)
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


@method_decorator(csrf_exempt, name="dispatch")
class EmbedDetailsView(EmbedView):
    """The client's details, the way to pay and "Book now" on one page (see the module
    docstring for why the POST carries signed state instead of a CSRF token)."""

    state: dict[str, Any]

    def token(self) -> str | None:
        if self.request.method == "POST":
            state = self.__dict__.get("state") or {}
            return state.get("segment") or None
        return super().token()

    def booking_from(self, data: dict[str, Any]) -> BookingRequest | HttpResponse:
        location = self.location_from(data.get("location"))
        service = self.service_from(location, data.get("service"))
        staff = self.staff_from(location, service, data.get("staff"))
        base = {"location": location.pk, "service": service.pk}
        staff_param = staff.pk if staff else "any"
        times_url = self.url("embed_times", {**base, "staff": staff_param})
        try:
            starts_at = parse_start(str(data.get("start") or ""), location.tzinfo)
        except QueryParamError as exc:
            return self.render_problem(str(exc.message), times_url)
        message, _status = start_problem(
            salon=self.salon,
            location=location,
            service=service,
            staff=staff,
            starts_at=starts_at,
            staff_allowed=self.staff_allowed,
            scope=self.scope,
        )
        if message:
            day_url = self.url(
                "embed_times",
                {**base, "staff": staff_param, "date": starts_at.date().isoformat()},
            )
            return self.render_problem(message, day_url)
        return BookingRequest(
            location=location, service=service, starts_at=starts_at, staff=staff, scope=self.scope
        )

    def render_problem(self, message: str, back_url: str, status: int = 400) -> HttpResponse:
        return self.render(
            "segments/embed/problem.html", {"message": message, "back_url": back_url}, status=status
        )

    def methods(self, booking: BookingRequest) -> list[Any]:
        return payment_methods_available(
            salon=self.salon, client=None, service=booking.service, starts_at=booking.starts_at
        )

    def summaries(self, booking: BookingRequest, methods: list[Any]) -> dict[str, str]:
        return payment_summaries(methods, salon=self.salon, service=booking.service)

    def render_form(
        self,
        booking: BookingRequest,
        details: BookingDetailsForm,
        payment: PaymentMethodForm,
        errors: list[str] | None = None,
        status: int = 200,
    ) -> HttpResponse:
        state = {
            "location": booking.location.pk,
            "service": booking.service.pk,
            "staff": booking.staff.pk if booking.staff else "any",
            "start": booking.starts_at.isoformat(),
            "segment": self.scope.token if self.scope else "",
        }
        return self.render(
            "segments/embed/details.html",
            {
                "location": booking.location,
                "service": booking.service,
                "staff": booking.staff,
                "starts_at": booking.starts_at,
                "details_form": details,
                "form": payment,
                "state": _state_sign(state),
                "post_url": self.url("embed_details"),
                "back_url": self.url(
                    "embed_times",
                    {
                        "location": booking.location.pk,
                        "service": booking.service.pk,
                        "staff": state["staff"],
                        "date": booking.starts_at.date().isoformat(),
                    },
                ),
                "errors": errors or [],
                "policy_salon": self.salon,
            },
            status=status,
        )

    def login_required(self) -> HttpResponse | None:
        """A salon that asks clients to log in is booked on its site (a frame keeps no login)."""
        if not self.salon.require_login_to_book:
            return None
        return self.render(
            "segments/embed/login_required.html",
            {"site_url": self.site_url("public:home")},
            status=403,
        )

    def get(self, request: HttpRequest, salon_slug: str) -> HttpResponse:
        self.scope  # noqa: B018
        if (refused := self.login_required()) is not None:
            return refused
        booking = self.booking_from(request.GET.dict())
        if isinstance(booking, HttpResponse):
            return booking
        methods = self.methods(booking)
        payment = PaymentMethodForm(methods=methods, summaries=self.summaries(booking, methods))
        return self.render_form(booking, BookingDetailsForm(), payment)

    def post(self, request: HttpRequest, salon_slug: str) -> HttpResponse:
        state = _state_read(request.POST.get("state"))
        if state is None:
            return self.render_problem(
                _("Your booking was not completed in time. Please start again."),
                reverse("segments_public:embed", kwargs={"salon_slug": self.salon.slug}),
            )
        self.state = state
        self.scope  # noqa: B018 - the link is checked again: regenerated or off → its page
        if (refused := self.login_required()) is not None:
            return refused
        booking = self.booking_from(state)
        if isinstance(booking, HttpResponse):
            return booking
        details = BookingDetailsForm(request.POST)
        methods = self.methods(booking)
        payment = PaymentMethodForm(
            request.POST, methods=methods, summaries=self.summaries(booking, methods)
        )
        if not (details.is_valid() and payment.is_valid()):
            return self.render_form(booking, details, payment, status=400)
        ip = client_ip(request)
        try:
            public_booking_check(salon=self.salon, client_ip=ip)
        except BookingThrottled as exc:
            return self.render_form(booking, details, payment, errors=[str(exc)], status=429)
        try:
            appointment = checkout_complete(
                salon=self.salon,
                request=booking,
                details=details.details(),
                payment_method=payment.cleaned_data["payment_method"],
                unlocks=self.unlocks,
                user=None,
                payment_details=payment.payment_details(),
                client_ip=ip,
                # The link was checked on this request: a hook's refusal (the link switched
                # off meanwhile) refuses the booking.
                extras=dict(self.scope.extras) if self.scope else {},
                extras_strict=True,
            )
        except PasscodeRequired as exc:
            raise Locked(booking.location) from exc
        except SlotTaken as exc:
            return self.render_form(booking, details, payment, errors=[str(exc)], status=409)
        except ValidationError as exc:
            if SCOPE_PARAM in getattr(exc, "error_dict", {}):
                raise BookingScopeInvalid(self.token()) from exc
            return self.render_form(
                booking, details, payment, errors=[str(m) for m in exc.messages], status=400
            )
        public_booking_record(salon=self.salon, client_ip=ip)
        if appointment.payment_url:
            # Held for payment (issue 17): the provider's page does not open in a frame, so
            # the client continues there in the whole window (target _top).
            return self.render(
                "segments/embed/pay.html",
                {
                    "appointment": appointment,
                    "location": appointment.location,
                    "service": appointment.service,
                    "staff": appointment.staff,
                    "starts_at": appointment.starts_at.astimezone(appointment.location.tzinfo),
                    "hold_expires_at": appointment.hold_expires_at,
                    "payment_url": request.build_absolute_uri(appointment.payment_url),
                },
            )
        return redirect(self.url("embed_done", token=appointment_token(appointment)))


class EmbedDoneView(EmbedView):
    def get(self, request: HttpRequest, salon_slug: str, token: str) -> HttpResponse:
        self.scope  # noqa: B018
        appointment = appointment_from_token(self.salon, token)
        return self.render(
            "segments/embed/done.html",
            {
                "appointment": appointment,
                "location": appointment.location,
                "service": appointment.service,
                "staff": appointment.staff,
                "starts_at": appointment.starts_at.astimezone(appointment.location.tzinfo),
                "manage_url": self.site_url("public:appointment", token=token),
            },
        )


def link_landing(request: HttpRequest, salon_slug: str, token: str) -> HttpResponse:
    """`/s/<salon>/link/<token>/`: the segment's link as clients get it. A valid link opens the
    booking site with the segment; any other shows "this link is no longer valid" (404)."""
    salon = get_object_or_404(Salon, slug=salon_slug)
    translation.activate(public_language(request, salon))
    try:
        scope = booking_scope_get(salon=salon, token=token)
    except BookingScopeInvalid:
        scope = None
    if scope is None:
        return render(request, "public/link_invalid.html", {"salon": salon}, status=404)
    home = reverse("public:home", kwargs={"salon_slug": salon.slug})
    return redirect(f"{home}?{urlencode({SCOPE_PARAM: scope.token})}")
