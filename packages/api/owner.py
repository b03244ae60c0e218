"""Owner API of packages: `/api/v1/salons/<salon_slug>/packages/…` (tag "packages").

Access as everywhere in the owner API (bookings/api/base.py): members read, owners and managers
write, anyone else gets 404. Ids in the URL go through `tenant_get`, so another salon's id is a
404 like a missing one; ids in a body (`package_type`, `services`) are a 400 "Invalid pk" like
an unknown one. Refusals of the services are 400 with messages per field; nothing is written.

- `package-types/` — the salon's packages (time passes, credit and visit packages); POST
  creates one. `package-types/<id>/` — GET, PATCH, DELETE (refused with 400 while a client
  holds one: deactivate it instead, `…/deactivate/`; `…/activate/` undoes that).
- `clients/<client_id>/packages/` — a client's packages; POST assigns one (`expires_on` left
  out: from the package's validity; null: no expiry; `apply_to_existing`: it pays their
  booked appointments at once).
- `client-packages/` — every held package (filter by `status`, e.g. the purchases waiting for
  payment); `client-packages/<id>/` — one with its ledger; `…/mark-paid/` — POST;
  `…/entries/` — its usage ledger, paginated.
"""

from __future__ import annotations

from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from bookings.api.base import PaginatedSalonApi, SalonApi, SalonPrimaryKeyRelatedField
from bookings.models import Client, Service
from bookings.selectors import tenant_get
from packages import selectors
from packages.models import ClientPackage, PackageEntry, PackageKind, PackageType, ValidityUnit
from packages.rows import entry_description, package_state
from packages.services.holdings import (
    DEFAULT_EXPIRY,
    client_package_assign,
    client_package_mark_paid,
    salon_today,
)
from packages.services.types import (
    package_type_create,
    package_type_delete,
    package_type_set_active,
    package_type_update,
)

TAGS = ["packages"]


def one_of(values: list[str]) -> Any:
    return format_lazy(_("One of: {values}."), values=", ".join(values))


# --- Package types --------------------------------------------------------------------------


class PackageTypeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    # Strings, not enums: several components have a `kind` (loyalty's ledgers), and one
    # choice set under one name in many components is a schema naming collision.
    kind = serializers.CharField(help_text=one_of(PackageKind.values))
    name = serializers.CharField()
    description = serializers.CharField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    credit = serializers.DecimalField(
        max_digits=10, decimal_places=2, allow_null=True, help_text=_("Credit packages only.")
    )
    visits = serializers.IntegerField(allow_null=True, help_text=_("Visit packages only."))
    validity_count = serializers.IntegerField(
        allow_null=True, help_text=_("Valid for this many units; null: no expiry.")
    )
    validity_unit = serializers.CharField(help_text=one_of(["", *ValidityUnit.values]))
    services = serializers.SerializerMethodField(help_text=_("Ids of the services it covers."))
    offered_online = serializers.BooleanField()
    is_active = serializers.BooleanField(
        help_text=_("Deactivated: not sold or assigned; held packages stay valid.")
    )
    created_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_services(self, package_type: PackageType) -> list[int]:
        return [service.pk for service in package_type.services.all()]


class PackageTypeInputSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=one_of(PackageKind.values))
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default=""
    )
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    credit = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Credit packages: more than zero."),
    )
    visits = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=_("Visit packages: 1 or more.")
    )
    validity_count = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("1 or more (with `validity_unit`); required for a time pass."),
    )
    validity_unit = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=one_of(["", *ValidityUnit.values]),
    )
    services = SalonPrimaryKeyRelatedField(
        many=True, queryset=Service.objects.all(), help_text=_("Ids of the services it covers.")
    )
    offered_online = serializers.BooleanField(required=False, default=True)
    is_active = serializers.BooleanField(required=False, default=True)


def _package_types(salon: Any) -> Any:
    return selectors.package_type_list(salon=salon)


