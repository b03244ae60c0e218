"""Owner API of packages, mounted at `/api/v1/salons/<salon_slug>/packages/` with the namespace
`packages-api` (see packages/api/owner.py)."""

from django.urls import URLPattern, path

from packages.api import owner

urlpatterns: list[URLPattern] = [
    path("package-types/", owner.PackageTypeListApi.as_view(), name="package-type-list"),
    path(
        "package-types/<int:package_type_id>/",
        owner.PackageTypeDetailApi.as_view(),
        name="package-type-detail",
    ),
    path(
        "package-types/<int:package_type_id>/deactivate/",
        owner.PackageTypeDeactivateApi.as_view(),
        name="package-type-deactivate",
    ),
    path(
        "package-types/<int:package_type_id>/activate/",
        owner.PackageTypeActivateApi.as_view(),
        name="package-type-activate",
    ),
    path(
        "clients/<int:client_id>/packages/",
        owner.ClientPackagesOfClientApi.as_view(),
        name="client-packages",
    ),
    path("client-packages/", owner.ClientPackageListApi.as_view(), name="client-package-list"),
    path(
        "client-packages/<int:client_package_id>/",
        owner.ClientPackageDetailApi.as_view(),
        name="client-package-detail",
    ),
    path(
        "client-packages/<int:client_package_id>/mark-paid/",
        owner.ClientPackageMarkPaidApi.as_view(),
        name="client-package-mark-paid",
    ),
    path(
        "client-packages/<int:client_package_id>/entries/",
        owner.ClientPackageEntryListApi.as_view(),
        name="client-package-entries",
    ),
]
