"""The client report (`dashboard:report_clients`): every client with visits, last visit,
total spent, points balance, packages held and who referred them; searchable, sortable,
paginated, and exported to CSV (two dialects, `?dialect=comma|semicolon`) and Excel
(`dashboard:report_clients_export_csv` / `_xlsx`; a background job beyond
REPORTS_XLSX_MAX_ROWS clients) with the same search and order. A page is a fixed number of
queries whatever its size (clients, referrers, packages held). A points balance opens the
client's points history in a dialog (`dashboard:report_client_points`, an htmx partial; a
page of its own without JavaScript).

Every member of the salon may read and export (as the points report); nothing here writes.
A client id of another salon is a 404 (`tenant_get`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from bookings.dashboard.mixins import SalonViewMixin
from bookings.models import Client
from bookings.selectors import tenant_get
from loyalty.selectors import points_balance, points_history, points_history_rows
from reports.clients.exports import client_export_response
from reports.clients.forms import ClientReportForm
from reports.clients.selectors import DEFAULT_SORT, client_report_list, client_report_rows
from reports.exports import (
    XLSX_MAX_ROWS,
    ExportNeedsJob,
    ExportTooLarge,
    csv_dialect_choice,
    csv_dialect_error,
    csv_dialect_options,
)
from reports.jobs.models import ExportJob
from reports.jobs.services import export_job_create

CLIENT_REPORT_PAGE_SIZE = 50
POINTS_HISTORY_ROWS = 200

# (column, heading, the direction of the first click). None: not sortable.
REPORT_COLUMNS: list[tuple[str | None, Any, str]] = [
    ("name", _("Client"), ""),
    ("visits", _("Visits"), "-"),
    ("last_visit", _("Last visit"), "-"),
    ("total_spent", _("Total spent"), "-"),
    ("points_balance", _("Points"), "-"),
    ("packages_held", _("Packages held"), "-"),
    (None, _("Referred by"), ""),
]


def _is_htmx_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


class ClientReportMixin(SalonViewMixin):
    manage_required = False
    report_tab = "clients"

    def report_query(self) -> tuple[ClientReportForm, str, str]:
        form = ClientReportForm(self.request.GET)
        search, sort = form.query()
        return form, search, sort

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["report_tab"] = self.report_tab
        return context


class ClientReportView(ClientReportMixin, TemplateView):
    """The report page; an htmx request (live search, sorting, pages) gets the results only."""

    template_name = "reports/clients/report.html"
    results_template_name = "reports/clients/_results.html"

    def get_template_names(self) -> list[str]:
        partial = _is_htmx_partial(self.request)
        return [self.results_template_name if partial else self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form, search, sort = self.report_query()
        qs = client_report_list(salon=self.salon, search=search, sort=sort)
        page = Paginator(qs, CLIENT_REPORT_PAGE_SIZE).get_page(self.request.GET.get("page"))
        rows = client_report_rows(list(page.object_list), salon=self.salon)
        query = {key: value for key, value in (("q", search), ("sort", sort)) if value}
        if query.get("sort") == DEFAULT_SORT:
            del query["sort"]
        context.update(
            {
                "form": form,
                "query": search,
                "sort": sort,
                "page_obj": page,
                "rows": rows,
                "columns": self._columns(search, sort),
                "query_string": urlencode(query),
                "csv_dialects": csv_dialect_options(self.salon.default_language),
            }
        )
        return context

    @staticmethod
    def _columns(search: str, sort: str) -> list[dict[str, Any]]:
        columns = []
        for column, label, first in REPORT_COLUMNS:
            if column is None:
                columns.append({"label": label, "sortable": False})
                continue
            if sort == column:
                direction, next_sort = "ascending", f"-{column}"
            elif sort == f"-{column}":
                direction, next_sort = "descending", column
            else:
                direction, next_sort = "", f"{first}{column}"
            params = {"q": search, "sort": next_sort} if search else {"sort": next_sort}
            columns.append(
                {
                    "key": column,
                    "label": label,
                    "sortable": True,
                    "direction": direction,
                    "url": f"?{urlencode(params)}",
                }
            )
        return columns

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        patch_vary_headers(response, ["HX-Request"])
        return response


class ClientPointsHistoryView(ClientReportMixin, TemplateView):
    """A client's points history: the dialog's content for htmx, a page otherwise."""

    template_name = "reports/clients/points_history.html"
    partial_template_name = "reports/clients/_points_history.html"

    def get_template_names(self) -> list[str]:
        partial = _is_htmx_partial(self.request)
        return [self.partial_template_name if partial else self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        client = tenant_get(Client, salon=self.salon, pk=self.kwargs["client_id"])
        entries = list(points_history(salon=self.salon, client=client)[: POINTS_HISTORY_ROWS + 1])
        context.update(
            {
                "client": client,
                "points_balance": points_balance(salon=self.salon, client=client),
                "points_history": points_history_rows(entries[:POINTS_HISTORY_ROWS]),
                "history_truncated": len(entries) > POINTS_HISTORY_ROWS,
                "history_limit": POINTS_HISTORY_ROWS,
            }
        )
        return context

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        patch_vary_headers(response, ["HX-Request"])
        return response


class ClientReportExportView(ClientReportMixin, View):
    """The report's clients as a file (all pages, the same search and order); `file_format`
    comes from the URL (csv / xlsx). A bad sort goes back to the report, which says so."""

    file_format = "csv"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        form, search, sort = self.report_query()
        report_url = reverse("dashboard:report_clients", kwargs={"salon_slug": self.salon.slug})
        if not form.is_valid():
            query = request.GET.urlencode()
            return HttpResponseRedirect(f"{report_url}?{query}" if query else report_url)
        dialect = csv_dialect_choice(
            request.GET.get("dialect"), language=self.salon.default_language
        )
        if dialect is None:
            messages.error(request, csv_dialect_error())
            return HttpResponseRedirect(f"{report_url}?{request.GET.urlencode()}")
        try:
            return client_export_response(
                salon=self.salon,
                search=search,
                sort=sort,
                file_format=self.file_format,
                dialect=dialect,
            )
        except ExportNeedsJob as needs_job:
            job = export_job_create(
                salon=self.salon,
                report=ExportJob.Report.CLIENTS,
                query={"q": search, "sort": sort},
                filename=needs_job.filename,
                user=request.user,
            )
            return HttpResponseRedirect(
                reverse(
                    "dashboard:report_export_job",
                    kwargs={"salon_slug": self.salon.slug, "token": job.token},
                )
            )
        except ExportTooLarge:
            messages.error(
                request,
                _(
                    "These are more clients than one Excel sheet holds (%(max)d). Search for "
                    "fewer or export CSV."
                )
                % {"max": XLSX_MAX_ROWS - 1},
            )
            return HttpResponseRedirect(f"{report_url}?{request.GET.urlencode()}")
