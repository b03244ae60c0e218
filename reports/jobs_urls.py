"""The pages of background exports, `/dashboard/<salon_slug>/reports/exports/<token>/…`, in the
`dashboard` namespace (mounted by reports/dashboard_urls.py)."""

from django.urls import URLPattern, path

from reports.jobs import views

urlpatterns: list[URLPattern] = [
    path(
        "reports/exports/<str:token>/",
        views.ExportJobView.as_view(),
        name="report_export_job",
    ),
    path(
        "reports/exports/<str:token>/download/",
        views.ExportJobDownloadView.as_view(),
        name="report_export_job_download",
    ),
]
