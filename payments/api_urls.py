"""Owner API of payments, mounted at `/api/v1/salons/<salon_slug>/payments/` with the namespace
`payments-api` (see payments/api/owner.py)."""

from django.urls import URLPattern, path

from payments.api import owner

urlpatterns: list[URLPattern] = [
    path("orders/", owner.OrderListApi.as_view(), name="order-list"),
    path("orders/totals/", owner.OrderTotalsApi.as_view(), name="order-totals"),
    path("orders/<int:order_id>/", owner.OrderDetailApi.as_view(), name="order-detail"),
    path(
        "orders/<int:order_id>/mark-paid/",
        owner.OrderMarkPaidApi.as_view(),
        name="order-mark-paid",
    ),
    path("orders/<int:order_id>/cancel/", owner.OrderCancelApi.as_view(), name="order-cancel"),
    path("orders/<int:order_id>/refund/", owner.OrderRefundApi.as_view(), name="order-refund"),
    path("record-at-salon/", owner.RecordPaidAtSalonApi.as_view(), name="record-at-salon"),
    path("settings/", owner.PaymentSettingsApi.as_view(), name="settings"),
    path(
        "service-prepayments/",
        owner.ServicePaymentListApi.as_view(),
        name="service-prepayment-list",
    ),
    path(
        "service-prepayments/<int:service_id>/",
        owner.ServicePaymentDetailApi.as_view(),
        name="service-prepayment-detail",
    ),
]
