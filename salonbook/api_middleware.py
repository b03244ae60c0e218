"""The API answers in JSON also when the request never reaches a view.

A body over `DATA_UPLOAD_MAX_MEMORY_SIZE` makes Django raise `RequestDataTooBig` when the body
is first read (by the CSRF middleware or DRF's parser), which Django turns into its HTML 400
page. Under `/api/` this middleware reads the body first and answers

    413 {"detail": "…", "code": "request_too_large"}

instead (issue 13). Other paths are left alone.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


class ApiRequestTooLargeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX) and request.method not in ("GET", "HEAD"):
            try:
                request.body  # noqa: B018 - reading it is the check
            except RequestDataTooBig:
                return JsonResponse(
                    {
                        "detail": _("The request body is too large."),
                        "code": "request_too_large",
                    },
                    status=413,
                )
        return self.get_response(request)
