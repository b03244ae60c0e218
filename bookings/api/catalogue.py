"""Service categories and services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from bookings.models import Service, ServiceCategory
from bookings.selectors import service_category_list, service_list, tenant_get
from bookings.services.catalogue import (
    service_category_create,
    service_category_delete,
    service_category_update,
    service_create,
    service_delete,
    service_update,
)

from .base import PaginatedSalonApi, SalonApi, SalonPrimaryKeyRelatedField, TenantModelSerializer

CATEGORY_TAGS = ["service categories"]
SERVICE_TAGS = ["services"]


class ServiceCategoryOutputSerializer(TenantModelSerializer):
    class Meta:
        model = ServiceCategory
        fields = ["id", "name", "position"]


class ServiceCategoryInputSerializer(TenantModelSerializer):
    class Meta:
        model = ServiceCategory
        fields = ["name", "position"]


class ServiceOutputSerializer(TenantModelSerializer):
    class Meta:
        model = Service
        fields = [
            "id",
            "category",
            "name",
            "description",
            "duration_minutes",
            "price",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "online_bookable",
            "visibility",
            "color",
            "is_active",
        ]


class ServiceInputSerializer(TenantModelSerializer):
    category = SalonPrimaryKeyRelatedField(
        queryset=ServiceCategory.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Service
        fields = [
            "category",
            "name",
            "description",
            "duration_minutes",
            "price",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "online_bookable",
            "visibility",
            "color",
            "is_active",
        ]


class ServiceCategoryListApi(PaginatedSalonApi):
    @extend_schema(tags=CATEGORY_TAGS, responses=ServiceCategoryOutputSerializer(many=True))
    def get(self, request: Request, salon_slug: str) -> Response:
        return self.paginated_response(
            service_category_list(salon=self.salon), ServiceCategoryOutputSerializer
        )

    @extend_schema(
        tags=CATEGORY_TAGS,
        request=ServiceCategoryInputSerializer,
        responses={201: ServiceCategoryOutputSerializer},
    )
    def post(self, request: Request, salon_slug: str) -> Response:
        serializer = ServiceCategoryInputSerializer(
            data=request.data, context=self.serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        category = service_category_create(salon=self.salon, **serializer.validated_data)
        return Response(
            ServiceCategoryOutputSerializer(category).data, status=status.HTTP_201_CREATED
        )


class ServiceCategoryDetailApi(SalonApi):
    @extend_schema(tags=CATEGORY_TAGS, responses=ServiceCategoryOutputSerializer)
    def get(self, request: Request, salon_slug: str, category_id: int) -> Response:
        category = tenant_get(ServiceCategory, salon=self.salon, pk=category_id)
        return Response(ServiceCategoryOutputSerializer(category).data)

    @extend_schema(
        tags=CATEGORY_TAGS,
        request=ServiceCategoryInputSerializer,
        responses=ServiceCategoryOutputSerializer,
    )
    def patch(self, request: Request, salon_slug: str, category_id: int) -> Response:
        category = tenant_get(ServiceCategory, salon=self.salon, pk=category_id)
        serializer = ServiceCategoryInputSerializer(
            data=request.data, partial=True, context=self.serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        category = service_category_update(category=category, **serializer.validated_data)
        return Response(ServiceCategoryOutputSerializer(category).data)

    @extend_schema(tags=CATEGORY_TAGS, responses={204: None})
    def delete(self, request: Request, salon_slug: str, category_id: int) -> Response:
        category = tenant_get(ServiceCategory, salon=self.salon, pk=category_id)
        service_category_delete(category=category)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ServiceListApi(PaginatedSalonApi):
    @extend_schema(tags=SERVICE_TAGS, responses=ServiceOutputSerializer(many=True))
    def get(self, request: Request, salon_slug: str) -> Response:
        return self.paginated_response(service_list(salon=self.salon), ServiceOutputSerializer)

    @extend_schema(
        tags=SERVICE_TAGS, request=ServiceInputSerializer, responses={201: ServiceOutputSerializer}
    )
    def post(self, request: Request, salon_slug: str) -> Response:
        serializer = ServiceInputSerializer(data=request.data, context=self.serializer_context())
        serializer.is_valid(raise_exception=True)
        service = service_create(salon=self.salon, **serializer.validated_data)
        return Response(ServiceOutputSerializer(service).data, status=status.HTTP_201_CREATED)


class ServiceDetailApi(SalonApi):
    @extend_schema(tags=SERVICE_TAGS, responses=ServiceOutputSerializer)
    def get(self, request: Request, salon_slug: str, service_id: int) -> Response:
        service = tenant_get(Service, salon=self.salon, pk=service_id)
        return Response(ServiceOutputSerializer(service).data)

    @extend_schema(
        tags=SERVICE_TAGS, request=ServiceInputSerializer, responses=ServiceOutputSerializer
    )
    def patch(self, request: Request, salon_slug: str, service_id: int) -> Response:
        service = tenant_get(Service, salon=self.salon, pk=service_id)
        serializer = ServiceInputSerializer(
            data=request.data, partial=True, context=self.serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        service = service_update(service=service, **serializer.validated_data)
        return Response(ServiceOutputSerializer(service).data)

    @extend_schema(tags=SERVICE_TAGS, responses={204: None})
    def delete(self, request: Request, salon_slug: str, service_id: int) -> Response:
        service_delete(service=tenant_get(Service, salon=self.salon, pk=service_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
