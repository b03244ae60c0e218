"""Template tags of the public booking site."""

from __future__ import annotations

from typing import Any

from django import template

from bookings.policy import CancellationPolicy, cancellation_policy
from bookings.public.extensions import PublicNavLink, public_nav_links

register = template.Library()


@register.simple_tag(takes_context=True, name="public_nav_links")
def public_nav_links_tag(context: template.Context) -> list[PublicNavLink]:
    """`{% public_nav_links as links %}`: the feature apps' links for this page's salon
    (bookings/public/extensions.py); none when the page has no salon."""
    salon: Any = context.get("salon")
    slug = getattr(salon, "slug", "")
    if not slug:
        return []
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    path = getattr(request, "path", "")
    return public_nav_links(salon_slug=slug, user=user, path=path, salon=salon)


@register.simple_tag(name="cancellation_policy")
def cancellation_policy_tag(salon: Any) -> CancellationPolicy:
    """`{% cancellation_policy salon as policy %}`: the salon's cancellation and change
    policy (bookings/policy.py)."""
    return cancellation_policy(salon)
