"""The owner API of the dashboard's settings that bookings owns, through the same services the
dashboard calls:

- `booking-settings/`: the salon's online booking preferences (slot step, notice, advance,
  cancellation cutoff, reminders, login required, policy text) and its default language
  (`default_language`, one of `LANGUAGES`) — GET, PATCH;
- `locations/<id>/passcode/` and `staff/<id>/passcode/`: set or switch off a booking passcode
  (PUT). Write-only: the code is never given back, only whether one is on and a warning when
  it is easy to guess;
- `locations/<id>/closed-days/` (GET, POST) and `…/closed-days/<id>/` (DELETE): the days a
  location is closed.

Ids are looked up within the salon of the URL (another salon's id: 404); writes are for
owners and managers (`SalonApi`); bad input is a 400 with messages per field.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from bookings.models import Location, LocationClosure, Salon, StaffMember
from bookings.passcodes import location_passcode_set, passcode_weakness, staff_passcode_set
from bookings.selectors import tenant_get
from bookings.services.catalogue import location_closure_create, location_closure_delete
from bookings.services.salons import SALON_SETTINGS_FIELDS, salon_booking_settings_update

from .base import HorizonDateField, SalonApi, TenantModelSerializer

TAGS = ["settings"]


# --- Booking preferences ----------------------------------------------------------------------


class BookingSettingsSerializer(TenantModelSerializer):
    default_language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        help_text="The salon's default language: its booking site's and that of notices to "
        "clients who have not chosen one.",
    )

    class Meta:
        model = Salon
        fields = list(SALON_SETTINGS_FIELDS)


class BookingSettingsApi(SalonApi):
    """The salon's online booking preferences (Online booking → Preferences)."""

    @extend_schema(tags=TAGS, responses=BookingSettingsSerializer)
    def get(self, request: Request, salon_slug: str) -> Response:
        return Response(BookingSettingsSerializer(self.salon).data)

    @extend_schema(
        tags=TAGS, request=BookingSettingsSerializer, responses=BookingSettingsSerializer
    )
    def patch(self, request: Request, salon_slug: str) -> Response:
        serializer = BookingSettingsSerializer(self.salon, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        salon = salon_booking_settings_update(salon=self.salon, **serializer.validated_data)
        return Response(BookingSettingsSerializer(salon).data)


# --- Passcodes (write-only) -------------------------------------------------------------------


class PasscodeStateSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(help_text="Whether online booking asks for the code.")
    weakness = serializers.CharField(
        allow_null=True, help_text="A warning when the code is easy to guess; else null."
    )


def _state(target: Location | StaffMember) -> dict[str, Any]:
    active = target.passcode_active
    return {
        "enabled": active,
        "weakness": passcode_weakness(target.booking_passcode) if active else None,
    }


class LocationPasscodeInputSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    code = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=6,
        write_only=True,
        help_text="4–6 digits; needed to switch the code on.",
    )


class LocationPasscodeApi(SalonApi):
    """A location's online booking passcode: set or switch off (the code is never read back)."""

    @extend_schema(tags=TAGS, responses=PasscodeStateSerializer)
    def get(self, request: Request, salon_slug: str, location_id: int) -> Response:
        location = tenant_get(Location, salon=self.salon, pk=location_id)
        return Response(PasscodeStateSerializer(_state(location)).data)

    @extend_schema(
        tags=TAGS, request=LocationPasscodeInputSerializer, responses=PasscodeStateSerializer
    )
    def put(self, request: Request, salon_slug: str, location_id: int) -> Response:
        location = tenant_get(Location, salon=self.salon, pk=location_id)
        serializer = LocationPasscodeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        location = location_passcode_set(
            location=location,
            enabled=serializer.validated_data["enabled"],
            code=serializer.validated_data.get("code", ""),
        )
        return Response(PasscodeStateSerializer(_state(location)).data)


class StaffPasscodeInputSerializer(serializers.Serializer):
    code = serializers.CharField(
        allow_blank=True,
        max_length=6,
        write_only=True,
        help_text="4–6 digits; an empty code switches the staff member's code off.",
    )


class StaffPasscodeApi(SalonApi):
    """A staff member's personal booking code: set or remove (never read back)."""

    @extend_schema(tags=TAGS, responses=PasscodeStateSerializer)
    def get(self, request: Request, salon_slug: str, staff_id: int) -> Response:
        staff = tenant_get(StaffMember, salon=self.salon, pk=staff_id)
        return Response(PasscodeStateSerializer(_state(staff)).data)

    @extend_schema(
        tags=TAGS, request=StaffPasscodeInputSerializer, responses=PasscodeStateSerializer
    )
    def put(self, request: Request, salon_slug: str, staff_id: int) -> Response:
        staff = tenant_get(StaffMember, salon=self.salon, pk=staff_id)
        serializer = StaffPasscodeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        staff = staff_passcode_set(staff=staff, code=serializer.validated_data["code"])
        return Response(PasscodeStateSerializer(_state(staff)).data)


# --- Closed days ------------------------------------------------------------------------------


class ClosedDayOutputSerializer(TenantModelSerializer):
    class Meta:
        model = LocationClosure
        fields = ["id", "date", "reason"]


class ClosedDayInputSerializer(TenantModelSerializer):
    date = HorizonDateField()

    class Meta:
        model = LocationClosure
        fields = ["date", "reason"]


def _closures(salon: Salon, location: Location) -> QuerySet[LocationClosure]:
    return LocationClosure.objects.for_salon(salon).filter(location=location).order_by("date")


class ClosedDayListApi(SalonApi):
    """The days a location is closed (holidays), in its own calendar."""

    @extend_schema(tags=TAGS, responses=ClosedDayOutputSerializer(many=True))
    def get(self, request: Request, salon_slug: str, location_id: int) -> Response:
        location = tenant_get(Location, salon=self.salon, pk=location_id)
        return Response(ClosedDayOutputSerializer(_closures(self.salon, location), many=True).data)

    @extend_schema(
        tags=TAGS, request=ClosedDayInputSerializer, responses={201: ClosedDayOutputSerializer}
    )
    def post(self, request: Request, salon_slug: str, location_id: int) -> Response:
        location = tenant_get(Location, salon=self.salon, pk=location_id)
        serializer = ClosedDayInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        closure = location_closure_create(location=location, **serializer.validated_data)
        return Response(ClosedDayOutputSerializer(closure).data, status=status.HTTP_201_CREATED)


class ClosedDayDetailApi(SalonApi):
    @extend_schema(tags=TAGS, responses={204: None})
    def delete(
        self, request: Request, salon_slug: str, location_id: int, closure_id: int
    ) -> Response:
        location = tenant_get(Location, salon=self.salon, pk=location_id)
        closure = tenant_get(
            LocationClosure,
            salon=self.salon,
            pk=closure_id,
            queryset=LocationClosure.objects.filter(location=location),
        )
        location_closure_delete(closure=closure)
        return Response(status=status.HTTP_204_NO_CONTENT)
