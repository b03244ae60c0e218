"""Owner API of segments, mounted at `/api/v1/salons/<salon_slug>/segments/` with the namespace
`segments-api` (see segments/api/owner.py)."""

from django.urls import URLPattern, path

from segments.api import owner

urlpatterns: list[URLPattern] = [
    path("", owner.SegmentListApi.as_view(), name="segment-list"),
    path("embed-settings/", owner.EmbedSettingsApi.as_view(), name="embed-settings"),
    path("<int:segment_id>/", owner.SegmentDetailApi.as_view(), name="segment-detail"),
    path(
        "<int:segment_id>/regenerate-link/",
        owner.SegmentRegenerateLinkApi.as_view(),
        name="segment-regenerate-link",
    ),
    path(
        "<int:segment_id>/deactivate/",
        owner.SegmentDeactivateApi.as_view(),
        name="segment-deactivate",
    ),
    path("<int:segment_id>/activate/", owner.SegmentActivateApi.as_view(), name="segment-activate"),
]
