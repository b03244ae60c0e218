"""Owner API of payments: `/api/v1/salons/<salon_slug>/payments/…` (tag "payments").

Owners and managers only — reading too (staff get 403, like the dashboard's payment pages);
anyone who is not a member gets 404. Ids in the URL go through `tenant_get`, so another
salon's id is a 404 like a missing one. Refusals of the services are 400 with messages per
field; nothing is written.

- `orders/` — the salon's orders, newest first, paginated; filters `status`, `provider`
  (`online` / `at_salon`), `kind`, `date_from` / `date_to` (the salon's local dates),
  `client` (name or email). `orders/totals/` — paid, refunded, net and count of the same
  filtered set.
- `orders/<id>/` — one order with its items, payments and refunds; `…/mark-paid/` (a pending
  pay-at-salon order), `…/cancel/` (a pending order; its held time is released),
  `…/refund/` (`amount`; left out or null: everything that is left) — POST.
- `record-at-salon/` — POST: the salon took the payment of a booking (`appointment`,
  `amount`; null: the price minus what was paid online).
- `settings/` — GET, PUT, PATCH the salon's payment settings.
- `service-prepayments/` — every service's prepayment; `service-prepayments/<service_id>/` —
  GET, PUT.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.api.base import (
    HorizonDateField,
    IsSalonMember,
    PaginatedSalonApi,
    SalonApi,
    SalonPrimaryKeyRelatedField,
)
from bookings.models import Appointment, Service
from bookings.selectors import tenant_get
from payments import selectors
from payments.models import (
    MAX_AMOUNT,
    Order,
    OrderItem,
    Prepayment,
    Refund,
    RefundPolicy,
    ServicePayment,
)
from payments.providers import online_provider, provider_for
from payments.services.settings import (
    payment_settings_for,
    payment_settings_update,
    service_payment_for,
    service_payment_set,
)

TAGS = ["payments"]


def one_of(values: list[str]) -> Any:
    return format_lazy(_("One of: {values}."), values=", ".join(values))


class IsSalonManager(IsSalonMember):
    """A member who may manage the salon (owner or manager), for reads too: payments are the
    salon's money. Non-members: 404 (IsSalonMember); staff: 403."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        super().has_permission(request, view)
        return view.membership.can_manage  # type: ignore[attr-defined]


class ManagerApi(SalonApi):
    permission_classes = [IsAuthenticated, IsSalonManager]


class PaginatedManagerApi(PaginatedSalonApi):
    permission_classes = [IsAuthenticated, IsSalonManager]


def _provider_label(key: str) -> str:
    try:
        return str(provider_for(key).label)
    except KeyError:
        return key


def _money_field(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=10, decimal_places=2, **kwargs)


def _amount_input(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        **kwargs,
    )


# --- Output ---------------------------------------------------------------------------------


class OrderItemOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text=one_of(OrderItem.Kind.values))
    object_id = serializers.IntegerField(
        allow_null=True, help_text=_("The thing bought (an appointment, a package, a gift card).")
    )
    description = serializers.CharField()
    amount = _money_field()


class RefundOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    amount = _money_field()
    status = serializers.CharField(
        help_text=_(
            "pending: asked of the provider, not confirmed yet; succeeded: the money went "
            "back; failed: the provider refused it (tried again automatically). "
        )
        + one_of(["pending", "succeeded", "failed"])
    )
    status_label = serializers.CharField(source="get_status_display")
    reason = serializers.CharField(help_text=one_of(["client_cancelled", "salon", "hold_expired"]))
    attempts = serializers.IntegerField(help_text=_("Calls to the payment provider so far."))
    last_error = serializers.SerializerMethodField(
        help_text=_("The provider's last error, for a failed refund; otherwise empty.")
    )
    created_at = serializers.DateTimeField()
    created_by_email = serializers.EmailField(source="created_by.email", allow_null=True)

    def get_last_error(self, refund: Refund) -> str:
        return refund.last_error if refund.status == Refund.Status.FAILED else ""


class PaymentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    provider = serializers.CharField()
    status = serializers.CharField(
        help_text=one_of(["pending", "paid", "failed", "cancelled", "refunded", "partly_refunded"])
    )
    amount = _money_field()
    currency = serializers.CharField()
    amount_refunded = _money_field()
    paid_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    refunds = RefundOutputSerializer(many=True, source="refunds.all")


class OrderOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.CharField(help_text=one_of(Order.Status.values))
    provider = serializers.CharField(help_text=_("e.g. pay_at_salon, stripe."))
    provider_label = serializers.SerializerMethodField()
    client = serializers.IntegerField(source="client_id", allow_null=True)
    client_name = serializers.SerializerMethodField()
    appointment = serializers.IntegerField(source="appointment_id", allow_null=True)
    currency = serializers.CharField()
    total = _money_field()
    amount_online = _money_field(help_text=_("Of the total, what is paid online."))
    amount_refunded = _money_field()
    expires_at = serializers.DateTimeField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    items = OrderItemOutputSerializer(many=True, source="items.all")

    def get_provider_label(self, order: Order) -> str:
        return _provider_label(order.provider)

    def get_client_name(self, order: Order) -> str:
        return order.client.full_name if order.client_id else ""


class OrderDetailOutputSerializer(OrderOutputSerializer):
    payments = PaymentOutputSerializer(many=True, source="payments.all")
    refundable = serializers.SerializerMethodField(
        help_text=_("What is left to refund (a decimal string).")
    )

    refunds_succeeded = serializers.SerializerMethodField(
        help_text=_("Refunded: money that went back (a decimal string).")
    )
    refunds_pending = serializers.SerializerMethodField(
        help_text=_("Refunds asked of the provider, not confirmed yet (a decimal string).")
    )
    refunds_failed = serializers.SerializerMethodField(
        help_text=_("Refunds the provider refused; tried again automatically (a decimal string).")
    )

    def get_refundable(self, order: Order) -> str:
        return str(selectors.order_refundable(order))

    def _refunds(self, order: Order) -> selectors.RefundSummary:
        cached = getattr(order, "_refund_summary", None)
        if cached is None:
            cached = selectors.order_refund_summary(order)
            order._refund_summary = cached  # type: ignore[attr-defined]
        return cached

    def get_refunds_succeeded(self, order: Order) -> str:
        return str(self._refunds(order).refunded)

    def get_refunds_pending(self, order: Order) -> str:
        return str(self._refunds(order).pending)

    def get_refunds_failed(self, order: Order) -> str:
        return str(self._refunds(order).failed)


class OrderTotalsOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=_("Orders matching the filters."))
    paid = _money_field(help_text=_("Totals of the orders in which money was taken."))
    refunded = _money_field(help_text=_("Refunds that went back to the clients (succeeded)."))
    net = _money_field(help_text=_("Paid minus refunded."))
    refund_pending = _money_field(
        help_text=_("Refunds asked for but not paid out yet: pending or failed at the provider.")
    )
    currency = serializers.CharField()


# --- Input ----------------------------------------------------------------------------------


class OrderFilterSerializer(serializers.Serializer):
    status = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=one_of(Order.Status.values)
    )
    provider = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=one_of(selectors.ProviderFilter.values),
    )
    kind = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=one_of(OrderItem.Kind.values)
    )
    date_from = HorizonDateField(
        required=False, allow_null=True, default=None, help_text=_("The salon's local date.")
    )
    date_to = HorizonDateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The salon's local date (inclusive)."),
    )
    client = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=selectors.MAX_SEARCH_LENGTH,
        help_text=_("Name or email."),
    )

    def _choice(self, value: str, values: list[str]) -> str:
        if value and value not in values:
            raise serializers.ValidationError(one_of(values))
        return value

    def validate_status(self, value: str) -> str:
        return self._choice(value, Order.Status.values)

    def validate_provider(self, value: str) -> str:
        return self._choice(value, selectors.ProviderFilter.values)

    def validate_kind(self, value: str) -> str:
        return self._choice(value, OrderItem.Kind.values)

    def validate_client(self, value: str) -> str:
        return value.replace("\x00", "").strip()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and end < start:
            raise serializers.ValidationError(
                {"date_to": [_("The end date is before the start date.")]}
            )
        return attrs

    def filters(self) -> selectors.OrderFilters:
        return selectors.OrderFilters(**self.validated_data)


