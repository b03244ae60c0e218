"""Owner API of segments: `/api/v1/salons/<salon_slug>/segments/…` (tag "segments").

Access as everywhere in the owner API (bookings/api/base.py): members read, owners and managers
write, anyone else gets 404. A segment id of another salon is a 404 like a missing one; service
or staff ids in a body that are not the salon's (or not active) are a 400 on `services` /
`staff`, and a segment without services is a 400 on `services`; nothing is written.

- `segments/` — the salon's segments (paginated); POST creates one.
- `segments/<id>/` — GET (with bookings through the link per month), PATCH (the lists given
  replace the segment's).
- `segments/<id>/regenerate-link/` — POST: a new link; the old one answers 404 at once.
- `segments/<id>/deactivate/`, `…/activate/` — POST: switch the link off / on.
- `embed-settings/` — GET, PUT: the salon's websites that may embed its booking widget.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from bookings.api.base import PaginatedSalonApi, SalonApi
from segments import selectors
from segments.embed_snippet import embed_snippet, embed_url, link_url
from segments.models import Segment
from segments.services.segments import (
    embed_settings_update,
    segment_create,
    segment_link_regenerate,
    segment_set_active,
    segment_update,
)

TAGS = ["segments"]


class SegmentInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    services = serializers.ListField(
        child=serializers.IntegerField(),
        max_length=500,
        help_text="Ids of the salon's active services bookable online (at least one).",
    )
    staff = serializers.ListField(
        child=serializers.IntegerField(),
        max_length=500,
        required=False,
        help_text="Ids of the salon's active staff the bookings go to (also staff not offered "
        "online); empty: the staff of the booking site.",
    )
    is_active = serializers.BooleanField(required=False)
    embed_domains = serializers.ListField(
        child=serializers.CharField(max_length=200),
        max_length=20,
        required=False,
        help_text="Websites (https://example.com) that may embed the segment's booking; "
        "empty: any.",
    )


class MonthFiguresSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="The first day of the month (the salon's zone).")
    count = serializers.IntegerField(help_text="Bookings through the link, not cancelled.")
    value = serializers.DecimalField(max_digits=12, decimal_places=2)
    cancelled = serializers.IntegerField()


class SegmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    is_active = serializers.BooleanField()
    services = serializers.SerializerMethodField()
    staff = serializers.SerializerMethodField()
    token = serializers.CharField(help_text="The link's token (the `segment` of the public API).")
    link = serializers.SerializerMethodField()
    embed_url = serializers.SerializerMethodField()
    embed_snippet = serializers.SerializerMethodField()
    embed_domains = serializers.SerializerMethodField()
    booking_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()

    def get_services(self, obj: Segment) -> list[int]:
        return [link.service_id for link in obj.service_links.all()]

    def get_staff(self, obj: Segment) -> list[int]:
        return [link.staff_id for link in obj.staff_links.all()]

    def get_link(self, obj: Segment) -> str:
        return link_url(self.context["request"], obj)

    def get_embed_url(self, obj: Segment) -> str:
        return embed_url(self.context["request"], obj.salon, obj)

    def get_embed_snippet(self, obj: Segment) -> str:
        return embed_snippet(self.context["request"], obj.salon, obj)

    def get_embed_domains(self, obj: Segment) -> list[str]:
        return selectors.embed_origins(obj.embed_domains)


class SegmentDetailSerializer(SegmentOutputSerializer):
    months = serializers.SerializerMethodField()

    @extend_schema_field(MonthFiguresSerializer(many=True))
    def get_months(self, obj: Segment) -> list[dict[str, Any]]:
        figures = selectors.segment_month_figures(salon=obj.salon, segment=obj)
        return list(MonthFiguresSerializer(figures, many=True).data)


def _segment_input(data: dict[str, Any]) -> dict[str, Any]:
    """The serializer's data as the services take it."""
    values = dict(data)
    if "embed_domains" in values:
        values["embed_domains"] = "\n".join(values["embed_domains"])
    return values


