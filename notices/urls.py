"""Dashboard pages of the notices module; included into the `dashboard` namespace."""

from django.urls import path

from notices import views

urlpatterns = [
    path("notices/", views.NoticeOverviewView.as_view(), name="notices"),
    path("notices/test/", views.NoticeSendTestView.as_view(), name="notice_send_test"),
    path(
        "notices/templates/<slug:kind>/<slug:channel>/",
        views.NoticeTemplateEditView.as_view(),
        name="notice_template_edit",
    ),
    path(
        "notices/templates/<slug:kind>/<slug:channel>/preview/",
        views.NoticeTemplatePreviewView.as_view(),
        name="notice_template_preview",
    ),
    path(
        "notices/templates/<slug:kind>/<slug:channel>/reset/",
        views.NoticeTemplateResetView.as_view(),
        name="notice_template_reset",
    ),
    path("notices/<int:pk>/", views.NoticeDetailView.as_view(), name="notice_detail"),
    path("notices/<int:pk>/retry/", views.NoticeRetryView.as_view(), name="notice_retry"),
]