def _filters(request: Request) -> selectors.OrderFilters:
    serializer = OrderFilterSerializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.filters()


class RefundInputSerializer(serializers.Serializer):
    amount = _amount_input(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Left out or null: everything that is left to refund."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # DRF reads a blank amount as null ("everything"): a blank is a mistake, not a
        # full refund.
        raw = self.initial_data.get("amount") if hasattr(self.initial_data, "get") else None
        if isinstance(raw, str) and not raw.strip():
            raise serializers.ValidationError(
                {"amount": [_("Enter an amount, or leave it out to refund everything.")]}
            )
        return attrs


class RecordPaidInputSerializer(serializers.Serializer):
    appointment = SalonPrimaryKeyRelatedField(queryset=Appointment.objects.all())
    amount = _amount_input(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Left out or null: the booking's price minus what was paid online."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # As for a refund: a blank amount is a mistake, not "the rest of the price".
        raw = self.initial_data.get("amount") if hasattr(self.initial_data, "get") else None
        if isinstance(raw, str) and not raw.strip():
            raise serializers.ValidationError(
                {"amount": [_("Enter an amount, or leave it out for the rest of the price.")]}
            )
        return attrs


class PaymentSettingsSerializer(serializers.Serializer):
    online_payments_enabled = serializers.BooleanField(
        help_text=_("Needs the online payment provider to be configured on this site.")
    )
    refund_policy = serializers.CharField(help_text=one_of(RefundPolicy.values))
    hold_minutes = serializers.IntegerField(
        min_value=5, max_value=60, help_text=_("Minutes a time is held while the client pays.")
    )
    provider_configured = serializers.BooleanField(
        read_only=True, help_text=_("Whether online card payments can be switched on.")
    )

    def validate_refund_policy(self, value: str) -> str:
        if value not in RefundPolicy.values:
            raise serializers.ValidationError(one_of(RefundPolicy.values))
        return value


class ServicePaymentSerializer(serializers.Serializer):
    service = serializers.IntegerField(source="service_id", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    prepayment = serializers.CharField(help_text=one_of(Prepayment.values))
    amount = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "deposit_fixed: the amount; deposit_percent: the percentage of the price (1–100); "
            "otherwise null."
        ),
    )

    def validate_prepayment(self, value: str) -> str:
        if value not in Prepayment.values:
            raise serializers.ValidationError(one_of(Prepayment.values))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        prepayment, amount = attrs.get("prepayment"), attrs.get("amount")
        deposit = prepayment in (Prepayment.DEPOSIT_FIXED, Prepayment.DEPOSIT_PERCENT)
        if deposit and amount is None:
            raise serializers.ValidationError({"amount": [_("Enter the deposit.")]})
        if prepayment == Prepayment.DEPOSIT_PERCENT and amount is not None and amount > 100:
            raise serializers.ValidationError({"amount": [_("A percentage is at most 100.")]})
        if not deposit:
            attrs["amount"] = None
        return attrs


# --- Orders ---------------------------------------------------------------------------------


def _detail(salon: Any, order_id: int) -> Any:
    return OrderDetailOutputSerializer(selectors.order_get(salon=salon, order_id=order_id)).data


class OrderListApi(PaginatedManagerApi):
    @extend_schema(
        tags=TAGS,
        parameters=[OrderFilterSerializer],
        responses=OrderOutputSerializer(many=True),
        description=_("The salon's orders, newest first (totals: `orders/totals/`)."),
    )
    def get(self, request: Request, salon_slug: str) -> Response:
        orders = selectors.order_list(salon=self.salon, filters=_filters(request))
        return self.paginated_response(orders, OrderOutputSerializer)


class OrderTotalsApi(ManagerApi):
    @extend_schema(
        tags=TAGS,
        parameters=[OrderFilterSerializer],
        responses=OrderTotalsOutputSerializer,
        description=_("Paid, refunded, net and count of the orders matching the filters."),
    )
    def get(self, request: Request, salon_slug: str) -> Response:
        totals = selectors.order_totals(salon=self.salon, filters=_filters(request))
        data = {
            "count": totals.count,
            "paid": totals.paid,
            "refunded": totals.refunded,
            "net": totals.net,
            "refund_pending": totals.refund_pending,
            "currency": self.salon.currency,
        }
        return Response(OrderTotalsOutputSerializer(data).data)


class OrderDetailApi(ManagerApi):
    @extend_schema(tags=TAGS, responses=OrderDetailOutputSerializer)
    def get(self, request: Request, salon_slug: str, order_id: int) -> Response:
        return Response(_detail(self.salon, order_id))


class OrderMarkPaidApi(ManagerApi):
    @extend_schema(
        tags=TAGS,
        request=None,
        responses=OrderDetailOutputSerializer,
        description=_(
            "The salon took the payment of a pending pay-at-salon order: what it is for "
            "becomes valid. An online order, or one not pending, is a 400."
        ),
    )
    def post(self, request: Request, salon_slug: str, order_id: int) -> Response:
        from payments.services.orders import order_mark_paid

        order = tenant_get(Order, salon=self.salon, pk=order_id)
        order_mark_paid(salon=self.salon, order_id=order.pk, actor=request.user)
        return Response(_detail(self.salon, order.pk))


class OrderCancelApi(ManagerApi):
    @extend_schema(
        tags=TAGS,
        request=None,
        responses=OrderDetailOutputSerializer,
        description=_("Cancel a pending order; a time held for it is released."),
    )
    def post(self, request: Request, salon_slug: str, order_id: int) -> Response:
        from payments.services.orders import order_cancel

        order = tenant_get(Order, salon=self.salon, pk=order_id)
        order_cancel(salon=self.salon, order_id=order.pk, actor=request.user)
        return Response(_detail(self.salon, order.pk))


IDEMPOTENCY_HEADER = "Idempotency-Key"


def _refund_idempotency_prefix(request: Request, salon_id: int, order_id: int) -> str | None:
    """The caller's `Idempotency-Key`, scoped to this salon and order and hashed (the stored
    key is unique site-wide and at most 64 characters); None without one. A key that is
    blank, longer than 200 characters or not printable is a 400."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if not key.strip() or len(key) > 200 or not key.isprintable():
        raise serializers.ValidationError(
            {IDEMPOTENCY_HEADER: [_("Send at most 200 printable characters, or no key.")]}
        )
    digest = hashlib.sha256(f"{salon_id}:{order_id}:{key}".encode()).hexdigest()[:32]
    return f"api-{digest}"


class OrderRefundApi(ManagerApi):
    @extend_schema(
        tags=TAGS,
        request=RefundInputSerializer,
        responses=OrderDetailOutputSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=False,
                description=_(
                    "Optional, up to 200 characters: the same key sent again for this order "
                    "(a retry after a timeout) refunds nothing more."
                ),
            )
        ],
        description=_(
            "Refund the client: online payments through the provider, payments at the salon "
            "recorded. More than is left to refund is a 400."
        ),
    )
    def post(self, request: Request, salon_slug: str, order_id: int) -> Response:
        from payments.services.refunds import refund_create

        order = tenant_get(Order, salon=self.salon, pk=order_id)
        serializer = RefundInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refund_create(
            salon=self.salon,
            order_id=order.pk,
            amount=serializer.validated_data["amount"],
            actor=request.user,
            idempotency_prefix=_refund_idempotency_prefix(request, self.salon.pk, order.pk),
        )
        return Response(_detail(self.salon, order.pk))


class RecordPaidAtSalonApi(ManagerApi):
    @extend_schema(
        tags=TAGS,
        request=RecordPaidInputSerializer,
        responses={201: OrderDetailOutputSerializer},
        description=_(
            "Record that a booking was paid at the salon (a paid order). A booking recorded "
            "already is a 400."
        ),
    )
    def post(self, request: Request, salon_slug: str) -> Response:
        from payments.services.orders import appointment_record_paid_at_salon

        serializer = RecordPaidInputSerializer(data=request.data, context=self.serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = appointment_record_paid_at_salon(
            salon=self.salon,
            appointment_id=data["appointment"].pk,
            amount=data["amount"],
            actor=request.user,
        )
        return Response(_detail(self.salon, order.pk), status=status.HTTP_201_CREATED)


# --- Settings -------------------------------------------------------------------------------


def _settings_data(salon: Any) -> Any:
    current = payment_settings_for(salon)
    return PaymentSettingsSerializer(
        {
            "online_payments_enabled": current.online_payments_enabled,
            "refund_policy": current.refund_policy,
            "hold_minutes": current.hold_minutes,
            "provider_configured": online_provider() is not None,
        }
    ).data


class PaymentSettingsApi(ManagerApi):
    @extend_schema(tags=TAGS, responses=PaymentSettingsSerializer)
    def get(self, request: Request, salon_slug: str) -> Response:
        return Response(_settings_data(self.salon))

    def _update(self, request: Request, *, partial: bool) -> Response:
        serializer = PaymentSettingsSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        current = payment_settings_for(self.salon)
        values = {
            "online_payments_enabled": current.online_payments_enabled,
            "refund_policy": current.refund_policy,
            "hold_minutes": current.hold_minutes,
            **serializer.validated_data,
        }
        if "online_payments_enabled" not in serializer.validated_data and online_provider() is None:
            # The site's keys were removed: saving the rest switches online payments off
            # instead of refusing a value the caller did not send.
            values["online_payments_enabled"] = False
        payment_settings_update(salon=self.salon, **values)
        return Response(_settings_data(self.salon))

    @extend_schema(
        tags=TAGS, request=PaymentSettingsSerializer, responses=PaymentSettingsSerializer
    )
    def put(self, request: Request, salon_slug: str) -> Response:
        return self._update(request, partial=False)

    @extend_schema(
        tags=TAGS, request=PaymentSettingsSerializer, responses=PaymentSettingsSerializer
    )
    def patch(self, request: Request, salon_slug: str) -> Response:
        return self._update(request, partial=True)


def _service_payments(salon: Any) -> list[ServicePayment]:
    services = list(Service.objects.for_salon(salon).order_by("name", "id"))
    rules = {
        rule.service_id: rule
        for rule in ServicePayment.objects.for_salon(salon).filter(service__in=services)
    }
    rows = []
    for service in services:
        rule = rules.get(service.pk) or ServicePayment(salon=salon, service=service)
        rule.service = service
        rows.append(rule)
    return rows


class ServicePaymentListApi(ManagerApi):
    @extend_schema(
        tags=TAGS,
        responses=ServicePaymentSerializer(many=True),
        description=_("Every service with what it asks to be paid online when booked."),
    )
    def get(self, request: Request, salon_slug: str) -> Response:
        return Response(ServicePaymentSerializer(_service_payments(self.salon), many=True).data)


class ServicePaymentDetailApi(ManagerApi):
    def _service(self, service_id: int) -> Service:
        return tenant_get(Service, salon=self.salon, pk=service_id)

    @extend_schema(tags=TAGS, responses=ServicePaymentSerializer)
    def get(self, request: Request, salon_slug: str, service_id: int) -> Response:
        service = self._service(service_id)
        rule = service_payment_for(salon=self.salon, service=service)
        return Response(ServicePaymentSerializer(rule).data)

    @extend_schema(tags=TAGS, request=ServicePaymentSerializer, responses=ServicePaymentSerializer)
    def put(self, request: Request, salon_slug: str, service_id: int) -> Response:
        service = self._service(service_id)
        serializer = ServicePaymentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rule = service_payment_set(
            salon=self.salon,
            service=service,
            prepayment=serializer.validated_data["prepayment"],
            amount=serializer.validated_data["amount"],
        )
        return Response(ServicePaymentSerializer(rule).data)
