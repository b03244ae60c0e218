from django.urls import include, path

from onboarding.apis import SalonCreateApi

# Feature apps' API, each below its own prefix and namespace: (prefix, urlconf module,
# namespace). Owner endpoints go under /api/v1/salons/<salon_slug>/<prefix>/, public ones
# under /api/v1/public/<salon_slug>/<prefix>/. The modules have a plain `urlpatterns`.
FEATURE_OWNER_API_URLS: tuple[tuple[str, str, str], ...] = (
    ("loyalty/", "loyalty.api_urls", "loyalty-api"),
    ("referrals/", "referrals.api_urls", "referrals-api"),
    ("reports/", "reports.api_urls", "reports-api"),
    ("packages/", "packages.api_urls", "packages-api"),
    ("", "onboarding.api_urls", "onboarding-api"),
    ("notices/", "notices.api_urls", "notices-api"),
    ("segments/", "segments.api_urls", "segments-api"),
    ("payments/", "payments.api_urls", "payments-api"),
)
FEATURE_PUBLIC_API_URLS: tuple[tuple[str, str, str], ...] = (
    ("loyalty/", "loyalty.public_api_urls", "loyalty-public-api"),
    ("packages/", "packages.public_api_urls", "packages-public-api"),
)

urlpatterns = [
    path("auth/", include("accounts.api_urls")),
    path("salons/", SalonCreateApi.as_view(), name="api-salon-create"),
    path("salons/<slug:salon_slug>/", include("bookings.api.urls")),
    path("public/<slug:salon_slug>/", include("bookings.api.public_urls")),
    *(
        path(f"salons/<slug:salon_slug>/{prefix}", include((module, ns), namespace=ns))
        for prefix, module, ns in FEATURE_OWNER_API_URLS
    ),
    *(
        path(f"public/<slug:salon_slug>/{prefix}", include((module, ns), namespace=ns))
        for prefix, module, ns in FEATURE_PUBLIC_API_URLS
    ),
]
