"""The payments pages of the owner dashboard, `/dashboard/<salon_slug>/payments/…`. Mounted by
salonbook/dashboard_urls.py inside the `dashboard` namespace (no `app_name` here), so the
names below are `dashboard:payments`, `dashboard:payment_detail`, …"""

from django.urls import URLPattern, path

from payments.dashboard import views

urlpatterns: list[URLPattern] = [
    path("payments/", views.OrderListView.as_view(), name="payments"),
    path("payments/record/", views.RecordPaidView.as_view(), name="payment_record"),
    path("payments/settings/", views.PaymentSettingsView.as_view(), name="payment_settings"),
    path(
        "payments/settings/services/<int:service_id>/",
        views.ServicePaymentSetView.as_view(),
        name="payment_service_set",
    ),
    path("payments/<int:pk>/", views.OrderDetailView.as_view(), name="payment_detail"),
    path(
        "payments/<int:pk>/mark-paid/",
        views.OrderMarkPaidView.as_view(),
        name="payment_mark_paid",
    ),
    path("payments/<int:pk>/cancel/", views.OrderCancelView.as_view(), name="payment_cancel"),
    path("payments/<int:pk>/refund/", views.OrderRefundView.as_view(), name="payment_refund"),
]
