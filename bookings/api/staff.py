"""Staff members, their weekly shifts and their time off."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from bookings.models import Location, Service, StaffMember, TimeOff, WorkingHours
from bookings.selectors import staff_list, tenant_get
from bookings.services.catalogue import (
    staff_create,
    staff_update,
    time_off_create,
    time_off_delete,
    working_hours_create,
    working_hours_delete,
)

from .base import (
    AwareDateTimeField,
    LocalEndTimeField,
    LocalTimeField,
    PaginatedSalonApi,
    SalonApi,
    SalonPrimaryKeyRelatedField,
    TenantModelSerializer,
)

TAGS = ["staff"]


class WorkingHoursOutputSerializer(TenantModelSerializer):
    starts = LocalTimeField()
    ends = LocalEndTimeField()

    class Meta:
        model = WorkingHours
        fields = ["id", "location", "weekday", "starts", "ends"]


class WorkingHoursInputSerializer(TenantModelSerializer):
    location = SalonPrimaryKeyRelatedField(queryset=Location.objects.all())
    starts = LocalTimeField()
    ends = LocalEndTimeField()

    class Meta:
        model = WorkingHours
        fields = ["location", "weekday", "starts", "ends"]


class TimeOffOutputSerializer(TenantModelSerializer):
    class Meta:
        model = TimeOff
        fields = ["id", "starts_at", "ends_at", "all_day", "reason"]


class TimeOffInputSerializer(TenantModelSerializer):
    # With their UTC offset, like every date-time the API takes (AwareDateTimeField).
    starts_at = AwareDateTimeField()
    ends_at = AwareDateTimeField()

    class Meta:
        model = TimeOff
        fields = ["starts_at", "ends_at", "all_day", "reason"]


class StaffMemberOutputSerializer(TenantModelSerializer):
    locations = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    services = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    working_hours = WorkingHoursOutputSerializer(many=True, read_only=True)

    class Meta:
        model = StaffMember
        fields = [
            "id",
            "name",
            "title",
            "email",
            "phone",
            "offered_online",
            "is_active",
            "color",
            "locations",
            "services",
            "working_hours",
        ]


class StaffMemberInputSerializer(TenantModelSerializer):
    locations = SalonPrimaryKeyRelatedField(
        queryset=Location.objects.all(), many=True, required=False
    )
    services = SalonPrimaryKeyRelatedField(
        queryset=Service.objects.all(), many=True, required=False
    )

    class Meta:
        model = StaffMember
        fields = [
            "name",
            "title",
            "email",
            "phone",
            "offered_online",
            "is_active",
            "color",
            "locations",
            "services",
        ]


class StaffMemberListApi(PaginatedSalonApi):
    @extend_schema(tags=TAGS, responses=StaffMemberOutputSerializer(many=True))
    def get(self, request: Request, salon_slug: str) -> Response:
        return self.paginated_response(staff_list(salon=self.salon), StaffMemberOutputSerializer)

    @extend_schema(
        tags=TAGS,
        request=StaffMemberInputSerializer,
        responses={201: StaffMemberOutputSerializer},
    )
    def post(self, request: Request, salon_slug: str) -> Response:
        serializer = StaffMemberInputSerializer(
            data=request.data, context=self.serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        staff = staff_create(salon=self.salon, **serializer.validated_data)
        staff = tenant_get(
            StaffMember, salon=self.salon, pk=staff.pk, queryset=staff_list(salon=self.salon)
        )
        return Response(StaffMemberOutputSerializer(staff).data, status=status.HTTP_201_CREATED)


class StaffMemberDetailApi(SalonApi):
    def _get_staff(self, staff_id: int) -> StaffMember:
        return tenant_get(
            StaffMember, salon=self.salon, pk=staff_id, queryset=staff_list(salon=self.salon)
        )

    @extend_schema(tags=TAGS, responses=StaffMemberOutputSerializer)
    def get(self, request: Request, salon_slug: str, staff_id: int) -> Response:
        return Response(StaffMemberOutputSerializer(self._get_staff(staff_id)).data)

    @extend_schema(
        tags=TAGS, request=StaffMemberInputSerializer, responses=StaffMemberOutputSerializer
    )
    def patch(self, request: Request, salon_slug: str, staff_id: int) -> Response:
        staff = self._get_staff(staff_id)
        serializer = StaffMemberInputSerializer(
            data=request.data, partial=True, context=self.serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        staff_update(staff=staff, **serializer.validated_data)
        return Response(StaffMemberOutputSerializer(self._get_staff(staff_id)).data)


class WorkingHoursListApi(SalonApi):
    @extend_schema(tags=TAGS, responses=WorkingHoursOutputSerializer(many=True))
    def get(self, request: Request, salon_slug: str, staff_id: int) -> Response:
        staff = tenant_get(StaffMember, salon=self.salon, pk=staff_id)
        hours = WorkingHours.objects.for_salon(self.salon).filter(staff=staff)
        return Response(WorkingHoursOutputSerializer(hours, many=True).data)

    @extend_schema(
        tags=TAGS,
        request=WorkingHoursInputSerializer,
        responses={201: WorkingHoursOutputSerializer},
    )
    def post(self, request: Request, salon_slug: str, staff_id: int) -> Response:
        staff = tenant_get(StaffMember, salon=self.salon, pk=staff_id)
        serializer = WorkingHoursInputSerializer(
            data=request.data, context=self.serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        # An end earlier than the start is on the next day (documented on the field).
        hours = working_hours_create(staff=staff, overnight=True, **serializer.validated_data)
        return Response(WorkingHoursOutputSerializer(hours).data, status=status.HTTP_201_CREATED)


class WorkingHoursDetailApi(SalonApi):
    def _get_hours(self, staff_id: int, hours_id: int) -> WorkingHours:
        staff = tenant_get(StaffMember, salon=self.salon, pk=staff_id)
        return tenant_get(
            WorkingHours,
            salon=self.salon,
            pk=hours_id,
            queryset=WorkingHours.objects.filter(staff=staff),
        )

    @extend_schema(tags=TAGS, responses=WorkingHoursOutputSerializer)
    def get(self, request: Request, salon_slug: str, staff_id: int, hours_id: int) -> Response:
        return Response(WorkingHoursOutputSerializer(self._get_hours(staff_id, hours_id)).data)

    @extend_schema(tags=TAGS, responses={204: None})
    def delete(self, request: Request, salon_slug: str, staff_id: int, hours_id: int) -> Response:
        working_hours_delete(hours=self._get_hours(staff_id, hours_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TimeOffListApi(PaginatedSalonApi):
    @extend_schema(tags=TAGS, responses=TimeOffOutputSerializer(many=True))
    def get(self, request: Request, salon_slug: str, staff_id: int) -> Response:
        staff = tenant_get(StaffMember, salon=self.salon, pk=staff_id)
        time_off = TimeOff.objects.for_salon(self.salon).filter(staff=staff)
        return self.paginated_response(time_off, TimeOffOutputSerializer)

    @extend_schema(
        tags=TAGS, request=TimeOffInputSerializer, responses={201: TimeOffOutputSerializer}
    )
    def post(self, request: Request, salon_slug: str, staff_id: int) -> Response:
        staff = tenant_get(StaffMember, salon=self.salon, pk=staff_id)
        serializer = TimeOffInputSerializer(data=request.data, context=self.serializer_context())
        serializer.is_valid(raise_exception=True)
        time_off = time_off_create(staff=staff, **serializer.validated_data)
        return Response(TimeOffOutputSerializer(time_off).data, status=status.HTTP_201_CREATED)


class TimeOffDetailApi(SalonApi):
    def _get_time_off(self, staff_id: int, time_off_id: int) -> TimeOff:
        staff = tenant_get(StaffMember, salon=self.salon, pk=staff_id)
        return tenant_get(
            TimeOff, salon=self.salon, pk=time_off_id, queryset=TimeOff.objects.filter(staff=staff)
        )

    @extend_schema(tags=TAGS, responses=TimeOffOutputSerializer)
    def get(self, request: Request, salon_slug: str, staff_id: int, time_off_id: int) -> Response:
        return Response(TimeOffOutputSerializer(self._get_time_off(staff_id, time_off_id)).data)

    @extend_schema(tags=TAGS, responses={204: None})
    def delete(
        self, request: Request, salon_slug: str, staff_id: int, time_off_id: int
    ) -> Response:
        time_off_delete(time_off=self._get_time_off(staff_id, time_off_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
