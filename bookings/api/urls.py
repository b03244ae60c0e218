from django.urls import path

app_name = "bookings-api"

urlpatterns: list = []
