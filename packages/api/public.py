"""The booking site's packages API: `/api/v1/public/<salon_slug>/packages/…` (tag "public").

- `package-types/` — what the salon sells online (anyone may read it).
- `package-types/<id>/buy/` — a logged-in client buys one (session or token; 401 without):
  201 with the package, waiting for payment. `payment_method` "online_card" (the default
  while the salon takes payments online): `payment_url` is the page where the client pays by
  card, and the package becomes active when the payment arrives; "pay_at_salon" (the default
  otherwise): it waits until the salon marks it paid (`payment_url` ""). 400 when it is not
  sold online, already waiting for payment at the salon, or the method is not offered; 404
  for another salon's id.
- `mine/` — the logged-in client's packages with their ledgers (a user without a client
  record here has none).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.authentication import ApiTokenAuthentication
from bookings.api.public import PublicApi
from bookings.models import Client
from bookings.public.selectors import client_of_user
from bookings.selectors import tenant_get
from packages import selectors
from packages.models import ClientPackage, PackageEntry, PackageKind, PackageType
from packages.public.views import ONLINE_METHOD, PURCHASE_METHODS, purchase_methods
from packages.rows import entry_description, package_state
from packages.services.holdings import client_for_purchase, client_package_buy, salon_today
from packages.services.online import client_package_buy_online

TAGS = ["public"]


def one_of(values: list[str]) -> Any:
    return format_lazy(gettext_lazy("One of: {values}."), values=", ".join(values))


# Base of the client's package views: the salon of the URL (404 if unknown), a logged-in user.
class PackagesClientApi(PublicApi):
    # Token first, so an anonymous caller gets 401 with `WWW-Authenticate: Token`.
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @cached_property
    def client(self) -> Client | None:
        return client_of_user(salon=self.salon, user=self.request.user)


class PublicServiceOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PublicPackageTypeOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text=one_of(PackageKind.values))
    name = serializers.CharField()
    description = serializers.CharField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField(source="salon.currency")
    credit = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    visits = serializers.IntegerField(allow_null=True)
    validity_count = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("From the day it is bought; null: no expiry.")
    )
    validity_unit = serializers.CharField()
    services = PublicServiceOut(many=True, source="services.all")


class PublicPackageEntryOut(serializers.Serializer):
    created_at = serializers.DateTimeField()
    kind = serializers.CharField(help_text=one_of(PackageEntry.Kind.values))
    credit = serializers.DecimalField(max_digits=10, decimal_places=2)
    visits = serializers.IntegerField()
    description = serializers.SerializerMethodField()

    def get_description(self, entry: PackageEntry) -> str:
        return entry_description(entry)


class PublicClientPackageOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text=one_of(PackageKind.values))
    name = serializers.CharField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField()
    state = serializers.SerializerMethodField(
        help_text=one_of(["pending", "lapsed", "expired", "used_up", "not_yet", "valid"])
    )
    credit_left = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    visits_left = serializers.IntegerField(allow_null=True)
    starts_on = serializers.DateField()
    expires_on = serializers.DateField(allow_null=True)
    entries = serializers.SerializerMethodField(help_text=gettext_lazy("Latest first."))

    def get_state(self, held: ClientPackage) -> str:
        return package_state(held, salon_today(held.salon))[0]

    @extend_schema_field(PublicPackageEntryOut(many=True))
    def get_entries(self, held: ClientPackage) -> Any:
        rows = self.context.get("entries", {}).get(held.pk, [])
        return PublicPackageEntryOut(rows, many=True).data


class PublicBuyIn(serializers.Serializer):
    payment_method = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        help_text=format_lazy(
            "{} {}",
            one_of([ONLINE_METHOD, *PURCHASE_METHODS]),
            gettext_lazy(
                "Default: online_card while the salon takes payments online, else pay_at_salon."
            ),
        ),
    )


class PublicPackageBuyOut(PublicClientPackageOut):
    payment_method = serializers.CharField(help_text=one_of([ONLINE_METHOD, *PURCHASE_METHODS]))
    payment_url = serializers.CharField(
        help_text=gettext_lazy(
            "Where the client pays by card (send them there); empty when paying at the salon."
        )
    )


class PublicPackageTypeListApi(PackagesClientApi):
    permission_classes = [AllowAny]

    @extend_schema(tags=TAGS, responses=PublicPackageTypeOut(many=True))
    def get(self, request: Request, salon_slug: str) -> Response:
        types = selectors.package_types_offered_online(salon=self.salon).select_related("salon")
        return Response(PublicPackageTypeOut(types, many=True).data)


class PublicPackageBuyApi(PackagesClientApi):
    @extend_schema(
        tags=TAGS,
        request=PublicBuyIn,
        responses={201: PublicPackageBuyOut},
        description=gettext_lazy(
            "Buy a package. Paid online by card: send the client to `payment_url`; the package "
            "becomes active when the payment arrives. Paid at the salon: it waits for payment "
            "until the salon marks it paid. It pays bookings from then on."
        ),
    )
    def post(self, request: Request, salon_slug: str, package_type_id: int) -> Response:
        package_type = tenant_get(PackageType, salon=self.salon, pk=package_type_id)
        payload = PublicBuyIn(data=request.data)
        payload.is_valid(raise_exception=True)
        methods = purchase_methods(self.salon)
        method = payload.validated_data["payment_method"] or next(iter(methods))
        if method not in methods:
            raise ValidationError(
                {
                    "payment_method": _("Choose one of: %(methods)s.")
                    % {"methods": ", ".join(methods)}
                }
            )
        client = client_for_purchase(salon=self.salon, user=request.user)
        payment_url = ""
        if method == ONLINE_METHOD:
            bought = client_package_buy_online(
                salon=self.salon, client=client, package_type=package_type, actor=request.user
            )
            held = bought.client_package
            payment_url = request.build_absolute_uri(bought.payment_url)
        else:
            held = client_package_buy(
                salon=self.salon, client=client, package_type=package_type, actor=request.user
            )
        held = selectors.client_package_list(salon=self.salon, client=client).get(pk=held.pk)
        held.payment_method = method  # type: ignore[attr-defined]
        held.payment_url = payment_url  # type: ignore[attr-defined]
        entries = selectors.entries_for_packages(salon=self.salon, packages=[held])
        return Response(
            PublicPackageBuyOut(held, context={"entries": entries}).data,
            status=status.HTTP_201_CREATED,
        )


class PublicMyPackagesApi(PackagesClientApi):
    @extend_schema(tags=TAGS, responses=PublicClientPackageOut(many=True))
    def get(self, request: Request, salon_slug: str) -> Response:
        client = self.client
        if client is None:
            return Response([])
        held = list(selectors.client_package_list(salon=self.salon, client=client))
        entries = selectors.entries_for_packages(salon=self.salon, packages=held)
        return Response(PublicClientPackageOut(held, many=True, context={"entries": entries}).data)
