"""The owner's package pages, `/dashboard/<salon_slug>/packages/…`.

- `packages/` — the salon's packages by kind (time passes yellow, credit packages purple,
  visit packages green, as in the reference), "+ New …" per kind, and the purchases waiting
  for payment at the salon.
- `packages/new/<kind>/`, `packages/<id>/edit/` — a package type's form.
- `packages/<id>/deactivate/`, `…/activate/`, `…/delete/` — POST; deleting a type a client
  holds is refused with a message that points to deactivation.
- `packages/clients/<client_id>/assign/` — POST of the client page's "Add package" form.
- `packages/held/<id>/` — one held package with its whole ledger; `…/paid/` — POST: mark a
  purchase paid.

Every member may read; writes need an owner or manager (staff: 403). Ids go through
`tenant_get` (another salon's: 404). Writes go through `packages/services/`; a refusal is
shown on the form or as a message, and nothing is written.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from bookings.dashboard.mixins import SalonViewMixin
from bookings.dashboard.views import ClientDetailView, DetailAddView, SalonFormView
from bookings.models import Client
from bookings.selectors import tenant_get
from packages import selectors
from packages.models import ClientPackage, PackageKind, PackageType
from packages.rows import client_package_row, entry_rows, validity_text
from packages.services.holdings import (
    DEFAULT_EXPIRY,
    client_package_assign,
    client_package_mark_paid,
)
from packages.services.online import packages_paying_online
from packages.services.types import (
    package_type_create,
    package_type_delete,
    package_type_set_active,
    package_type_update,
)

from .forms import EXISTING, ClientPackageAssignForm, MarkPaidForm, PackageTypeForm

# The bound "Add package" form travels to the client page's panel on the request.
ASSIGN_FORM_ATTR = "packages_assign_form"

NEW_LABELS = {
    PackageKind.TIME: gettext_lazy("+ New time pass"),
    PackageKind.CREDIT: gettext_lazy("+ New credit package"),
    PackageKind.VISITS: gettext_lazy("+ New visit package"),
}
CREATE_TITLES = {
    PackageKind.TIME: gettext_lazy("New time pass"),
    PackageKind.CREDIT: gettext_lazy("New credit package"),
    PackageKind.VISITS: gettext_lazy("New visit package"),
}


class PackageTypeListView(SalonViewMixin, TemplateView):
    manage_required = False
    template_name = "packages/dashboard/list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        types = list(selectors.package_type_list(salon=self.salon))
        for package_type in types:
            package_type.validity_label = validity_text(  # type: ignore[attr-defined]
                package_type.validity_count, package_type.validity_unit
            )
        context["groups"] = [
            {"kind": kind, "label": label, "types": rows, "new_label": NEW_LABELS[kind]}
            for kind, label, rows in selectors.package_types_by_kind(types)
        ]
        context["pending"] = list(selectors.pending_package_list(salon=self.salon))
        context["mark_paid_form"] = MarkPaidForm()
        return context


class PackageTypeFormMixin(SalonFormView):
    form_class = PackageTypeForm
    template_name = "packages/dashboard/type_form.html"
    cancel_url_name = "dashboard:packages"
    kind: str = ""

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["kind"] = self.kind
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["kind"] = self.kind
        return context


class PackageTypeCreateView(PackageTypeFormMixin):
    success_message = gettext_lazy("Package saved.")

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        if kwargs.get("kind") not in PackageKind.values:
            raise Http404("No such kind of package.")
        self.kind = kwargs["kind"]
        self.page_title = CREATE_TITLES[PackageKind(self.kind)]

    def perform_write(self, form: forms.Form) -> Model:
        assert isinstance(form, PackageTypeForm)
        return package_type_create(salon=self.salon, kind=self.kind, **form.service_data())


class PackageTypeEditView(PackageTypeFormMixin):
    page_title = gettext_lazy("Edit package")
    success_message = gettext_lazy("Package saved.")

    @cached_property
    def object(self) -> PackageType:
        return tenant_get(PackageType, salon=self.salon, pk=self.kwargs["pk"])

    def get_form_kwargs(self) -> dict[str, Any]:
        self.kind = self.object.kind
        self.object_label = self.object.name
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        return kwargs

    def perform_write(self, form: forms.Form) -> Model:
        assert isinstance(form, PackageTypeForm)
        return package_type_update(package_type=self.object, **form.service_data())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = f"{self.page_title}: {self.object_label}"
        context["package_type"] = self.object
        return context


class PackageTypeActionView(SalonViewMixin, View):
    """POST-only action on one of the salon's package types, back to the list."""

    http_method_names = ["post"]

    def act(self, package_type: PackageType) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        package_type = tenant_get(PackageType, salon=self.salon, pk=kwargs["pk"])
        try:
            self.act(package_type)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("dashboard:packages", salon_slug=self.salon.slug)


