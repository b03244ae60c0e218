"""Project-wide API conventions and the API's own endpoints outside any salon.

- Django ValidationError becomes a 400 with messages per field; a refusal that says why in
  a word (`api_reason`, e.g. a booking time `off_grid` or a `duplicate`) adds `"reason"`.
- Date-times are given with their UTC offset; one without is refused with 400 on every
  endpoint (bookings/api/base.py, AwareDateTimeField). Dates and date-times lie in the years
  2000–2100 (bookings/validators.py), else 400. Times of day (hours) are local wall-clock
  times without an offset ("09:30"; an end may be "24:00"); an offset is refused with 400.
- A body over DATA_UPLOAD_MAX_MEMORY_SIZE is a JSON 413 (salonbook/api_middleware.py).
- Every 404 has the same body, so "missing" and "another salon's" can't be told apart.
- `POST /api/v1/auth/token/` exchanges email and password for a token (integrations).
- `/api/docs/` serves Swagger UI from local static files only, without inline script or
  style, so it works under the Content Security Policy.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import exceptions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.login_limits import login_is_locked, login_lock_seconds_left
from salonbook.throttling import AnonRateThrottle


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    reason = None
    if isinstance(exc, DjangoValidationError):
        # A refusal that says why in a word (e.g. bookings' SlotNotBookable: "off_grid")
        # carries it as `api_reason`; the 400's body gets it as "reason".
        reason = getattr(exc, "api_reason", None)
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        # Http404 messages name the model ("No staff member matches…") and are not
        # translated; one generic body for every 404 tells a prober nothing.
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if reason and response is not None and isinstance(response.data, dict):
        response.data["reason"] = reason
    return response


# --- Token for integrations ---------------------------------------------------------------


class TokenObtainThrottle(AnonRateThrottle):
    """Password guessing through the token endpoint is throttled per client address (read by
    salonbook/net.py: a forwarded header counts only when TRUSTED_PROXY_HEADER names it), and
    per account by accounts/login_limits.py."""

    scope = "token_obtain"
    rate = "10/minute"


class TokenObtainInputSerializer(serializers.Serializer):
    email = serializers.EmailField(label=_("Email"))
    password = serializers.CharField(
        label=_("Password"), style={"input_type": "password"}, trim_whitespace=False
    )


class TokenObtainApi(APIView):
    """DRF's ObtainAuthToken for our email login: one token per user, created on first use.

    Like the site's login (ACCOUNT_EMAIL_VERIFICATION = "mandatory") an account whose email
    is not verified gets no token.
    """

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenObtainThrottle]

    @extend_schema(
        tags=["auth"],
        operation_id="auth_token_create",
        request=TokenObtainInputSerializer,
        responses=inline_serializer("AuthToken", {"token": serializers.CharField()}),
    )
    def post(self, request: Request) -> Response:
        from allauth.account.models import EmailAddress

        serializer = TokenObtainInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email = serializer.validated_data["email"].strip().lower()
        if login_is_locked(email):
            wait = login_lock_seconds_left(email)
            raise exceptions.Throttled(
                wait=wait,
                detail=_(
                    "Too many failed logins for this account. Please wait %(minutes)d "
                    "minutes and try again."
                )
                % {"minutes": max(1, (wait + 59) // 60)},
            )
        user = authenticate(
            request._request, email=email, password=serializer.validated_data["password"]
        )
        if user is None:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Unable to log in with provided credentials.")]}
            )
        if not EmailAddress.objects.filter(user=user, verified=True).exists():
            raise exceptions.ValidationError(
                {"email": [_("Confirm this email address before requesting a token.")]}
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


# --- Docs ---------------------------------------------------------------------------------


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI whose init script is served from this URL (`?script=`), not inline."""

    template_name = "api/swagger_ui.html"
