"""The booking site's packages API, mounted at `/api/v1/public/<salon_slug>/packages/` with the
namespace `packages-public-api` (see packages/api/public.py)."""

from django.urls import URLPattern, path

from packages.api import public

urlpatterns: list[URLPattern] = [
    path("package-types/", public.PublicPackageTypeListApi.as_view(), name="package-type-list"),
    path(
        "package-types/<int:package_type_id>/buy/",
        public.PublicPackageBuyApi.as_view(),
        name="package-type-buy",
    ),
    path("mine/", public.PublicMyPackagesApi.as_view(), name="mine"),
]
