"""Owner API of referrals, mounted at `/api/v1/salons/<salon_slug>/referrals/` with the
namespace `referrals-api` (see referrals/api/owner.py)."""

from django.urls import URLPattern, path

from referrals.api import owner

urlpatterns: list[URLPattern] = [
    path("", owner.ReferralListApi.as_view(), name="referral-list"),
    path("settings/", owner.ReferralSettingsApi.as_view(), name="settings"),
    path("top-referrers/", owner.TopReferrersApi.as_view(), name="top-referrers"),
    path(
        "clients/<int:client_id>/referred-by/",
        owner.ClientReferredByApi.as_view(),
        name="client-referred-by",
    ),
]
