"""Every public page is a `PublicSalonMixin` view: the salon from the URL (404 if unknown) and
the page language — the visitor's choice (language cookie) or else the salon's default."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation

from bookings.models import Salon


def public_language(request: HttpRequest, salon: Salon) -> str:
    supported = dict(settings.LANGUAGES)
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen:
        try:
            chosen = translation.get_supported_language_variant(chosen)
        except LookupError:
            chosen = ""
    if chosen in supported:
        return chosen
    return salon.default_language if salon.default_language in supported else settings.LANGUAGE_CODE


class PublicSalonMixin:
    salon: Salon
    request: HttpRequest
    # Booking steps ask for an account when the salon requires one; browsing does not.
    booking_step = False
    login_required = False

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.salon = get_object_or_404(Salon, slug=kwargs["salon_slug"])
        request.salon = self.salon  # type: ignore[attr-defined]
        language = public_language(request, self.salon)
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        needs_login = self.login_required or (
            self.booking_step and self.salon.require_login_to_book
        )
        if needs_login and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("account_login"))
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["salon"] = self.salon
        return context