class PackageTypeListApi(PaginatedSalonApi):
    @extend_schema(tags=TAGS, responses=PackageTypeOutputSerializer(many=True))
    def get(self, request: Request, salon_slug: str) -> Response:
        return self.paginated_response(_package_types(self.salon), PackageTypeOutputSerializer)

    @extend_schema(
        tags=TAGS,
        request=PackageTypeInputSerializer,
        responses={201: PackageTypeOutputSerializer},
    )
    def post(self, request: Request, salon_slug: str) -> Response:
        serializer = PackageTypeInputSerializer(
            data=request.data, context=self.serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        package_type = package_type_create(salon=self.salon, **serializer.validated_data)
        package_type = _package_types(self.salon).get(pk=package_type.pk)
        return Response(
            PackageTypeOutputSerializer(package_type).data, status=status.HTTP_201_CREATED
        )


class PackageTypeDetailApi(SalonApi):
    """One package type. DELETE is refused (400) while any client holds one of it: deactivate
    it instead (`…/deactivate/`)."""

    def package_type(self, package_type_id: int) -> PackageType:
        return tenant_get(
            PackageType,
            salon=self.salon,
            pk=package_type_id,
            queryset=_package_types(self.salon),
        )

    @extend_schema(tags=TAGS, responses=PackageTypeOutputSerializer)
    def get(self, request: Request, salon_slug: str, package_type_id: int) -> Response:
        return Response(PackageTypeOutputSerializer(self.package_type(package_type_id)).data)

    @extend_schema(
        tags=TAGS, request=PackageTypeInputSerializer, responses=PackageTypeOutputSerializer
    )
    def patch(self, request: Request, salon_slug: str, package_type_id: int) -> Response:
        package_type = self.package_type(package_type_id)
        serializer = PackageTypeInputSerializer(
            data=request.data, partial=True, context=self.serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        package_type_update(package_type=package_type, **serializer.validated_data)
        return Response(PackageTypeOutputSerializer(self.package_type(package_type_id)).data)

    @extend_schema(tags=TAGS, responses={204: None})
    def delete(self, request: Request, salon_slug: str, package_type_id: int) -> Response:
        package_type_delete(package_type=self.package_type(package_type_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PackageTypeDeactivateApi(SalonApi):
    active = False

    @extend_schema(
        tags=TAGS,
        request=None,
        responses=PackageTypeOutputSerializer,
        description=_(
            "Take the package off sale and assignment; the packages clients hold stay valid."
        ),
    )
    def post(self, request: Request, salon_slug: str, package_type_id: int) -> Response:
        package_type = tenant_get(PackageType, salon=self.salon, pk=package_type_id)
        package_type_set_active(package_type=package_type, active=self.active)
        package_type = _package_types(self.salon).get(pk=package_type.pk)
        return Response(PackageTypeOutputSerializer(package_type).data)


class PackageTypeActivateApi(PackageTypeDeactivateApi):
    active = True

    @extend_schema(
        tags=TAGS,
        request=None,
        responses=PackageTypeOutputSerializer,
        description=_("Sell and assign the package again."),
    )
    def post(self, request: Request, salon_slug: str, package_type_id: int) -> Response:
        return super().post(request, salon_slug, package_type_id)


# --- Held packages --------------------------------------------------------------------------


class PackageEntryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    kind = serializers.CharField(help_text=one_of(PackageEntry.Kind.values))
    credit = serializers.DecimalField(
        max_digits=10, decimal_places=2, help_text=_("Negative: used; positive: added back.")
    )
    visits = serializers.IntegerField(help_text=_("Negative: used; positive: added back."))
    appointment = serializers.IntegerField(source="appointment_id", allow_null=True)
    reverses = serializers.IntegerField(
        source="reverses_id", allow_null=True, help_text=_("The use a return gives back.")
    )
    actor_email = serializers.EmailField(source="actor.email", allow_null=True)
    description = serializers.SerializerMethodField()

    def get_description(self, entry: PackageEntry) -> str:
        return entry_description(entry)


class ClientPackageOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    client = serializers.IntegerField(source="client_id")
    package_type = serializers.IntegerField(source="package_type_id")
    kind = serializers.CharField(help_text=one_of(PackageKind.values))
    name = serializers.CharField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField()
    status = serializers.CharField(help_text=one_of(ClientPackage.Status.values))
    source = serializers.CharField(help_text=one_of(ClientPackage.Source.values))
    state = serializers.SerializerMethodField(
        help_text=one_of(["pending", "lapsed", "expired", "used_up", "not_yet", "valid"])
    )
    credit_total = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    credit_left = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    visits_total = serializers.IntegerField(allow_null=True)
    visits_left = serializers.IntegerField(allow_null=True)
    starts_on = serializers.DateField(help_text=_("First valid day (the salon's date)."))
    expires_on = serializers.DateField(allow_null=True, help_text=_("Last valid day; null: none."))
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)

    def get_state(self, held: ClientPackage) -> str:
        today = self.context.get("today") or salon_today(held.salon)
        return package_state(held, today)[0]


class ClientPackageDetailOutputSerializer(ClientPackageOutputSerializer):
    entries = serializers.SerializerMethodField(help_text=_("The ledger, latest first."))

    @extend_schema_field(PackageEntryOutputSerializer(many=True))
    def get_entries(self, held: ClientPackage) -> Any:
        return PackageEntryOutputSerializer(self.context["entries"], many=True).data


class ClientPackageAssignInputSerializer(serializers.Serializer):
    package_type = SalonPrimaryKeyRelatedField(queryset=PackageType.objects.all())
    expires_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=_(
            "Last valid day. Left out: from the package's validity; null: no expiry "
            "(not for a time pass)."
        ),
    )
    apply_to_existing = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Pay the client's booked appointments with it now (date order)."),
    )


class ClientPackageFilterSerializer(serializers.Serializer):
    status = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=one_of(ClientPackage.Status.values)
    )


