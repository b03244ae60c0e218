"""The referral pages of the public booking site, under /s/<salon_slug>/. The project mounts
this module in the `referrals_public` namespace (salonbook/urls.py, FEATURE_PUBLIC_URLS)."""

from django.urls import URLPattern, path

from referrals.public import views

urlpatterns: list[URLPattern] = [
    path("referral/", views.ReferralAccountView.as_view(), name="referral"),
    path("r/<str:code>/", views.ReferralLandingView.as_view(), name="landing"),
]
