"""`POST /api/v1/salons/`: a salon owned by the caller, through the wizard's first service
(onboarding/services.py), so the API and the sign-up pages cannot disagree. The wizard's
later steps are the owner API's own endpoints (locations, services, staff)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import ApiTokenAuthentication
from bookings.models import Salon

from .models import SalonSetup
from .services import salon_setup_start


class SalonCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(
        max_length=50, help_text=_("Web address: the booking page is /s/<slug>/.")
    )
    country = serializers.CharField(
        min_length=2, max_length=2, help_text=_("ISO 3166 code, e.g. EE.")
    )
    time_zone = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text=_("IANA name, e.g. Europe/Tallinn; from the country when left out."),
    )
    currency = serializers.CharField(
        max_length=3,
        required=False,
        allow_blank=True,
        help_text=_("ISO 4217 code, e.g. EUR; from the country when left out."),
    )
    default_language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        allow_blank=True,
        help_text=_("From the country when left out."),
    )


class SalonCreateOutputSerializer(serializers.ModelSerializer):
    country = serializers.SerializerMethodField()

    class Meta:
        model = Salon
        fields = ["id", "slug", "name", "country", "time_zone", "currency", "default_language"]

    def get_country(self, salon: Salon) -> str:
        setup = SalonSetup.objects.for_salon(salon).first()
        return setup.country if setup else ""


class SalonCreateApi(APIView):
    """Create a salon; the caller becomes its owner."""

    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["salons"],
        operation_id="salons_create",
        request=SalonCreateInputSerializer,
        responses={201: SalonCreateOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = SalonCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        salon = salon_setup_start(owner=request.user, **serializer.validated_data)
        return Response(SalonCreateOutputSerializer(salon).data, status=status.HTTP_201_CREATED)
