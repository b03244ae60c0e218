"""The loyalty pages of the owner dashboard, `/dashboard/<salon_slug>/loyalty/…`. Mounted by
salonbook/dashboard_urls.py inside the `dashboard` namespace (no `app_name` here), so the
names below are `dashboard:loyalty`, `dashboard:loyalty_gift_card_list`, …"""

from django.urls import path

from loyalty.dashboard import views

urlpatterns = [
    path("loyalty/", views.LoyaltySettingsView.as_view(), name="loyalty"),
    path(
        "loyalty/gift-card-types/",
        views.GiftCardTypeListView.as_view(),
        name="loyalty_gift_card_type_list",
    ),
    path(
        "loyalty/gift-card-types/new/",
        views.GiftCardTypeCreateView.as_view(),
        name="loyalty_gift_card_type_create",
    ),
    path(
        "loyalty/gift-card-types/<int:pk>/edit/",
        views.GiftCardTypeEditView.as_view(),
        name="loyalty_gift_card_type_edit",
    ),
    path("loyalty/gift-cards/", views.GiftCardListView.as_view(), name="loyalty_gift_card_list"),
    path(
        "loyalty/gift-cards/new/",
        views.GiftCardIssueView.as_view(),
        name="loyalty_gift_card_issue",
    ),
    path(
        "loyalty/gift-cards/<int:pk>/",
        views.GiftCardDetailView.as_view(),
        name="loyalty_gift_card_detail",
    ),
    path(
        "loyalty/clients/<int:client_id>/adjust/",
        views.PointsAdjustView.as_view(),
        name="loyalty_points_adjust",
    ),
]
