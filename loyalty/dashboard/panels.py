"""The loyalty panel on the dashboard's client page (hook: bookings/dashboard/extensions.py):
the client's points balance, their latest ledger rows, their gift cards and, for owners and
managers, the manual adjustment form (posted to `dashboard:loyalty_points_adjust`).

`register_panels()` is called once from `LoyaltyConfig.ready()`; calling it again changes
nothing. The context costs a fixed handful of queries, however long the history."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from bookings.dashboard.extensions import ClientPanel, register_client_panel
from bookings.models import Client, Membership, Salon
from loyalty import selectors

from .forms import PointsAdjustForm
from .views import ADJUST_FORM_ATTR, gift_card_row

PANEL_KEY = "loyalty_points"
HISTORY_ROWS = 20
GIFT_CARDS_SHOWN = 20


def client_points_panel(
    request: HttpRequest, salon: Salon, membership: Membership, client: Client
) -> dict[str, Any]:
    entries = list(selectors.points_history(salon=salon, client=client)[:HISTORY_ROWS])
    cards = list(selectors.gift_card_list(salon=salon, client=client)[:GIFT_CARDS_SHOWN])
    now = timezone.now()
    context: dict[str, Any] = {
        "points_balance": selectors.points_balance(salon=salon, client=client),
        "points_history": selectors.points_history_rows(entries),
        "gift_card_rows": [
            gift_card_row(card, show_code=membership.can_manage, now=now) for card in cards
        ],
        "loyalty_enabled": selectors.loyalty_is_enabled(salon=salon),
    }
    if membership.can_manage:
        context["points_adjust_form"] = getattr(request, ADJUST_FORM_ATTR, None) or (
            PointsAdjustForm()
        )
    return context


CLIENT_POINTS_PANEL = ClientPanel(
    key=PANEL_KEY,
    template_name="loyalty/dashboard/_client_points.html",
    context=client_points_panel,
    position=10,
)


def register_panels() -> None:
    register_client_panel(CLIENT_POINTS_PANEL)
