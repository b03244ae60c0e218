"""Pages of the public booking site.

Steps 1–4 are stateless GET pages (ids in the path, the staff choice and the day in the query
string). The details step keeps the pending booking in the session (per salon), never in
hidden fields; the checkout POST re-validates all of it and books through the services. Each
id is looked up within the salon in the URL (another salon's id is a 404), and every write
goes through `bookings.checkout` / `bookings.services`.

Passcodes (bookings/passcodes.py; DESIGN.md invariant 5):

- Every page of a location's booking flow (services, staff, times, details, checkout; the
  salon home redirects to the services page of a single location) shows the lock view instead
  while the location has an active code the visitor has not given in this browser session.
  The lock view posts to `l/<id>/unlock/`, which checks the code (throttled per IP and
  location; one message and status for every wrong code) and goes back to the page.
- A staff member with a personal code is listed on the staff step as locked, with a small
  code form; their times and details pages show that staff member's lock view. "Any
  available" never offers or assigns a locked staff member the visitor has not unlocked.
- At checkout the codes are checked again (an owner may have changed one meanwhile): a
  locked booking goes back to the lock view with a message, the pending booking kept.
- Pages of an existing booking reached by its signed link (view, calendar file, cancel,
  reschedule) and "My appointments" are not locked: the holder has already booked, and a
  reschedule keeps the staff member of the booking.

Invitation links (a client segment's; bookings/booking_scope.py, bookings/public/extensions.py):
the `segment` query parameter carries the link's token through every step (`self.url` adds
it, templates append `scope_query`; the pending booking remembers it). With it the steps offer
the link's services and staff, the location's passcode is not asked (staff codes are), and the
booking records the link (its extras). A token that opens nothing shows "this link is no
longer valid" (404). A booking's manage pages reschedule with the scope it was booked through.

Rescheduling opens on the appointment's own week; a time inside the no-change window (less
than the cutoff from now) is marked in the picker, and choosing it asks the client to confirm
first (`accept_no_change`, bookings/services/self_service.py). Right after booking, the
confirmation page says once, in this browser, where the confirmation went (confirmation.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django_htmx.http import HttpResponseClientRedirect

from bookings.booking_limits import (
    BookingThrottled,
    public_booking_check,
    public_booking_record,
)
from bookings.booking_scope import BookingScope
from bookings.checkout import (
    checkout_complete,
    payment_login_hints,
    payment_method_default,
    payment_methods_available,
    payment_summaries,
)
from bookings.ics import appointment_ics
from bookings.models import Appointment, Location, Service, StaffMember
from bookings.passcodes import (
    PasscodeRequired,
    PasscodeThrottled,
    PasscodeUnlocks,
    client_ip,
    passcode_unlock,
)
from bookings.services.booking import BookingRequest, SlotTaken
from bookings.services.clients import client_find_for_booking, client_language_remember
from bookings.services.self_service import (
    NoChangeWindow,
    appointment_cancel_by_client,
    appointment_reschedule_by_client,
    client_change_check,
    no_change_from,
)
from bookings.signing import appointment_from_token, appointment_token

from . import selectors
from .confirmation import SentTo, confirmation_sent_to
from .extensions import (
    SCOPE_PARAM,
    BookingScopeInvalid,
    booking_extras,
    booking_extras_forget,
    booking_scope_get,
    booking_scope_of_appointment,
)
from .forms import BookingDetailsForm, PaymentMethodForm, QueryParamError, parse_start
from .mixins import PublicSalonMixin, explicit_language
from .picker import Picker, build_picker, start_problem

SESSION_KEY = "public_booking:{salon_id}"
JUST_BOOKED_KEY = "public_booking:just_booked"


def _messages_of(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _wants_partial(request: HttpRequest) -> bool:
    """An htmx request for the time picker only. Its errors come with status 200, because
    htmx does not swap in 4xx responses and the message must be seen."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


