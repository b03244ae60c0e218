"""After authentication: a logged-in person with their own language (`User.language`) sees
the account pages, the setup wizard and the dashboard in it. Public salon pages decide for
themselves (`bookings.public.mixins`: the visitor's choice, else the salon's language);
dashboard pages fall back to the salon's language (`bookings.dashboard.mixins`)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Only a session that has a login loads the user (no extra query for anyone else).
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        logged_in = session is not None and SESSION_KEY in session and user is not None
        language = getattr(user, "language", "") if logged_in else ""
        if language and language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        return self.get_response(request)
