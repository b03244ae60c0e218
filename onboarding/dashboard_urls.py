"""Staff invitations in the dashboard (joined into the `dashboard` namespace by
salonbook/dashboard_urls.py)."""

from django.urls import path

from . import dashboard_views

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
]
