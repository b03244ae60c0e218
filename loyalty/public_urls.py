"""The loyalty pages of the public booking site, under /s/<salon_slug>/. The project mounts
this module in the `loyalty_public` namespace (salonbook/urls.py, FEATURE_PUBLIC_URLS)."""

from django.urls import path

from loyalty.public import views

urlpatterns = [
    path("loyalty/", views.LoyaltyView.as_view(), name="loyalty"),
    path("gift-cards/", views.GiftCardsView.as_view(), name="gift_cards"),
    path(
        "gift-cards/<int:type_id>/redeem/",
        views.GiftCardRedeemView.as_view(),
        name="gift_card_redeem",
    ),
    path("gift-cards/<int:type_id>/buy/", views.GiftCardBuyView.as_view(), name="gift_card_buy"),
]
