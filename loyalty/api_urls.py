"""Owner API of the loyalty system, mounted at `/api/v1/salons/<salon_slug>/loyalty/` with the
namespace `loyalty-api` (see loyalty/api/owner.py)."""

from django.urls import URLPattern, path

from loyalty.api import owner

urlpatterns: list[URLPattern] = [
    path("settings/", owner.LoyaltySettingsApi.as_view(), name="settings"),
    path("service-points/", owner.ServicePointsListApi.as_view(), name="service-points-list"),
    path(
        "service-points/<int:service_id>/",
        owner.ServicePointsDetailApi.as_view(),
        name="service-points-detail",
    ),
    path("clients/<int:client_id>/points/", owner.ClientPointsApi.as_view(), name="client-points"),
    path(
        "clients/<int:client_id>/points/adjustments/",
        owner.ClientPointsAdjustmentApi.as_view(),
        name="client-points-adjustment",
    ),
    path("gift-card-types/", owner.GiftCardTypeListApi.as_view(), name="gift-card-type-list"),
    path(
        "gift-card-types/<int:gift_card_type_id>/",
        owner.GiftCardTypeDetailApi.as_view(),
        name="gift-card-type-detail",
    ),
    path("gift-cards/", owner.GiftCardListApi.as_view(), name="gift-card-list"),
    path(
        "gift-cards/<int:gift_card_id>/",
        owner.GiftCardDetailApi.as_view(),
        name="gift-card-detail",
    ),
]
