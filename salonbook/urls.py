from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from languages import views as language_views

from . import views
from .api import ApiDocsView

# Feature apps' public site pages under /s/<salon_slug>/: (urlconf module, namespace). The
# module has a plain `urlpatterns` (bookings does not import feature apps; the project
# wires them here and in dashboard_urls.py / api_urls.py).
FEATURE_PUBLIC_URLS: tuple[tuple[str, str], ...] = (
    ("loyalty.public_urls", "loyalty_public"),
    ("referrals.public_urls", "referrals_public"),
    ("packages.public_urls", "packages_public"),
    ("segments.public_urls", "segments_public"),
)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers and feed readers ask for /favicon.ico without reading the page's <link>.
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/setlang/", language_views.set_language, name="set_language"),
    path("accounts/language/", language_views.account_language, name="account_language"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("start/", include("onboarding.urls")),
    path("dashboard/<slug:salon_slug>/", include("salonbook.dashboard_urls")),
    path("s/<slug:salon_slug>/", include("bookings.public.urls")),
    # Feature apps' pages of the public site, each in its own namespace (after bookings').
    *(
        path("s/<slug:salon_slug>/", include((module, namespace), namespace=namespace))
        for module, namespace in FEATURE_PUBLIC_URLS
    ),
    # The client's pay page and the providers' webhooks (issue 17).
    path("pay/", include("payments.public.urls")),
    path("payments/webhooks/", include("payments.public.webhook_urls")),
    path("api/v1/", include("salonbook.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
