"""The allauth adapter: where people land after logging in, the one client address, and the
branding of account e-mails (verify, reset): their subject and greeting carry the product's
name and — when the person came from a salon's pages — the salon's, never the host name
("[127.0.0.1:8000]") allauth would use without the sites framework."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.translation import gettext as _

from salonbook.net import client_ip

PRODUCT_NAME = "SalonBook"

# The salon's public site and dashboard (salonbook/urls.py).
_SALON_PATH = re.compile(r"^/(?:s|dashboard)/(?P<slug>[-a-zA-Z0-9_]+)/")


@dataclass(frozen=True)
class EmailSite:
    """Stands in for allauth's `current_site` in the e-mail templates."""

    name: str
    domain: str


def salon_name_for_request(request: HttpRequest | None) -> str:
    """The name of the salon whose pages the person came from ("" when none): the `next`
    address of the form (the public site's "log in to book" links carry it), else the page
    the form was on (Referer) — only a path of this site, looked up by its slug."""
    if request is None:
        return ""
    candidates = [request.POST.get("next"), request.GET.get("next")]
    referer = request.META.get("HTTP_REFERER", "")
    if referer:
        parts = urlsplit(referer)
        if not parts.netloc or parts.netloc == request.get_host():
            candidates.append(parts.path)
            candidates.extend(value for key, value in parse_qsl(parts.query) if key == "next")
    for candidate in candidates:
        match = _SALON_PATH.match(urlsplit(candidate or "").path)
        if match:
            from bookings.models import Salon

            name = Salon.objects.filter(slug=match["slug"]).values_list("name", flat=True).first()
            if name:
                return name
    return ""


def salon_name_for_user(user: Any) -> str:
    """The salon of a person who belongs to exactly one (as owner/staff or as a client);
    "" when none or several."""
    if user is None or not getattr(user, "pk", None):
        return ""
    from bookings.models import Client, Membership, Salon

    ids = set(Membership.objects.filter(user=user).values_list("salon_id", flat=True)[:2])
    ids |= set(Client.objects.filter(user=user).values_list("salon_id", flat=True)[:2])
    if len(ids) != 1:
        return ""
    return Salon.objects.filter(pk=ids.pop()).values_list("name", flat=True).first() or ""


def email_brand(request: HttpRequest | None, user: Any = None) -> str:
    """ "Salon on SalonBook" when the salon is known (the pages the person came from, else the
    one salon they belong to), else "SalonBook"."""
    salon = salon_name_for_request(request) or salon_name_for_user(user)
    if salon:
        return _("%(salon)s on %(product)s") % {"salon": salon, "product": PRODUCT_NAME}
    return PRODUCT_NAME


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return reverse("home")

    def get_client_ip(self, request: HttpRequest) -> str:
        """The one client address of the project (TRUSTED_PROXY_HEADER; salonbook/net.py)."""
        return client_ip(request)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        request = getattr(allauth_context, "request", None)
        brand = email_brand(request, context.get("user"))
        site = EmailSite(name=brand, domain=request.get_host() if request is not None else "")
        super().send_mail(template_prefix, email, {**context, "current_site": site})

    def render_mail(
        self,
        template_prefix: str,
        email: str | list[str],
        context: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> Any:
        site = context.get("current_site")
        self._email_brand = site.name if isinstance(site, EmailSite) else ""
        return super().render_mail(template_prefix, email, context, headers)

    def format_email_subject(self, subject: str) -> str:
        brand = getattr(self, "_email_brand", "") or email_brand(
            getattr(allauth_context, "request", None)
        )
        return f"[{brand}] {force_str(subject)}"
