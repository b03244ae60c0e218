"""Owner API of referrals: `/api/v1/salons/<salon_slug>/referrals/…` (namespace
`referrals-api`, tag "referrals").

Access as everywhere in the owner API (bookings/api/base.py): members read, owners and managers
write, anyone else gets 404. A client id in the URL goes through `tenant_get` (another salon's:
404, like a missing one); ids in a body or a query (`referrer`, `client`) are a 400 "Invalid
pk" like an unknown one. A refused referral (self, circle, a client who had appointments
before) is a 400 on `referrer`, and nothing is written.

- `settings/` — points per referral, when they are credited, the thank-you SMS and its text.
- `` (the list) — referrals, newest first, with filters.
- `top-referrers/` — the clients who brought the most new clients in a period.
- `clients/<id>/referred-by/` — GET who referred the client, their own code and link; POST
  `{referrer, award}` sets (or changes) the referrer, and with `award` credits the points now;
  DELETE removes it (credited points are taken back). Both are safe to repeat.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from bookings.api.base import PaginatedSalonApi, SalonApi, SalonPrimaryKeyRelatedField
from bookings.models import Client
from bookings.selectors import tenant_get
from loyalty.models import MAX_POINTS
from notices.models import SMS_BODY_MAX_LENGTH
from referrals import selectors
from referrals.models import Referral, ReferralSettings
from referrals.selectors import FIRST_DAY, LAST_DAY
from referrals.services.codes import referral_code_get_or_create
from referrals.services.program import referral_settings_update, thank_you_text_get
from referrals.services.referrals import referral_clear, referral_set

TAGS = ["referrals"]


def one_of(values: list[str]) -> Any:
    return format_lazy(_("One of: {values}."), values=", ".join(values))


# --- Settings -------------------------------------------------------------------------------


class ReferralSettingsOutputSerializer(serializers.Serializer):
    points = serializers.IntegerField(help_text=_("Points per referral, credited to the referrer."))
    award_on = serializers.ChoiceField(
        choices=ReferralSettings.AwardOn.choices,
        help_text=_(
            "When referrals are credited without the owner's explicit yes (`award`): "
            "`recorded` — at once (a booking through a referral link); `first_visit` — when the "
            "new client's visit is completed."
        ),
    )
    send_sms = serializers.BooleanField(help_text=_("Send the thank-you SMS to the referrer."))
    sms_text = serializers.CharField(
        help_text=_(
            "The thank-you SMS text. Variables: {{ client.first_name }}, {{ client.last_name }}, "
            "{{ new_client.first_name }}, {{ points }}, {{ balance }}, {{ salon_name }}."
        )
    )


class ReferralSettingsInputSerializer(serializers.Serializer):
    points = serializers.IntegerField(min_value=1, max_value=MAX_POINTS)
    award_on = serializers.ChoiceField(choices=ReferralSettings.AwardOn.choices)
    send_sms = serializers.BooleanField()
    sms_text = serializers.CharField(
        required=False,
        max_length=SMS_BODY_MAX_LENGTH,
        trim_whitespace=False,
        help_text=_("Left out: the text stays as it is."),
    )


def _settings_data(salon: Any) -> dict[str, Any]:
    program = selectors.referral_settings_get(salon=salon)
    return {
        "points": program.points,
        "award_on": program.award_on,
        "send_sms": program.send_sms,
        "sms_text": thank_you_text_get(salon=salon),
    }


class ReferralSettingsApi(SalonApi):
    @extend_schema(tags=TAGS, responses=ReferralSettingsOutputSerializer)
    def get(self, request: Request, salon_slug: str) -> Response:
        return Response(ReferralSettingsOutputSerializer(_settings_data(self.salon)).data)

    @extend_schema(
        tags=TAGS,
        request=ReferralSettingsInputSerializer,
        responses=ReferralSettingsOutputSerializer,
    )
    def put(self, request: Request, salon_slug: str) -> Response:
        serializer = ReferralSettingsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral_settings_update(salon=self.salon, **serializer.validated_data)
        return Response(ReferralSettingsOutputSerializer(_settings_data(self.salon)).data)


# --- Referrals ------------------------------------------------------------------------------


class ClientRefOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")


class ReferralOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    referrer = ClientRefOutputSerializer()
    referred = ClientRefOutputSerializer(help_text=_("The new client."))
    # Strings, not enums: `status` and `source` are names other components use with other
    # choices (appointments), which would collide in the schema.
    source = serializers.CharField(help_text=one_of(Referral.Source.values))
    status = serializers.CharField(help_text=one_of(Referral.Status.values))
    points = serializers.IntegerField(
        allow_null=True, help_text=_("Points credited (null: not credited yet).")
    )
    points_entry = serializers.IntegerField(
        source="points_entry_id", allow_null=True, help_text=_("The ledger row of the bonus.")
    )
    reversal_entry = serializers.IntegerField(
        source="reversal_entry_id",
        allow_null=True,
        help_text=_("The ledger row that took the bonus back."),
    )
    created_at = serializers.DateTimeField()
    awarded_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)


class PeriodInputSerializer(serializers.Serializer):
    start = serializers.DateField(
        required=False, help_text=_("From this day (the salon's time zone).")
    )
    end = serializers.DateField(
        required=False, help_text=_("Until this day, inclusive (the salon's time zone).")
    )

    def _day(self, value: dt.date | None) -> dt.date | None:
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            raise serializers.ValidationError(
                _("Choose a day between %(first)s and %(last)s.")
                % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
            )
        return value

    def validate_start(self, value: dt.date | None) -> dt.date | None:
        return self._day(value)

    def validate_end(self, value: dt.date | None) -> dt.date | None:
        return self._day(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("start"), attrs.get("end")
        if start and end and end < start:
            raise serializers.ValidationError({"end": [_("The period ends before it starts.")]})
        return attrs


class ReferralFilterSerializer(PeriodInputSerializer):
    status = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=one_of(Referral.Status.values)
    )
    source = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=one_of(Referral.Source.values)
    )
    referrer = SalonPrimaryKeyRelatedField(
        queryset=Client.objects.all(), required=False, help_text=_("Referrals by this client.")
    )
    referred = SalonPrimaryKeyRelatedField(
        queryset=Client.objects.all(), required=False, help_text=_("Referrals of this client.")
    )

    def validate_status(self, value: str) -> str:
        if value and value not in Referral.Status.values:
            raise serializers.ValidationError(one_of(Referral.Status.values))
        return value

    def validate_source(self, value: str) -> str:
        if value and value not in Referral.Source.values:
            raise serializers.ValidationError(one_of(Referral.Source.values))
        return value


class ReferralListApi(PaginatedSalonApi):
    @extend_schema(
        tags=TAGS,
        parameters=[ReferralFilterSerializer],
        responses=ReferralOutputSerializer(many=True),
    )
    def get(self, request: Request, salon_slug: str) -> Response:
        filters = ReferralFilterSerializer(
            data=request.query_params, context=self.serializer_context()
        )
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        created_from, created_before = selectors.local_day_bounds(
            salon=self.salon, start=data.get("start"), end=data.get("end")
        )
        referrals = selectors.referral_list(
            salon=self.salon,
            status=data["status"],
            source=data["source"],
            referrer=data.get("referrer"),
            referred=data.get("referred"),
            created_from=created_from,
            created_before=created_before,
        )
        return self.paginated_response(referrals, ReferralOutputSerializer)


# --- Top referrers --------------------------------------------------------------------------


class TopReferrerOutputSerializer(serializers.Serializer):
    client = serializers.IntegerField(source="client_id")
    name = serializers.CharField(source="full_name")
    referrals = serializers.IntegerField(
        help_text=_("New clients brought in the period (pending or credited).")
    )
    points = serializers.IntegerField(help_text=_("Bonus points those referrals credited."))


class TopReferrerFilterSerializer(PeriodInputSerializer):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=10)


class TopReferrersApi(SalonApi):
    @extend_schema(
        tags=TAGS,
        parameters=[TopReferrerFilterSerializer],
        responses=TopReferrerOutputSerializer(many=True),
    )
    def get(self, request: Request, salon_slug: str) -> Response:
        filters = TopReferrerFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        created_from, created_before = selectors.local_day_bounds(
            salon=self.salon, start=data.get("start"), end=data.get("end")
        )
        rows = selectors.top_referrers(
            salon=self.salon,
            created_from=created_from,
            created_before=created_before,
            limit=data["limit"],
        )
        return Response(TopReferrerOutputSerializer(rows, many=True).data)


# --- A client's referred-by -----------------------------------------------------------------


class ClientReferralOutputSerializer(serializers.Serializer):
    referred_by = ReferralOutputSerializer(
        allow_null=True, help_text=_("Who referred the client (null: nobody).")
    )
    referral_code = serializers.CharField(help_text=_("The client's own referral code."))
    referral_link = serializers.URLField(help_text=_("The client's own referral link."))


class ReferredByInputSerializer(serializers.Serializer):
    referrer = SalonPrimaryKeyRelatedField(
        queryset=Client.objects.all(), help_text=_("The client who referred this client.")
    )
    award = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "Credit the referral points to the referrer now (needs the loyalty system on). "
            "Repeating it credits once."
        ),
    )


def _client_referral_data(salon: Any, client: Client) -> dict[str, Any]:
    code = referral_code_get_or_create(salon=salon, client=client)
    return {
        "referred_by": selectors.referral_active_for(salon=salon, referred=client),
        "referral_code": code.code,
        "referral_link": selectors.referral_link(salon=salon, code=code.code),
    }


class ClientReferredByApi(SalonApi):
    @extend_schema(tags=TAGS, responses=ClientReferralOutputSerializer)
    def get(self, request: Request, salon_slug: str, client_id: int) -> Response:
        client = tenant_get(Client, salon=self.salon, pk=client_id)
        data = _client_referral_data(self.salon, client)
        return Response(ClientReferralOutputSerializer(data).data)

    @extend_schema(
        tags=TAGS,
        description=_(
            "Set who referred the client (a change ends the current referral: credited points "
            "are taken back from the old referrer). A client who had appointments before, the "
            "client themselves or a circle is a 400 on `referrer`; `award` while loyalty is "
            "off is a 400 on `award`. Nothing is written then."
        ),
        request=ReferredByInputSerializer,
        responses=ClientReferralOutputSerializer,
    )
    def post(self, request: Request, salon_slug: str, client_id: int) -> Response:
        client = tenant_get(Client, salon=self.salon, pk=client_id)
        serializer = ReferredByInputSerializer(data=request.data, context=self.serializer_context())
        serializer.is_valid(raise_exception=True)
        referral_set(
            salon=self.salon,
            referred=client,
            referrer=serializer.validated_data["referrer"],
            actor=request.user,
            award=serializer.validated_data["award"],
        )
        data = _client_referral_data(self.salon, client)
        return Response(ClientReferralOutputSerializer(data).data)

    @extend_schema(
        tags=TAGS,
        description=_(
            "The client was referred by nobody: the current referral ends (credited points are "
            "taken back). Nothing to remove is fine too."
        ),
        responses={204: None},
    )
    def delete(self, request: Request, salon_slug: str, client_id: int) -> Response:
        client = tenant_get(Client, salon=self.salon, pk=client_id)
        referral_clear(salon=self.salon, referred=client, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
