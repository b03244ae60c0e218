"""The owner calendar: day and week views of one location, the booking panel, and the
appointment actions (book, move, cancel / no-show / completed — completed only once started —
and correcting a completed appointment to a no-show or cancelled).

Reads go through `bookings.selectors_calendar`, writes through `bookings.services.booking`.
Every member may look; only owners and managers change anything (`SalonViewMixin`). The grid's
layout model is `calendar_layout.py`; `static/js/calendar.js` turns its numbers (data
attributes) into positions, since the CSP forbids inline styles.

The booking panel (`AppointmentCreateView`) is an htmx partial in the calendar's side panel, or
the same form as a page without JavaScript; a click on an empty slot fills in day, time and
staff member. Its client field is a search (`ClientSuggestionsView`), a new client whose phone
or e-mail is known is offered the existing record (bookings/services/clients.py refuses the
duplicate), and "Book again" (`BookAgainView`) opens it at the next free time.

Moves come from a page form, the htmx form of the detail panel or a drag-and-drop `fetch`
(which asks for JSON). A conflict is answered with 409 in each case, saying what it overlaps
("Overlaps Anna's 14:00 Colour (Kati Kask), incl. 15 min cleanup") and offering the nearest
free times that day of that staff member."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from bookings.models import Appointment, Client, Location, Salon, Service, StaffMember
from bookings.selectors import location_list, tenant_get
from bookings.selectors_calendar import (
    Conflict,
    calendar_appointment_get,
    calendar_client_search,
    calendar_conflicts,
    calendar_free_times_near,
    calendar_get,
    calendar_location_default,
    calendar_next_free_time,
)
from bookings.services.booking import (
    BookingRequest,
    SlotTaken,
    appointment_book,
    appointment_book_for_new_client,
    appointment_reschedule,
    appointment_set_status,
    appointment_status_choices,
)
from bookings.services.clients import DuplicateClient, client_find_duplicates
from bookings.validators import HORIZON_FIRST_YEAR, HORIZON_LAST_YEAR, parse_id
from languages.formats import week_start

from .calendar_forms import (
    AppointmentCreateForm,
    AppointmentMoveForm,
    add_service_errors,
    move_form_initial,
)
from .calendar_layout import calendar_grid, staff_colours
from .mixins import SalonViewMixin

VIEWS = ("day", "week")
DEFAULT_VIEW = "day"
# Far enough for any salon, near enough that date arithmetic never overflows.
# The date horizon of every input (bookings/validators.py).
MIN_DATE, MAX_DATE = dt.date(HORIZON_FIRST_YEAR, 1, 1), dt.date(HORIZON_LAST_YEAR, 12, 31)

STATUS_ACTIONS = {
    Appointment.Status.COMPLETED: "completed",
    Appointment.Status.NO_SHOW: "no_show",
    Appointment.Status.CANCELLED: "cancelled",
}


# --- Helpers ------------------------------------------------------------------------------


def _wants_json(request: HttpRequest) -> bool:
    return not request.htmx and "application/json" in request.headers.get("Accept", "")  # type: ignore[attr-defined]


def _format_local(moment: dt.datetime, location: Location) -> str:
    return date_format(moment.astimezone(location.tzinfo), "D j M H:i")


def slot_taken_message(exc: SlotTaken, location: Location) -> str:
    if not exc.next_slots:
        return _("This time was just taken. There is no free time in the next days.")
    times = ", ".join(_format_local(moment, location) for moment in exc.next_slots)
    return _("This time was just taken. Next free times: %(times)s.") % {"times": times}


def conflict_text(conflict: Conflict, location: Location) -> str:
    """ "Overlaps Anna's 14:00 Colour (Kati Kask), incl. 15 min cleanup" — what is in the way."""
    other = conflict.appointment
    values = {
        "staff": other.staff.name,
        "time": date_format(other.starts_at.astimezone(location.tzinfo), "H:i"),
        "service": other.service.name,
        "client": other.client.full_name,
    }
    text = _("Overlaps %(staff)s's %(time)s %(service)s (%(client)s)") % values
    if conflict.cleanup_minutes:
        text += _(", incl. %(minutes)d min cleanup") % {"minutes": conflict.cleanup_minutes}
    elif conflict.own_cleanup_minutes:
        text += _(", incl. %(minutes)d min cleanup after this one") % {
            "minutes": conflict.own_cleanup_minutes
        }
    elif conflict.preparation_minutes:
        text += _(", incl. %(minutes)d min preparation") % {"minutes": conflict.preparation_minutes}
    return text + "."


@dataclass(frozen=True)
class ConflictReport:
    """Why the owner's time is refused, and the nearest free times that day instead."""

    texts: list[str]
    free_times: list[dt.datetime]  # aware, local
    location: Location

    @property
    def message(self) -> str:
        if not self.texts:
            return _("This time is no longer free.")
        return " ".join(self.texts)

    @property
    def free_labels(self) -> list[str]:
        return [date_format(moment, "H:i") for moment in self.free_times]

    @property
    def free_choices(self) -> list[tuple[str, str]]:
        """(value for the time field, label) of each nearest free time."""
        return [
            (moment.strftime("%H:%M"), date_format(moment, "H:i")) for moment in self.free_times
        ]