class Locked(Exception):
    """The page needs a code the visitor has not given: the lock view is shown instead."""

    def __init__(
        self, location: Location, staff: StaffMember | None = None, notice: str = ""
    ) -> None:
        super().__init__(location.pk)
        self.location = location
        self.staff = staff
        self.notice = notice


# Pages of the booking flow that keep an invitation link's token in their links.
SCOPED_PAGES = frozenset(
    {"home", "services", "staff", "times", "details", "checkout", "location_unlock", "staff_unlock"}
)


class PublicView(PublicSalonMixin, View):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().dispatch(request, *args, **kwargs)
        except Locked as locked:
            return self.render_lock(locked)
        except BookingScopeInvalid:
            return self.render_link_invalid()

    @cached_property
    def scope(self) -> BookingScope | None:
        """The invitation link this page is reached through (None: the public site)."""
        return booking_scope_get(salon=self.salon, token=self.request.GET.get(SCOPE_PARAM))

    @cached_property
    def unlocks(self) -> PasscodeUnlocks:
        unlocks = PasscodeUnlocks.from_session(self.request.session)
        # A valid link counts as an unlock of the location, not of staff codes.
        return unlocks.invited() if self.scope is not None else unlocks

    def render_link_invalid(self) -> HttpResponse:
        self.__dict__["scope"] = None  # the page itself links to the public site
        return self.render("public/link_invalid.html", status=404)

    def require_unlocked(
        self, location: Location, staff: StaffMember | None = None, notice: str = ""
    ) -> None:
        """Raise `Locked` (→ the lock view) unless the visitor may book there (and with them)."""
        if not self.unlocks.allows(location):
            raise Locked(location, notice=notice)
        if staff is not None and not self.unlocks.allows(staff):
            raise Locked(location, staff, notice=notice)

    def render_lock(
        self,
        locked: Locked,
        *,
        error: str = "",
        status: int = 403,
        next_url: str | None = None,
    ) -> HttpResponse:
        """The lock view: a code field for the location (or staff member) and nothing else of
        it. Whatever was wrong with a code, the page is the same."""
        if _wants_partial(self.request):
            # htmx would not swap a 403 in: load the whole page, which shows the lock.
            return HttpResponseClientRedirect(self.request.get_full_path())
        location, staff = locked.location, locked.staff
        if staff is None:
            unlock_url = self.url("location_unlock", location_id=location.pk)
        else:
            unlock_url = self.url("staff_unlock", location_id=location.pk, staff_id=staff.pk)
        response = self.render(
            "public/lock.html",
            {
                "location": location,
                "staff": staff,
                "unlock_url": unlock_url,
                "next_url": next_url or self.request.get_full_path(),
                "error": error,
                "notice": locked.notice,
            },
            status=status,
        )
        patch_vary_headers(response, ("Cookie",))
        return response

    def render(
        self, template: str, context: dict[str, Any] | None = None, status: int = 200
    ) -> HttpResponse:
        scope = self.scope
        scoped = {
            "booking_scope": scope,
            "scope_query": "?" + urlencode({SCOPE_PARAM: scope.token}) if scope else "",
        }
        return render(
            self.request,
            template,
            {"salon": self.salon, **scoped, **(context or {})},
            status=status,
        )

    def url(self, name: str, query: dict[str, Any] | None = None, **kwargs: Any) -> str:
        url = reverse(f"public:{name}", kwargs={"salon_slug": self.salon.slug, **kwargs})
        if name in SCOPED_PAGES and self.scope is not None:
            query = {**(query or {}), SCOPE_PARAM: self.scope.token}
        return f"{url}?{urlencode(query)}" if query else url

    def safe_next(self, raw: str | None, default: str) -> str:
        """A page of this salon's site to go back to (never another host or salon)."""
        home = self.url("home")
        if (
            raw
            and raw.startswith(home)
            and url_has_allowed_host_and_scheme(
                raw, allowed_hosts={self.request.get_host()}, require_https=False
            )
        ):
            return raw
        return default


# --- 1. Locations -----------------------------------------------------------------------