class SegmentListApi(PaginatedSalonApi):
    @extend_schema(tags=TAGS, responses=SegmentOutputSerializer(many=True))
    def get(self, request: Request, salon_slug: str) -> Response:
        return self.paginated_response(
            selectors.segment_list(salon=self.salon).select_related("salon"),
            SegmentOutputSerializer,
        )

    @extend_schema(
        tags=TAGS, request=SegmentInputSerializer, responses={201: SegmentDetailSerializer}
    )
    def post(self, request: Request, salon_slug: str) -> Response:
        payload = SegmentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        segment = segment_create(salon=self.salon, **_segment_input(payload.validated_data))
        segment = selectors.segment_get(salon=self.salon, pk=segment.pk)
        return Response(
            SegmentDetailSerializer(segment, context=self.serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class SegmentDetailApi(SalonApi):
    @extend_schema(tags=TAGS, responses=SegmentDetailSerializer)
    def get(self, request: Request, salon_slug: str, segment_id: int) -> Response:
        segment = selectors.segment_get(salon=self.salon, pk=segment_id)
        return Response(SegmentDetailSerializer(segment, context=self.serializer_context()).data)

    @extend_schema(
        tags=TAGS,
        request=SegmentInputSerializer(partial=True),
        responses=SegmentDetailSerializer,
    )
    def patch(self, request: Request, salon_slug: str, segment_id: int) -> Response:
        segment = selectors.segment_get(salon=self.salon, pk=segment_id)
        payload = SegmentInputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        segment_update(segment=segment, **_segment_input(payload.validated_data))
        segment = selectors.segment_get(salon=self.salon, pk=segment_id)
        return Response(SegmentDetailSerializer(segment, context=self.serializer_context()).data)


class SegmentActionApi(SalonApi):
    def act(self, segment: Segment) -> None:
        raise NotImplementedError

    def post(self, request: Request, salon_slug: str, segment_id: int) -> Response:
        segment = selectors.segment_get(salon=self.salon, pk=segment_id)
        self.act(segment)
        segment = selectors.segment_get(salon=self.salon, pk=segment_id)
        return Response(SegmentDetailSerializer(segment, context=self.serializer_context()).data)


class SegmentRegenerateLinkApi(SegmentActionApi):
    @extend_schema(
        tags=TAGS,
        request=None,
        responses=SegmentDetailSerializer,
        description="A new link (token); the old one answers 404 from now on.",
    )
    def post(self, request: Request, salon_slug: str, segment_id: int) -> Response:
        return super().post(request, salon_slug, segment_id)

    def act(self, segment: Segment) -> None:
        segment_link_regenerate(segment=segment)


class SegmentDeactivateApi(SegmentActionApi):
    @extend_schema(
        tags=TAGS,
        request=None,
        responses=SegmentDetailSerializer,
        description="Switch the segment off: its link answers 404 until it is switched on.",
    )
    def post(self, request: Request, salon_slug: str, segment_id: int) -> Response:
        return super().post(request, salon_slug, segment_id)

    def act(self, segment: Segment) -> None:
        segment_set_active(segment=segment, is_active=False)


class SegmentActivateApi(SegmentActionApi):
    @extend_schema(tags=TAGS, request=None, responses=SegmentDetailSerializer)
    def post(self, request: Request, salon_slug: str, segment_id: int) -> Response:
        return super().post(request, salon_slug, segment_id)

    def act(self, segment: Segment) -> None:
        segment_set_active(segment=segment, is_active=True)


class EmbedSettingsSerializer(serializers.Serializer):
    embed_domains = serializers.ListField(
        child=serializers.CharField(max_length=200),
        max_length=20,
        help_text="Websites (https://example.com) that may embed the salon's booking widget; "
        "empty: any.",
    )
    embed_url = serializers.CharField(read_only=True)
    embed_snippet = serializers.CharField(read_only=True)


class EmbedSettingsApi(SalonApi):
    def body(self, request: Request) -> dict[str, Any]:
        settings_row = selectors.embed_settings_get(salon=self.salon)
        return {
            "embed_domains": selectors.embed_origins(settings_row.embed_domains),
            "embed_url": embed_url(request, self.salon),
            "embed_snippet": embed_snippet(request, self.salon),
        }

    @extend_schema(tags=TAGS, responses=EmbedSettingsSerializer)
    def get(self, request: Request, salon_slug: str) -> Response:
        return Response(self.body(request))

    @extend_schema(tags=TAGS, request=EmbedSettingsSerializer, responses=EmbedSettingsSerializer)
    def put(self, request: Request, salon_slug: str) -> Response:
        payload = EmbedSettingsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        embed_settings_update(
            salon=self.salon, embed_domains="\n".join(payload.validated_data["embed_domains"])
        )
        return Response(self.body(request))
