"""Online booking → Preferences; included into the `dashboard` namespace."""

from django.urls import path

from . import online_booking as views

urlpatterns = [
    path("online-booking/", views.OnlineBookingView.as_view(), name="online_booking"),
    path(
        "online-booking/settings/",
        views.BookingSettingsUpdateView.as_view(),
        name="online_booking_settings",
    ),
    path(
        "online-booking/locations/<int:pk>/passcode/",
        views.LocationPasscodeUpdateView.as_view(),
        name="online_booking_location_passcode",
    ),
    path(
        "online-booking/locations/<int:pk>/send/",
        views.LocationPasscodeSendView.as_view(),
        name="online_booking_location_send",
    ),
    path(
        "online-booking/staff/<int:pk>/passcode/",
        views.StaffPasscodeUpdateView.as_view(),
        name="online_booking_staff_passcode",
    ),
    path(
        "online-booking/staff/<int:pk>/send/",
        views.StaffPasscodeSendView.as_view(),
        name="online_booking_staff_send",
    ),
]
