"""Locations and their weekly opening hours."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from bookings.models import Location, LocationHours, Salon
from bookings.selectors import location_list, tenant_get
from bookings.services.catalogue import (
    location_create,
    location_delete,
    location_hours_create,
    location_hours_delete,
    location_update,
)

from .base import (
    LocalEndTimeField,
    LocalTimeField,
    PaginatedSalonApi,
    SalonApi,
    TenantModelSerializer,
)

TAGS = ["locations"]


class LocationHoursOutputSerializer(TenantModelSerializer):
    opens = LocalTimeField()
    closes = LocalEndTimeField()

    class Meta:
        model = LocationHours
        fields = ["id", "weekday", "opens", "closes"]


class LocationHoursInputSerializer(TenantModelSerializer):
    opens = LocalTimeField()
    closes = LocalEndTimeField()

    class Meta:
        model = LocationHours
        fields = ["weekday", "opens", "closes"]


class LocationOutputSerializer(TenantModelSerializer):
    opening_hours = LocationHoursOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Location
        fields = [
            "id",
            "name",
            "address",
            "city",
            "postal_code",
            "country",
            "time_zone",
            "phone",
            "email",
            "description",
            "is_active",
            "opening_hours",
        ]


class LocationInputSerializer(TenantModelSerializer):
    class Meta:
        model = Location
        fields = [
            "name",
            "address",
            "city",
            "postal_code",
            "country",
            "time_zone",
            "phone",
            "email",
            "description",
            "is_active",
        ]


def _locations_with_hours(salon: Salon) -> QuerySet[Location]:
    return location_list(salon=salon).prefetch_related(
        Prefetch("opening_hours", queryset=LocationHours.objects.for_salon(salon))
    )


class LocationListApi(PaginatedSalonApi):
    @extend_schema(tags=TAGS, responses=LocationOutputSerializer(many=True))
    def get(self, request: Request, salon_slug: str) -> Response:
        return self.paginated_response(_locations_with_hours(self.salon), LocationOutputSerializer)

    @extend_schema(
        tags=TAGS, request=LocationInputSerializer, responses={201: LocationOutputSerializer}
    )
    def post(self, request: Request, salon_slug: str) -> Response:
        serializer = LocationInputSerializer(data=request.data, context=self.serializer_context())
        serializer.is_valid(raise_exception=True)
        location = location_create(salon=self.salon, **serializer.validated_data)
        location = tenant_get(
            Location, salon=self.salon, pk=location.pk, queryset=_locations_with_hours(self.salon)
        )
        return Response(LocationOutputSerializer(location).data, status=status.HTTP_201_CREATED)


class LocationDetailApi(SalonApi):
    def _get_location(self, location_id: int) -> Location:
        return tenant_get(
            Location, salon=self.salon, pk=location_id, queryset=_locations_with_hours(self.salon)
        )

    @extend_schema(tags=TAGS, responses=LocationOutputSerializer)
    def get(self, request: Request, salon_slug: str, location_id: int) -> Response:
        return Response(LocationOutputSerializer(self._get_location(location_id)).data)

    @extend_schema(tags=TAGS, request=LocationInputSerializer, responses=LocationOutputSerializer)
    def patch(self, request: Request, salon_slug: str, location_id: int) -> Response:
        location = self._get_location(location_id)
        serializer = LocationInputSerializer(
            data=request.data, partial=True, context=self.serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        location = location_update(location=location, **serializer.validated_data)
        return Response(LocationOutputSerializer(location).data)

    @extend_schema(tags=TAGS, responses={204: None})
    def delete(self, request: Request, salon_slug: str, location_id: int) -> Response:
        location_delete(location=self._get_location(location_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class LocationHoursListApi(SalonApi):
    @extend_schema(tags=TAGS, responses=LocationHoursOutputSerializer(many=True))
    def get(self, request: Request, salon_slug: str, location_id: int) -> Response:
        location = tenant_get(Location, salon=self.salon, pk=location_id)
        hours = LocationHours.objects.for_salon(self.salon).filter(location=location)
        return Response(LocationHoursOutputSerializer(hours, many=True).data)

    @extend_schema(
        tags=TAGS,
        request=LocationHoursInputSerializer,
        responses={201: LocationHoursOutputSerializer},
    )
    def post(self, request: Request, salon_slug: str, location_id: int) -> Response:
        location = tenant_get(Location, salon=self.salon, pk=location_id)
        serializer = LocationHoursInputSerializer(
            data=request.data, context=self.serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        # A closing time earlier than the opening is on the next day (documented on the field).
        hours = location_hours_create(
            location=location, overnight=True, **serializer.validated_data
        )
        return Response(LocationHoursOutputSerializer(hours).data, status=status.HTTP_201_CREATED)


class LocationHoursDetailApi(SalonApi):
    @extend_schema(tags=TAGS, responses={204: None})
    def delete(
        self, request: Request, salon_slug: str, location_id: int, hours_id: int
    ) -> Response:
        location = tenant_get(Location, salon=self.salon, pk=location_id)
        hours = tenant_get(
            LocationHours,
            salon=self.salon,
            pk=hours_id,
            queryset=LocationHours.objects.filter(location=location),
        )
        location_hours_delete(hours=hours)
        return Response(status=status.HTTP_204_NO_CONTENT)
