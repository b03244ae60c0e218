"""The logged-in client's loyalty: `/api/v1/public/<salon_slug>/loyalty/…`.

A client logs in with their session (the public site) or a token (`POST /api/v1/auth/token/`);
their record in this salon is `client_of_user`. Without login the answer is 401, except for the
list of gift card types (nothing is affordable then). A user without a client record in this
salon has no points: balance 0, empty lists, and redeeming is refused.

- `` (the prefix itself) — loyalty on or off, the balance and the latest points history.
- `gift-cards/` — the client's gift cards with their full code, remaining value and expiry.
- `gift-card-types/` — what can be taken with points, and whether this client can afford it.
- `gift-card-types/<id>/redeem/` — spend the points for a card: 201 with the card (and its
  code, which is also e-mailed); 400 when the points are short, the type is not for points or
  loyalty is off; 404 for a type of another salon.
- `gift-card-types/on-sale/` — what can be bought for money now (sold online, while the salon
  takes payments online); anyone may read it.
- `gift-card-types/<id>/buy/` — buy one, paid by card: 201 with the order and the
  `payment_url` to send the client to; the card is issued (and sent) when the payment
  arrives. 400 when the type is not sold online or online payments are off; 404 for a type of
  another salon.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.authentication import ApiTokenAuthentication
from bookings.api.public import PublicApi
from bookings.models import Client
from bookings.public.selectors import client_of_user
from bookings.selectors import tenant_get
from loyalty.codes import code_display
from loyalty.models import GiftCard, GiftCardType, PointsEntry
from loyalty.selectors import (
    gift_card_list,
    gift_card_types_for_client,
    gift_card_types_sold_online,
    loyalty_is_enabled,
    points_balance,
    points_entry_description,
    points_history,
)
from loyalty.services.gift_cards import (
    client_for_buyer,
    gift_card_buy_online,
    gift_card_buy_with_points,
    gift_card_valid_until,
)

TAGS = ["public"]
HISTORY_LIMIT = 100


def one_of(values: list[str]) -> Any:
    return format_lazy(gettext_lazy("One of: {values}."), values=", ".join(values))


# Base of the client's loyalty views: the salon of the URL (404 if unknown), a logged-in user.
class LoyaltyClientApi(PublicApi):
    # Token first, so an anonymous caller gets 401 with `WWW-Authenticate: Token`.
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @cached_property
    def client(self) -> Client | None:
        return client_of_user(salon=self.salon, user=self.request.user)


class PublicPointsEntryOut(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    # A string, not an enum: the owner API's ledger has the enum component of these choices.
    kind = serializers.CharField(help_text=one_of(PointsEntry.Kind.values))
    points = serializers.IntegerField(help_text=gettext_lazy("Positive: earned; negative: spent."))
    description = serializers.SerializerMethodField()

    def get_description(self, entry: PointsEntry) -> str:
        return points_entry_description(entry)


class PublicLoyaltyOut(serializers.Serializer):
    enabled = serializers.BooleanField(help_text=gettext_lazy("The salon's loyalty system is on."))
    balance = serializers.IntegerField()
    history = PublicPointsEntryOut(
        many=True, help_text=gettext_lazy("The latest 100 movements, latest first.")
    )


class PublicGiftCardOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.SerializerMethodField(help_text=gettext_lazy("Grouped by four."))
    initial_value = serializers.DecimalField(max_digits=10, decimal_places=2)
    balance = serializers.DecimalField(
        max_digits=10, decimal_places=2, help_text=gettext_lazy("Remaining value.")
    )
    currency = serializers.CharField()
    valid_until = serializers.SerializerMethodField(
        help_text=gettext_lazy("Last valid day in the salon's time zone; null: no expiry.")
    )
    expired = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_code(self, card: GiftCard) -> str:
        return code_display(card.code)

    @extend_schema_field(OpenApiTypes.DATE)
    def get_valid_until(self, card: GiftCard) -> dt.date | None:
        return gift_card_valid_until(card)

    def get_expired(self, card: GiftCard) -> bool:
        return card.is_expired()


class PublicGiftCardTypeOut(serializers.Serializer):
    id = serializers.IntegerField(source="card_type.pk")
    name = serializers.CharField(source="card_type.name")
    description = serializers.CharField(source="card_type.description")
    value = serializers.DecimalField(source="card_type.value", max_digits=10, decimal_places=2)
    currency = serializers.CharField()
    validity_days = serializers.IntegerField(
        source="card_type.validity_days",
        allow_null=True,
        help_text=gettext_lazy("Days a card stays valid; null: no expiry."),
    )
    points_price = serializers.IntegerField(source="card_type.points_price")
    affordable = serializers.BooleanField(
        help_text=gettext_lazy("The logged-in client has enough points to take it now.")
    )


class PublicLoyaltyApi(LoyaltyClientApi):
    @extend_schema(tags=TAGS, responses=PublicLoyaltyOut)
    def get(self, request: Request, salon_slug: str) -> Response:
        client = self.client
        history: Any = []
        balance = 0
        if client is not None:
            balance = points_balance(salon=self.salon, client=client)
            history = points_history(salon=self.salon, client=client)[:HISTORY_LIMIT]
        data = {
            "enabled": loyalty_is_enabled(salon=self.salon),
            "balance": balance,
            "history": history,
        }
        return Response(PublicLoyaltyOut(data).data)


class PublicGiftCardListApi(LoyaltyClientApi):
    @extend_schema(tags=TAGS, responses=PublicGiftCardOut(many=True))
    def get(self, request: Request, salon_slug: str) -> Response:
        client = self.client
        if client is None:
            return Response([])
        cards = gift_card_list(salon=self.salon, client=client)
        return Response(PublicGiftCardOut(cards, many=True).data)


class PublicGiftCardTypeListApi(LoyaltyClientApi):
    permission_classes = [AllowAny]

    @extend_schema(tags=TAGS, responses=PublicGiftCardTypeOut(many=True))
    def get(self, request: Request, salon_slug: str) -> Response:
        rows = [
            {"card_type": card_type, "currency": self.salon.currency, "affordable": affordable}
            for card_type, affordable in gift_card_types_for_client(
                salon=self.salon, client=self.client
            )
        ]
        return Response(PublicGiftCardTypeOut(rows, many=True).data)


class PublicGiftCardRedeemApi(LoyaltyClientApi):
    @extend_schema(
        tags=TAGS,
        description=gettext_lazy(
            "Spend points for a gift card of this type. The card (with its code) is issued to "
            "the logged-in client and e-mailed to them."
        ),
        request=None,
        responses={201: PublicGiftCardOut},
    )
    def post(self, request: Request, salon_slug: str, gift_card_type_id: int) -> Response:
        card_type = tenant_get(GiftCardType, salon=self.salon, pk=gift_card_type_id)
        client = self.client
        if client is None:
            raise ValidationError({"points": _("You have no points at this salon yet.")})
        card = gift_card_buy_with_points(
            salon=self.salon, client=client, card_type=card_type, actor=request.user
        )
        return Response(PublicGiftCardOut(card).data, status=status.HTTP_201_CREATED)


class PublicGiftCardSaleOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    value = serializers.DecimalField(max_digits=10, decimal_places=2)
    price = serializers.DecimalField(
        source="value",
        max_digits=10,
        decimal_places=2,
        help_text=gettext_lazy("What the client pays: the card's value."),
    )
    currency = serializers.CharField(source="salon.currency")
    validity_days = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("Days a card stays valid; null: no expiry.")
    )


class PublicGiftCardOrderOut(serializers.Serializer):
    reference = serializers.CharField(help_text=gettext_lazy("The order's public reference."))
    status = serializers.CharField(help_text=gettext_lazy("The order's state: pending until paid."))
    total = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField()
    payment_url = serializers.CharField(
        help_text=gettext_lazy("Where the client pays by card (send them there).")
    )


class PublicGiftCardSaleListApi(LoyaltyClientApi):
    permission_classes = [AllowAny]

    @extend_schema(tags=TAGS, responses=PublicGiftCardSaleOut(many=True))
    def get(self, request: Request, salon_slug: str) -> Response:
        types = gift_card_types_sold_online(salon=self.salon).select_related("salon")
        return Response(PublicGiftCardSaleOut(types, many=True).data)


class PublicGiftCardBuyApi(LoyaltyClientApi):
    @extend_schema(
        tags=TAGS,
        description=gettext_lazy(
            "Buy a gift card of this type for its value, paid by card: send the client to "
            "`payment_url`. The card is issued to the logged-in client (and sent to them) when "
            "the payment arrives; nothing is issued before."
        ),
        request=None,
        responses={201: PublicGiftCardOrderOut},
    )
    def post(self, request: Request, salon_slug: str, gift_card_type_id: int) -> Response:
        card_type = tenant_get(GiftCardType, salon=self.salon, pk=gift_card_type_id)
        client = client_for_buyer(salon=self.salon, user=request.user)
        bought = gift_card_buy_online(
            salon=self.salon, client=client, card_type=card_type, actor=request.user
        )
        order = bought.order
        data = {
            "reference": order.reference,
            "status": order.status,
            "total": order.total,
            "currency": order.currency,
            "payment_url": request.build_absolute_uri(bought.payment_url),
        }
        return Response(PublicGiftCardOrderOut(data).data, status=status.HTTP_201_CREATED)
