from __future__ import annotations

from django.views.generic import TemplateView

from .mixins import SalonViewMixin


class DashboardHomeView(SalonViewMixin, TemplateView):
    manage_required = False
    template_name = "dashboard/home.html"
