"""The packages pages of the public booking site, under /s/<salon_slug>/. The project mounts
this module in the `packages_public` namespace (salonbook/urls.py, FEATURE_PUBLIC_URLS)."""

from django.urls import path

from packages.public import views

urlpatterns = [
    path("packages/", views.PackageListView.as_view(), name="packages"),
    path("packages/<int:type_id>/buy/", views.PackageBuyView.as_view(), name="buy"),
    path("my-packages/", views.MyPackagesView.as_view(), name="mine"),
]
