"""Hooks of the owner dashboard for feature apps: panels on a client's page and on the home
page (the Overview).

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

Home page panels work the same way, without a client: the Overview (`dashboard:home`,
the page an owner opens every morning) shows who is signed in and then each registered
`HomePanel` in order. The reports app registers today's appointments and the figures of a
period this way:

    from bookings.dashboard.extensions import HomePanel, register_home_panel

    def schedule_panel(request, salon, membership) -> dict[str, Any]:
        return {"days": reports_selectors.home_schedule(salon=salon, now=timezone.now())}

    register_home_panel(
        HomePanel(
            key="reports_schedule",
            template_name="reports/home/_schedule.html",
            context=schedule_panel,
            position=10,
        )
    )

The template sees `salon` and `membership` plus what `context` returned (the two win), and
the request (so it may read `request.GET`, e.g. a period chosen on the page). Every member
opens the home page, staff too: show them only what their role may see.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from bookings.models import Client, Membership, Salon

ClientPanelContext = Callable[[HttpRequest, Salon, Membership, Client], dict[str, Any]]
HomePanelContext = Callable[[HttpRequest, Salon, Membership], dict[str, Any]]


@dataclass(frozen=True)
class ClientPanel:
    key: str
    template_name: str
    context: ClientPanelContext
    position: int = 100


@dataclass(frozen=True)
class HomePanel:
    key: str
    template_name: str
    context: HomePanelContext
    position: int = 100


class _PanelRegistry[P: (ClientPanel, HomePanel)]:
    """Panels of one page by key; `label` names them in errors ("Client panel")."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._panels: dict[str, P] = {}

    def register(self, panel: P) -> P:
        if not panel.key:
            raise ValueError(f"A {self.label.lower()} needs a key.")
        existing = self._panels.get(panel.key)
        if existing is not None and existing != panel:
            raise ValueError(f"{self.label} {panel.key!r} is already registered.")
        self._panels[panel.key] = panel
        return panel

    def unregister(self, key: str) -> None:
        self._panels.pop(key, None)

    def ordered(self) -> list[P]:
        """The registered panels in page order (position, then key)."""
        return sorted(self._panels.values(), key=lambda panel: (panel.position, panel.key))


_client_panels: _PanelRegistry[ClientPanel] = _PanelRegistry("Client panel")
_home_panels: _PanelRegistry[HomePanel] = _PanelRegistry("Home panel")


def register_client_panel(panel: ClientPanel) -> ClientPanel:
    """Add a panel to the client page. Registering the same panel again changes nothing;
    another panel under a taken key is an error."""
    return _client_panels.register(panel)


def unregister_client_panel(key: str) -> None:
    _client_panels.unregister(key)


def client_panels() -> list[ClientPanel]:
    """The registered panels in page order (position, then key)."""
    return _client_panels.ordered()


def register_home_panel(panel: HomePanel) -> HomePanel:
    """Add a panel to the dashboard's home page (same rules as `register_client_panel`)."""
    return _home_panels.register(panel)


def unregister_home_panel(key: str) -> None:
    _home_panels.unregister(key)


def home_panels() -> list[HomePanel]:
    """The registered home page panels in page order (position, then key)."""
    return _home_panels.ordered()


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    html: SafeString


def _panels_render(
    panels: Sequence[ClientPanel | HomePanel],
    *,
    request: HttpRequest,
    args: tuple[Any, ...],
    fixed: dict[str, Any],
) -> list[RenderedPanel]:
    """Each panel's template with what its `context(request, *args)` returned, overridden by
    `fixed` (the page's own objects, which a panel cannot replace)."""
    rendered = []
    for panel in panels:
        own = panel.context(request, *args)
        html = render_to_string(panel.template_name, {**own, **fixed}, request=request)
        rendered.append(RenderedPanel(key=panel.key, html=SafeString(html)))
    return rendered


def client_panels_render(
    *, request: HttpRequest, salon: Salon, membership: Membership, client: Client
) -> list[RenderedPanel]:
    """Each registered panel rendered for this client's page."""
    return _panels_render(
        client_panels(),
        request=request,
        args=(salon, membership, client),
        fixed={"salon": salon, "membership": membership, "client": client},
    )


def home_panels_render(
    *, request: HttpRequest, salon: Salon, membership: Membership
) -> list[RenderedPanel]:
    """Each registered panel rendered for the home page of this member."""
    return _panels_render(
        home_panels(),
        request=request,
        args=(salon, membership),
        fixed={"salon": salon, "membership": membership},
    )


# --- Client badges ----------------------------------------------------------------------
#
# A small marker next to a client's name in the dashboard's client list (a package holder's
# icon), without `bookings` importing the feature app. The app registers a source in its
# `AppConfig.ready()`:
#
#     from bookings.dashboard.extensions import ClientBadge, register_client_badges
#
#     def package_badges(salon, client_ids) -> dict[int, ClientBadge]:
#         holders = packages_selectors.client_ids_holding_packages(salon=salon, client_ids=…)
#         return {pk: ClientBadge(label="◆", title=_("Holds a package")) for pk in holders}
#
#     register_client_badges("packages", package_badges)
#
# A source is asked once per page with the ids of the clients shown (one query, however
# many rows), and returns a badge for those it marks. The list shows the badges in the order
# of the sources' keys; `css_class` adds a class to the badge (styles in static/css).


@dataclass(frozen=True)
class ClientBadge:
    label: Any
    title: Any = ""
    css_class: str = ""


ClientBadgeSource = Callable[[Salon, list[int]], dict[int, ClientBadge]]

_client_badge_sources: dict[str, ClientBadgeSource] = {}


def register_client_badges(key: str, source: ClientBadgeSource) -> ClientBadgeSource:
    """Add a source of badges under `key` (registering it again replaces it)."""
    if not key:
        raise ValueError("A client badge source needs a key.")
    _client_badge_sources[key] = source
    return source


def unregister_client_badges(key: str) -> None:
    _client_badge_sources.pop(key, None)


def client_badges_attach(*, salon: Salon, clients: Any) -> None:
    """Set `badges` (a list of ClientBadge) on each client of a page: each source is asked
    once for all of them. `clients` is evaluated (a queryset keeps its rows, so the page
    renders these very objects)."""
    rows = list(clients)
    ids = [client.pk for client in rows]
    found: dict[int, list[ClientBadge]] = {pk: [] for pk in ids}
    for key in sorted(_client_badge_sources):
        if not ids:
            break
        for pk, badge in _client_badge_sources[key](salon, ids).items():
            if pk in found:
                found[pk].append(badge)
    for client in rows:
        client.badges = found[client.pk]  # type: ignore[attr-defined]
