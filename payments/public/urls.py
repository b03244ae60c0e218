"""The client's pay and return pages (`/pay/…`, namespace payments_public) and the providers'
webhooks (`/payments/webhooks/<provider>/`, namespace payments_webhooks)."""

from django.urls import path

from payments.public import views

app_name = "payments_public"

urlpatterns = [
    path("<str:reference>/", views.pay, name="pay"),
    path("<str:reference>/done/", views.done, name="done"),
    path("<str:reference>/cancelled/", views.cancelled, name="cancelled"),
]
