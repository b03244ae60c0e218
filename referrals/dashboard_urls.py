"""The referral pages of the owner dashboard, `/dashboard/<salon_slug>/referrals/…`. Mounted by
salonbook/dashboard_urls.py inside the `dashboard` namespace (no `app_name` here), so the
names below are `dashboard:referrals` (the settings, linked from the side navigation),
`dashboard:referral_list`, …"""

from django.urls import URLPattern, path

from referrals.dashboard import views

urlpatterns: list[URLPattern] = [
    path("referrals/", views.ReferralSettingsView.as_view(), name="referrals"),
    path("referrals/list/", views.ReferralListView.as_view(), name="referral_list"),
    path("referrals/<int:pk>/award/", views.ReferralAwardView.as_view(), name="referral_award"),
    path(
        "referrals/clients/<int:client_id>/referrer-search/",
        views.ReferrerSearchView.as_view(),
        name="referral_referrer_search",
    ),
    path(
        "referrals/clients/<int:client_id>/referred-by/",
        views.ReferredBySetView.as_view(),
        name="referral_referred_by",
    ),
    path(
        "referrals/clients/<int:client_id>/referred-by/remove/",
        views.ReferredByClearView.as_view(),
        name="referral_referred_by_clear",
    ),
]