class SalonHomeView(PublicView):
    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        locations = list(selectors.public_location_list(salon=self.salon))
        if len(locations) == 1:
            # A locked location shows its lock view there.
            return redirect(self.url("services", location_id=locations[0].pk))
        for location in locations:
            location.locked = not self.unlocks.allows(location)  # type: ignore[attr-defined]
        selectors.public_locations_with_info(salon=self.salon, locations=locations)
        return self.render("public/locations.html", {"locations": locations})


# --- Passcodes --------------------------------------------------------------------------


class UnlockView(PublicView):
    """POST a code for a location or a staff member; right → back to the page (`next`)."""

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        location = selectors.public_location_get(salon=self.salon, pk=kwargs["location_id"])
        return redirect(self.url("services", location_id=location.pk))

    def unlock(
        self, location: Location, staff: StaffMember | None, default_next: str
    ) -> HttpResponse:
        target: Location | StaffMember = staff if staff is not None else location
        next_url = self.safe_next(self.request.POST.get("next"), default_next)
        if self.unlocks.allows(target):  # already unlocked, or the code was switched off
            return redirect(next_url)
        locked = Locked(location, staff)
        try:
            right = passcode_unlock(
                unlocks=self.unlocks,
                target=target,
                code=self.request.POST.get("code", ""),
                client_ip=client_ip(self.request),
            )
        except PasscodeThrottled as exc:
            return self.render_lock(locked, error=str(exc), status=429, next_url=next_url)
        if not right:
            # One message and status for every wrong code: nothing tells how close it was.
            return self.render_lock(
                locked, error=_("That code is not right."), status=400, next_url=next_url
            )
        self.unlocks.save(self.request.session)
        return redirect(next_url)


class LocationUnlockView(UnlockView):
    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        location = selectors.public_location_get(salon=self.salon, pk=kwargs["location_id"])
        return self.unlock(location, None, self.url("services", location_id=location.pk))


class StaffUnlockView(UnlockView):
    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        location = selectors.public_location_get(salon=self.salon, pk=kwargs["location_id"])
        self.require_unlocked(location)
        staff = selectors.public_staff_at_location_get(
            salon=self.salon, location=location, pk=kwargs["staff_id"], scope=self.scope
        )
        return self.unlock(location, staff, self.url("services", location_id=location.pk))


# --- 2.–4. Service, staff, day and time -------------------------------------------------


class ServiceStepView(PublicView):
    """A step below a location (and a service, when the URL has one)."""

    location: Location
    service: Service

    def resolve(self, **kwargs: Any) -> None:
        self.location = selectors.public_location_get(salon=self.salon, pk=kwargs["location_id"])
        self.require_unlocked(self.location)
        if "service_id" in kwargs:
            self.service = selectors.public_service_get(
                salon=self.salon, location=self.location, pk=kwargs["service_id"], scope=self.scope
            )

    def staff_choice(self) -> StaffMember | None:
        """The chosen staff member (None: any available); a locked one shows their lock."""
        staff = selectors.public_staff_choice(
            salon=self.salon,
            location=self.location,
            service=self.service,
            raw=self.request.GET.get("staff"),
            scope=self.scope,
        )
        self.require_unlocked(self.location, staff)
        return staff

    def step_url(self, name: str, query: dict[str, Any] | None = None) -> str:
        return self.url(name, query, location_id=self.location.pk, service_id=self.service.pk)

    def picker(
        self, staff: StaffMember | None, raw_date: str | None, error: str = "", status: int = 200
    ) -> Picker:
        staff_param = staff.pk if staff else "any"
        return build_picker(
            salon=self.salon,
            location=self.location,
            service=self.service,
            staff=staff,
            raw_date=raw_date,
            day_url=lambda d: self.step_url("times", {"staff": staff_param, "date": d.isoformat()}),
            time_url=lambda t: self.step_url(
                "details", {"staff": staff_param, "start": t.isoformat()}
            ),
            error=error,
            status=status,
            staff_allowed=self.unlocks.allows,
            scope=self.scope,
        )

    def render_times(self, staff: StaffMember | None, picker: Picker) -> HttpResponse:
        context = {
            "location": self.location,
            "service": self.service,
            "staff": staff,
            "picker": picker,
            "picker_mode": "link",
        }
        partial = _wants_partial(self.request)
        template = "public/_picker.html" if partial else "public/times.html"
        response = self.render(template, context, status=200 if partial else picker.status)
        patch_vary_headers(response, ("HX-Request",))
        return response


