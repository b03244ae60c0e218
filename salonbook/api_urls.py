from django.urls import include, path

from salonbook.api import TokenObtainApi

urlpatterns = [
    path("auth/token/", TokenObtainApi.as_view(), name="api-token"),
    path("salons/<slug:salon_slug>/", include("bookings.api.urls")),
    path("public/<slug:salon_slug>/", include("bookings.api.public_urls")),
]
