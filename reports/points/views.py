"""The loyalty points report of the dashboard (`dashboard:reports`), its CSV / Excel exports and
its "Add points" dialog.

Every member of the salon may read and export; adding or taking points needs an owner or a
manager (staff: 403). Filters come from the query string through `PointsReportFilterForm`:
a bad value is a form error on the page (an export with one goes back to the page, which shows
it), never a 500, and parameters the form does not know are ignored.

A page is a constant number of queries whatever its size: the totals (which also give the row
count to the paginator), the page's ids with their running balances, what those rows show
(`PointsReportRows`), the member's recent background exports, and the filter form's choices.

CSV comes in two dialects (`?dialect=comma|semicolon`, default by the salon's language;
reports/exports.py); an unknown one is an error message on the page, nothing exported. An
Excel export of more rows than REPORTS_XLSX_MAX_ROWS is written by a background job
(reports/jobs/): the export answers with the job's page, which offers the download when ready."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from django_htmx.http import HttpResponseClientRedirect

from bookings.dashboard.mixins import SalonViewMixin
from bookings.dashboard.views import SalonFormView
from bookings.models import Client
from bookings.selectors import client_list
from bookings.validators import parse_id
from loyalty.selectors import points_balance
from loyalty.services.points import points_adjust
from reports.exports import (
    ExportNeedsJob,
    ExportTooLarge,
    csv_dialect_choice,
    csv_dialect_error,
    csv_dialect_options,
)
from reports.jobs.models import ExportJob
from reports.jobs.selectors import recent_export_jobs
from reports.jobs.services import export_job_create
from reports.points.exports import (
    points_export_response,
    points_filters_query,
    points_xlsx_fits,
    points_xlsx_possible,
    xlsx_background_message,
    xlsx_too_large_message,
)
from reports.points.filters import clean_search
from reports.points.forms import CLIENTS_SHOWN, PointsAddForm, PointsReportFilterForm
from reports.points.selectors import PointsReportRows, points_report_totals


def _is_htmx_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


class PointsReportView(SalonViewMixin, TemplateView):
    manage_required = False
    template_name = "reports/points/report.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = PointsReportFilterForm(self.request.GET, salon=self.salon)
        context["form"] = form
        context["report_url"] = self.request.path
        if not form.is_valid():
            context["rows"] = []
            return context
        filters = form.filters()
        totals = points_report_totals(salon=self.salon, filters=filters)
        rows = PointsReportRows(salon=self.salon, filters=filters, count=totals.count)
        page = Paginator(rows, form.page_size).get_page(self.request.GET.get("page"))
        context.update(
            {
                "filters": filters,
                "totals": totals,
                "page_obj": page,
                "rows": page.object_list,
                "without_client_query": form.query(client=None, page=None),
                "page_query": form.query(page=None),
                "export_query": form.query(per_page=None),
                "sort_links": self._sort_links(form, filters.sort),
                "return_to": self.request.get_full_path(),
                "xlsx_too_large": (
                    xlsx_too_large_message() if not points_xlsx_possible(totals.count) else ""
                ),
                "xlsx_background": (
                    xlsx_background_message(totals.count)
                    if not points_xlsx_fits(totals.count)
                    else ""
                ),
                "csv_dialects": csv_dialect_options(self.salon.default_language),
                "recent_jobs": recent_export_jobs(salon=self.salon, user=self.request.user),
            }
        )
        return context

    @staticmethod
    def _sort_links(form: PointsReportFilterForm, current: str) -> dict[str, dict[str, Any]]:
        """Per sortable column: the query that sorts by it (descending first for dates and
        points, then the other way on a second click) and how it is sorted now."""
        links = {}
        for key, first in (("date", "-date"), ("client", "client"), ("points", "-points")):
            if current.lstrip("-") == key:
                direction = "descending" if current.startswith("-") else "ascending"
                target = key if current.startswith("-") else f"-{key}"
            else:
                direction, target = "", first
            links[key] = {"query": form.query(sort=target, page=None), "direction": direction}
        return links


class PointsExportView(SalonViewMixin, View):
    """The report's rows as a file; `file_format` comes from the URL (csv / xlsx), the CSV's
    dialect from `?dialect=comma|semicolon` (default: the salon's language). An Excel file too
    large for the request becomes a background job: the answer is its page."""

    manage_required = False
    file_format = "csv"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        form = PointsReportFilterForm(request.GET, salon=self.salon)
        report_url = reverse("dashboard:reports", kwargs={"salon_slug": self.salon.slug})
        if not form.is_valid():
            query = request.GET.urlencode()
            return HttpResponseRedirect(f"{report_url}?{query}" if query else report_url)
        dialect = csv_dialect_choice(
            request.GET.get("dialect"), language=self.salon.default_language
        )
        if dialect is None:
            messages.error(request, csv_dialect_error())
            return HttpResponseRedirect(f"{report_url}?{form.query()}")
        try:
            return points_export_response(
                salon=self.salon,
                filters=form.filters(),
                file_format=self.file_format,
                dialect=dialect,
            )
        except ExportTooLarge:
            messages.error(request, xlsx_too_large_message())
            return HttpResponseRedirect(f"{report_url}?{form.query()}")
        except ExportNeedsJob as needs_job:
            job = export_job_create(
                salon=self.salon,
                report=ExportJob.Report.POINTS,
                query=points_filters_query(form.filters()),
                filename=needs_job.filename,
                user=request.user,
            )
            return HttpResponseRedirect(
                reverse(
                    "dashboard:report_export_job",
                    kwargs={"salon_slug": self.salon.slug, "token": job.token},
                )
            )


class PointsAddView(SalonFormView):
    """The "Add points" dialog. A GET from the report (htmx) gets the form alone, for the
    dialog; a GET with `q` from the dialog's search gets the client select alone; without htmx
    it is a page of its own. A valid POST calls `points_adjust` (the client is notified) and
    goes back to the report (`next`, a path of this salon's reports); an invalid one, or one the
    service refuses (taking more than the balance), shows the form again, nothing written."""

    form_class = PointsAddForm
    template_name = "reports/points/add.html"
    form_template_name = "reports/points/_add_form.html"
    client_field_template_name = "reports/points/_add_client_field.html"
    client_field_id = "points-add-client-field"
    page_title = gettext_lazy("Add points")
    submit_label = gettext_lazy("Add")
    cancel_url_name = "dashboard:reports"

    def get_template_names(self) -> list[str]:
        if not _is_htmx_partial(self.request):
            return [self.template_name]
        if self.request.method == "GET" and self.request.htmx.target == self.client_field_id:  # type: ignore[attr-defined]
            return [self.client_field_template_name]
        return [self.form_template_name]

    def search(self) -> str:
        return clean_search(self.request.GET.get("q", ""))[:100]

    def _preselected_client(self) -> Client | None:
        raw = self.request.POST.get("client") or self.request.GET.get("client") or ""
        if parse_id(raw) is None:
            return None
        return Client.objects.for_salon(self.salon).filter(pk=raw).first()

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        initial["client"] = self.preselected
        return initial

    @cached_property
    def preselected(self) -> Client | None:
        return self._preselected_client()

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        search = self.search()
        shown = list(client_list(salon=self.salon, search=search)[:CLIENTS_SHOWN]) if search else []
        if self.preselected is not None and self.preselected not in shown:
            shown.insert(0, self.preselected)
        kwargs["shown_clients"] = shown
        self.clients_found = len(shown)
        return kwargs

    def next_url(self) -> str:
        """Where to go back: a path of this salon's reports, else the report."""
        report_url = reverse("dashboard:reports", kwargs={"salon_slug": self.salon.slug})
        target = self.request.POST.get("next") or self.request.GET.get("next") or ""
        safe = url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        )
        if safe and target.startswith(report_url) and "\\" not in target:
            return target
        return report_url

    def get_cancel_url(self) -> str:
        return self.next_url()

    def perform_write(self, form: forms.Form) -> Any:
        client = form.cleaned_data["client"]
        entry = points_adjust(
            salon=self.salon,
            client=client,
            points=form.cleaned_data["points"],
            description=form.cleaned_data["description"],
            actor=self.request.user,
        )
        self.success_message = _(
            "%(points)+d points for %(client)s: the balance is now %(balance)d."
        ) % {
            "points": entry.points,
            "client": client.full_name,
            "balance": points_balance(salon=self.salon, client=client),
        }
        return entry

    def form_valid(self, form: forms.Form) -> HttpResponse:
        response = super().form_valid(form)
        if isinstance(response, HttpResponseRedirect) and _is_htmx_partial(self.request):
            return HttpResponseClientRedirect(response.url)
        return response

    def get_success_url_for(self, obj: Any) -> str:
        return self.next_url()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["query"] = self.search()
        context["next_url"] = self.next_url()
        context["client_field_id"] = self.client_field_id
        context["clients_found"] = getattr(self, "clients_found", 0)
        return context

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        patch_vary_headers(response, ["HX-Request", "HX-Target"])
        return response
