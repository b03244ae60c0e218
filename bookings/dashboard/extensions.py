"""Hooks of the owner dashboard for feature apps: panels on a client's page.

A feature app (loyalty, packages, referrals, …) shows what it knows about a client — a points
balance, the packages they hold — as a panel on the client's page in the dashboard, without
`bookings` importing it. It registers the panel in its `AppConfig.ready()`:

    from bookings.dashboard.extensions import ClientPanel, register_client_panel

    def points_panel(request, salon, membership, client) -> dict[str, Any]:
        # Reads only, through the feature's selectors; always within `salon`.
        return {
            "balance": loyalty_selectors.points_balance(salon=salon, client=client),
            "can_adjust": membership.can_manage,
        }

    register_client_panel(
        ClientPanel(
            key="loyalty_points",                    # unique, stable
            template_name="loyalty/dashboard/_client_points.html",
            context=points_panel,
            position=10,                             # lower comes first on the page
        )
    )

The panel template is rendered with the request (so `request`, `user`, `csrf_token` and
`csp_nonce` are there, and it may hold forms that POST to the feature's own pages) and sees
`salon`, `membership` and `client` plus what `context` returned (the four above win over a
key of the same name). It renders its own box, e.g.

    {% load i18n %}
    <section class="card">
      <h2>{% translate "Loyalty points" %}</h2>
      <p>{{ balance }}</p>
    </section>

Every member of the salon sees the client page (staff too): check `membership.can_manage`
before offering changes. No inline scripts or styles (the Content Security Policy refuses
them); a panel's context function runs on every view of the page, so keep it to a few
queries. Tests can `unregister_client_panel(key)` what they registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from bookings.models import Client, Membership, Salon

ClientPanelContext = Callable[[HttpRequest, Salon, Membership, Client], dict[str, Any]]


@dataclass(frozen=True)
class ClientPanel:
    key: str
    template_name: str
    context: ClientPanelContext
    position: int = 100


_client_panels: dict[str, ClientPanel] = {}


def register_client_panel(panel: ClientPanel) -> ClientPanel:
    """Add a panel to the client page. Registering the same panel again changes nothing;
    another panel under a taken key is an error."""
    if not panel.key:
        raise ValueError("A client panel needs a key.")
    existing = _client_panels.get(panel.key)
    if existing is not None and existing != panel:
        raise ValueError(f"Client panel {panel.key!r} is already registered.")
    _client_panels[panel.key] = panel
    return panel


def unregister_client_panel(key: str) -> None:
    _client_panels.pop(key, None)


def client_panels() -> list[ClientPanel]:
    """The registered panels in page order (position, then key)."""
    return sorted(_client_panels.values(), key=lambda panel: (panel.position, panel.key))


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    html: SafeString


def client_panels_render(
    *, request: HttpRequest, salon: Salon, membership: Membership, client: Client
) -> list[RenderedPanel]:
    """Each registered panel rendered for this client's page."""
    rendered = []
    for panel in client_panels():
        own = panel.context(request, salon, membership, client)
        context = {**own, "salon": salon, "membership": membership, "client": client}
        html = render_to_string(panel.template_name, context, request=request)
        rendered.append(RenderedPanel(key=panel.key, html=SafeString(html)))
    return rendered
