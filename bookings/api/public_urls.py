"""Public booking API of one salon: `/api/v1/public/<salon_slug>/…` (see bookings/api/public.py)."""

from django.urls import path

from . import public

app_name = "public-api"

urlpatterns = [
    path("locations/", public.PublicLocationListApi.as_view(), name="location-list"),
    path("services/", public.PublicServiceListApi.as_view(), name="service-list"),
    path("staff/", public.PublicStaffListApi.as_view(), name="staff-list"),
    path("availability/", public.PublicAvailabilityApi.as_view(), name="availability"),
    path("bookings/", public.PublicBookingCreateApi.as_view(), name="booking-create"),
    path("payment-methods/", public.PublicPaymentMethodsApi.as_view(), name="payment-method-list"),
    path("unlock/", public.PublicUnlockApi.as_view(), name="unlock"),
    path("bookings/<str:token>/", public.PublicBookingApi.as_view(), name="booking-detail"),
    path(
        "bookings/<str:token>/cancel/",
        public.PublicBookingCancelApi.as_view(),
        name="booking-cancel",
    ),
    path(
        "bookings/<str:token>/reschedule/",
        public.PublicBookingRescheduleApi.as_view(),
        name="booking-reschedule",
    ),
]
