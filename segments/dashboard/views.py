"""The owner's segments pages, `/dashboard/<salon_slug>/segments/…`.

- `segments/` — the segments with their services, staff, link state and bookings; the snippet
  that embeds the whole salon's booking in another website; the embed settings.
- `segments/new/`, `segments/<id>/edit/` — a segment's form (name, services, staff, active,
  websites that may embed it).
- `segments/<id>/` — the segment's link (copy), its embed snippet, its bookings per month
  (count and value); regenerate the link, switch the segment off or on (POST).
- `segments/embed/` — the salon's websites that may embed its booking.

Owners and managers only (staff: 403). Ids go through `tenant_get` (another salon's: 404).
Writes go through segments/services/segments.py; a refusal is shown on the form, nothing is
written.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from bookings.dashboard.mixins import SalonViewMixin
from bookings.dashboard.views import SalonFormView
from segments import selectors
from segments.embed_snippet import embed_snippet, embed_url, link_url
from segments.models import Segment
from segments.services.segments import (
    embed_settings_update,
    segment_create,
    segment_link_regenerate,
    segment_set_active,
    segment_update,
)

from .forms import EmbedSettingsForm, SegmentForm


class SegmentListView(SalonViewMixin, TemplateView):
    template_name = "segments/dashboard/list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        segments = list(selectors.segment_list(salon=self.salon))
        for segment in segments:
            segment.service_rows = selectors.segment_services_of(segment)  # type: ignore[attr-defined]
            segment.staff_rows = selectors.segment_staff_of(segment)  # type: ignore[attr-defined]
        context["segments"] = segments
        context["salon_snippet"] = embed_snippet(self.request, self.salon)
        context["salon_embed_url"] = embed_url(self.request, self.salon)
        context["embed_settings"] = selectors.embed_settings_get(salon=self.salon)
        context["embed_origins"] = selectors.embed_origins(context["embed_settings"].embed_domains)
        return context


class SegmentFormView(SalonFormView):
    form_class = SegmentForm
    template_name = "segments/dashboard/form.html"
    cancel_url_name = "dashboard:segments"

    def get_success_url_for(self, obj: Model) -> str:
        return self.url("dashboard:segments_detail", pk=obj.pk)


class SegmentCreateView(SegmentFormView):
    page_title = gettext_lazy("New segment")
    success_message = gettext_lazy("Segment saved. Its link is ready to share.")

    def perform_write(self, form: forms.Form) -> Model:
        data = form.cleaned_data
        return segment_create(
            salon=self.salon,
            name=data["name"],
            description=data["description"],
            services=data["services"],
            staff=data["staff"],
            is_active=data["is_active"],
            embed_domains=data["embed_domains"],
        )


class SegmentEditView(SegmentFormView):
    page_title = gettext_lazy("Edit segment")
    success_message = gettext_lazy("Segment saved.")

    @cached_property
    def segment(self) -> Segment:
        return selectors.segment_get(salon=self.salon, pk=self.kwargs["pk"])

    def get_initial(self) -> dict[str, Any]:
        segment = self.segment
        return {
            "name": segment.name,
            "description": segment.description,
            "services": [s.pk for s in selectors.segment_services_of(segment)],
            "staff": [s.pk for s in selectors.segment_staff_of(segment)],
            "is_active": segment.is_active,
            "embed_domains": segment.embed_domains,
        }

    def get_cancel_url(self) -> str:
        return self.url("dashboard:segments_detail", pk=self.segment.pk)

    def perform_write(self, form: forms.Form) -> Model:
        data = form.cleaned_data
        return segment_update(
            segment=self.segment,
            name=data["name"],
            description=data["description"],
            services=data["services"],
            staff=data["staff"],
            is_active=data["is_active"],
            embed_domains=data["embed_domains"],
        )


class SegmentDetailView(SalonViewMixin, TemplateView):
    template_name = "segments/dashboard/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        segment = selectors.segment_get(salon=self.salon, pk=self.kwargs["pk"])
        figures = selectors.segment_month_figures(salon=self.salon, segment=segment)
        context.update(
            segment=segment,
            services=selectors.segment_services_of(segment),
            staff=selectors.segment_staff_of(segment),
            link=link_url(self.request, segment),
            snippet=embed_snippet(self.request, self.salon, segment),
            figures=figures,
            total_count=sum(f.count for f in figures),
            total_value=sum((f.value for f in figures), start=0),
            embed_origins=selectors.embed_origins(segment.embed_domains),
        )
        return context


class SegmentActionView(SalonViewMixin, View):
    """A POST on one segment; back to its page with a message."""

    def post(self, request: HttpRequest, salon_slug: str, pk: int) -> HttpResponse:
        segment = selectors.segment_get(salon=self.salon, pk=pk)
        message = self.act(segment)
        messages.success(request, message)
        return redirect(
            reverse("dashboard:segments_detail", kwargs={"salon_slug": salon_slug, "pk": pk})
        )

    def act(self, segment: Segment) -> str:
        raise NotImplementedError


class SegmentRegenerateView(SegmentActionView):
    def act(self, segment: Segment) -> str:
        segment_link_regenerate(segment=segment)
        return _("The segment has a new link. The old link no longer works.")


class SegmentDeactivateView(SegmentActionView):
    def act(self, segment: Segment) -> str:
        segment_set_active(segment=segment, is_active=False)
        return _("The segment is switched off: its link no longer works.")


class SegmentActivateView(SegmentActionView):
    def act(self, segment: Segment) -> str:
        segment_set_active(segment=segment, is_active=True)
        return _("The segment is active again: its link works.")


class EmbedSettingsView(SalonFormView):
    form_class = EmbedSettingsForm
    page_title = gettext_lazy("Websites that may embed your booking")
    cancel_url_name = "dashboard:segments"
    success_message = gettext_lazy("Embed settings saved.")

    def get_initial(self) -> dict[str, Any]:
        return {"embed_domains": selectors.embed_settings_get(salon=self.salon).embed_domains}

    def perform_write(self, form: forms.Form) -> Model:
        return embed_settings_update(
            salon=self.salon, embed_domains=form.cleaned_data["embed_domains"]
        )
