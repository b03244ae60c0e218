"""The loyalty points report's pages, `/dashboard/<salon_slug>/reports/…`, in the `dashboard`
namespace (mounted by reports/dashboard_urls.py): `dashboard:reports` is the report itself (the
section's entry in the side navigation)."""

from django.urls import URLPattern, path

from reports.points import views

urlpatterns: list[URLPattern] = [
    path("reports/", views.PointsReportView.as_view(), name="reports"),
    path(
        "reports/points/export.csv",
        views.PointsExportView.as_view(file_format="csv"),
        name="reports_points_export_csv",
    ),
    path(
        "reports/points/export.xlsx",
        views.PointsExportView.as_view(file_format="xlsx"),
        name="reports_points_export_xlsx",
    ),
    path("reports/points/add/", views.PointsAddView.as_view(), name="reports_points_add"),
]
