"""The packages panel on the dashboard's client page (hook: bookings/dashboard/extensions.py):
each package the client holds with its state, what is left, its expiry and its latest
movements; for owners and managers the "Add package" form (posted to
`dashboard:packages_assign`) and "Mark paid" on a purchase waiting for payment at the salon
("Being paid online" instead while its online order is open). And the
marker next to a package holder's name in the client list.

`register_panels()` is called once from `PackagesConfig.ready()`; calling it again changes
nothing. The panel costs a fixed handful of queries, however many packages and uses."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings.dashboard.extensions import (
    ClientBadge,
    ClientPanel,
    register_client_badges,
    register_client_panel,
)
from bookings.models import Client, Membership, Salon
from packages import selectors
from packages.models import ClientPackage
from packages.rows import client_package_row
from packages.services.online import packages_paying_online

from .forms import ClientPackageAssignForm, MarkPaidForm
from .views import ASSIGN_FORM_ATTR, assignable_types

PANEL_KEY = "packages"
PACKAGES_SHOWN = 20
ENTRIES_SHOWN = 10


def client_packages_panel(
    request: HttpRequest, salon: Salon, membership: Membership, client: Client
) -> dict[str, Any]:
    held = list(selectors.client_package_list(salon=salon, client=client)[:PACKAGES_SHOWN])
    entries = selectors.entries_for_packages(salon=salon, packages=held, limit=ENTRIES_SHOWN)
    today = timezone.localdate(timezone.now(), zoneinfo.ZoneInfo(salon.time_zone))
    context: dict[str, Any] = {
        "package_rows": [client_package_row(p, entries=entries[p.pk], today=today) for p in held],
        "entries_shown": ENTRIES_SHOWN,
    }
    if membership.can_manage:
        context["packages_assign_form"] = getattr(request, ASSIGN_FORM_ATTR, None) or (
            ClientPackageAssignForm(package_types=assignable_types(salon))
        )
        context["mark_paid_form"] = MarkPaidForm(auto_id="packages-paid-%s")
        pending_ids = [p.pk for p in held if p.status == ClientPackage.Status.PENDING]
        context["paying_online_ids"] = packages_paying_online(salon=salon, package_ids=pending_ids)
    return context


CLIENT_PACKAGES_PANEL = ClientPanel(
    key=PANEL_KEY,
    template_name="packages/dashboard/_client_packages.html",
    context=client_packages_panel,
    position=20,
)


def package_badges(salon: Salon, client_ids: list[int]) -> dict[int, ClientBadge]:
    """One query for the page: the clients holding a package get the marker."""
    holders = selectors.client_ids_holding_packages(salon=salon, client_ids=client_ids)
    badge = ClientBadge(label="◆", title=_("Holds a package"), css_class="package-holder")
    return dict.fromkeys(holders, badge)


def register_panels() -> None:
    register_client_panel(CLIENT_PACKAGES_PANEL)
    register_client_badges(PANEL_KEY, package_badges)
