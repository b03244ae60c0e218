from django.urls import path

from . import views

app_name = "onboarding"

urlpatterns = [
    path("", views.StartView.as_view(), name="start"),
    # Before the salon's pages: "invite" is a reserved web address (onboarding/defaults.py).
    path(
        "invite/<slug:salon_slug>/<str:token>/",
        views.InvitationView.as_view(),
        name="invitation",
    ),
    path("<slug:salon_slug>/", views.ResumeView.as_view(), name="resume"),
    path("<slug:salon_slug>/location/", views.LocationStepView.as_view(), name="location"),
    path("<slug:salon_slug>/services/", views.ServicesStepView.as_view(), name="services"),
    path("<slug:salon_slug>/staff/", views.StaffStepView.as_view(), name="staff"),
    path("<slug:salon_slug>/skip/<str:step>/", views.SkipStepView.as_view(), name="skip"),
    path("<slug:salon_slug>/live/", views.LiveView.as_view(), name="live"),
    path("<slug:salon_slug>/qr.svg", views.QrCodeView.as_view(), name="qr"),
]
