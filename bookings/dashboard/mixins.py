"""Every dashboard view is a `SalonViewMixin`: login, then membership of the salon in the URL
(404 for non-members, whether the salon exists or not). `self.salon` is the only tenant.

The side navigation shows staff (no manage rights) only the pages their role opens: an entry
whose view has `manage_required` is left out for them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from bookings.models import Membership, Salon
from bookings.selectors import membership_get_for_user


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: Any


# One entry per domain; entries whose URL does not exist yet render as "coming soon".
DASHBOARD_NAV = [
    NavItem("dashboard:home", _("Overview")),
    NavItem("dashboard:my_day", _("My day")),
    NavItem("dashboard:calendar", _("Calendar")),
    NavItem("dashboard:client_list", _("Clients")),
    NavItem("dashboard:service_list", _("Services")),
    NavItem("dashboard:staff_list", _("Staff")),
    NavItem("dashboard:location_list", _("Locations and hours")),
    NavItem("dashboard:online_booking", _("Online booking")),
    NavItem("dashboard:loyalty", _("Loyalty")),
    NavItem("dashboard:packages", _("Packages")),
    NavItem("dashboard:segments", _("Segments")),
    NavItem("dashboard:referrals", _("Referrals")),
    NavItem("dashboard:notices", _("Notices")),
    NavItem("dashboard:reports", _("Reports")),
    NavItem("dashboard:payments", _("Payments")),
]


def dashboard_language(user: Any, salon: Salon, chosen: str = "") -> str:
    """The dashboard's language: the person's own (account page, or the language switcher on a
    dashboard page, which stores it), else `chosen` (the language cookie of this browser),
    else the salon's default language."""
    supported = dict(settings.LANGUAGES)
    for candidate in (getattr(user, "language", ""), chosen, salon.default_language):
        if candidate in supported:
            return candidate
    return settings.LANGUAGE_CODE


class SalonViewMixin(LoginRequiredMixin):
    """Resolve the salon from the URL for a member; `manage_required` also needs owner/manager."""

    manage_required = True
    salon: Salon
    membership: Membership

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.membership = membership_get_for_user(
            user=request.user, salon_slug=kwargs["salon_slug"]
        )
        self.salon = self.membership.salon
        request.salon = self.salon  # type: ignore[attr-defined]
        language = dashboard_language(
            request.user, self.salon, request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        )
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        if self.manage_required and not self.membership.can_manage:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["salon"] = self.salon
        context["membership"] = self.membership
        context["dashboard_nav"] = self._nav()
        return context

    def _nav(self) -> list[dict[str, Any]]:
        items = []
        current = self.request.path
        home = reverse("dashboard:home", kwargs={"salon_slug": self.salon.slug})
        for item in DASHBOARD_NAV:
            try:
                url = reverse(item.url_name, kwargs={"salon_slug": self.salon.slug})
                disabled = False
            except NoReverseMatch:
                url, disabled = "#", True
            if not disabled and not self.membership.can_manage and _needs_manager(url):
                continue  # staff see only the pages their role opens
            # A section is active on its own pages too (/staff/5/ highlights Staff).
            active = url == current or (not disabled and url != home and current.startswith(url))
            items.append({"url": url, "label": item.label, "disabled": disabled, "active": active})
        return items


def _needs_manager(url: str) -> bool:
    """Whether the dashboard page at `url` is for owners and managers only."""
    try:
        view_class = getattr(resolve(url).func, "view_class", None)
    except Resolver404:
        return False
    return bool(getattr(view_class, "manage_required", False))
