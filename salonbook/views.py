from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bookings.selectors import membership_get_for_user, salon_list_for_user
from onboarding.selectors import setup_list_unfinished_for_user


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico without reading the page's <link rel="icon">. The static
    address is looked up per request (with hashed names in production), not at import time."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers; lists the checks that ran."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        checks["database"] = f"error: {type(exc).__name__}"
        return JsonResponse({"status": "error", "checks": checks}, status=503)
    return JsonResponse({"status": "ok", "checks": checks})


def home(request: HttpRequest) -> HttpResponse:
    """Owners land on their salon's dashboard (or its setup wizard, while steps are left), staff
    on their day;
    everyone else sees the welcome page, with "Create your salon"."""
    if request.user.is_authenticated:
        salons = list(salon_list_for_user(user=request.user)[:2])
        unfinished = setup_list_unfinished_for_user(user=request.user)
        if len(salons) == 1:
            if unfinished:
                return redirect("onboarding:resume", salon_slug=salons[0].slug)
            if not membership_get_for_user(user=request.user, salon_slug=salons[0].slug).can_manage:
                # Staff land on their own appointments of the day.
                return redirect("dashboard:my_day", salon_slug=salons[0].slug)
            return redirect("dashboard:home", salon_slug=salons[0].slug)
        return render(
            request,
            "home.html",
            {"salons": salon_list_for_user(user=request.user), "unfinished_setups": unfinished},
        )
    return render(request, "home.html", {"salons": []})
