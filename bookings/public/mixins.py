"""Every public page is a `PublicSalonMixin` view: the salon from the URL (404 if unknown) and
the page language — the visitor's explicit choice (`?lang=de` in a link, remembered in the
language cookie; the language switcher sets the same cookie) or else the salon's default.
`explicit_language` tells whether the visitor chose one: only a chosen language is stored on
the client (their notices follow it) when they book or manage a booking."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation

from bookings.models import Salon

LANGUAGE_PARAM = "lang"


def _supported(code: str) -> str:
    if not code:
        return ""
    try:
        code = translation.get_supported_language_variant(code)
    except LookupError:
        return ""
    return code if code in dict(settings.LANGUAGES) else ""


def explicit_language(request: HttpRequest) -> str:
    """The language the visitor chose (`?lang=`, else the language cookie); "" if none."""
    return _supported(request.GET.get(LANGUAGE_PARAM, "")) or _supported(
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    )


def public_language(request: HttpRequest, salon: Salon) -> str:
    chosen = explicit_language(request)
    if chosen:
        return chosen
    supported = dict(settings.LANGUAGES)
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
        response = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        from_link = _supported(request.GET.get(LANGUAGE_PARAM, ""))
        if from_link:  # a link with ?lang= : the following pages keep that language
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                from_link,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            )
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["salon"] = self.salon
        return context
