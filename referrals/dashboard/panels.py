"""The referrals panel on the dashboard's client page (hook: bookings/dashboard/extensions.py):
who referred the client (with, for owners and managers, a search to set it, the question about
the points, removing it, and crediting a pending referral), the client's own referral code and
link (made on first view), and the clients they brought.

`register_panels()` is called once from `ReferralsConfig.ready()`; calling it again changes
nothing. The context costs a fixed handful of queries, however many clients they brought."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from bookings.dashboard.extensions import ClientPanel, register_client_panel
from bookings.models import Client, Membership, Salon
from loyalty.selectors import loyalty_is_enabled
from referrals import selectors
from referrals.models import Referral
from referrals.services.codes import referral_code_get_or_create

from .views import REFERRED_BY_FORM_ATTR

PANEL_KEY = "referrals"
REFERRALS_SHOWN = 10


def client_referral_panel(
    request: HttpRequest, salon: Salon, membership: Membership, client: Client
) -> dict[str, Any]:
    code = referral_code_get_or_create(salon=salon, client=client)
    made = selectors.referrals_made_by(salon=salon, referrer=client)
    current = selectors.referral_active_for(salon=salon, referred=client)
    return {
        "referred_by": current,
        "referred_by_pending": current is not None and current.status == Referral.Status.PENDING,
        "referral_code": code.code,
        "referral_link": selectors.referral_link(salon=salon, code=code.code),
        "referrals_made": list(made[:REFERRALS_SHOWN]),
        "referrals_made_count": made.count(),
        "referral_points": selectors.referral_settings_get(salon=salon).points,
        "referral_loyalty_enabled": loyalty_is_enabled(salon=salon),
        "referred_by_form": getattr(request, REFERRED_BY_FORM_ATTR, None)
        if membership.can_manage
        else None,
    }


CLIENT_REFERRAL_PANEL = ClientPanel(
    key=PANEL_KEY,
    template_name="referrals/dashboard/_client_panel.html",
    context=client_referral_panel,
    position=20,
)


def register_panels() -> None:
    register_client_panel(CLIENT_REFERRAL_PANEL)
