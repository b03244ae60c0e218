"""The packages pages of the owner dashboard, `/dashboard/<salon_slug>/packages/…`. Mounted by
salonbook/dashboard_urls.py inside the `dashboard` namespace (no `app_name` here), so the
names below are `dashboard:packages`, `dashboard:packages_type_create`, …"""

from django.urls import path

from packages.dashboard import views

urlpatterns = [
    path("packages/", views.PackageTypeListView.as_view(), name="packages"),
    path(
        "packages/new/<str:kind>/",
        views.PackageTypeCreateView.as_view(),
        name="packages_type_create",
    ),
    path("packages/<int:pk>/edit/", views.PackageTypeEditView.as_view(), name="packages_type_edit"),
    path(
        "packages/<int:pk>/deactivate/",
        views.PackageTypeDeactivateView.as_view(),
        name="packages_type_deactivate",
    ),
    path(
        "packages/<int:pk>/activate/",
        views.PackageTypeActivateView.as_view(),
        name="packages_type_activate",
    ),
    path(
        "packages/<int:pk>/delete/",
        views.PackageTypeDeleteView.as_view(),
        name="packages_type_delete",
    ),
    path(
        "packages/clients/<int:client_id>/assign/",
        views.ClientPackageAssignView.as_view(),
        name="packages_assign",
    ),
    path(
        "packages/held/<int:pk>/",
        views.ClientPackageDetailView.as_view(),
        name="packages_held_detail",
    ),
    path(
        "packages/held/<int:pk>/paid/",
        views.ClientPackageMarkPaidView.as_view(),
        name="packages_mark_paid",
    ),
]
