"""What every owner API view shares: the salon from the URL, member-only access, 404 for the
rest, and writes for owners and managers only (see DESIGN.md, "Tenancy")."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField as PhoneNumberModelField
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from bookings.models import Membership, Salon
from bookings.selectors import membership_get_for_user


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
    authentication_classes = [TokenAuthentication, SessionAuthentication]
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

    def to_internal_value(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None  # well formed but impossible (month 13): DRF says "wrong format"
            if parsed is not None and timezone.is_naive(parsed):
                self.fail("naive")
        return super().to_internal_value(value)
