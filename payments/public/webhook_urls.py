from django.urls import path

from payments.public import views

app_name = "payments_webhooks"

urlpatterns = [
    path("<slug:provider>/", views.webhook, name="webhook"),
]