class ServiceListView(ServiceStepView):
    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.resolve(**kwargs)
        groups: dict[Any, list[Service]] = {}
        uncategorized: list[Service] = []
        for service in selectors.public_service_list(
            salon=self.salon, location=self.location, scope=self.scope
        ):
            if service.category_id is None:
                uncategorized.append(service)
            else:
                groups.setdefault(service.category, []).append(service)
        grouped = [(category.name, services) for category, services in groups.items()]
        if uncategorized:
            grouped.append((_("Other services") if grouped else "", uncategorized))
        has_other_locations = selectors.public_location_list(salon=self.salon).count() > 1
        selectors.public_locations_with_info(salon=self.salon, locations=[self.location])
        return self.render(
            "public/services.html",
            {
                "location": self.location,
                "groups": grouped,
                "has_other_locations": has_other_locations,
            },
        )


class StaffChoiceView(ServiceStepView):
    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.resolve(**kwargs)
        staff = list(
            selectors.public_staff_list(
                salon=self.salon, location=self.location, service=self.service, scope=self.scope
            )
        )
        choices: list[dict[str, Any]] = [
            {"label": _("Any available"), "url": self.step_url("times", {"staff": "any"})}
        ]
        for member in staff:
            times_url = self.step_url("times", {"staff": member.pk})
            choice = {"id": member.pk, "label": member.name, "title": member.title}
            if self.unlocks.allows(member):
                choice["url"] = times_url
            else:
                # Shown, but locked: their code (inline form) leads on to their times.
                choice["unlock_url"] = self.url(
                    "staff_unlock", location_id=self.location.pk, staff_id=member.pk
                )
                choice["next_url"] = times_url
            choices.append(choice)
        return self.render(
            "public/staff.html",
            {"location": self.location, "service": self.service, "choices": choices},
        )


class TimesView(ServiceStepView):
    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.resolve(**kwargs)
        staff = self.staff_choice()
        return self.render_times(staff, self.picker(staff, request.GET.get("date")))


# --- 5. Details -------------------------------------------------------------------------


def _pending_key(salon_id: int) -> str:
    return SESSION_KEY.format(salon_id=salon_id)


