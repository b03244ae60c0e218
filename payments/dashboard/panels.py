"""The payments panel on the dashboard's client page (hook: bookings/dashboard/extensions.py):
the client's latest orders (date, what was bought, amount, status, a link to the order's page)
and the totals of all their orders (paid, refunded). Owners and managers only, like the
payments pages: for staff the context is empty and the template renders nothing (and no
query is made).

`register_panels()` is called once from `PaymentsConfig.ready()`; calling it again changes
nothing. The panel costs three queries (orders, their items, the totals), however many
orders the client has."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from bookings.dashboard.extensions import ClientPanel, register_client_panel
from bookings.models import Client, Membership, Salon
from payments import selectors

from .views import provider_label

PANEL_KEY = "payments"
ORDERS_SHOWN = 10


def client_payments_panel(
    request: HttpRequest, salon: Salon, membership: Membership, client: Client
) -> dict[str, Any]:
    if not membership.can_manage:
        return {"payments_visible": False}
    orders = list(selectors.client_order_list(salon=salon, client=client)[:ORDERS_SHOWN])
    for order in orders:
        order.provider_label = provider_label(order.provider)
    return {
        "payments_visible": True,
        "payment_orders": orders,
        "payment_totals": selectors.client_order_totals(salon=salon, client=client),
        "payment_orders_shown": ORDERS_SHOWN,
    }


CLIENT_PAYMENTS_PANEL = ClientPanel(
    key=PANEL_KEY,
    template_name="payments/dashboard/_client_payments.html",
    context=client_payments_panel,
    position=40,
)


def register_panels() -> None:
    register_client_panel(CLIENT_PAYMENTS_PANEL)
