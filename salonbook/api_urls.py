from django.urls import include, path

urlpatterns = [
    path("salons/<slug:salon_slug>/", include("bookings.api.urls")),
]
