"""The owner dashboard's URLs, `/dashboard/<salon_slug>/…`, all in the `dashboard` namespace:
the pages of `bookings` and then those of each feature app.

`bookings` does not import the feature apps; the project puts them together here. A feature
app's module has a plain `urlpatterns` list (no `app_name`: its names join the `dashboard`
namespace, e.g. `dashboard:loyalty`, which the dashboard's side navigation links to once it
exists — see bookings/dashboard/mixins.py) with paths below its own prefix (`loyalty/…`) and
views that check the salon membership (`SalonViewMixin`). To add an app, add its module to
`FEATURE_DASHBOARD_URLS`. A name already taken keeps its first owner (bookings first), and
tests/test_urls.py fails on a duplicate.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module
from typing import Any

from bookings.dashboard import urls as bookings_dashboard_urls

app_name = "dashboard"

FEATURE_DASHBOARD_URLS: tuple[str, ...] = (
    "loyalty.dashboard_urls",
    "referrals.dashboard_urls",
    "reports.dashboard_urls",
    "packages.dashboard_urls",
    "onboarding.dashboard_urls",
    "segments.dashboard_urls",
    "payments.dashboard_urls",
)


def dashboard_urlpatterns(feature_modules: Iterable[str]) -> list[Any]:
    """bookings' dashboard patterns followed by each feature module's `urlpatterns`."""
    patterns: list[Any] = list(bookings_dashboard_urls.urlpatterns)
    for module_name in feature_modules:
        patterns.extend(import_module(module_name).urlpatterns)
    return patterns


urlpatterns = dashboard_urlpatterns(FEATURE_DASHBOARD_URLS)
