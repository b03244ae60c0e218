"""The segments pages of the owner dashboard, `/dashboard/<salon_slug>/segments/…`. Mounted by
salonbook/dashboard_urls.py inside the `dashboard` namespace (no `app_name` here), so the
names below are `dashboard:segments`, `dashboard:segments_detail`, …"""

from django.urls import path

from segments.dashboard import views

urlpatterns = [
    path("segments/", views.SegmentListView.as_view(), name="segments"),
    path("segments/new/", views.SegmentCreateView.as_view(), name="segments_create"),
    path("segments/embed/", views.EmbedSettingsView.as_view(), name="segments_embed_settings"),
    path("segments/<int:pk>/", views.SegmentDetailView.as_view(), name="segments_detail"),
    path("segments/<int:pk>/edit/", views.SegmentEditView.as_view(), name="segments_edit"),
    path(
        "segments/<int:pk>/regenerate/",
        views.SegmentRegenerateView.as_view(),
        name="segments_regenerate",
    ),
    path(
        "segments/<int:pk>/deactivate/",
        views.SegmentDeactivateView.as_view(),
        name="segments_deactivate",
    ),
    path(
        "segments/<int:pk>/activate/",
        views.SegmentActivateView.as_view(),
        name="segments_activate",
    ),
]