class DetailsView(ServiceStepView):
    booking_step = True

    def checked_start(self, staff: StaffMember | None) -> dt.datetime | HttpResponse:
        """The start time from the query, or the time picker with the reason it is refused."""
        try:
            starts_at = parse_start(self.request.GET.get("start"), self.location.tzinfo)
        except QueryParamError as exc:
            return self.render_times(
                staff, self.picker(staff, None, error=str(exc.message), status=400)
            )
        message, status = start_problem(
            salon=self.salon,
            location=self.location,
            service=self.service,
            staff=staff,
            starts_at=starts_at,
            staff_allowed=self.unlocks.allows,
            scope=self.scope,
        )
        if message:
            day = starts_at.date().isoformat() if status == 409 else None
            return self.render_times(staff, self.picker(staff, day, error=message, status=status))
        return starts_at

    def initial(self) -> dict[str, Any]:
        pending = self.request.session.get(_pending_key(self.salon.pk))
        if isinstance(pending, dict) and isinstance(pending.get("client"), dict):
            return dict(pending["client"])
        user = self.request.user
        if not user.is_authenticated:
            return {}
        client = selectors.client_of_user(salon=self.salon, user=user)
        if client is not None:
            return {
                "first_name": client.first_name,
                "last_name": client.last_name,
                "email": client.email or user.email,
                "phone": client.phone,
            }
        return {
            "first_name": getattr(user, "first_name", ""),
            "last_name": getattr(user, "last_name", ""),
            "email": user.email,
        }

    def render_form(
        self, form: BookingDetailsForm, staff: StaffMember | None, starts_at: dt.datetime
    ) -> HttpResponse:
        return self.render(
            "public/details.html",
            {
                "location": self.location,
                "service": self.service,
                "staff": staff,
                "starts_at": starts_at,
                "form": form,
                "back_url": self.step_url(
                    "times",
                    {"staff": staff.pk if staff else "any", "date": starts_at.date().isoformat()},
                ),
            },
            status=200 if not form.is_bound or form.is_valid() else 400,
        )

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.resolve(**kwargs)
        staff = self.staff_choice()
        starts_at = self.checked_start(staff)
        if isinstance(starts_at, HttpResponse):
            return starts_at
        return self.render_form(
            BookingDetailsForm(initial=self.initial(), region=self.location.country),
            staff,
            starts_at,
        )

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.resolve(**kwargs)
        staff = self.staff_choice()
        starts_at = self.checked_start(staff)
        if isinstance(starts_at, HttpResponse):
            return starts_at
        form = BookingDetailsForm(request.POST, region=self.location.country)
        if not form.is_valid():
            return self.render_form(form, staff, starts_at)
        request.session[_pending_key(self.salon.pk)] = {
            "location": self.location.pk,
            "service": self.service.pk,
            "staff": staff.pk if staff else None,
            "starts_at": starts_at.isoformat(),
            "client": form.to_session(),
            "scope": self.scope.token if self.scope else None,
        }
        return redirect(self.url("checkout"))


# --- 6. Checkout ------------------------------------------------------------------------


def _payment_errors(form: PaymentMethodForm, exc: ValidationError) -> list[str]:
    """Errors keyed by a payment input's name go next to that field; the rest are listed
    above the form (returned)."""
    if not hasattr(exc, "error_dict"):
        return _messages_of(exc)
    rest: list[str] = []
    for name, errors in exc.error_dict.items():
        if name in form.input_names:
            form.add_error(name, errors)
        else:
            rest.extend(str(m) for error in errors for m in error.messages)
    return rest


