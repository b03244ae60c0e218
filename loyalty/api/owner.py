"""Owner API of the loyalty system: `/api/v1/salons/<salon_slug>/loyalty/…`.

Access as everywhere in the owner API (bookings/api/base.py): members read, owners and managers
write, anyone else gets 404. Ids in the URL are looked up through `tenant_get`, so another
salon's id is a 404 like a missing one; ids in a body or a query (`gift_card_type`, `client`)
are a 400 "Invalid pk" like an unknown one.

- `settings/` — the loyalty switch and the award delay.
- `service-points/` — which services earn points, and how many.
- `clients/<id>/points/` — a client's balance and ledger; `…/adjustments/` adds (+) or takes (−)
  points by hand, with a description the client sees.
- `gift-card-types/` — the cards the salon offers. There is no DELETE: a type with cards is
  their history; stop offering it with `is_active=false`.
- `gift-cards/` — issued cards and their value ledger; POST issues one. The full code is shown
  only in the answer to that POST (whoever holds a code can spend it); lists show its last four
  characters.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from bookings.api.base import (
    PaginatedSalonApi,
    SalonApi,
    SalonPrimaryKeyRelatedField,
    TenantModelSerializer,
)
from bookings.models import Client, Service
from bookings.selectors import tenant_get
from loyalty.codes import code_display
from loyalty.models import (
    MAX_AWARD_DELAY_MINUTES,
    GiftCard,
    GiftCardEntry,
    GiftCardType,
    PointsEntry,
    ServicePoints,
)
from loyalty.selectors import (
    gift_card_entries,
    gift_card_list,
    gift_card_search_list,
    gift_card_type_list,
    loyalty_program_get,
    points_balance,
    points_entry_description,
    points_history,
    service_points_list,
)
from loyalty.services.gift_cards import (
    gift_card_issue,
    gift_card_type_create,
    gift_card_type_update,
    gift_card_valid_until,
)
from loyalty.services.points import points_adjust
from loyalty.services.program import loyalty_program_update, service_points_set

TAGS = ["loyalty"]


def one_of(values: list[str]) -> Any:
    return format_lazy(_("One of: {values}."), values=", ".join(values))


# --- Settings -------------------------------------------------------------------------------


class LoyaltySettingsOutputSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    award_delay_minutes = serializers.IntegerField()
    enabled_at = serializers.DateTimeField(
        allow_null=True,
        help_text=_("When the system was last switched on: only visits after it earn."),
    )


class LoyaltySettingsInputSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    award_delay_minutes = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_AWARD_DELAY_MINUTES,
        help_text=_("Points are credited this many minutes after the visit ends; default 180."),
    )


class LoyaltySettingsApi(SalonApi):
    @extend_schema(tags=TAGS, responses=LoyaltySettingsOutputSerializer)
    def get(self, request: Request, salon_slug: str) -> Response:
        program = loyalty_program_get(salon=self.salon)
        return Response(LoyaltySettingsOutputSerializer(program).data)

    @extend_schema(
        tags=TAGS,
        request=LoyaltySettingsInputSerializer,
        responses=LoyaltySettingsOutputSerializer,
    )
    def put(self, request: Request, salon_slug: str) -> Response:
        serializer = LoyaltySettingsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        program = loyalty_program_update(salon=self.salon, **serializer.validated_data)
        return Response(LoyaltySettingsOutputSerializer(program).data)


# --- Service points -------------------------------------------------------------------------


class ServicePointsOutputSerializer(serializers.Serializer):
    service = serializers.IntegerField(source="service.pk")
    name = serializers.CharField(source="service.name")
    category = serializers.CharField(source="service.category.name", allow_null=True)
    enabled = serializers.BooleanField(help_text=_("Part of the loyalty system."))
    points = serializers.IntegerField(
        allow_null=True, help_text=_("Points one booking earns (kept while switched off).")
    )


class ServicePointsInputSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    points = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("1 or more; may be left out to switch a service off."),
    )


def _service_points_row(service: Service, rule: ServicePoints | None) -> dict[str, Any]:
    return {
        "service": service,
        "enabled": rule is not None and rule.enabled,
        "points": rule.points if rule is not None else None,
    }


class ServicePointsListApi(SalonApi):
    """Every active service, whether it earns points and how many."""

    @extend_schema(tags=TAGS, responses=ServicePointsOutputSerializer(many=True))
    def get(self, request: Request, salon_slug: str) -> Response:
        rows = [_service_points_row(s, r) for s, r in service_points_list(salon=self.salon)]
        return Response(ServicePointsOutputSerializer(rows, many=True).data)


class ServicePointsDetailApi(SalonApi):
    @extend_schema(
        tags=TAGS, request=ServicePointsInputSerializer, responses=ServicePointsOutputSerializer
    )
    def put(self, request: Request, salon_slug: str, service_id: int) -> Response:
        service = tenant_get(
            Service,
            salon=self.salon,
            pk=service_id,
            queryset=Service.objects.select_related("category"),
        )
        serializer = ServicePointsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rule = service_points_set(salon=self.salon, service=service, **serializer.validated_data)
        return Response(ServicePointsOutputSerializer(_service_points_row(service, rule)).data)


# --- A client's points ----------------------------------------------------------------------


class PointsEntryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=PointsEntry.Kind.choices)
    points = serializers.IntegerField(help_text=_("Positive: credited; negative: taken."))
    description = serializers.SerializerMethodField(help_text=_("What the client reads."))
    actor_email = serializers.EmailField(source="actor.email", allow_null=True)
    appointment = serializers.IntegerField(source="appointment_id", allow_null=True)
    gift_card = serializers.IntegerField(source="gift_card_id", allow_null=True)

    def get_description(self, entry: PointsEntry) -> str:
        return points_entry_description(entry)


class ClientPointsOutputSerializer(serializers.Serializer):
    balance = serializers.IntegerField()
    count = serializers.IntegerField(help_text=_("Ledger rows in all."))
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PointsEntryOutputSerializer(many=True, help_text=_("Latest first."))


class PointsAdjustmentInputSerializer(serializers.Serializer):
    points = serializers.IntegerField(help_text=_("Points to add, or with a minus to take."))
    description = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Why; the client sees this text."),
    )


class PointsAdjustmentOutputSerializer(serializers.Serializer):
    entry = PointsEntryOutputSerializer()
    balance = serializers.IntegerField(help_text=_("The client's balance after it."))


PAGE_PARAMETERS = [
    OpenApiParameter("limit", int, description=_("Number of ledger rows to return per page.")),
    OpenApiParameter("offset", int, description=_("The initial index of the rows to return.")),
]


class ClientPointsApi(SalonApi):
    """A client's balance and their ledger, latest first, in limit/offset pages."""

    @extend_schema(tags=TAGS, parameters=PAGE_PARAMETERS, responses=ClientPointsOutputSerializer)
    def get(self, request: Request, salon_slug: str, client_id: int) -> Response:
        client = tenant_get(Client, salon=self.salon, pk=client_id)
        response = self.paginated_response(
            points_history(salon=self.salon, client=client), PointsEntryOutputSerializer
        )
        response.data = {
            "balance": points_balance(salon=self.salon, client=client),
            **response.data,
        }
        return response