class PackageTypeDeactivateView(PackageTypeActionView):
    def act(self, package_type: PackageType) -> None:
        package_type_set_active(package_type=package_type, active=False)
        messages.success(
            self.request,
            _(
                "“%(name)s” is deactivated: it is no longer sold or assigned; the packages "
                "clients hold stay valid."
            )
            % {"name": package_type.name},
        )


class PackageTypeActivateView(PackageTypeActionView):
    def act(self, package_type: PackageType) -> None:
        package_type_set_active(package_type=package_type, active=True)
        messages.success(
            self.request, _("“%(name)s” is active again.") % {"name": package_type.name}
        )


class PackageTypeDeleteView(PackageTypeActionView):
    def act(self, package_type: PackageType) -> None:
        name = package_type.name
        package_type_delete(package_type=package_type)
        messages.success(self.request, _("“%(name)s” is deleted.") % {"name": name})


# --- A client's packages ----------------------------------------------------------------


def assignable_types(salon: Any) -> Any:
    return PackageType.objects.for_salon(salon).filter(is_active=True).order_by("kind", "name")


class ClientPackageAssignView(DetailAddView, ClientDetailView):
    """POST target of the client page's "Add package" form. Valid: the package is assigned and
    we go back to the client page. Invalid (a deactivated or unknown package, an expiry in the
    past, …): the client page again, the panel's form showing the errors, nothing written."""

    form_context_name = "packages_assign_form"

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

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.client  # noqa: B018 - another salon's client: 404 before reading the input
        return super().post(request, *args, **kwargs)

    def build_form(self, **kwargs: Any) -> forms.Form:
        form = ClientPackageAssignForm(package_types=assignable_types(self.salon), **kwargs)
        setattr(self.request, ASSIGN_FORM_ATTR, form)
        return form

    def perform_write(self, form: forms.Form) -> Any:
        data = form.cleaned_data
        held = client_package_assign(
            salon=self.salon,
            client=self.client,
            package_type=data["package_type"],
            actor=self.request.user,
            expires_on=data["expires_on"] or DEFAULT_EXPIRY,
            apply_to_existing=data["apply_to"] == EXISTING,
        )
        used = held.entries.filter(kind="used").count()
        self.success_message = _("“%(name)s” is added to %(client)s's packages.") % {
            "name": held.name,
            "client": self.client.full_name,
        }
        if used:
            self.success_message += " " + _("It pays %(count)d of their booked appointments.") % {
                "count": used
            }
        return held


class ClientPackageDetailView(SalonViewMixin, TemplateView):
    manage_required = False
    template_name = "packages/dashboard/held_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        queryset = ClientPackage.objects.select_related("client", "package_type", "salon")
        held = tenant_get(ClientPackage, salon=self.salon, pk=self.kwargs["pk"], queryset=queryset)
        entries = list(selectors.client_package_entries(salon=self.salon, client_package=held))
        context["row"] = client_package_row(held, entries=[])
        context["held"] = held
        context["entries"] = entry_rows(entries)
        context["mark_paid_form"] = MarkPaidForm()
        context["paying_online"] = held.status == ClientPackage.Status.PENDING and bool(
            packages_paying_online(salon=self.salon, package_ids=[held.pk])
        )
        return context


class ClientPackageMarkPaidView(SalonViewMixin, View):
    """POST: the owner took the payment of a purchase. Back to the page it came from (the
    client page, the package's page or the packages list)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        held = tenant_get(ClientPackage, salon=self.salon, pk=kwargs["pk"])
        form = MarkPaidForm(request.POST)
        apply_to_existing = form.is_valid() and form.cleaned_data["apply_to_existing"]
        try:
            client_package_mark_paid(
                salon=self.salon,
                client_package=held,
                actor=request.user,
                apply_to_existing=apply_to_existing,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("“%(name)s” is marked paid.") % {"name": held.name})
        return redirect(self._back(held))

    def _back(self, held: ClientPackage) -> str:
        targets = {
            "client": reverse(
                "dashboard:client_detail",
                kwargs={"salon_slug": self.salon.slug, "pk": held.client_id},
            ),
            "held": reverse(
                "dashboard:packages_held_detail",
                kwargs={"salon_slug": self.salon.slug, "pk": held.pk},
            ),
        }
        return targets.get(
            self.request.POST.get("back", ""),
            reverse("dashboard:packages", kwargs={"salon_slug": self.salon.slug}),
        )