def conflict_report(
    *,
    salon: Salon,
    location: Location,
    service: Service,
    staff: StaffMember | None,
    starts_at: dt.datetime,
    moving: Appointment | None = None,
) -> ConflictReport:
    if staff is None:
        return ConflictReport([], [], location)
    conflicts = calendar_conflicts(
        salon=salon,
        staff=staff,
        service=service,
        starts_at=starts_at,
        exclude_pk=moving.pk if moving else None,
    )
    free = calendar_free_times_near(
        salon=salon,
        location=location,
        service=service,
        staff=staff,
        starts_at=starts_at,
        exclude=moving,
    )
    tz = location.tzinfo
    return ConflictReport(
        [conflict_text(c, location) for c in conflicts], [m.astimezone(tz) for m in free], location
    )


def calendar_url(
    salon_slug: str, *, location: Location, day: dt.date, view: str = DEFAULT_VIEW, **extra: Any
) -> str:
    query = {"location": location.pk, "date": day.isoformat(), "view": view, **extra}
    return f"{reverse('dashboard:calendar', kwargs={'salon_slug': salon_slug})}?{urlencode(query)}"


def _parse_date(raw: str) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(raw.strip())
    except ValueError:
        return None
    return day if MIN_DATE <= day <= MAX_DATE else None


def _parse_time(raw: str) -> dt.time | None:
    try:
        return dt.time.fromisoformat(raw.strip())
    except ValueError:
        return None


def _first_error(errors: dict[str, list[dict[str, str]]]) -> str:
    for field_errors in errors.values():
        for error in field_errors:
            return error["message"]
    return _("Please check the input.")


# --- The calendar page --------------------------------------------------------------------


class CalendarView(SalonViewMixin, TemplateView):
    manage_required = False
    template_name = "dashboard/calendar/calendar.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        raw_location = params.get("location", "").strip()
        if raw_location:
            location: Location | None = tenant_get(Location, salon=self.salon, pk=raw_location)
        else:
            location = calendar_location_default(salon=self.salon)
        context["location"] = location
        context["locations"] = list(location_list(salon=self.salon).order_by("-is_active", "name"))
        context["can_manage"] = self.membership.can_manage
        if location is None:
            return context

        today = timezone.now().astimezone(location.tzinfo).date()
        view = params.get("view", DEFAULT_VIEW)
        if view not in VIEWS:
            messages.warning(self.request, _("Unknown view; showing the day view."))
            view = DEFAULT_VIEW
        day = today
        if params.get("date"):
            parsed = _parse_date(params["date"])
            if parsed is None:
                messages.warning(
                    self.request, _("That is not a valid date (use YYYY-MM-DD); showing today.")
                )
            else:
                day = parsed
        show_cancelled = params.get("cancelled") == "1"

        if view == "week":
            start, days, step = week_start(day), 7, 7
        else:
            start, days, step = day, 1, 1
        start = max(start, MIN_DATE)
        data = calendar_get(
            salon=self.salon,
            location=location,
            start_date=start,
            days=days,
            include_cancelled=show_cancelled,
        )
        raw_staff = params.get("staff", "").strip()
        staff_filter = parse_id(raw_staff)
        if staff_filter is not None and staff_filter not in {m.pk for m in data.staff}:
            staff_filter = None
        slug = self.salon.slug

        def url(
            target: dt.date,
            target_view: str = view,
            cancelled: bool = show_cancelled,
            staff: int | None = staff_filter,
        ) -> str:
            extra: dict[str, Any] = {"cancelled": "1"} if cancelled else {}
            if staff is not None and target_view == "week":
                extra["staff"] = staff
            target = min(max(target, MIN_DATE), MAX_DATE)
            return calendar_url(slug, location=location, day=target, view=target_view, **extra)

        create_url = reverse("dashboard:appointment_create", kwargs={"salon_slug": slug})
        colours = staff_colours(data.staff)
        panel_url = ""
        new_query = params.get("new", "")
        if new_query and self.membership.can_manage:
            # "Book again" / links from elsewhere: open the booking panel on arrival.
            panel_url = f"{create_url}?{urlencode(_safe_prefill(new_query))}"
        elif parse_id(params.get("open", "")) is not None:
            # "Reschedule" from the client page: the appointment's own day, its panel open.
            detail = reverse(
                "dashboard:appointment_detail", kwargs={"salon_slug": slug, "pk": params["open"]}
            )
            panel_url = f"{detail}?{urlencode({'next': url(day)})}"
        context.update(
            {
                "grid": calendar_grid(
                    data, today=today, per_staff=view == "day", staff_filter=staff_filter
                ),
                "calendar": data,
                "view": view,
                "day": day,
                "today": today,
                "show_cancelled": show_cancelled,
                "staff_filter": staff_filter,
                "staff_filter_urls": [
                    (member, url(day, "week", staff=member.pk), colours[member.pk])
                    for member in data.staff
                ],
                "all_staff_url": url(day, "week", staff=None),
                "prev_url": url(day - dt.timedelta(days=step)),
                "next_url": url(day + dt.timedelta(days=step)),
                "today_url": url(today),
                "day_view_url": url(day, "day"),
                "week_view_url": url(day, "week"),
                "cancelled_toggle_url": url(day, cancelled=not show_cancelled),
                "create_url": create_url,
                "panel_url": panel_url,
                "current_url": self.request.get_full_path(),
                "slot_step": self.salon.slot_step_minutes,
            }
        )
        return context


