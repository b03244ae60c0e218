"""The logged-in client's loyalty API, mounted at `/api/v1/public/<salon_slug>/loyalty/` with the
namespace `loyalty-public-api` (see loyalty/api/public.py)."""

from django.urls import URLPattern, path

from loyalty.api import public

urlpatterns: list[URLPattern] = [
    path("", public.PublicLoyaltyApi.as_view(), name="account"),
    path("gift-cards/", public.PublicGiftCardListApi.as_view(), name="gift-card-list"),
    path(
        "gift-card-types/", public.PublicGiftCardTypeListApi.as_view(), name="gift-card-type-list"
    ),
    path(
        "gift-card-types/on-sale/",
        public.PublicGiftCardSaleListApi.as_view(),
        name="gift-card-type-on-sale",
    ),
    path(
        "gift-card-types/<int:gift_card_type_id>/buy/",
        public.PublicGiftCardBuyApi.as_view(),
        name="gift-card-type-buy",
    ),
    path(
        "gift-card-types/<int:gift_card_type_id>/redeem/",
        public.PublicGiftCardRedeemApi.as_view(),
        name="gift-card-type-redeem",
    ),
]
