"""Project-wide API conventions and the API's own endpoints outside any salon.

- Django ValidationError becomes a 400 with messages per field; a refusal that says why in
  a word (`api_reason`, e.g. a booking time `off_grid` or a `duplicate`) adds `"reason"`.
- Date-times are given with their UTC offset; one without is refused with 400 on every
  endpoint (bookings/api/base.py, AwareDateTimeField). Dates and date-times lie in the years
  2000–2100 (bookings/validators.py), else 400. Times of day (hours) are local wall-clock
  times without an offset ("09:30"; an end may be "24:00"); an offset is refused with 400.
- A body over DATA_UPLOAD_MAX_MEMORY_SIZE is a JSON 413 (salonbook/api_middleware.py).
- Every 404 has the same body, so "missing" and "another salon's" can't be told apart.
- `POST /api/v1/auth/token/` exchanges email and password for an expiring API token; the
  caller's tokens are listed and revoked under `/api/v1/auth/` (accounts/api.py).
- `/api/docs/` serves Swagger UI from local static files only, without inline script or
  style, so it works under the Content Security Policy.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler


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


# --- Docs ---------------------------------------------------------------------------------


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI whose init script is served from this URL (`?script=`), not inline."""

    template_name = "api/swagger_ui.html"
