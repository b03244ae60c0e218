from django.urls import path

from notices.urls import urlpatterns as notices_urlpatterns

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.DashboardHomeView.as_view(), name="home"),
    *notices_urlpatterns,
]
