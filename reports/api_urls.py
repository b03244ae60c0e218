"""Owner API of the reports, mounted at `/api/v1/salons/<salon_slug>/reports/` with the
namespace `reports-api` (salonbook/api_urls.py). Each report adds its endpoints below."""

from django.urls import URLPattern, path

from reports.clients import api as clients_api
from reports.jobs import api as jobs_api
from reports.points import api as points_api

urlpatterns: list[URLPattern] = [
    # The loyalty points report (reports/points/api.py).
    path("points/", points_api.PointsReportApi.as_view(), name="points"),
    path("points/export.csv", points_api.PointsReportCsvApi.as_view(), name="points-export-csv"),
    path("points/export.xlsx", points_api.PointsReportXlsxApi.as_view(), name="points-export-xlsx"),
    # The client report (reports/clients/api.py).
    path("clients/", clients_api.ClientReportApi.as_view(), name="clients"),
    path("clients/export.csv", clients_api.ClientReportCsvApi.as_view(), name="clients-export-csv"),
    path(
        "clients/export.xlsx", clients_api.ClientReportXlsxApi.as_view(), name="clients-export-xlsx"
    ),
    # Background Excel exports (reports/jobs/api.py).
    path("exports/<str:token>/", jobs_api.ExportJobApi.as_view(), name="export-job"),
    path(
        "exports/<str:token>/download",
        jobs_api.ExportJobDownloadApi.as_view(),
        name="export-job-download",
    ),
]
