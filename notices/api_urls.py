"""Owner API of the notice texts (notices/apis.py), joined below
`/api/v1/salons/<salon_slug>/notices/` by salonbook/api_urls.py."""

from django.urls import path

from notices import apis

urlpatterns = [
    path("templates/", apis.NoticeTextListApi.as_view(), name="notice-text-list"),
    path(
        "templates/<slug:kind>/<slug:channel>/",
        apis.NoticeTextDetailApi.as_view(),
        name="notice-text-detail",
    ),
]
