from django.urls import path

from notices.urls import urlpatterns as notices_urlpatterns

from . import client_merge, views
from .calendar_urls import urlpatterns as calendar_urlpatterns
from .online_booking_urls import urlpatterns as online_booking_urlpatterns

app_name = "dashboard"

urlpatterns = [
    path("", views.DashboardHomeView.as_view(), name="home"),
    path("salons/", views.SalonSwitcherView.as_view(), name="salon_switcher"),
    # Locations, their opening hours and closed days
    path("locations/", views.LocationListView.as_view(), name="location_list"),
    path("locations/new/", views.LocationCreateView.as_view(), name="location_create"),
    path("locations/<int:pk>/", views.LocationDetailView.as_view(), name="location_detail"),
    path("locations/<int:pk>/edit/", views.LocationEditView.as_view(), name="location_edit"),
    path(
        "locations/<int:pk>/hours/add/",
        views.LocationHoursCreateView.as_view(),
        name="location_hours_add",
    ),
    path(
        "locations/<int:pk>/hours/<int:hours_pk>/delete/",
        views.LocationHoursDeleteView.as_view(),
        name="location_hours_delete",
    ),
    path(
        "locations/<int:pk>/closures/add/",
        views.LocationClosureCreateView.as_view(),
        name="location_closure_add",
    ),
    path(
        "locations/<int:pk>/closures/<int:closure_pk>/delete/",
        views.LocationClosureDeleteView.as_view(),
        name="location_closure_delete",
    ),
    # Service categories and services
    path("services/", views.ServiceListView.as_view(), name="service_list"),
    path("services/new/", views.ServiceCreateView.as_view(), name="service_create"),
    path("services/<int:pk>/edit/", views.ServiceEditView.as_view(), name="service_edit"),
    path(
        "services/categories/new/",
        views.ServiceCategoryCreateView.as_view(),
        name="category_create",
    ),
    path(
        "services/categories/<int:pk>/edit/",
        views.ServiceCategoryEditView.as_view(),
        name="category_edit",
    ),
    # Staff, their working hours and time off
    path("staff/", views.StaffListView.as_view(), name="staff_list"),
    path("staff/new/", views.StaffCreateView.as_view(), name="staff_create"),
    path("staff/<int:pk>/", views.StaffDetailView.as_view(), name="staff_detail"),
    path("staff/<int:pk>/edit/", views.StaffEditView.as_view(), name="staff_edit"),
    path(
        "staff/<int:pk>/hours/add/",
        views.WorkingHoursCreateView.as_view(),
        name="working_hours_add",
    ),
    path(
        "staff/<int:pk>/hours/<int:hours_pk>/delete/",
        views.WorkingHoursDeleteView.as_view(),
        name="working_hours_delete",
    ),
    path("staff/<int:pk>/time-off/add/", views.TimeOffCreateView.as_view(), name="time_off_add"),
    path(
        "staff/<int:pk>/time-off/<int:time_off_pk>/delete/",
        views.TimeOffDeleteView.as_view(),
        name="time_off_delete",
    ),
    # Clients
    path("clients/", views.ClientListView.as_view(), name="client_list"),
    path("clients/new/", views.ClientCreateView.as_view(), name="client_create"),
    path("clients/<int:pk>/", views.ClientDetailView.as_view(), name="client_detail"),
    path("clients/<int:pk>/edit/", views.ClientEditView.as_view(), name="client_edit"),
    path("clients/<int:pk>/merge/", client_merge.ClientMergeView.as_view(), name="client_merge"),
    path(
        "clients/<int:pk>/merge/candidates/",
        client_merge.ClientMergeCandidatesView.as_view(),
        name="client_merge_candidates",
    ),
    *notices_urlpatterns,
    *calendar_urlpatterns,
    *online_booking_urlpatterns,
]
