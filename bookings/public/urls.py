from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.SalonHomeView.as_view(), name="home"),
    path("l/<int:location_id>/", views.ServiceListView.as_view(), name="services"),
    path("l/<int:location_id>/unlock/", views.LocationUnlockView.as_view(), name="location_unlock"),
    path(
        "l/<int:location_id>/staff/<int:staff_id>/unlock/",
        views.StaffUnlockView.as_view(),
        name="staff_unlock",
    ),
    path("l/<int:location_id>/s/<int:service_id>/", views.StaffChoiceView.as_view(), name="staff"),
    path("l/<int:location_id>/s/<int:service_id>/time/", views.TimesView.as_view(), name="times"),
    path(
        "l/<int:location_id>/s/<int:service_id>/details/",
        views.DetailsView.as_view(),
        name="details",
    ),
    path("checkout/", views.CheckoutView.as_view(), name="checkout"),
    path("my/", views.MyAppointmentsView.as_view(), name="my_appointments"),
    path("a/<str:token>/", views.AppointmentView.as_view(), name="appointment"),
    path("a/<str:token>/calendar.ics", views.AppointmentIcsView.as_view(), name="appointment_ics"),
    path("a/<str:token>/cancel/", views.AppointmentCancelView.as_view(), name="appointment_cancel"),
    path(
        "a/<str:token>/reschedule/",
        views.AppointmentRescheduleView.as_view(),
        name="appointment_reschedule",
    ),
]
