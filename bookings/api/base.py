"""What every owner API view shares: the salon from the URL, member-only access, 404 for the
rest, and writes for owners and managers only (see DESIGN.md, "Tenancy")."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from phonenumber_field.modelfields import PhoneNumberField as PhoneNumberModelField
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.authentication import ApiTokenAuthentication
from bookings.models import Membership, Salon
from bookings.models.catalogue import END_OF_DAY
from bookings.selectors import membership_get_for_user
from bookings.validators import horizon_message, in_horizon


class IsSalonMember(BasePermission):
    """Resolves the salon of the URL for a member of it and sets `view.salon` and
    `view.membership`. Anyone else gets 404 (whether the salon exists or not), never 403, so
    a slug tells nothing. Reading is for any member; writing for owners and managers."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        membership = membership_get_for_user(
            user=request.user, salon_slug=view.kwargs["salon_slug"]
        )
        view.membership = membership  # type: ignore[attr-defined]
        view.salon = membership.salon  # type: ignore[attr-defined]
        return request.method in SAFE_METHODS or membership.can_manage


# Base of every `/api/v1/salons/<salon_slug>/…` view. (Comments, not docstrings, on these base
# classes: drf-spectacular would show a docstring as the description of every operation.)
class SalonApi(APIView):
    # Token first: an API client without credentials (or with a bad token) gets 401 with a
    # `WWW-Authenticate: Token` header instead of the 403 that session auth alone would give.
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    # Order matters: anonymous requests stop at IsAuthenticated (401) before the salon lookup.
    permission_classes = [IsAuthenticated, IsSalonMember]
    pagination_class = None

    salon: Salon
    membership: Membership

    def serializer_context(self) -> dict[str, Any]:
        return {"request": self.request, "view": self, "salon": self.salon}

    def paginated_response(
        self, queryset: QuerySet[Any], serializer_class: type[serializers.BaseSerializer]
    ) -> Response:
        paginator = (self.pagination_class or api_settings.DEFAULT_PAGINATION_CLASS)()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        data = serializer_class(page, many=True, context=self.serializer_context()).data
        return paginator.get_paginated_response(data)


# A view whose GET is a list paginated as configured in REST_FRAMEWORK (limit/offset).
class PaginatedSalonApi(SalonApi):
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS


class SalonPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id of a row of the request's salon. Another salon's id is answered exactly like an
    unknown one, so ids of other tenants can't be probed."""

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().for_salon(self.context["salon"])


# Model serializer that parses phone numbers as phone numbers (field error if invalid).
class TenantModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        PhoneNumberModelField: PhoneNumberField,
    }


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date and time that must carry its UTC offset (`…+02:00` or `…Z`). DRF
    would read a time without one in the server's zone, which is never what a caller in
    another zone meant (DESIGN.md, invariant 9)."""

    default_error_messages = {
        "naive": _("Give the time with its UTC offset, e.g. 2026-03-04T10:00:00+02:00."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text",
            _(
                "ISO 8601 date and time with its UTC offset (e.g. 2026-03-04T10:00:00+02:00); "
                "a time without one is refused (400). Years 2000–2100."
            ),
        )
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None  # well formed but impossible (month 13): DRF says "wrong format"
            if parsed is not None and timezone.is_naive(parsed):
                self.fail("naive")
            # Before DRF converts it to the server's zone, which overflows at year 1 / 9999.
            if parsed is not None and not in_horizon(parsed):
                raise serializers.ValidationError(horizon_message(), code="horizon")
        checked = isinstance(value, str)
        value = super().to_internal_value(value)
        if not checked and not in_horizon(value):
            raise serializers.ValidationError(horizon_message(), code="horizon")
        return value


class HorizonDateField(serializers.DateField):
    """An ISO 8601 date within the horizon (bookings/validators.py: years 2000–2100)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _("YYYY-MM-DD, in the years 2000–2100."))
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> Any:
        value = super().to_internal_value(value)
        if not in_horizon(value):
            raise serializers.ValidationError(horizon_message(), code="horizon")
        return value


# Times of day (working and opening hours) are the location's wall clock: "HH:MM" or
# "HH:MM:SS", never with a UTC offset (the zone is the location's; an offset would mean
# nothing on a weekly schedule and is refused with 400). An end may be "24:00", the end of the
# day (stored as END_OF_DAY, bookings/models/catalogue.py; given back as "24:00:00").
_LOCAL_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?")
_END_OF_DAY = re.compile(r"24:00(:00(\.0{1,6})?)?")
_LOCAL_TIME_SCHEMA = {
    "type": "string",
    "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$",
    "example": "09:30",
    "description": "A local wall-clock time of the location, HH:MM[:SS], without an offset.",
}
_END_TIME_SCHEMA = {
    **_LOCAL_TIME_SCHEMA,
    "pattern": r"^(([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?|24:00(:00)?)$",
    "example": "24:00",
    "description": "A local wall-clock time of the location, HH:MM[:SS], without an offset; "
    "24:00 (or 00:00) is the end of the day, and an end earlier than the start is on the next "
    "day (20:00–02:00).",
}


@extend_schema_field(_LOCAL_TIME_SCHEMA)
class LocalTimeField(serializers.TimeField):
    """A time of day on the location's wall clock, without an offset (see above)."""

    end_of_day_allowed = False
    default_error_messages = {
        "local": _(
            "Give a local time of day as HH:MM or HH:MM:SS, without a UTC offset (e.g. 09:30)."
        ),
    }

    def to_internal_value(self, value: Any) -> dt.time:
        text = value.strip() if isinstance(value, str) else ""
        if self.end_of_day_allowed and _END_OF_DAY.fullmatch(text):
            return END_OF_DAY
        if not _LOCAL_TIME.fullmatch(text):
            self.fail("local")
        return dt.time.fromisoformat(text)

    def to_representation(self, value: dt.time | None) -> str | None:
        if value is None:
            return None
        if value == END_OF_DAY and self.end_of_day_allowed:
            return "24:00:00"
        return value.isoformat()


@extend_schema_field(_END_TIME_SCHEMA)
class LocalEndTimeField(LocalTimeField):
    """An end of hours: a local time of day, or 24:00 (the end of the day)."""

    end_of_day_allowed = True