class CheckoutView(PublicView):
    booking_step = True

    def pending(self) -> tuple[BookingRequest, BookingDetailsForm] | None:
        """The pending booking re-read and re-validated from the session (None: start again)."""
        pending = self.request.session.get(_pending_key(self.salon.pk))
        if not isinstance(pending, dict) or not isinstance(pending.get("client"), dict):
            return None
        # The booking started through a link finishes through the same link (and vice versa).
        if pending.get("scope") != (self.scope.token if self.scope else None):
            return None
        try:
            location = selectors.public_location_get(salon=self.salon, pk=pending.get("location"))
            service = selectors.public_service_get(
                salon=self.salon, location=location, pk=pending.get("service"), scope=self.scope
            )
            staff = selectors.public_staff_choice(
                salon=self.salon,
                location=location,
                service=service,
                raw=None if pending.get("staff") is None else str(pending["staff"]),
                scope=self.scope,
            )
            starts_at = parse_start(str(pending.get("starts_at", "")), location.tzinfo)
        except (Http404, QueryParamError):
            return None
        form = BookingDetailsForm(data=pending["client"])
        if not form.is_valid():
            return None
        request = BookingRequest(
            location=location, service=service, starts_at=starts_at, staff=staff, scope=self.scope
        )
        return request, form

    def start_again(self) -> HttpResponse:
        self.request.session.pop(_pending_key(self.salon.pk), None)
        messages.error(
            self.request,
            _("Your booking was not completed in time or is no longer valid. Please start again."),
        )
        return redirect(self.url("home"))

    def render_checkout(
        self,
        booking: BookingRequest,
        details: BookingDetailsForm,
        form: PaymentMethodForm,
        errors: list[str] | None = None,
        status: int = 200,
    ) -> HttpResponse:
        return self.render(
            "public/checkout.html",
            {
                "booking": booking,
                "location": booking.location,
                "service": booking.service,
                "staff": booking.staff,
                "starts_at": booking.starts_at.astimezone(booking.location.tzinfo),
                "details": details.cleaned_data,
                "form": form,
                "errors": errors or [],
                # Ways to pay for logged-in clients only (a package): guests are told.
                "login_hints": payment_login_hints(
                    salon=self.salon, service=booking.service, user=self.request.user
                ),
                "login_url": reverse("account_login")
                + "?"
                + urlencode({"next": self.url("checkout")}),
                "edit_url": self.url(
                    "details",
                    {
                        "staff": booking.staff.pk if booking.staff else "any",
                        "start": booking.starts_at.isoformat(),
                    },
                    location_id=booking.location.pk,
                    service_id=booking.service.pk,
                ),
            },
            status=status,
        )

    def methods(self, booking: BookingRequest, details: BookingDetailsForm) -> list[Any]:
        client = client_find_for_booking(
            salon=self.salon, user=self.request.user, email=details.cleaned_data["email"]
        )
        return payment_methods_available(
            salon=self.salon,
            client=client,
            service=booking.service,
            starts_at=booking.starts_at,
            user=self.request.user,
        )

    def require_codes(self, booking: BookingRequest) -> None:
        self.require_unlocked(
            booking.location,
            booking.staff,
            notice=_("Enter the code to finish your booking. Your details are kept."),
        )

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        pending = self.pending()
        if pending is None:
            return self.start_again()
        booking, details = pending
        self.require_codes(booking)
        methods = self.methods(booking, details)
        # The method chosen before the client chooses (e.g. a package they hold).
        form = PaymentMethodForm(
            methods=methods,
            initial={"payment_method": payment_method_default(methods)},
            summaries=payment_summaries(methods, salon=self.salon, service=booking.service),
        )
        return self.render_checkout(booking, details, form)

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        pending = self.pending()
        if pending is None:
            return self.start_again()
        booking, details = pending
        self.require_codes(booking)
        methods = self.methods(booking, details)
        form = PaymentMethodForm(
            request.POST,
            methods=methods,
            summaries=payment_summaries(methods, salon=self.salon, service=booking.service),
        )
        if not form.is_valid():
            return self.render_checkout(booking, details, form, status=400)
        try:
            public_booking_check(salon=self.salon, client_ip=client_ip(request))
        except BookingThrottled as exc:
            return self.render_checkout(booking, details, form, errors=[str(exc)], status=429)
        try:
            appointment = checkout_complete(
                salon=self.salon,
                request=booking,
                details=details.details(),
                payment_method=form.cleaned_data["payment_method"],
                unlocks=self.unlocks,
                user=request.user,
                payment_details=form.payment_details(),
                client_ip=client_ip(request),
                # Values feature pages remembered for this booking (a referral link's code):
                # stale ones are ignored, never a reason to refuse the booking.
                # A link's extras (its segment) come from the link itself.
                extras={
                    **booking_extras(request, salon=self.salon),
                    **(self.scope.extras if self.scope else {}),
                },
                extras_strict=False,
            )
        except PasscodeRequired as exc:
            # The owner changed a code between the page and this POST.
            staff = exc.target if isinstance(exc.target, StaffMember) else None
            raise Locked(
                booking.location,
                staff,
                notice=_("Enter the code to finish your booking. Your details are kept."),
            ) from exc
        except SlotTaken as exc:
            return self.render_taken(booking, exc)
        except ValidationError as exc:
            return self.render_checkout(
                booking, details, form, errors=_payment_errors(form, exc), status=400
            )
        public_booking_record(salon=self.salon, client_ip=client_ip(request))
        request.session.pop(_pending_key(self.salon.pk), None)
        # The confirmation page says once where the confirmation went (confirmation.py).
        request.session[JUST_BOOKED_KEY] = appointment.pk
        booking_extras_forget(request, salon=self.salon)
        if appointment.payment_url:
            # Held for payment (issue 17): the client pays at the provider; the booking is
            # confirmed when the payment is (bookings/services/holds.py).
            return HttpResponseRedirect(appointment.payment_url, status=303)
        messages.success(request, _("Your appointment is booked."))
        return redirect(self.url("appointment", token=appointment_token(appointment)))

    def render_taken(self, booking: BookingRequest, exc: SlotTaken) -> HttpResponse:
        staff_param = booking.staff.pk if booking.staff else "any"
        next_times = [
            {
                "starts_at": t.astimezone(booking.location.tzinfo),
                "url": self.url(
                    "details",
                    {"staff": staff_param, "start": t.isoformat()},
                    location_id=booking.location.pk,
                    service_id=booking.service.pk,
                ),
            }
            for t in exc.next_slots
        ]
        times_url = self.url(
            "times",
            {"staff": staff_param, "date": booking.starts_at.date().isoformat()},
            location_id=booking.location.pk,
            service_id=booking.service.pk,
        )
        return self.render(
            "public/taken.html",
            {
                "location": booking.location,
                "service": booking.service,
                "next_times": next_times,
                "times_url": times_url,
            },
            status=409,
        )


