"""Owner API of one salon: `/api/v1/salons/<salon_slug>/…` (see bookings/api/base.py)."""

from django.urls import path

from . import appointments, catalogue, clients, locations, settings, staff

app_name = "bookings-api"

urlpatterns = [
    path("locations/", locations.LocationListApi.as_view(), name="location-list"),
    path(
        "locations/<int:location_id>/",
        locations.LocationDetailApi.as_view(),
        name="location-detail",
    ),
    path(
        "locations/<int:location_id>/hours/",
        locations.LocationHoursListApi.as_view(),
        name="location-hours-list",
    ),
    path(
        "locations/<int:location_id>/hours/<int:hours_id>/",
        locations.LocationHoursDetailApi.as_view(),
        name="location-hours-detail",
    ),
    path(
        "service-categories/",
        catalogue.ServiceCategoryListApi.as_view(),
        name="service-category-list",
    ),
    path(
        "service-categories/<int:category_id>/",
        catalogue.ServiceCategoryDetailApi.as_view(),
        name="service-category-detail",
    ),
    path("services/", catalogue.ServiceListApi.as_view(), name="service-list"),
    path(
        "services/<int:service_id>/",
        catalogue.ServiceDetailApi.as_view(),
        name="service-detail",
    ),
    path("staff/", staff.StaffMemberListApi.as_view(), name="staff-list"),
    path("staff/<int:staff_id>/", staff.StaffMemberDetailApi.as_view(), name="staff-detail"),
    path(
        "staff/<int:staff_id>/working-hours/",
        staff.WorkingHoursListApi.as_view(),
        name="working-hours-list",
    ),
    path(
        "staff/<int:staff_id>/working-hours/<int:hours_id>/",
        staff.WorkingHoursDetailApi.as_view(),
        name="working-hours-detail",
    ),
    path(
        "staff/<int:staff_id>/time-off/",
        staff.TimeOffListApi.as_view(),
        name="time-off-list",
    ),
    path(
        "staff/<int:staff_id>/time-off/<int:time_off_id>/",
        staff.TimeOffDetailApi.as_view(),
        name="time-off-detail",
    ),
    path("clients/", clients.ClientListApi.as_view(), name="client-list"),
    path("clients/<int:client_id>/", clients.ClientDetailApi.as_view(), name="client-detail"),
    path("clients/<int:client_id>/merge/", clients.ClientMergeApi.as_view(), name="client-merge"),
    path(
        "clients/<int:client_id>/duplicates/",
        clients.ClientDuplicatesApi.as_view(),
        name="client-duplicates",
    ),
    path("appointments/", appointments.AppointmentListApi.as_view(), name="appointment-list"),
    path(
        "appointments/<int:appointment_id>/",
        appointments.AppointmentDetailApi.as_view(),
        name="appointment-detail",
    ),
    path(
        "appointments/<int:appointment_id>/status/",
        appointments.AppointmentStatusApi.as_view(),
        name="appointment-status",
    ),
    # Settings of the dashboard (bookings/api/settings.py)
    path("booking-settings/", settings.BookingSettingsApi.as_view(), name="booking-settings"),
    path(
        "locations/<int:location_id>/passcode/",
        settings.LocationPasscodeApi.as_view(),
        name="location-passcode",
    ),
    path(
        "locations/<int:location_id>/closed-days/",
        settings.ClosedDayListApi.as_view(),
        name="closed-day-list",
    ),
    path(
        "locations/<int:location_id>/closed-days/<int:closure_id>/",
        settings.ClosedDayDetailApi.as_view(),
        name="closed-day-detail",
    ),
    path(
        "staff/<int:staff_id>/passcode/",
        settings.StaffPasscodeApi.as_view(),
        name="staff-passcode",
    ),
]
