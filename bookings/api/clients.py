"""The salon's clients."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from bookings.models import Client
from bookings.selectors import client_list, tenant_get
from bookings.services.clients import client_create, client_update

from .base import PaginatedSalonApi, SalonApi, TenantModelSerializer

TAGS = ["clients"]


class ClientOutputSerializer(TenantModelSerializer):
    has_account = serializers.SerializerMethodField()

    class Meta:
        model = Client
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "notes",
            "marketing_consent",
            "marketing_consent_at",
            "preferred_channel",
            "has_account",
            "created_at",
            "updated_at",
        ]

    def get_has_account(self, client: Client) -> bool:
        return client.user_id is not None


class ClientInputSerializer(TenantModelSerializer):
    class Meta:
        model = Client
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "notes",
            "marketing_consent",
            "preferred_channel",
        ]


class ClientListApi(PaginatedSalonApi):
    @extend_schema(
        tags=TAGS,
        parameters=[
            OpenApiParameter(
                "search",
                str,
                description="Words that must each appear in the name, email or phone.",
            )
        ],
        responses=ClientOutputSerializer(many=True),
    )
    def get(self, request: Request, salon_slug: str) -> Response:
        search = request.query_params.get("search", "")
        return self.paginated_response(
            client_list(salon=self.salon, search=search), ClientOutputSerializer
        )

    @extend_schema(
        tags=TAGS, request=ClientInputSerializer, responses={201: ClientOutputSerializer}
    )
    def post(self, request: Request, salon_slug: str) -> Response:
        serializer = ClientInputSerializer(data=request.data, context=self.serializer_context())
        serializer.is_valid(raise_exception=True)
        client = client_create(salon=self.salon, **serializer.validated_data)
        return Response(ClientOutputSerializer(client).data, status=status.HTTP_201_CREATED)


class ClientDetailApi(SalonApi):
    @extend_schema(tags=TAGS, responses=ClientOutputSerializer)
    def get(self, request: Request, salon_slug: str, client_id: int) -> Response:
        client = tenant_get(Client, salon=self.salon, pk=client_id)
        return Response(ClientOutputSerializer(client).data)

    @extend_schema(tags=TAGS, request=ClientInputSerializer, responses=ClientOutputSerializer)
    def patch(self, request: Request, salon_slug: str, client_id: int) -> Response:
        client = tenant_get(Client, salon=self.salon, pk=client_id)
        serializer = ClientInputSerializer(
            data=request.data, partial=True, context=self.serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        client = client_update(client=client, **serializer.validated_data)
        return Response(ClientOutputSerializer(client).data)
