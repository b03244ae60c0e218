"""Owner API of the reports, mounted at `/api/v1/salons/<salon_slug>/reports/` with the
namespace `reports-api` (salonbook/api_urls.py). Each report adds its endpoints below."""

from django.urls import URLPattern, path

from reports.points import api as points_api

urlpatterns: list[URLPattern] = [
    # The loyalty points report (reports/points/api.py).
    path("points/", points_api.PointsReportApi.as_view(), name="points"),
    path("points/export.csv", points_api.PointsReportCsvApi.as_view(), name="points-export-csv"),
    path("points/export.xlsx", points_api.PointsReportXlsxApi.as_view(), name="points-export-xlsx"),
]