# --- 7.–8. Confirmation and manage by signed link ---------------------------------------


class AppointmentTokenView(PublicView):
    appointment: Appointment
    token: str

    def resolve(self, token: str) -> None:
        self.token = token
        self.appointment = appointment_from_token(self.salon, token)
        # A client managing their booking in a language they chose gets their notices in it.
        chosen = explicit_language(self.request)
        if chosen and self.appointment.client_id:
            client_language_remember(client=self.appointment.client, language=chosen)

    def sent_to(self) -> SentTo | None:
        """Where the confirmation went, right after this browser booked it (once)."""
        if self.request.session.get(JUST_BOOKED_KEY) != self.appointment.pk:
            return None
        if self.request.method == "GET":
            self.request.session.pop(JUST_BOOKED_KEY, None)
        return confirmation_sent_to(self.appointment.client)

    def render_appointment(
        self, errors: list[str] | None = None, status: int = 200
    ) -> HttpResponse:
        appointment = self.appointment
        return self.render(
            "public/appointment.html",
            {
                "appointment": appointment,
                "location": appointment.location,
                "change": client_change_check(appointment),
                "ics_url": self.url("appointment_ics", token=self.token),
                "cancel_url": self.url("appointment_cancel", token=self.token),
                "reschedule_url": self.url("appointment_reschedule", token=self.token),
                "errors": errors or [],
                "sent_to": self.sent_to(),
            },
            status=status,
        )


class AppointmentView(AppointmentTokenView):
    def get(self, request: HttpRequest, salon_slug: str, token: str) -> HttpResponse:
        self.resolve(token)
        return self.render_appointment()


class AppointmentIcsView(AppointmentTokenView):
    def get(self, request: HttpRequest, salon_slug: str, token: str) -> HttpResponse:
        self.resolve(token)
        response = HttpResponse(
            appointment_ics(self.appointment), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="appointment-{self.appointment.pk}.ics"'
        )
        return response


class AppointmentCancelView(AppointmentTokenView):
    def post(self, request: HttpRequest, salon_slug: str, token: str) -> HttpResponse:
        self.resolve(token)
        try:
            appointment_cancel_by_client(appointment=self.appointment)
        except ValidationError as exc:
            return self.render_appointment(errors=_messages_of(exc), status=400)
        messages.success(request, _("Your appointment is cancelled."))
        return redirect(self.url("appointment", token=token))