PREFILL_FIELDS = ("location", "staff", "service", "client", "date", "time")


def _safe_prefill(raw: str) -> dict[str, str]:
    """The booking panel's prefill carried in the calendar's `new` parameter (a query string),
    keeping only known fields."""
    parsed = QueryDict(raw)
    return {name: parsed[name] for name in PREFILL_FIELDS if parsed.get(name)}


# --- Appointments -------------------------------------------------------------------------


class AppointmentViewMixin(SalonViewMixin):
    """A view of one of the salon's appointments (`pk` in the URL; 404 if not this salon's)."""

    kwargs: dict[str, Any]
    request: HttpRequest

    @cached_property
    def appointment(self) -> Appointment:
        return calendar_appointment_get(salon=self.salon, pk=self.kwargs["pk"])

    def calendar_url_for(self, appointment: Appointment) -> str:
        day = appointment.starts_at.astimezone(appointment.location.tzinfo).date()
        return calendar_url(self.salon.slug, location=appointment.location, day=day)

    def next_url(self, default: str) -> str:
        target = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return target
        return default


class AppointmentDetailView(AppointmentViewMixin, TemplateView):
    """The detail panel (an htmx partial inside the calendar) or the same as a page."""

    manage_required = False

    def get_template_names(self) -> list[str]:
        if self.request.htmx:  # type: ignore[attr-defined]
            return ["dashboard/calendar/_panel.html"]
        return ["dashboard/calendar/detail.html"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(panel_context(self, self.appointment))
        return context


def _status_actions(appointment: Appointment) -> list[str]:
    """What the panel offers: "Mark completed" only once the appointment has started."""
    actions = appointment_status_choices(appointment)
    if appointment.starts_at > timezone.now():
        actions = [a for a in actions if a != Appointment.Status.COMPLETED]
    return actions


def panel_context(
    view: AppointmentViewMixin, appointment: Appointment, **extra: Any
) -> dict[str, Any]:
    can_manage = view.membership.can_manage
    editable = can_manage and appointment.status == Appointment.Status.BOOKED
    context: dict[str, Any] = {
        "appointment": appointment,
        "can_manage": can_manage,
        "editable": editable,
        "calendar_back_url": view.next_url(view.calendar_url_for(appointment)),
        "time_zone": appointment.location.time_zone,
        # Booked: completed / no-show / cancelled; completed: the correction to no-show or
        # cancelled (bookings.services.booking.STATUS_ALLOWED_FROM).
        "status_actions": _status_actions(appointment) if can_manage else [],
    }
    if editable and "move_form" not in extra:
        context["move_form"] = AppointmentMoveForm(
            appointment=appointment, initial=move_form_initial(appointment)
        )
    context.update(extra)
    return context


class AppointmentCreateView(SalonViewMixin, TemplateView):
    """The booking panel: an htmx partial in the calendar's side panel, or the same form as a
    page without JavaScript. GET prefills from the query (a click on an empty slot gives
    location, date, time and staff); `refresh=1` re-renders the form from what is typed (the
    staff and service lists filter each other). POST books; `search_clients` (the page's
    search button without JavaScript) only shows the matching clients."""

    template_name = "dashboard/calendar/create.html"
    panel_template_name = "dashboard/calendar/_create_panel.html"
    form_template_name = "dashboard/calendar/_create_form.html"

    def get_template_names(self) -> list[str]:
        if not self.request.htmx:  # type: ignore[attr-defined]
            return [self.template_name]
        # The form re-rendered in place (after a POST or a change of the lists), else the panel.
        if self.request.method == "POST" or self.request.GET.get("refresh"):
            return [self.form_template_name]
        return [self.panel_template_name]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        initial = self._initial_from(request.GET, warn=not request.GET.get("refresh"))
        if "location" not in initial:
            default = calendar_location_default(salon=self.salon)
            if default is not None:
                initial["location"] = default.pk
        form = AppointmentCreateForm(salon=self.salon, initial=initial)
        return self._render(form, query=initial.get("client_query", ""))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.POST.get("search_clients"):
            initial = self._initial_from(request.POST, warn=False)
            form = AppointmentCreateForm(salon=self.salon, initial=initial)
            return self._render(form, query=initial.get("client_query", ""))
        form = AppointmentCreateForm(request.POST, salon=self.salon)
        status = 200
        conflict: ConflictReport | None = None
        duplicates: list[Client] = []
        if form.is_valid() and form.cleaned_data["starts_at"] is not None:
            try:
                appointment = self._book(form)
            except SlotTaken as exc:
                data = form.cleaned_data
                conflict = conflict_report(
                    salon=self.salon,
                    location=data["location"],
                    service=data["service"],
                    staff=data["staff"],
                    starts_at=data["starts_at"],
                )
                if conflict.texts:
                    form.add_error("time", conflict.message)
                else:
                    form.add_error(None, slot_taken_message(exc, data["location"]))
                status = 409
            except DuplicateClient as exc:
                duplicates = exc.matches
                add_service_errors(form, exc)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return self._booked(appointment)
        return self._render(
            form,
            status=status,
            query=request.POST.get("client_query", ""),
            conflict=conflict,
            duplicates=duplicates,
        )

    def _booked(self, appointment: Appointment) -> HttpResponse:
        location = appointment.location
        local = appointment.starts_at.astimezone(location.tzinfo)
        messages.success(
            self.request,
            _("Appointment booked: %(client)s, %(when)s with %(staff)s.")
            % {
                "client": appointment.client.full_name,
                "when": date_format(local, "D j M H:i"),
                "staff": appointment.staff.name,
            },
        )
        url = calendar_url(self.salon.slug, location=location, day=local.date())
        if self.request.htmx:  # type: ignore[attr-defined]
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)

    def _initial_from(self, params: QueryDict, *, warn: bool) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for name in ("location", "staff", "service", "client"):
            number = parse_id(params.get(name, ""))
            if number is not None:
                initial[name] = number
        for name in ("client_query", "first_name", "last_name", "email", "phone", "notes"):
            value = params.get(name, "").replace("\x00", "")
            if value:
                initial[name] = value[:2000]
        if params.get("date"):
            day = _parse_date(params["date"])
            if day is not None:
                initial["date"] = day
            elif warn:
                messages.warning(self.request, _("Ignored an invalid date (use YYYY-MM-DD)."))
        if params.get("time"):
            time = _parse_time(params["time"])
            if time is not None:
                initial["time"] = time.replace(second=0, microsecond=0)
            elif warn:
                messages.warning(self.request, _("Ignored an invalid time (use HH:MM)."))
        return initial

    def _render(
        self,
        form: AppointmentCreateForm,
        *,
        status: int = 200,
        query: str = "",
        conflict: ConflictReport | None = None,
        duplicates: list[Client] | None = None,
    ) -> HttpResponse:
        form.limit_choices()
        chosen_id = form.chosen_ids()["client"]
        chosen = (
            Client.objects.for_salon(self.salon).filter(pk=chosen_id).first() if chosen_id else None
        )
        suggestions = calendar_client_search(salon=self.salon, query=query) if query else []
        if chosen is not None:
            suggestions = [chosen] + [c for c in suggestions if c.pk != chosen.pk]
        context = self.get_context_data(
            form=form,
            chosen_client=chosen,
            client_suggestions=suggestions,
            client_query=query,
            conflict=conflict,
            duplicates=duplicates or [],
        )
        return self.render_to_response(context, status=status)

    def _book(self, form: AppointmentCreateForm) -> Appointment:
        data = form.cleaned_data
        request = BookingRequest(
            location=data["location"],
            service=data["service"],
            starts_at=data["starts_at"],
            staff=data["staff"],
        )
        book = {
            "source": Appointment.Source.DASHBOARD,
            "actor": self.request.user,
            "notes": data["notes"],
            "enforce_hours": False,
        }
        if data["client"]:
            return appointment_book(
                salon=self.salon, request=request, client=data["client"], **book
            )
        return appointment_book_for_new_client(
            salon=self.salon, request=request, client_data=form.new_client_data, **book
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        back = reverse("dashboard:calendar", kwargs={"salon_slug": self.salon.slug})
        params = self.request.GET
        query = {
            name: params[name]
            for name, valid in (("location", str.isdigit), ("date", _parse_date))
            if valid(params.get(name, ""))
        }
        context["calendar_back_url"] = f"{back}?{urlencode(query)}" if query else back
        context["no_location"] = calendar_location_default(salon=self.salon) is None
        context["create_url"] = reverse(
            "dashboard:appointment_create", kwargs={"salon_slug": self.salon.slug}
        )
        context["suggest_url"] = reverse(
            "dashboard:calendar_client_suggestions", kwargs={"salon_slug": self.salon.slug}
        )
        return context


class ClientSuggestionsView(SalonViewMixin, TemplateView):
    """The booking panel's live client suggestions (htmx partial, radio buttons named
    `client`): `q` searches by name, phone or e-mail; `phone` / `email` (typed for a new
    client) show the existing client with that contact, to use instead of a duplicate. A
    constant number of queries, whatever the number of clients."""

    template_name = "dashboard/calendar/_client_suggestions.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        query = params.get("client_query", params.get("q", ""))
        phone, email = params.get("phone", ""), params.get("email", "")
        if params.get("mode") == "duplicates":
            context["duplicates"] = client_find_duplicates(
                salon=self.salon, email=email.replace("\x00", "")[:254], phone=phone[:40]
            )
            context["mode"] = "duplicates"
        else:
            context["client_suggestions"] = calendar_client_search(salon=self.salon, query=query)
            context["client_query"] = query.strip()
            context["mode"] = "search"
        return context


class BookAgainView(SalonViewMixin, View):
    """ "Book again" from the client page: the same client, service, staff and location at the
    next free time — the calendar of that day with the booking panel open (prefilled)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        appointment = calendar_appointment_get(salon=self.salon, pk=kwargs["pk"])
        location = appointment.location
        staff = appointment.staff if appointment.staff.is_active else None
        prefill: dict[str, Any] = {
            "location": location.pk,
            "service": appointment.service_id,
            "client": appointment.client_id,
        }
        if staff is not None:
            prefill["staff"] = staff.pk
        when = None
        if location.is_active and appointment.service.is_active:
            when = calendar_next_free_time(
                salon=self.salon, location=location, service=appointment.service, staff=staff
            )
        if when is None:
            messages.warning(
                request, _("No free time in the next four weeks; choose a time yourself.")
            )
            day = timezone.now().astimezone(location.tzinfo).date()
        else:
            local = when.astimezone(location.tzinfo)
            day = local.date()
            prefill.update(date=day.isoformat(), time=local.strftime("%H:%M"))
        return HttpResponseRedirect(
            calendar_url(self.salon.slug, location=location, day=day, new=urlencode(prefill))
        )


class AppointmentMoveView(AppointmentViewMixin, TemplateView):
    """GET: the move form as a page. POST: move (page form, htmx panel form or JSON fetch)."""

    template_name = "dashboard/calendar/move.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = AppointmentMoveForm(
            appointment=self.appointment, initial=move_form_initial(self.appointment)
        )
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        appointment = self.appointment
        form = AppointmentMoveForm(request.POST, appointment=appointment)
        status = 400
        next_slots: list[str] = []
        if form.is_valid() and form.cleaned_data["starts_at"] is not None:
            try:
                moved = appointment_reschedule(
                    appointment=appointment,
                    starts_at=form.cleaned_data["starts_at"],
                    staff=form.cleaned_data["staff"],
                    by_owner=True,
                )
            except SlotTaken as exc:
                conflict = conflict_report(
                    salon=self.salon,
                    location=appointment.location,
                    service=appointment.service,
                    staff=form.cleaned_data["staff"] or appointment.staff,
                    starts_at=form.cleaned_data["starts_at"],
                    moving=appointment,
                )
                if conflict.texts:
                    text = conflict.message
                    if conflict.free_times:
                        text += " " + _("Free that day: %(times)s.") % {
                            "times": ", ".join(conflict.free_labels)
                        }
                    form.add_error(None, text)
                    next_slots = [
                        _format_local(m, appointment.location) for m in conflict.free_times
                    ]
                else:
                    form.add_error(None, slot_taken_message(exc, appointment.location))
                    next_slots = [_format_local(m, appointment.location) for m in exc.next_slots]
                status = 409
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return self._moved(moved)
        return self._refused(form, status, next_slots)

    def _moved(self, appointment: Appointment) -> HttpResponse:
        local = appointment.starts_at.astimezone(appointment.location.tzinfo)
        text = _("Appointment moved to %(when)s with %(staff)s.") % {
            "when": date_format(local, "D j M H:i"),
            "staff": appointment.staff.name,
        }
        # Stored for the page the script reloads after a drag-and-drop, too.
        messages.success(self.request, text)
        if _wants_json(self.request):
            return JsonResponse({"ok": True, "message": text})
        if self.request.htmx:  # type: ignore[attr-defined]
            return HttpResponseClientRefresh()
        return HttpResponseRedirect(self.next_url(self.calendar_url_for(appointment)))

    def _refused(
        self, form: AppointmentMoveForm, status: int, next_slots: list[str]
    ) -> HttpResponse:
        if _wants_json(self.request):
            errors = form.errors.get_json_data()
            return JsonResponse(
                {
                    "ok": False,
                    "message": _first_error(errors),
                    "errors": errors,
                    "next_slots": next_slots,
                },
                status=status,
            )
        if self.request.htmx:  # type: ignore[attr-defined]
            context = panel_context(self, self.appointment, move_form=form)
            return self.response_class(
                request=self.request,
                template=["dashboard/calendar/_panel.html"],
                context=self.get_context_data(**context),
                status=status,
            )
        # A plain form post: invalid input is shown as usual (200); a conflict is still a 409.
        return self.render_to_response(
            self.get_context_data(form=form), status=409 if status == 409 else 200
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["appointment"] = self.appointment
        context["time_zone"] = self.appointment.location.time_zone
        context["calendar_back_url"] = self.next_url(self.calendar_url_for(self.appointment))
        return context


class AppointmentStatusView(AppointmentViewMixin, View):
    """POST `status` = completed | no_show | cancelled (a completed appointment: no_show or
    cancelled). A refused change is a 409 (JSON) or an error message."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        status = request.POST.get("status", "")
        if status not in STATUS_ACTIONS.values():
            message = _("Unknown status: choose completed, no_show or cancelled.")
            if _wants_json(request):
                return JsonResponse({"ok": False, "message": message}, status=400)
            return HttpResponseBadRequest(message)
        appointment = self.appointment
        try:
            if status == STATUS_ACTIONS[Appointment.Status.COMPLETED] and (
                appointment.status == Appointment.Status.BOOKED
                and appointment.starts_at > timezone.now()
            ):
                raise ValidationError(
                    _("This appointment has not started yet; it cannot be completed.")
                )
            appointment = appointment_set_status(appointment=appointment, status=status)
        except ValidationError as exc:
            text = " ".join(exc.messages)
            if _wants_json(request):
                return JsonResponse({"ok": False, "message": text}, status=409)
            messages.error(request, text)
            if request.htmx:  # type: ignore[attr-defined]
                return HttpResponseClientRefresh()
            return HttpResponseRedirect(self.next_url(self.calendar_url_for(appointment)))
        text = {
            Appointment.Status.COMPLETED: _("Appointment marked as completed."),
            Appointment.Status.NO_SHOW: _("Appointment marked as a no-show."),
            Appointment.Status.CANCELLED: _("Appointment cancelled."),
        }[Appointment.Status(status)]
        if _wants_json(request):
            return JsonResponse({"ok": True, "message": text, "status": status})
        messages.success(request, text)
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponseClientRefresh()
        return HttpResponseRedirect(self.next_url(self.calendar_url_for(appointment)))
