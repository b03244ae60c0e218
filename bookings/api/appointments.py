"""The salon's appointments: list and filter, book, move, change notes, change status
(booked → completed / cancelled / no-show; completed → no-show / cancelled to correct it).

Appointments are never deleted through the API: cancel one instead
(`POST …/appointments/<id>/status/ {"status": "cancelled"}`), so the history stays.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from bookings.models import Appointment, Client, Location, Salon, Service, StaffMember
from bookings.selectors import appointment_list, tenant_get
from bookings.services.booking import (
    BookingRequest,
    SlotTaken,
    appointment_book,
    appointment_set_status,
    appointment_update,
)

from .base import (
    AwareDateTimeField,
    HorizonDateField,
    PaginatedSalonApi,
    SalonApi,
    SalonPrimaryKeyRelatedField,
    TenantModelSerializer,
)
from .public import BOOKING_REFUSED_RESPONSE

TAGS = ["appointments"]
MAX_LIST_DAYS = 62
DEFAULT_LIST_DAYS = 7


class AppointmentOutputSerializer(TenantModelSerializer):
    starts_at = serializers.SerializerMethodField()
    ends_at = serializers.SerializerMethodField()
    time_zone = serializers.CharField(source="location.time_zone", read_only=True)
    location_name = serializers.CharField(source="location.name", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    staff_name = serializers.CharField(source="staff.name", read_only=True)
    client_name = serializers.CharField(source="client.full_name", read_only=True)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "status",
            "starts_at",
            "ends_at",
            "time_zone",
            "location",
            "location_name",
            "service",
            "service_name",
            "staff",
            "staff_name",
            "client",
            "client_name",
            "price",
            "source",
            "notes",
            "created_at",
        ]

    # In the location's time zone, with its offset: what the salon's clock says.
    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_starts_at(self, appointment: Appointment) -> str:
        return appointment.starts_at.astimezone(appointment.location.tzinfo).isoformat()

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_ends_at(self, appointment: Appointment) -> str:
        return appointment.ends_at.astimezone(appointment.location.tzinfo).isoformat()


class AppointmentFilterSerializer(serializers.Serializer):
    start = HorizonDateField(
        required=False,
        help_text=_("First day (in the salon's time zone; years 2000–2100); default today."),
    )
    end = HorizonDateField(
        required=False,
        help_text=_("Last day, included; default 7 days after the start; at most 62 days."),
    )
    location = SalonPrimaryKeyRelatedField(queryset=Location.objects.all(), required=False)
    staff = SalonPrimaryKeyRelatedField(queryset=StaffMember.objects.all(), required=False)
    client = SalonPrimaryKeyRelatedField(queryset=Client.objects.all(), required=False)
    status = serializers.ChoiceField(choices=Appointment.Status.choices, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        salon = self.context["salon"]
        start = attrs.get("start") or timezone.now().astimezone(salon.tzinfo).date()
        end = attrs.get("end") or start + dt.timedelta(days=DEFAULT_LIST_DAYS)
        if end < start:
            raise serializers.ValidationError({"end": _("The end date is before the start date.")})
        if (end - start).days + 1 > MAX_LIST_DAYS:
            raise serializers.ValidationError(
                {"end": _("Ask for at most %(days)d days at a time.") % {"days": MAX_LIST_DAYS}}
            )
        attrs["start"], attrs["end"] = start, end
        return attrs


class AppointmentCreateInputSerializer(serializers.Serializer):
    location = SalonPrimaryKeyRelatedField(queryset=Location.objects.all())
    service = SalonPrimaryKeyRelatedField(queryset=Service.objects.all())
    staff = SalonPrimaryKeyRelatedField(queryset=StaffMember.objects.all())
    client = SalonPrimaryKeyRelatedField(queryset=Client.objects.all())
    starts_at = AwareDateTimeField(help_text=_("ISO 8601 with the UTC offset."))
    notes = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)
    enforce_hours = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "Refuse a time outside the staff member's working hours and the opening hours. "
            "By default owners may book outside hours (never over another appointment)."
        ),
    )


class AppointmentUpdateInputSerializer(serializers.Serializer):
    starts_at = AwareDateTimeField(
        required=False, help_text=_("ISO 8601 with the UTC offset. Moves the appointment.")
    )
    staff = SalonPrimaryKeyRelatedField(
        queryset=StaffMember.objects.all(),
        required=False,
        help_text=_("Moves the appointment to this staff member."),
    )
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class AppointmentStatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[
            (value, label)
            for value, label in Appointment.Status.choices
            if value != Appointment.Status.BOOKED
        ]
    )


SLOT_TAKEN_RESPONSE = inline_serializer(
    "AppointmentSlotTaken",
    {
        "detail": serializers.CharField(),
        "next_slots": serializers.ListField(child=serializers.DateTimeField()),
    },
)


def _appointment_get(salon: Salon, appointment_id: int) -> Appointment:
    return tenant_get(
        Appointment, salon=salon, pk=appointment_id, queryset=appointment_list(salon=salon)
    )


def _local_midnight(day: dt.date, salon: Salon) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=salon.tzinfo)


def _slot_taken(exc: SlotTaken, location: Location) -> Response:
    return Response(
        {
            "detail": str(exc),
            "next_slots": [s.astimezone(location.tzinfo).isoformat() for s in exc.next_slots],
        },
        status=status.HTTP_409_CONFLICT,
    )


class AppointmentListApi(PaginatedSalonApi):
    @extend_schema(
        tags=TAGS,
        parameters=[AppointmentFilterSerializer],
        responses=AppointmentOutputSerializer(many=True),
    )
    def get(self, request: Request, salon_slug: str) -> Response:
        filters = AppointmentFilterSerializer(
            data=request.query_params, context=self.serializer_context()
        )
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        appointments = appointment_list(
            salon=self.salon,
            starts_from=_local_midnight(data["start"], self.salon),
            starts_before=_local_midnight(data["end"] + dt.timedelta(days=1), self.salon),
            location=data.get("location"),
            staff=data.get("staff"),
            client=data.get("client"),
            status=data.get("status"),
        )
        return self.paginated_response(appointments, AppointmentOutputSerializer)

    @extend_schema(
        tags=TAGS,
        request=AppointmentCreateInputSerializer,
        description=_(
            "Book an appointment. `starts_at` carries its UTC offset (without one: 400). With "
            "`enforce_hours`, a time that never was bookable is 400 with `reason` "
            "(`off_grid`, `outside_hours`); a time over another appointment is 409 with the "
            "next free times."
        ),
        responses={
            201: AppointmentOutputSerializer,
            400: BOOKING_REFUSED_RESPONSE,
            409: SLOT_TAKEN_RESPONSE,
        },
    )
    def post(self, request: Request, salon_slug: str) -> Response:
        serializer = AppointmentCreateInputSerializer(
            data=request.data, context=self.serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            appointment = appointment_book(
                salon=self.salon,
                request=BookingRequest(
                    location=data["location"],
                    service=data["service"],
                    starts_at=data["starts_at"],
                    staff=data["staff"],
                ),
                client=data["client"],
                source=Appointment.Source.API,
                actor=request.user,
                notes=data["notes"],
                enforce_hours=data["enforce_hours"],
            )
        except SlotTaken as exc:
            return _slot_taken(exc, data["location"])
        return Response(
            AppointmentOutputSerializer(_appointment_get(self.salon, appointment.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class AppointmentDetailApi(SalonApi):
    """One appointment. There is no DELETE: cancel through `…/status/` instead, so the
    appointment stays in the history."""

    @extend_schema(tags=TAGS, responses=AppointmentOutputSerializer)
    def get(self, request: Request, salon_slug: str, appointment_id: int) -> Response:
        return Response(
            AppointmentOutputSerializer(_appointment_get(self.salon, appointment_id)).data
        )

    @extend_schema(
        tags=TAGS,
        description=_(
            "Move the appointment (`starts_at` and/or `staff`; owners may move it outside "
            "hours but never over another appointment) and/or change its notes. There is no "
            "DELETE: cancel through `…/status/`."
        ),
        request=AppointmentUpdateInputSerializer,
        responses={200: AppointmentOutputSerializer, 409: SLOT_TAKEN_RESPONSE},
    )
    def patch(self, request: Request, salon_slug: str, appointment_id: int) -> Response:
        appointment = _appointment_get(self.salon, appointment_id)
        serializer = AppointmentUpdateInputSerializer(
            data=request.data, context=self.serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        try:
            appointment_update(appointment=appointment, **serializer.validated_data)
        except SlotTaken as exc:
            return _slot_taken(exc, appointment.location)
        return Response(
            AppointmentOutputSerializer(_appointment_get(self.salon, appointment_id)).data
        )


class AppointmentStatusApi(SalonApi):
    @extend_schema(
        tags=TAGS,
        description=_(
            "Mark a booked appointment as completed, cancelled or no-show, or correct a "
            "completed one to no-show or cancelled (completed only once it has started). "
            "Each change is made (and its booking "
            "event published) once: asking for the status it already has changes nothing; "
            "any other change (e.g. from cancelled or no-show) is 400."
        ),
        request=AppointmentStatusInputSerializer,
        responses=AppointmentOutputSerializer,
    )
    def post(self, request: Request, salon_slug: str, appointment_id: int) -> Response:
        appointment = tenant_get(Appointment, salon=self.salon, pk=appointment_id)
        serializer = AppointmentStatusInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        new_status = serializer.validated_data["status"]
        # As in the calendar: "completed" only once the appointment has started.
        if (
            new_status == Appointment.Status.COMPLETED
            and appointment.status == Appointment.Status.BOOKED
            and appointment.starts_at > timezone.now()
        ):
            raise serializers.ValidationError(
                {"status": [_("This appointment has not started yet; it cannot be completed.")]}
            )
        appointment_set_status(appointment=appointment, status=new_status)
        return Response(
            AppointmentOutputSerializer(_appointment_get(self.salon, appointment_id)).data
        )
