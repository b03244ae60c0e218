"""URLs of the owner calendar, included in the `dashboard` namespace by `urls.py`."""

from django.urls import path

from . import calendar

urlpatterns = [
    path("calendar/", calendar.CalendarView.as_view(), name="calendar"),
    path(
        "calendar/appointments/new/",
        calendar.AppointmentCreateView.as_view(),
        name="appointment_create",
    ),
    path(
        "calendar/clients/suggestions/",
        calendar.ClientSuggestionsView.as_view(),
        name="calendar_client_suggestions",
    ),
    path(
        "calendar/appointments/<int:pk>/book-again/",
        calendar.BookAgainView.as_view(),
        name="appointment_book_again",
    ),
    path(
        "calendar/appointments/<int:pk>/",
        calendar.AppointmentDetailView.as_view(),
        name="appointment_detail",
    ),
    path(
        "calendar/appointments/<int:pk>/move/",
        calendar.AppointmentMoveView.as_view(),
        name="appointment_move",
    ),
    path(
        "calendar/appointments/<int:pk>/status/",
        calendar.AppointmentStatusView.as_view(),
        name="appointment_status",
    ),
]
