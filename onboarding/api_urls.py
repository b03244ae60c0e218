"""Owner API of the team and the booking e-mails, joined below `/api/v1/salons/<salon_slug>/`
by salonbook/api_urls.py (namespace `onboarding-api`)."""

from django.urls import path

from . import team_apis

urlpatterns = [
    path("members/", team_apis.MemberListApi.as_view(), name="member-list"),
    path(
        "members/<int:membership_id>/",
        team_apis.MemberDetailApi.as_view(),
        name="member-detail",
    ),
    path("invitations/", team_apis.InvitationListApi.as_view(), name="invitation-list"),
    path(
        "invitations/<int:invitation_id>/",
        team_apis.InvitationDetailApi.as_view(),
        name="invitation-detail",
    ),
    path("booking-notices/", team_apis.BookingNoticesApi.as_view(), name="booking-notices"),
    path(
        "staff/<int:staff_id>/booking-notices/",
        team_apis.StaffBookingNoticesApi.as_view(),
        name="staff-booking-notices",
    ),
]