class AppointmentRescheduleView(AppointmentTokenView):
    @cached_property
    def appointment_scope(self) -> BookingScope | None:
        """The link the booking was made through: its staff stay bookable for the move."""
        return booking_scope_of_appointment(self.appointment)

    def picker(self, raw_date: str | None, error: str = "", status: int = 200) -> Picker:
        appointment = self.appointment
        return build_picker(
            salon=self.salon,
            location=appointment.location,
            service=appointment.service,
            staff=appointment.staff,
            raw_date=raw_date,
            day_url=lambda d: self.url(
                "appointment_reschedule", {"date": d.isoformat()}, token=self.token
            ),
            time_url=lambda t: "",
            error=error,
            status=status,
            scope=self.appointment_scope,
            # Opens on the appointment's own week; marks times inside the no-change window.
            default_day=appointment.starts_at.astimezone(appointment.location.tzinfo).date(),
            no_change_before=(
                no_change_from(self.salon.cancellation_cutoff_hours)
                if self.salon.cancellation_cutoff_hours
                else None
            ),
        )

    def render_picker(
        self, picker: Picker, confirm_move: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {
            "confirm_move": confirm_move,
            "appointment": self.appointment,
            "location": self.appointment.location,
            "service": self.appointment.service,
            "staff": self.appointment.staff,
            "picker": picker,
            "picker_mode": "post",
            "post_url": self.url("appointment_reschedule", token=self.token),
            "back_url": self.url("appointment", token=self.token),
        }
        partial = _wants_partial(self.request)
        template = "public/_picker.html" if partial else "public/reschedule.html"
        response = self.render(template, context, status=200 if partial else picker.status)
        patch_vary_headers(response, ("HX-Request",))
        return response

    def refused(self) -> HttpResponse | None:
        change = client_change_check(self.appointment)
        if change.allowed:
            return None
        return self.render_appointment(errors=[change.reason], status=400)

    def get(self, request: HttpRequest, salon_slug: str, token: str) -> HttpResponse:
        self.resolve(token)
        if (response := self.refused()) is not None:
            return response
        return self.render_picker(self.picker(request.GET.get("date")))

    def post(self, request: HttpRequest, salon_slug: str, token: str) -> HttpResponse:
        self.resolve(token)
        if (response := self.refused()) is not None:
            return response
        location = self.appointment.location
        try:
            starts_at = parse_start(request.POST.get("start"), location.tzinfo)
        except QueryParamError as exc:
            return self.render_picker(self.picker(None, error=str(exc.message), status=400))
        day = starts_at.date().isoformat()
        try:
            appointment_reschedule_by_client(
                appointment=self.appointment,
                starts_at=starts_at,
                scope=self.appointment_scope,
                accept_no_change=request.POST.get("accept_no_change") == "1",
            )
        except NoChangeWindow as exc:
            # Say so, and offer to move it anyway (a second POST with the acceptance).
            confirm = {"starts_at": starts_at, "value": starts_at.isoformat()}
            picker = self.picker(day, error=" ".join(_messages_of(exc)), status=400)
            return self.render_picker(picker, confirm_move=confirm)
        except SlotTaken as exc:
            return self.render_picker(self.picker(day, error=str(exc), status=409))
        except ValidationError as exc:
            message = " ".join(_messages_of(exc))
            raw_day = (
                day if starts_at.date() >= timezone.localdate(timezone=location.tzinfo) else None
            )
            return self.render_picker(self.picker(raw_day, error=message, status=400))
        messages.success(request, _("Your appointment is moved."))
        return redirect(self.url("appointment", token=token))


# --- 9. My appointments -----------------------------------------------------------------


class MyAppointmentsView(PublicView):
    login_required = True

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        client = selectors.client_of_user(salon=self.salon, user=request.user)
        upcoming: list[Appointment] = []
        past: list[Appointment] = []
        if client is not None:
            upcoming, past = selectors.client_appointments(salon=self.salon, client=client)
        for appointment in (*upcoming, *past):
            appointment.manage_url = self.url(  # type: ignore[attr-defined]
                "appointment", token=appointment_token(appointment)
            )
        return self.render("public/my.html", {"client": client, "upcoming": upcoming, "past": past})
