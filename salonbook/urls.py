from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView

from . import views
from .api import ApiDocsView

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("dashboard/<slug:salon_slug>/", include("bookings.dashboard.urls")),
    path("s/<slug:salon_slug>/", include("bookings.public.urls")),
    path("api/v1/", include("salonbook.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