class ClientPointsAdjustmentApi(SalonApi):
    @extend_schema(
        tags=TAGS,
        description=_(
            "Add (+) or take (−) points by hand, with a description the client sees; the client "
            "is notified if they opted in to marketing. Taking more than the balance is refused."
        ),
        request=PointsAdjustmentInputSerializer,
        responses={201: PointsAdjustmentOutputSerializer},
    )
    def post(self, request: Request, salon_slug: str, client_id: int) -> Response:
        client = tenant_get(Client, salon=self.salon, pk=client_id)
        serializer = PointsAdjustmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = points_adjust(
            salon=self.salon, client=client, actor=request.user, **serializer.validated_data
        )
        data = {"entry": entry, "balance": points_balance(salon=self.salon, client=client)}
        return Response(PointsAdjustmentOutputSerializer(data).data, status=status.HTTP_201_CREATED)


# --- Gift card types ------------------------------------------------------------------------

GIFT_CARD_TYPE_FIELDS = [
    "name",
    "description",
    "value",
    "validity_days",
    "for_points",
    "points_price",
    "sold_online",
    "is_active",
]


class GiftCardTypeOutputSerializer(TenantModelSerializer):
    class Meta:
        model = GiftCardType
        fields = ["id", *GIFT_CARD_TYPE_FIELDS, "created_at"]