class MarkPaidInputSerializer(serializers.Serializer):
    apply_to_existing = serializers.BooleanField(required=False, default=False)


def _held(salon: Any) -> Any:
    return (
        ClientPackage.objects.for_salon(salon)
        .select_related("salon")
        .order_by("-created_at", "-id")
    )


class ClientPackagesOfClientApi(PaginatedSalonApi):
    @extend_schema(tags=TAGS, responses=ClientPackageOutputSerializer(many=True))
    def get(self, request: Request, salon_slug: str, client_id: int) -> Response:
        client = tenant_get(Client, salon=self.salon, pk=client_id)
        return self.paginated_response(
            _held(self.salon).filter(client=client), ClientPackageOutputSerializer
        )

    @extend_schema(
        tags=TAGS,
        request=ClientPackageAssignInputSerializer,
        responses={201: ClientPackageDetailOutputSerializer},
        description=_("Assign a package to the client (it is active at once)."),
    )
    def post(self, request: Request, salon_slug: str, client_id: int) -> Response:
        client = tenant_get(Client, salon=self.salon, pk=client_id)
        serializer = ClientPackageAssignInputSerializer(
            data=request.data, context=self.serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        held = client_package_assign(
            salon=self.salon,
            client=client,
            package_type=data["package_type"],
            actor=request.user,
            expires_on=data.get("expires_on", DEFAULT_EXPIRY),
            apply_to_existing=data["apply_to_existing"],
        )
        return Response(_detail(self.salon, held.pk), status=status.HTTP_201_CREATED)


def _detail(salon: Any, held_id: int) -> Any:
    held = tenant_get(ClientPackage, salon=salon, pk=held_id, queryset=_held(salon))
    entries = selectors.client_package_entries(salon=salon, client_package=held)
    return ClientPackageDetailOutputSerializer(held, context={"entries": entries}).data


class ClientPackageListApi(PaginatedSalonApi):
    @extend_schema(
        tags=TAGS,
        parameters=[ClientPackageFilterSerializer],
        responses=ClientPackageOutputSerializer(many=True),
    )
    def get(self, request: Request, salon_slug: str) -> Response:
        filters = ClientPackageFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        held = _held(self.salon)
        wanted = filters.validated_data["status"]
        if wanted:
            if wanted not in ClientPackage.Status.values:
                raise serializers.ValidationError({"status": [one_of(ClientPackage.Status.values)]})
            held = held.filter(status=wanted)
        return self.paginated_response(held, ClientPackageOutputSerializer)


class ClientPackageDetailApi(SalonApi):
    @extend_schema(tags=TAGS, responses=ClientPackageDetailOutputSerializer)
    def get(self, request: Request, salon_slug: str, client_package_id: int) -> Response:
        return Response(_detail(self.salon, client_package_id))


class ClientPackageMarkPaidApi(SalonApi):
    @extend_schema(
        tags=TAGS,
        request=MarkPaidInputSerializer,
        responses=ClientPackageDetailOutputSerializer,
        description=_(
            "The salon took the payment of a package bought online: it becomes active. "
            "A package paid already is a 400."
        ),
    )
    def post(self, request: Request, salon_slug: str, client_package_id: int) -> Response:
        held = tenant_get(ClientPackage, salon=self.salon, pk=client_package_id)
        serializer = MarkPaidInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        client_package_mark_paid(
            salon=self.salon,
            client_package=held,
            actor=request.user,
            apply_to_existing=serializer.validated_data["apply_to_existing"],
        )
        return Response(_detail(self.salon, held.pk))


class ClientPackageEntryListApi(PaginatedSalonApi):
    """The usage ledger of one held package, latest first."""

    @extend_schema(tags=TAGS, responses=PackageEntryOutputSerializer(many=True))
    def get(self, request: Request, salon_slug: str, client_package_id: int) -> Response:
        held = tenant_get(ClientPackage, salon=self.salon, pk=client_package_id)
        entries = selectors.client_package_entries(salon=self.salon, client_package=held)
        return self.paginated_response(entries, PackageEntryOutputSerializer)
