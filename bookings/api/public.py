"""Public API of a salon's online booking: `/api/v1/public/<salon_slug>/…`.

No login needed (a logged-in client's session is honoured). Only what the public booking site
shows is reachable: active locations, online-bookable services, staff offered online. A
booking answers 201, a taken slot 409 with the next free times, bad input 400 per field.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from bookings.availability import availability_get
from bookings.checkout import ClientDetails, checkout_complete
from bookings.models import Appointment, Location, Salon, Service, StaffMember
from bookings.public.selectors import (
    public_location_list,
    public_service_list,
    public_staff_list,
)
from bookings.services.booking import BookingRequest, SlotTaken
from bookings.services.self_service import (
    appointment_cancel_by_client,
    appointment_reschedule_by_client,
)
from bookings.signing import appointment_from_token, appointment_token

from .base import AwareDateTimeField


class PublicApi(APIView):
    # Session only (no CSRF-exempt token auth): a logged-in client's details are used.
    authentication_classes = [SessionAuthentication]
    permission_classes = [AllowAny]
    salon: Salon

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self.salon = get_object_or_404(Salon, slug=kwargs["salon_slug"])
        super().initial(request, *args, **kwargs)

    def location_from(self, value: Any, *, field: str = "location") -> Location:
        return _get_or_400(public_location_list(salon=self.salon), value, field)

    def service_from(self, value: Any, location: Location) -> Service:
        return _get_or_400(
            public_service_list(salon=self.salon, location=location), value, "service"
        )

    def staff_from(self, value: str, location: Location, service: Service) -> StaffMember | None:
        """The `staff` of a request: "any" (or blank) is None, else a staff member offered
        online for the service at the location (400 otherwise)."""
        if value in ("", "any"):
            return None
        return _get_or_400(
            public_staff_list(salon=self.salon, location=location, service=service), value, "staff"
        )


def _get_or_400(queryset: QuerySet[Any], value: Any, field: str) -> Any:
    try:
        return queryset.get(pk=int(value))
    except (TypeError, ValueError, queryset.model.DoesNotExist) as exc:
        raise serializers.ValidationError({field: [_("Select a valid choice.")]}) from exc


class LocationOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    address = serializers.CharField()
    city = serializers.CharField()
    time_zone = serializers.CharField()


class ServiceOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    category = serializers.CharField(source="category.name", default=None)
    duration_minutes = serializers.IntegerField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)


class StaffOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    title = serializers.CharField()


class PublicLocationListApi(PublicApi):
    @extend_schema(responses=LocationOut(many=True), tags=["public"])
    def get(self, request: Request, salon_slug: str) -> Response:
        locations = public_location_list(salon=self.salon).order_by("name", "pk")
        return Response(LocationOut(locations, many=True).data)


class PublicServiceListApi(PublicApi):
    @extend_schema(
        parameters=[OpenApiParameter("location", int, required=True)],
        responses=ServiceOut(many=True),
        tags=["public"],
    )
    def get(self, request: Request, salon_slug: str) -> Response:
        location = self.location_from(request.query_params.get("location"))
        return Response(
            ServiceOut(public_service_list(salon=self.salon, location=location), many=True).data
        )


class PublicStaffListApi(PublicApi):
    @extend_schema(
        parameters=[
            OpenApiParameter("location", int, required=True),
            OpenApiParameter("service", int, required=True),
        ],
        responses=StaffOut(many=True),
        tags=["public"],
    )
    def get(self, request: Request, salon_slug: str) -> Response:
        location = self.location_from(request.query_params.get("location"))
        service = self.service_from(request.query_params.get("service"), location)
        return Response(
            StaffOut(
                public_staff_list(salon=self.salon, location=location, service=service), many=True
            ).data
        )


class AvailabilityIn(serializers.Serializer):
    location = serializers.IntegerField()
    service = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    staff = serializers.CharField(required=False, default="any", help_text="a staff id or 'any'")


class PublicAvailabilityApi(PublicApi):
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        parameters=[AvailabilityIn],
        responses=inline_serializer(
            "Availability",
            {
                "time_zone": serializers.CharField(),
                "slots": inline_serializer(
                    "Slot",
                    {
                        "starts_at": serializers.DateTimeField(),
                        "staff": serializers.ListField(child=serializers.IntegerField()),
                    },
                    many=True,
                ),
            },
        ),
        tags=["public"],
    )
    def get(self, request: Request, salon_slug: str) -> Response:
        params = AvailabilityIn(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        location = public_location_list(salon=self.salon).filter(pk=data["location"]).first()
        service = (
            public_service_list(salon=self.salon, location=location)
            .filter(pk=data["service"])
            .first()
            if location is not None
            else None
        )
        if location is None:
            raise serializers.ValidationError({"location": [_("Select a valid choice.")]})
        if service is None:
            raise serializers.ValidationError({"service": [_("Select a valid choice.")]})
        staff = self.staff_from(data["staff"], location, service)
        availability = availability_get(
            salon=self.salon,
            location=location,
            service=service,
            start=data["start"],
            end=data["end"],
            staff=staff,
        )
        return Response(
            {
                "time_zone": location.time_zone,
                "slots": [
                    {"starts_at": s.starts_at.isoformat(), "staff": list(s.staff_ids)}
                    for s in availability.slots
                ],
            }
        )


class ClientIn(serializers.Serializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    email = serializers.EmailField(max_length=254)
    phone = PhoneNumberField(required=False, allow_blank=True, default="")
    marketing_consent = serializers.BooleanField(required=False, default=False)


class BookingIn(serializers.Serializer):
    location = serializers.IntegerField()
    service = serializers.IntegerField()
    staff = serializers.CharField(required=False, default="any", help_text="a staff id or 'any'")
    starts_at = AwareDateTimeField(help_text="ISO 8601 with offset, as availability gives")
    client = ClientIn()
    notes = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)
    payment_method = serializers.CharField(
        max_length=50, required=False, default="pay_at_salon", help_text="e.g. pay_at_salon"
    )


class AppointmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    token = serializers.SerializerMethodField()
    status = serializers.CharField()
    starts_at = serializers.SerializerMethodField()
    ends_at = serializers.SerializerMethodField()
    time_zone = serializers.CharField(source="location.time_zone")
    location = serializers.CharField(source="location.name")
    service = serializers.CharField(source="service.name")
    staff = serializers.CharField(source="staff.name")
    price = serializers.DecimalField(max_digits=10, decimal_places=2)

    def get_token(self, obj: Appointment) -> str:
        return appointment_token(obj)

    def get_starts_at(self, obj: Appointment) -> str:
        return obj.starts_at.astimezone(obj.location.tzinfo).isoformat()

    def get_ends_at(self, obj: Appointment) -> str:
        return obj.ends_at.astimezone(obj.location.tzinfo).isoformat()


def _taken_response(exc: SlotTaken, location: Location) -> Response:
    return Response(
        {
            "detail": str(exc),
            "next_slots": [s.astimezone(location.tzinfo).isoformat() for s in exc.next_slots],
        },
        status=status.HTTP_409_CONFLICT,
    )


class PublicBookingCreateApi(PublicApi):
    @extend_schema(request=BookingIn, responses={201: AppointmentOut}, tags=["public"])
    def post(self, request: Request, salon_slug: str) -> Response:
        if self.salon.require_login_to_book and not request.user.is_authenticated:
            return Response(
                {"detail": _("This salon asks clients to log in before booking.")},
                status=status.HTTP_403_FORBIDDEN,
            )
        payload = BookingIn(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        location = self.location_from(data["location"])
        service = self.service_from(data["service"], location)
        staff = self.staff_from(data["staff"], location, service)
        person = data["client"]
        booking = BookingRequest(
            location=location, service=service, starts_at=data["starts_at"], staff=staff
        )
        try:
            appointment = checkout_complete(
                salon=self.salon,
                request=booking,
                details=ClientDetails(
                    first_name=person["first_name"],
                    last_name=person["last_name"],
                    email=person["email"],
                    phone=str(person["phone"] or ""),
                    notes=data["notes"],
                    marketing_consent=person["marketing_consent"],
                ),
                payment_method=data["payment_method"],
                user=request.user if request.user.is_authenticated else None,
            )
        except SlotTaken as exc:
            return _taken_response(exc, location)
        return Response(AppointmentOut(appointment).data, status=status.HTTP_201_CREATED)


# Base of the views of one appointment reached by its signed token (bookings/signing.py).
class PublicBookingTokenApi(PublicApi):
    def appointment(self, token: str) -> Appointment:
        return appointment_from_token(self.salon, token)


class PublicBookingApi(PublicBookingTokenApi):
    @extend_schema(responses=AppointmentOut, tags=["public"])
    def get(self, request: Request, salon_slug: str, token: str) -> Response:
        return Response(AppointmentOut(self.appointment(token)).data)


class PublicBookingCancelApi(PublicBookingTokenApi):
    @extend_schema(request=None, responses=AppointmentOut, tags=["public"])
    def post(self, request: Request, salon_slug: str, token: str) -> Response:
        appointment = appointment_cancel_by_client(appointment=self.appointment(token))
        return Response(AppointmentOut(appointment).data)


class RescheduleIn(serializers.Serializer):
    starts_at = AwareDateTimeField(help_text="ISO 8601 with offset, as availability gives")


class PublicBookingRescheduleApi(PublicBookingTokenApi):
    @extend_schema(request=RescheduleIn, responses={200: AppointmentOut}, tags=["public"])
    def post(self, request: Request, salon_slug: str, token: str) -> Response:
        appointment = self.appointment(token)
        payload = RescheduleIn(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            appointment = appointment_reschedule_by_client(
                appointment=appointment, starts_at=payload.validated_data["starts_at"]
            )
        except SlotTaken as exc:
            return _taken_response(exc, appointment.location)
        return Response(AppointmentOut(appointment).data)