class GiftCardTypeInputSerializer(TenantModelSerializer):
    class Meta:
        model = GiftCardType
        fields = GIFT_CARD_TYPE_FIELDS


class GiftCardTypeListApi(PaginatedSalonApi):
    @extend_schema(tags=TAGS, responses=GiftCardTypeOutputSerializer(many=True))
    def get(self, request: Request, salon_slug: str) -> Response:
        return self.paginated_response(
            gift_card_type_list(salon=self.salon), GiftCardTypeOutputSerializer
        )

    @extend_schema(
        tags=TAGS,
        request=GiftCardTypeInputSerializer,
        responses={201: GiftCardTypeOutputSerializer},
    )
    def post(self, request: Request, salon_slug: str) -> Response:
        serializer = GiftCardTypeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        card_type = gift_card_type_create(salon=self.salon, **serializer.validated_data)
        return Response(
            GiftCardTypeOutputSerializer(card_type).data, status=status.HTTP_201_CREATED
        )


class GiftCardTypeDetailApi(SalonApi):
    """One gift card type. There is no DELETE: its cards keep it as their history; stop
    offering it with `is_active=false`."""

    @extend_schema(tags=TAGS, responses=GiftCardTypeOutputSerializer)
    def get(self, request: Request, salon_slug: str, gift_card_type_id: int) -> Response:
        card_type = tenant_get(GiftCardType, salon=self.salon, pk=gift_card_type_id)
        return Response(GiftCardTypeOutputSerializer(card_type).data)

    @extend_schema(
        tags=TAGS, request=GiftCardTypeInputSerializer, responses=GiftCardTypeOutputSerializer
    )
    def patch(self, request: Request, salon_slug: str, gift_card_type_id: int) -> Response:
        card_type = tenant_get(GiftCardType, salon=self.salon, pk=gift_card_type_id)
        serializer = GiftCardTypeInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        card_type = gift_card_type_update(gift_card_type=card_type, **serializer.validated_data)
        return Response(GiftCardTypeOutputSerializer(card_type).data)


# --- Gift cards -----------------------------------------------------------------------------


class GiftCardOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    card_type = serializers.IntegerField(source="card_type_id", allow_null=True)
    client = serializers.IntegerField(source="client_id", allow_null=True)
    client_name = serializers.CharField(source="client.full_name", allow_null=True)
    masked_code = serializers.CharField(help_text=_("The code's last four characters."))
    initial_value = serializers.DecimalField(max_digits=10, decimal_places=2)
    balance = serializers.DecimalField(
        max_digits=10, decimal_places=2, help_text=_("Remaining value.")
    )
    currency = serializers.CharField()
    # A string, not an enum: the detail and the issue answer repeat these fields, and one
    # choice set in several components named `source` (appointments have one) is a schema
    # naming collision.
    source = serializers.CharField(help_text=one_of(GiftCard.Source.values))
    expires_at = serializers.DateTimeField(allow_null=True)
    valid_until = serializers.SerializerMethodField(
        help_text=_("Last valid day in the salon's time zone; null: no expiry.")
    )
    is_expired = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(OpenApiTypes.DATE)
    def get_valid_until(self, card: GiftCard) -> dt.date | None:
        return gift_card_valid_until(card)

    def get_is_expired(self, card: GiftCard) -> bool:
        return card.is_expired()


class GiftCardEntryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=GiftCardEntry.Kind.choices)
    amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, help_text=_("Positive: added; negative: spent.")
    )
    appointment = serializers.IntegerField(source="appointment_id", allow_null=True)
    actor_email = serializers.EmailField(source="actor.email", allow_null=True)


class GiftCardDetailOutputSerializer(GiftCardOutputSerializer):
    entries = serializers.SerializerMethodField(help_text=_("The card's ledger, latest first."))

    @extend_schema_field(GiftCardEntryOutputSerializer(many=True))
    def get_entries(self, card: GiftCard) -> Any:
        return GiftCardEntryOutputSerializer(self.context["entries"], many=True).data


class GiftCardIssuedOutputSerializer(GiftCardOutputSerializer):
    code = serializers.SerializerMethodField(
        help_text=_("The full code, shown only now: whoever holds it can spend the card.")
    )

    def get_code(self, card: GiftCard) -> str:
        return code_display(card.code)


class GiftCardFilterSerializer(serializers.Serializer):
    client = SalonPrimaryKeyRelatedField(
        queryset=Client.objects.all(), required=False, help_text=_("Cards of this client.")
    )
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Part of the code, or words of the client's name or email."),
    )


class GiftCardIssueInputSerializer(serializers.Serializer):
    gift_card_type = SalonPrimaryKeyRelatedField(queryset=GiftCardType.objects.all())
    client = SalonPrimaryKeyRelatedField(
        queryset=Client.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "Who gets the card (it is e-mailed to them); empty for a card sold at the desk."
        ),
    )


class GiftCardListApi(PaginatedSalonApi):
    @extend_schema(
        tags=TAGS,
        parameters=[GiftCardFilterSerializer],
        responses=GiftCardOutputSerializer(many=True),
    )
    def get(self, request: Request, salon_slug: str) -> Response:
        filters = GiftCardFilterSerializer(
            data=request.query_params, context=self.serializer_context()
        )
        filters.is_valid(raise_exception=True)
        # The dashboard's search (code, or the client's name or email), so both find alike.
        cards = gift_card_search_list(salon=self.salon, search=filters.validated_data["search"])
        if filters.validated_data.get("client") is not None:
            cards = cards.filter(client=filters.validated_data["client"])
        return self.paginated_response(cards, GiftCardOutputSerializer)

    @extend_schema(
        tags=TAGS,
        description=_(
            "The salon issues a card of a type (sold or given at the desk). The answer carries "
            "the full code, which no other answer shows."
        ),
        request=GiftCardIssueInputSerializer,
        responses={201: GiftCardIssuedOutputSerializer},
    )
    def post(self, request: Request, salon_slug: str) -> Response:
        serializer = GiftCardIssueInputSerializer(
            data=request.data, context=self.serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        card = gift_card_issue(
            salon=self.salon,
            card_type=serializer.validated_data["gift_card_type"],
            client=serializer.validated_data["client"],
            actor=request.user,
        )
        return Response(GiftCardIssuedOutputSerializer(card).data, status=status.HTTP_201_CREATED)


class GiftCardDetailApi(SalonApi):
    """One issued card with its value ledger."""

    @extend_schema(tags=TAGS, responses=GiftCardDetailOutputSerializer)
    def get(self, request: Request, salon_slug: str, gift_card_id: int) -> Response:
        card = tenant_get(
            GiftCard, salon=self.salon, pk=gift_card_id, queryset=gift_card_list(salon=self.salon)
        )
        entries = gift_card_entries(salon=self.salon, gift_card=card)
        return Response(GiftCardDetailOutputSerializer(card, context={"entries": entries}).data)
