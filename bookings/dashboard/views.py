"""Pages of the owner dashboard. Each view reads through `bookings.selectors` (ids always via
`tenant_get`, so another salon's id is a 404) and writes through `bookings.services`; a
service's ValidationError is shown on the form and nothing is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView

from bookings import selectors
from bookings.models import (
    Appointment,
    Client,
    Location,
    LocationClosure,
    LocationHours,
    Service,
    ServiceCategory,
    StaffMember,
    TenantModel,
    TimeOff,
    WorkingHours,
)
from bookings.selectors import tenant_get
from bookings.services import catalogue, clients
from bookings.validators import parse_id

from .extensions import client_badges_attach, client_panels_render, home_panels_render
from .forms import (
    TIME_OFF_ERROR_FIELDS,
    ClientForm,
    LocationClosureForm,
    LocationForm,
    LocationHoursForm,
    ServiceCategoryForm,
    ServiceForm,
    StaffMemberForm,
    TimeOffForm,
    WorkingHoursForm,
    add_service_errors,
)
from .mixins import SalonViewMixin

CLIENTS_PER_PAGE = 25


class DashboardHomeView(SalonViewMixin, TemplateView):
    """Who is signed in, then the feature apps' home panels (today's appointments, figures…;
    hook: extensions.py)."""

    manage_required = False
    template_name = "dashboard/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["home_panels"] = home_panels_render(
            request=self.request, salon=self.salon, membership=self.membership
        )
        return context


# --- Building blocks --------------------------------------------------------------------


class SalonFormView(SalonViewMixin, FormView):
    """Create or edit one row: the form checks the input, `perform_write` calls the service."""

    template_name = "dashboard/form_page.html"
    page_title: Any = ""
    submit_label: Any = _("Save")
    success_message: Any = _("Saved.")
    cancel_url_name = "dashboard:home"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["salon"] = self.salon
        return kwargs

    def perform_write(self, form: forms.Form) -> Model:
        raise NotImplementedError

    def get_success_url_for(self, obj: Model) -> str:
        return self.url(self.cancel_url_name)

    def url(self, name: str, **kwargs: Any) -> str:
        return reverse(name, kwargs={"salon_slug": self.salon.slug, **kwargs})

    def form_valid(self, form: forms.Form) -> HttpResponse:
        try:
            obj = self.perform_write(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url_for(obj))

    def get_cancel_url(self) -> str:
        return self.url(self.cancel_url_name)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = self.page_title
        context["submit_label"] = self.submit_label
        context["cancel_url"] = self.get_cancel_url()
        return context


class SalonObjectFormView(SalonFormView):
    """Edit one of the salon's rows, found by the `pk` in the URL (404 if not this salon's)."""

    model: type[TenantModel]

    @cached_property
    def object(self) -> Any:
        return tenant_get(self.model, salon=self.salon, pk=self.kwargs["pk"])

    def get_form_kwargs(self) -> dict[str, Any]:
        self.object_label = str(self.object)  # before the form changes the instance
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = f"{self.page_title}: {self.object_label}"
        return context


class DetailAddView:
    """POST target of a form shown on a detail page (a child row of the page's object).

    Valid: the service writes it and we go back to the detail page. Invalid: the detail page
    is rendered again with this form bound, showing its errors. GET just goes to the page."""

    manage_required = True
    http_method_names = ["get", "post"]
    form_context_name: str
    success_message: Any
    error_field_map: dict[str, str] | None = None
    detail_url: Callable[[], str]
    build_form: Callable[..., forms.Form]
    perform_write: Callable[[forms.Form], Any]
    render_to_response: Callable[..., HttpResponse]
    get_context_data: Callable[..., dict[str, Any]]
    request: HttpRequest

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return redirect(self.detail_url())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.build_form(data=request.POST)
        if form.is_valid():
            try:
                self.perform_write(form)
            except ValidationError as exc:
                add_service_errors(form, exc, self.error_field_map)
            else:
                messages.success(request, self.success_message)
                return redirect(self.detail_url())
        return self.render_to_response(self.get_context_data(**{self.form_context_name: form}))


class ChildDeleteView(SalonViewMixin, View):
    """POST-only delete of a child row (hours, a closed day, time off) of a parent row; both
    ids must be this salon's and the child must belong to the parent, or 404."""

    http_method_names = ["post"]
    parent_model: type[TenantModel]
    child_model: type[TenantModel]
    parent_field: str
    child_kwarg: str
    redirect_url_name: str
    success_message: Any

    def perform_delete(self, child: Any) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        parent = tenant_get(self.parent_model, salon=self.salon, pk=kwargs["pk"])
        children = self.child_model.objects.filter(**{self.parent_field: parent})
        child = tenant_get(
            self.child_model, salon=self.salon, pk=kwargs[self.child_kwarg], queryset=children
        )
        self.perform_delete(child)
        messages.success(request, self.success_message)
        return redirect(self.redirect_url_name, salon_slug=self.salon.slug, pk=parent.pk)


# --- Locations --------------------------------------------------------------------------


class LocationListView(SalonViewMixin, TemplateView):
    manage_required = False
    template_name = "dashboard/locations/list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["locations"] = selectors.location_list(salon=self.salon)
        return context


class LocationCreateView(SalonFormView):
    form_class = LocationForm
    page_title = _("New location")
    success_message = _("Location saved.")
    cancel_url_name = "dashboard:location_list"

    def perform_write(self, form: forms.Form) -> Model:
        return catalogue.location_create(salon=self.salon, **form.cleaned_data)

    def get_success_url_for(self, obj: Model) -> str:
        return self.url("dashboard:location_detail", pk=obj.pk)


class LocationEditView(SalonObjectFormView):
    model = Location
    form_class = LocationForm
    page_title = _("Edit location")
    success_message = _("Location saved.")

    def perform_write(self, form: forms.Form) -> Model:
        return catalogue.location_update(location=self.object, **form.cleaned_data)

    def get_cancel_url(self) -> str:
        return self.url("dashboard:location_detail", pk=self.object.pk)

    def get_success_url_for(self, obj: Model) -> str:
        return self.get_cancel_url()


class LocationDetailView(SalonViewMixin, TemplateView):
    manage_required = False
    template_name = "dashboard/locations/detail.html"

    @cached_property
    def location(self) -> Location:
        return tenant_get(Location, salon=self.salon, pk=self.kwargs["pk"])

    def detail_url(self) -> str:
        return reverse(
            "dashboard:location_detail",
            kwargs={"salon_slug": self.salon.slug, "pk": self.location.pk},
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        location = self.location
        context["location"] = location
        context["opening_hours"] = LocationHours.objects.for_salon(self.salon).filter(
            location=location
        )
        context["closures"] = LocationClosure.objects.for_salon(self.salon).filter(
            location=location
        )
        if self.membership.can_manage:
            context.setdefault("hours_form", LocationHoursForm())
            context.setdefault("closure_form", LocationClosureForm(location=location))
        return context


class LocationHoursCreateView(DetailAddView, LocationDetailView):
    form_context_name = "hours_form"
    success_message = _("Opening hours added.")

    def build_form(self, **kwargs: Any) -> forms.Form:
        return LocationHoursForm(**kwargs)

    def perform_write(self, form: forms.Form) -> Any:
        return catalogue.location_hours_create(
            location=self.location, overnight=True, **form.cleaned_data
        )


class LocationClosureCreateView(DetailAddView, LocationDetailView):
    form_context_name = "closure_form"
    success_message = _("Closed day added.")

    def build_form(self, **kwargs: Any) -> forms.Form:
        return LocationClosureForm(location=self.location, **kwargs)

    def perform_write(self, form: forms.Form) -> Any:
        return catalogue.location_closure_create(location=self.location, **form.cleaned_data)


class LocationHoursDeleteView(ChildDeleteView):
    parent_model = Location
    child_model = LocationHours
    parent_field = "location"
    child_kwarg = "hours_pk"
    redirect_url_name = "dashboard:location_detail"
    success_message = _("Opening hours removed.")

    def perform_delete(self, child: Any) -> None:
        catalogue.location_hours_delete(hours=child)


class LocationClosureDeleteView(ChildDeleteView):
    parent_model = Location
    child_model = LocationClosure
    parent_field = "location"
    child_kwarg = "closure_pk"
    redirect_url_name = "dashboard:location_detail"
    success_message = _("Closed day removed.")

    def perform_delete(self, child: Any) -> None:
        catalogue.location_closure_delete(closure=child)


# --- Categories and services ------------------------------------------------------------


class ServiceListView(SalonViewMixin, TemplateView):
    manage_required = False
    template_name = "dashboard/services/list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        categories = list(selectors.service_category_list(salon=self.salon))
        by_category: dict[int | None, list[Service]] = {c.pk: [] for c in categories}
        by_category[None] = []
        for service in selectors.service_list(salon=self.salon):
            by_category[service.category_id].append(service)
        groups: list[dict[str, Any]] = [
            {"category": c, "services": by_category[c.pk]} for c in categories
        ]
        if by_category[None]:
            groups.append({"category": None, "services": by_category[None]})
        context["groups"] = groups
        return context


class ServiceCategoryCreateView(SalonFormView):
    form_class = ServiceCategoryForm
    page_title = _("New category")
    success_message = _("Category saved.")
    cancel_url_name = "dashboard:service_list"

    def perform_write(self, form: forms.Form) -> Model:
        return catalogue.service_category_create(salon=self.salon, **form.cleaned_data)


class ServiceCategoryEditView(SalonObjectFormView):
    model = ServiceCategory
    form_class = ServiceCategoryForm
    page_title = _("Edit category")
    success_message = _("Category saved.")
    cancel_url_name = "dashboard:service_list"

    def perform_write(self, form: forms.Form) -> Model:
        return catalogue.service_category_update(category=self.object, **form.cleaned_data)


class ServiceCreateView(SalonFormView):
    form_class = ServiceForm
    page_title = _("New service")
    success_message = _("Service saved.")
    cancel_url_name = "dashboard:service_list"

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        category_id = self.request.GET.get("category", "")
        if parse_id(category_id) is not None:
            categories = selectors.service_category_list(salon=self.salon)
            initial["category"] = categories.filter(pk=category_id).first()
        return initial

    def perform_write(self, form: forms.Form) -> Model:
        return catalogue.service_create(salon=self.salon, **form.cleaned_data)


class ServiceEditView(SalonObjectFormView):
    model = Service
    form_class = ServiceForm
    page_title = _("Edit service")
    success_message = _("Service saved.")
    cancel_url_name = "dashboard:service_list"

    def perform_write(self, form: forms.Form) -> Model:
        return catalogue.service_update(service=self.object, **form.cleaned_data)


# --- Staff ------------------------------------------------------------------------------


class StaffListView(SalonViewMixin, TemplateView):
    manage_required = False
    template_name = "dashboard/staff/list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["staff_members"] = selectors.staff_list(salon=self.salon)
        return context


def _staff_write_kwargs(form: forms.Form) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    return {"locations": data.pop("locations"), "services": data.pop("services"), **data}


class StaffCreateView(SalonFormView):
    form_class = StaffMemberForm
    page_title = _("New staff member")
    success_message = _("Staff member saved.")
    cancel_url_name = "dashboard:staff_list"

    def perform_write(self, form: forms.Form) -> Model:
        return catalogue.staff_create(salon=self.salon, **_staff_write_kwargs(form))

    def get_success_url_for(self, obj: Model) -> str:
        return self.url("dashboard:staff_detail", pk=obj.pk)


class StaffEditView(SalonObjectFormView):
    model = StaffMember
    form_class = StaffMemberForm
    page_title = _("Edit staff member")
    success_message = _("Staff member saved.")

    def perform_write(self, form: forms.Form) -> Model:
        return catalogue.staff_update(staff=self.object, **_staff_write_kwargs(form))

    def get_cancel_url(self) -> str:
        return self.url("dashboard:staff_detail", pk=self.object.pk)

    def get_success_url_for(self, obj: Model) -> str:
        return self.get_cancel_url()


def _time_off_rows(rows: list[TimeOff], tz: Any) -> list[dict[str, Any]]:
    """Time off as the salon sees it: local dates (whole days, last day inclusive) or local
    date and times."""
    result = []
    for row in rows:
        starts, ends = row.starts_at.astimezone(tz), row.ends_at.astimezone(tz)
        if row.all_day:
            last_day = ends.date() - dt.timedelta(days=1)
            result.append({"row": row, "starts": starts.date(), "ends": last_day})
        else:
            result.append({"row": row, "starts": starts, "ends": ends})
    return result


class StaffDetailView(SalonViewMixin, TemplateView):
    manage_required = False
    template_name = "dashboard/staff/detail.html"

    @cached_property
    def staff(self) -> StaffMember:
        queryset = StaffMember.objects.prefetch_related("locations", "services")
        return tenant_get(StaffMember, salon=self.salon, pk=self.kwargs["pk"], queryset=queryset)

    def detail_url(self) -> str:
        return reverse(
            "dashboard:staff_detail", kwargs={"salon_slug": self.salon.slug, "pk": self.staff.pk}
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        staff = self.staff
        context["staff"] = staff
        context["working_hours"] = (
            WorkingHours.objects.for_salon(self.salon)
            .filter(staff=staff)
            .select_related("location")
            .order_by("weekday", "starts")
        )
        time_off = list(TimeOff.objects.for_salon(self.salon).filter(staff=staff))
        context["time_off"] = _time_off_rows(time_off, self.salon.tzinfo)
        if self.membership.can_manage:
            context.setdefault("hours_form", WorkingHoursForm(staff=staff))
            context.setdefault("time_off_form", TimeOffForm(tz=self.salon.tzinfo))
        return context


class WorkingHoursCreateView(DetailAddView, StaffDetailView):
    form_context_name = "hours_form"
    success_message = _("Working hours added.")

    def build_form(self, **kwargs: Any) -> forms.Form:
        return WorkingHoursForm(staff=self.staff, **kwargs)

    def perform_write(self, form: forms.Form) -> Any:
        return catalogue.working_hours_create(staff=self.staff, overnight=True, **form.cleaned_data)


class TimeOffCreateView(DetailAddView, StaffDetailView):
    form_context_name = "time_off_form"
    success_message = _("Time off added.")
    error_field_map = TIME_OFF_ERROR_FIELDS

    def build_form(self, **kwargs: Any) -> forms.Form:
        return TimeOffForm(tz=self.salon.tzinfo, **kwargs)

    def perform_write(self, form: forms.Form) -> Any:
        data = form.cleaned_data
        return catalogue.time_off_create(
            staff=self.staff,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            all_day=data["all_day"],
            reason=data["reason"],
        )


class WorkingHoursDeleteView(ChildDeleteView):
    parent_model = StaffMember
    child_model = WorkingHours
    parent_field = "staff"
    child_kwarg = "hours_pk"
    redirect_url_name = "dashboard:staff_detail"
    success_message = _("Working hours removed.")

    def perform_delete(self, child: Any) -> None:
        catalogue.working_hours_delete(hours=child)


class TimeOffDeleteView(ChildDeleteView):
    parent_model = StaffMember
    child_model = TimeOff
    parent_field = "staff"
    child_kwarg = "time_off_pk"
    redirect_url_name = "dashboard:staff_detail"
    success_message = _("Time off removed.")

    def perform_delete(self, child: Any) -> None:
        catalogue.time_off_delete(time_off=child)


# --- Clients ----------------------------------------------------------------------------


class ClientListView(SalonViewMixin, TemplateView):
    """Search and pages. An htmx request (live search, page links) gets only the results."""

    manage_required = False
    template_name = "dashboard/clients/list.html"
    results_template_name = "dashboard/clients/_results.html"

    def is_partial(self) -> bool:
        htmx = getattr(self.request, "htmx", None)
        return bool(htmx) and not htmx.history_restore_request

    def get_template_names(self) -> list[str]:
        return [self.results_template_name if self.is_partial() else self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # PostgreSQL refuses NUL characters in a query parameter (a 500); nobody types them.
        query = (
            self.request.GET.get("q", "").replace("\x00", "").strip()[: selectors.MAX_SEARCH_LENGTH]
        )
        sort = self.request.GET.get("sort", "")
        if sort not in selectors.CLIENT_SORTS:
            sort = selectors.DEFAULT_CLIENT_SORT
        paginator = Paginator(
            selectors.client_list(salon=self.salon, search=query, sort=sort), CLIENTS_PER_PAGE
        )
        context["query"] = query
        context["sort"] = sort
        context["sort_links"] = _client_sort_links(query=query, sort=sort)
        # What page links keep (the search and the sort), ending so that `page=` follows.
        kept = {"q": query} if query else {}
        if sort != selectors.DEFAULT_CLIENT_SORT:
            kept["sort"] = sort
        context["page_query"] = urlencode(kept) + "&" if kept else ""
        context["page_obj"] = paginator.get_page(self.request.GET.get("page"))
        # Feature apps' markers next to names (extensions.py): one query per source.
        client_badges_attach(salon=self.salon, clients=context["page_obj"].object_list)
        return context

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        patch_vary_headers(response, ["HX-Request"])
        return response


class ClientDetailView(SalonViewMixin, TemplateView):
    """The page a receptionist uses at the desk: the client's details, upcoming and past
    appointments, counts, notes, feature panels, and links to book for them."""

    manage_required = False
    template_name = "dashboard/clients/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        client = tenant_get(Client, salon=self.salon, pk=self.kwargs["pk"])
        context["client"] = client
        context["history"] = history = selectors.client_history(salon=self.salon, client=client)
        # "New appointment" opens the calendar with the booking panel for this client;
        # "Book again" finds the next free time of the same service and staff first
        # (bookings/dashboard/calendar.py BookAgainView).
        calendar_url = reverse("dashboard:calendar", kwargs={"salon_slug": self.salon.slug})
        context["new_appointment_url"] = (
            f"{calendar_url}?{urlencode({'new': urlencode({'client': client.pk})})}"
        )
        context["book_again_url"] = (
            self.book_again_url(history.last_booked) if history.last_booked else ""
        )
        for appointment in history.past:
            appointment.book_again_url = self.book_again_url(appointment)
        if self.membership.can_manage:
            context["duplicates"] = clients.client_duplicates_of(salon=self.salon, client=client)
        # Feature apps' panels (bookings/dashboard/extensions.py).
        context["client_panels"] = client_panels_render(
            request=self.request, salon=self.salon, membership=self.membership, client=client
        )
        return context

    def book_again_url(self, appointment: Appointment) -> str:
        """The same client, location, service and staff at the next free time: the calendar
        of that day with the booking panel open."""
        return reverse(
            "dashboard:appointment_book_again",
            kwargs={"salon_slug": self.salon.slug, "pk": appointment.pk},
        )


def _client_sort_links(*, query: str, sort: str) -> dict[str, dict[str, str]]:
    """Per sortable column: the `?…` link that sorts by it (toggling the direction when it is
    the current sort) and the `aria-sort` value of its header."""
    links = {}
    for column in ("name", "last_visit", "next_visit"):
        if sort == column:
            target, aria = f"-{column}", "ascending"
        elif sort == f"-{column}":
            target, aria = column, "descending"
        else:
            target, aria = column, "none"
        params = {"q": query, "sort": target} if query else {"sort": target}
        links[column] = {"href": f"?{urlencode(params)}", "aria_sort": aria}
    return links


class ClientCreateView(SalonFormView):
    form_class = ClientForm
    page_title = _("New client")
    success_message = _("Client saved.")
    cancel_url_name = "dashboard:client_list"

    def perform_write(self, form: forms.Form) -> Model:
        return clients.client_create(salon=self.salon, **form.cleaned_data)

    def get_success_url_for(self, obj: Model) -> str:
        return self.url("dashboard:client_detail", pk=obj.pk)


class ClientEditView(SalonObjectFormView):
    model = Client
    form_class = ClientForm
    page_title = _("Edit client")
    success_message = _("Client saved.")

    def perform_write(self, form: forms.Form) -> Model:
        return clients.client_update(client=self.object, **form.cleaned_data)

    def get_cancel_url(self) -> str:
        return self.url("dashboard:client_detail", pk=self.object.pk)

    def get_success_url_for(self, obj: Model) -> str:
        return self.get_cancel_url()


class SalonSwitcherView(SalonViewMixin, TemplateView):
    """The salons of the signed-in person, for the header's switcher. Loaded when the menu is
    first opened (htmx), so dashboard pages spend no query on it; one query here, however
    many salons."""

    manage_required = False
    template_name = "dashboard/_salon_switcher.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["user_salons"] = selectors.salon_list_for_user(user=self.request.user)
        return context
