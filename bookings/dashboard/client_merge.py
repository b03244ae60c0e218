"""Merging duplicate clients from the client page: "Merge into this client" (the record the
page shows is kept; the other one is folded into it and deleted). The rules are the service's
(`bookings.services.clients.clients_merge`); the owner API has the same action
(`POST /api/v1/salons/<slug>/clients/<id>/merge/`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from bookings.models import Client
from bookings.selectors import tenant_get
from bookings.selectors_calendar import calendar_client_search
from bookings.services.clients import clients_merge
from bookings.validators import parse_id

from .mixins import SalonViewMixin


class ClientMergeView(SalonViewMixin, View):
    """POST `merged` = the id of the duplicate to fold into the client of the URL."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        kept = tenant_get(Client, salon=self.salon, pk=kwargs["pk"])
        raw = request.POST.get("merged", "").strip()
        if parse_id(raw) is None:
            return HttpResponseBadRequest(_("Choose the client to merge into this one."))
        merged = tenant_get(Client, salon=self.salon, pk=raw)
        name = merged.full_name
        try:
            kept = clients_merge(salon=self.salon, kept=kept, merged=merged, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(merged)s was merged into %(kept)s: their appointments and history are here.")
                % {"merged": name, "kept": kept.full_name},
            )
        return HttpResponseRedirect(
            reverse(
                "dashboard:client_detail", kwargs={"salon_slug": self.salon.slug, "pk": kept.pk}
            )
        )


class ClientMergeCandidatesView(SalonViewMixin, TemplateView):
    """The client page's search for another record to merge (htmx partial, radio buttons
    named `merged`); one query for the matches."""

    template_name = "dashboard/clients/_merge_candidates.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        client = tenant_get(Client, salon=self.salon, pk=self.kwargs["pk"])
        query = self.request.GET.get("q", "")
        context["client"] = client
        context["query"] = query.strip()
        context["candidates"] = [
            c
            for c in calendar_client_search(salon=self.salon, query=query, limit=9)
            if c.pk != client.pk
        ][:8]
        return context
