"""The salon's clients."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from bookings.models import Client
from bookings.selectors import client_list, tenant_get
from bookings.services.clients import (
    client_create,
    client_duplicates_of,
    client_update,
    clients_merge,
)

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
            "preferred_language",
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
            "preferred_language",
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


class ClientMergeInputSerializer(serializers.Serializer):
    merged = serializers.IntegerField(
        min_value=1, help_text="Id of the duplicate to fold into this client (then deleted)."
    )


class ClientMergeApi(SalonApi):
    @extend_schema(
        tags=TAGS,
        description=(
            "Merge a duplicate into this client: the duplicate's appointments, notices, points "
            "and gift cards, packages and referrals move to this client, blank fields of this "
            "client are filled from it, and the duplicate is deleted — all or nothing. 400 "
            "(on `merged`) when they are the same client, linked to two different accounts, "
            "or both hold the same booking; 404 for another salon's ids."
        ),
        request=ClientMergeInputSerializer,
        responses=ClientOutputSerializer,
    )
    def post(self, request: Request, salon_slug: str, client_id: int) -> Response:
        kept = tenant_get(Client, salon=self.salon, pk=client_id)
        serializer = ClientMergeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        merged = tenant_get(Client, salon=self.salon, pk=serializer.validated_data["merged"])
        kept = clients_merge(salon=self.salon, kept=kept, merged=merged, actor=request.user)
        return Response(ClientOutputSerializer(kept).data)


class ClientDuplicatesApi(SalonApi):
    @extend_schema(
        tags=TAGS,
        description="Other clients of the salon with this client's e-mail or phone.",
        responses=ClientOutputSerializer(many=True),
    )
    def get(self, request: Request, salon_slug: str, client_id: int) -> Response:
        client = tenant_get(Client, salon=self.salon, pk=client_id)
        duplicates = client_duplicates_of(salon=self.salon, client=client)
        return Response(ClientOutputSerializer(duplicates, many=True).data)
