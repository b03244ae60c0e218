"""Staff invitations, "my day", access (roles) and the booking e-mails to the salon in the
dashboard (joined into the `dashboard` namespace by salonbook/dashboard_urls.py)."""

from django.urls import path

from . import dashboard_views, team_views

urlpatterns = [
    path(
        "staff/<int:staff_id>/invite/",
        dashboard_views.StaffInviteView.as_view(),
        name="staff_invite",
    ),
    path(
        "staff/invitations/<int:invitation_id>/revoke/",
        dashboard_views.StaffInvitationRevokeView.as_view(),
        name="staff_invitation_revoke",
    ),
    path("my-day/", team_views.MyDayView.as_view(), name="my_day"),
    path(
        "my-day/booking-emails/",
        team_views.MyBookingEmailsView.as_view(),
        name="my_booking_emails",
    ),
    path("staff/access/", team_views.MemberListView.as_view(), name="member_list"),
    path(
        "staff/access/<int:membership_id>/role/",
        team_views.MemberRoleView.as_view(),
        name="member_role",
    ),
    path(
        "staff/access/<int:membership_id>/revoke/",
        team_views.MemberRevokeView.as_view(),
        name="member_revoke",
    ),
    path(
        "notices/booking-emails/",
        team_views.BookingNoticesView.as_view(),
        name="booking_notices",
    ),
]
