"""The client report's pages, `/dashboard/<salon_slug>/reports/clients/…`, in the `dashboard`
namespace (mounted by reports/dashboard_urls.py beside the points report's `points_urls`).
The owner's home page figures are panels of `dashboard:home` (reports/home/panels.py), not
pages of their own."""

from django.urls import URLPattern, path

from reports.clients import views

urlpatterns: list[URLPattern] = [
    path("reports/clients/", views.ClientReportView.as_view(), name="report_clients"),
    path(
        "reports/clients/export.csv",
        views.ClientReportExportView.as_view(file_format="csv"),
        name="report_clients_export_csv",
    ),
    path(
        "reports/clients/export.xlsx",
        views.ClientReportExportView.as_view(file_format="xlsx"),
        name="report_clients_export_xlsx",
    ),
    path(
        "reports/clients/<int:client_id>/points/",
        views.ClientPointsHistoryView.as_view(),
        name="report_client_points",
    ),
]
