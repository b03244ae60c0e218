"""Owner API of the salon's notice texts, under `/api/v1/salons/<slug>/notices/` (joined by
salonbook/api_urls.py, namespace `notices-api`), through the services the dashboard's Notices
page calls:

- `templates/` (GET): every notice kind and channel with the text in use — the salon's own or
  our default — and the variables the text may use; `?language=` picks the language (default:
  the salon's);
- `templates/<kind>/<channel>/` (GET; PUT the salon's own text; DELETE: back to the default).

Texts are checked against their kind (unknown variables, bad syntax, too long, an e-mail
without a subject): 400 with messages per field. An unknown kind or channel is a 404.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from bookings.api.base import SalonApi
from notices import services
from notices.registry import Channel, NoticeKind, kind_get, kind_list
from notices.selectors import notice_content_get

TAGS = ["notices"]
LANGUAGE_PARAMETER = OpenApiParameter(
    "language",
    OpenApiTypes.STR,
    description="Language code of the text (default: the salon's default language).",
)


class NoticeVariableSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()
    example = serializers.CharField()


class NoticeTextSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    marketing = serializers.BooleanField()
    channel = serializers.CharField(help_text="email or sms")
    language = serializers.CharField()
    subject = serializers.CharField(help_text="Empty for SMS.")
    body = serializers.CharField()
    customized = serializers.BooleanField(help_text="Whether this is the salon's own text.")
    variables = NoticeVariableSerializer(many=True)


class NoticeTextInputSerializer(serializers.Serializer):
    subject = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text="E-mail only."
    )
    body = serializers.CharField(allow_blank=True, trim_whitespace=False)
    # A plain string (not a choice field): an enum of the languages would clash in the schema
    # with the salon's `default_language` enum.
    language = serializers.CharField(
        required=False,
        max_length=8,
        help_text="Language code, e.g. et (default: the salon's default language).",
    )

    def validate_language(self, value: str) -> str:
        if value not in dict(settings.LANGUAGES):
            raise serializers.ValidationError(_("Unknown language."))
        return value


def _language(request: Request, salon: Any) -> str:
    language = request.query_params.get("language", "").strip() or salon.default_language
    if language not in dict(settings.LANGUAGES):
        raise ApiValidationError({"language": [_("Unknown language.")]})
    return language


def _text(salon: Any, kind: NoticeKind, channel: str, language: str) -> dict[str, Any]:
    content = notice_content_get(salon=salon, kind=kind, channel=channel, language=language)
    return {
        "kind": kind.key,
        "label": str(kind.label),
        "marketing": kind.marketing,
        "channel": channel,
        "language": language,
        "subject": content.subject,
        "body": content.body,
        "customized": content.is_custom,
        "variables": [
            {"name": v.name, "description": str(v.description), "example": v.example}
            for v in kind.all_variables
        ],
    }


def _kind_and_channel(kind: str, channel: str) -> tuple[NoticeKind, str]:
    try:
        notice_kind = kind_get(kind)
    except LookupError:
        raise Http404("No such notice kind.") from None
    if channel not in Channel.values:
        raise Http404("No such channel.")
    return notice_kind, channel


class NoticeTextListApi(SalonApi):
    """Every notice kind and channel with the text in use."""

    @extend_schema(
        tags=TAGS, parameters=[LANGUAGE_PARAMETER], responses=NoticeTextSerializer(many=True)
    )
    def get(self, request: Request, salon_slug: str) -> Response:
        language = _language(request, self.salon)
        data = [
            _text(self.salon, kind, channel, language)
            for kind in kind_list()
            for channel in Channel.values
        ]
        return Response(NoticeTextSerializer(data, many=True).data)


class NoticeTextDetailApi(SalonApi):
    @extend_schema(tags=TAGS, parameters=[LANGUAGE_PARAMETER], responses=NoticeTextSerializer)
    def get(self, request: Request, salon_slug: str, kind: str, channel: str) -> Response:
        notice_kind, channel = _kind_and_channel(kind, channel)
        language = _language(request, self.salon)
        return Response(
            NoticeTextSerializer(_text(self.salon, notice_kind, channel, language)).data
        )

    @extend_schema(tags=TAGS, request=NoticeTextInputSerializer, responses=NoticeTextSerializer)
    def put(self, request: Request, salon_slug: str, kind: str, channel: str) -> Response:
        """Save the salon's own text (it may only use the kind's variables)."""
        notice_kind, channel = _kind_and_channel(kind, channel)
        serializer = NoticeTextInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        language = data.get("language") or self.salon.default_language
        services.notice_template_save(
            salon=self.salon,
            kind=notice_kind.key,
            channel=channel,
            subject=data.get("subject", ""),
            body=data["body"],
            language=language,
        )
        return Response(
            NoticeTextSerializer(_text(self.salon, notice_kind, channel, language)).data
        )

    @extend_schema(tags=TAGS, parameters=[LANGUAGE_PARAMETER], responses={204: None})
    def delete(self, request: Request, salon_slug: str, kind: str, channel: str) -> Response:
        """Forget the salon's own text: our default is used again."""
        notice_kind, channel = _kind_and_channel(kind, channel)
        language = _language(request, self.salon)
        services.notice_template_reset(
            salon=self.salon, kind=notice_kind.key, channel=channel, language=language
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
