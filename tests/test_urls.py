"""The project's URL wiring of feature apps (salonbook/urls.py, api_urls.py, dashboard_urls.py):
their modules are included under the agreed prefixes and namespaces without `bookings`
importing them, and the existing names keep working."""

from __future__ import annotations

import importlib
import sys
import types
from collections import Counter
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, clear_url_caches, get_resolver, path, reverse

import salonbook.api_urls
import salonbook.urls
from salonbook import dashboard_urls


def ok(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("ok")


def reload_urlconf() -> None:
    """Build the project's URL resolvers again (they keep the patterns they first read)."""
    importlib.reload(salonbook.api_urls)
    importlib.reload(salonbook.urls)
    clear_url_caches()


@pytest.fixture
def feature_page(request: pytest.FixtureRequest) -> Iterator[None]:
    """The feature module (request.param) defines a page: plain urlpatterns, no app_name."""
    module = importlib.import_module(request.param)
    saved = module.urlpatterns
    module.urlpatterns = [path("test-points/", ok, name="test_points")]
    reload_urlconf()
    yield
    module.urlpatterns = saved
    reload_urlconf()


def names_of(patterns: list[URLPattern | URLResolver]) -> list[str]:
    names: list[str] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace is None:
            names.extend(names_of(pattern.url_patterns))
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.append(pattern.name)
    return names


@pytest.mark.parametrize(
    ("feature_page", "namespace", "url"),
    [
        ("loyalty.public_urls", "loyalty_public", "/s/alpha/test-points/"),
        ("loyalty.api_urls", "loyalty-api", "/api/v1/salons/alpha/loyalty/test-points/"),
        (
            "loyalty.public_api_urls",
            "loyalty-public-api",
            "/api/v1/public/alpha/loyalty/test-points/",
        ),
    ],
    indirect=["feature_page"],
)
def test_feature_modules_are_included_under_their_prefix_and_namespace(
    feature_page, namespace, url
):
    # when
    reversed_url = reverse(f"{namespace}:test_points", kwargs={"salon_slug": "alpha"})

    # then
    assert reversed_url == url
    match = get_resolver().resolve(url)
    assert match.namespace == namespace
    assert match.kwargs == {"salon_slug": "alpha"}


def test_dashboard_patterns_join_the_dashboard_namespace(monkeypatch):
    # given: a feature app's dashboard module
    feature = types.ModuleType("fake_feature_dashboard_urls")
    feature.urlpatterns = [path("fake/", ok, name="fake_feature")]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, feature.__name__, feature)

    # when
    patterns = dashboard_urls.dashboard_urlpatterns([feature.__name__])

    # then: bookings' pages first, the feature's after them, flat in one namespace
    names = names_of(patterns)
    assert names[0] == "home"
    assert names[-1] == "fake_feature"
    assert dashboard_urls.app_name == "dashboard"


def test_loyalty_is_wired_into_the_dashboard():
    assert "loyalty.dashboard_urls" in dashboard_urls.FEATURE_DASHBOARD_URLS
    assert get_resolver().namespace_dict["dashboard"][1].urlconf_module is dashboard_urls


def test_dashboard_names_are_unique():
    counts = Counter(names_of(dashboard_urls.urlpatterns))
    assert [name for name, count in counts.items() if count > 1] == []


@pytest.mark.parametrize(
    ("name", "kwargs", "url"),
    [
        ("dashboard:home", {}, "/dashboard/alpha/"),
        ("dashboard:calendar", {}, "/dashboard/alpha/calendar/"),
        ("dashboard:client_detail", {"pk": 3}, "/dashboard/alpha/clients/3/"),
        ("dashboard:online_booking", {}, "/dashboard/alpha/online-booking/"),
        ("public:home", {}, "/s/alpha/"),
        ("public:my_appointments", {}, "/s/alpha/my/"),
        ("bookings-api:appointment-list", {}, "/api/v1/salons/alpha/appointments/"),
        ("public-api:booking-create", {}, "/api/v1/public/alpha/bookings/"),
    ],
)
def test_existing_names_keep_working(name, kwargs, url):
    assert reverse(name, kwargs={"salon_slug": "alpha", **kwargs}) == url


def test_system_check_passes_without_url_warnings(capsys):
    call_command("check", fail_level="WARNING")
    assert "urls.W005" not in capsys.readouterr().err
