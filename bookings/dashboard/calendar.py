"""The owner calendar: day and week views of one location, a column per staff member, and the
appointment actions (book, move, cancel / no-show / completed, and correcting a completed
appointment to a no-show or cancelled).

Reads go through `bookings.selectors_calendar`, writes through `bookings.services.booking`.
Every member may look; only owners and managers change anything (`SalonViewMixin`). The
grid is laid out here in minutes of the location's wall clock; `static/js/calendar.js`
turns those numbers (data attributes) into positions, since the CSP forbids inline styles.

Moves come from a page form, the htmx form of the detail panel or a drag-and-drop `fetch`
(which asks for JSON); a conflict is answered with 409 in each case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
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
)
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_htmx.http import HttpResponseClientRefresh

from bookings.models import Appointment, Location, StaffMember
from bookings.models.catalogue import END_OF_DAY
from bookings.selectors import location_list, tenant_get
from bookings.selectors_calendar import (
    CalendarData,
    calendar_appointment_get,
    calendar_get,
    calendar_location_default,
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
from bookings.validators import HORIZON_FIRST_YEAR, HORIZON_LAST_YEAR

from .calendar_forms import (
    AppointmentCreateForm,
    AppointmentMoveForm,
    add_service_errors,
    move_form_initial,
)
from .mixins import SalonViewMixin

DEFAULT_OPENS = dt.time(8)
DEFAULT_CLOSES = dt.time(20)
DAY_MINUTES = 24 * 60
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


# --- Layout -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    """An appointment or time off in one day column: minutes from the top of the grid."""

    item: Any
    top: int
    height: int
    starts: dt.datetime  # local
    ends: dt.datetime  # local


@dataclass
class Column:
    day: dt.date
    staff: StaffMember
    appointments: list[Placed] = field(default_factory=list)
    time_off: list[Placed] = field(default_factory=list)


@dataclass
class Day:
    date: dt.date
    closed: bool
    is_today: bool
    columns: list[Column]


@dataclass
class Grid:
    start_minute: int
    end_minute: int
    days: list[Day]

    @property
    def minutes(self) -> int:
        return self.end_minute - self.start_minute

    @property
    def hours(self) -> list[str]:
        return [f"{hour:02d}:00" for hour in range(self.start_minute // 60, self.end_minute // 60)]


def _minute_of(moment: dt.datetime) -> int:
    return moment.hour * 60 + moment.minute


def _day_segments(
    starts_at: dt.datetime, ends_at: dt.datetime, days: list[dt.date], location: Location
) -> Iterator[tuple[dt.date, int, int, dt.datetime, dt.datetime]]:
    """The part of [starts_at, ends_at) on each shown day, in minutes of the local clock."""
    tz = location.tzinfo
    local_start, local_end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    for day in days:
        day_start = dt.datetime.combine(day, dt.time(), tzinfo=tz)
        day_end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        if local_start >= day_end or local_end <= day_start:
            continue
        top = 0 if local_start < day_start else _minute_of(local_start)
        bottom = DAY_MINUTES if local_end >= day_end else _minute_of(local_end)
        yield day, top, max(bottom, top + 1), local_start, local_end


def calendar_grid(data: CalendarData, *, today: dt.date) -> Grid:
    location = data.location
    opens = data.opens or DEFAULT_OPENS
    closes = data.closes or DEFAULT_CLOSES
    first, last = _minute_of(opens), _minute_of(closes) or DAY_MINUTES
    if closes == END_OF_DAY:  # "24:00" (bookings/models/catalogue.py)
        last = DAY_MINUTES
    if last <= first:
        first, last = _minute_of(DEFAULT_OPENS), _minute_of(DEFAULT_CLOSES)

    appointment_parts = []
    for appointment in data.appointments:
        for day, top, bottom, local_start, local_end in _day_segments(
            appointment.starts_at, appointment.ends_at, data.days, location
        ):
            appointment_parts.append((appointment, day, top, bottom, local_start, local_end))
            first, last = min(first, top), max(last, bottom)
    start_minute = first // 60 * 60
    end_minute = min(DAY_MINUTES, -(-last // 60) * 60)

    def placed(item: Any, top: int, bottom: int, starts: dt.datetime, ends: dt.datetime) -> Placed:
        top, bottom = max(top, start_minute), min(bottom, end_minute)
        return Placed(item, top - start_minute, bottom - top, starts, ends)

    columns: dict[tuple[dt.date, int], Column] = {}
    days = []
    for day in data.days:
        day_columns = [Column(day=day, staff=member) for member in data.staff]
        columns.update({(day, column.staff.pk): column for column in day_columns})
        days.append(
            Day(
                date=day,
                closed=day in data.closed_days,
                is_today=day == today,
                columns=day_columns,
            )
        )
    for appointment, day, top, bottom, local_start, local_end in appointment_parts:
        column = columns.get((day, appointment.staff_id))
        if column is not None:
            column.appointments.append(placed(appointment, top, bottom, local_start, local_end))
    for time_off in data.time_off:
        for day, top, bottom, local_start, local_end in _day_segments(
            time_off.starts_at, time_off.ends_at, data.days, location
        ):
            column = columns.get((day, time_off.staff_id))
            if column is not None and bottom > start_minute and top < end_minute:
                column.time_off.append(placed(time_off, top, bottom, local_start, local_end))
    return Grid(start_minute=start_minute, end_minute=end_minute, days=days)


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
            start, days, step = day - dt.timedelta(days=day.weekday()), 7, 7
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
        slug = self.salon.slug

        def url(target: dt.date, target_view: str = view, cancelled: bool = show_cancelled) -> str:
            extra = {"cancelled": "1"} if cancelled else {}
            target = min(max(target, MIN_DATE), MAX_DATE)
            return calendar_url(slug, location=location, day=target, view=target_view, **extra)

        context.update(
            {
                "grid": calendar_grid(data, today=today),
                "calendar": data,
                "view": view,
                "day": day,
                "today": today,
                "show_cancelled": show_cancelled,
                "prev_url": url(day - dt.timedelta(days=step)),
                "next_url": url(day + dt.timedelta(days=step)),
                "today_url": url(today),
                "day_view_url": url(day, "day"),
                "week_view_url": url(day, "week"),
                "cancelled_toggle_url": url(day, cancelled=not show_cancelled),
                "create_url": reverse("dashboard:appointment_create", kwargs={"salon_slug": slug}),
                "current_url": self.request.get_full_path(),
                "slot_step": self.salon.slot_step_minutes,
            }
        )
        return context


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
        "status_actions": appointment_status_choices(appointment) if can_manage else [],
    }
    if editable and "move_form" not in extra:
        context["move_form"] = AppointmentMoveForm(
            appointment=appointment, initial=move_form_initial(appointment)
        )
    context.update(extra)
    return context


class AppointmentCreateView(SalonViewMixin, TemplateView):
    template_name = "dashboard/calendar/create.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        initial: dict[str, Any] = {}
        params = request.GET
        for name in ("location", "staff", "service", "client"):
            if params.get(name, "").isdigit():
                initial[name] = int(params[name])
        if "location" not in initial:
            default = calendar_location_default(salon=self.salon)
            if default is not None:
                initial["location"] = default.pk
        if params.get("date"):
            day = _parse_date(params["date"])
            if day is None:
                messages.warning(request, _("Ignored an invalid date (use YYYY-MM-DD)."))
            else:
                initial["date"] = day
        if params.get("time"):
            time = _parse_time(params["time"])
            if time is None:
                messages.warning(request, _("Ignored an invalid time (use HH:MM)."))
            else:
                initial["time"] = time.replace(second=0, microsecond=0)
        form = AppointmentCreateForm(salon=self.salon, initial=initial)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = AppointmentCreateForm(request.POST, salon=self.salon)
        status = 200
        if form.is_valid() and form.cleaned_data["starts_at"] is not None:
            try:
                appointment = self._book(form)
            except SlotTaken as exc:
                form.add_error(None, slot_taken_message(exc, form.cleaned_data["location"]))
                status = 409
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Appointment booked."))
                location = appointment.location
                day = appointment.starts_at.astimezone(location.tzinfo).date()
                return HttpResponseRedirect(
                    calendar_url(self.salon.slug, location=location, day=day)
                )
        return self.render_to_response(self.get_context_data(form=form), status=status)

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
        return context


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
