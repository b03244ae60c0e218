"""Orders, payments, refunds and provider webhooks (issue 17).

Money is `Decimal` in the salon's currency (`Salon.currency`, 2 decimal places here); amounts
go to a provider in minor units (`payments/money.py`). An order is what the client buys in
one checkout (a booking or its deposit, a package, a gift card); its items say what becomes
valid when it is paid. `payments` knows nothing of packages or gift cards: an item names
its thing by `kind` + `object_id`, and the app that owns the kind registers what happens when
the order is paid, cancelled or refunded (`payments/fulfilment.py`).

State machine (the only moves; every move is a conditional UPDATE under the order's row lock,
so retries and duplicate webhooks change nothing):

    Order:   pending -> paid | cancelled | failed(-> pending again only by a new payment)
             paid -> partly_refunded -> refunded ; paid -> refunded
    Payment: pending -> paid | failed | cancelled ; paid -> partly_refunded -> refunded
             a late "failed"/"expired" for a payment already paid changes nothing.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings.models import Appointment, Client, Service
from bookings.models.tenancy import TenantModel

MAX_AMOUNT = Decimal("99999999.99")


def new_reference() -> str:
    """The order's public reference: unguessable, URL-safe (the client's return page)."""
    return secrets.token_urlsafe(24)


class RefundPolicy(models.TextChoices):
    FULL = "full", _("Full refund")
    DEPOSIT_KEPT = "deposit_kept", _("Refund, but the salon keeps the deposit")
    NONE = "none", _("No refund")


class PaymentSettings(TenantModel):
    """One row per salon (created on first save of the settings page; absent = defaults)."""

    online_payments_enabled = models.BooleanField(
        _("accept card payments online"),
        default=False,
        help_text=_("Needs the online payment provider to be configured for this site."),
    )
    # What a client's cancellation (within the cancellation policy) refunds of online
    # payments. A cancellation after the cut-off is not possible online.
    refund_policy = models.CharField(
        _("refund when a client cancels"),
        max_length=16,
        choices=RefundPolicy.choices,
        default=RefundPolicy.FULL,
    )
    hold_minutes = models.PositiveSmallIntegerField(
        _("minutes a time is held while the client pays"), default=10
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("payment settings")
        verbose_name_plural = _("payment settings")
        constraints = [
            models.UniqueConstraint(fields=["salon"], name="payment_settings_one_per_salon"),
            models.CheckConstraint(
                condition=Q(hold_minutes__gte=5) & Q(hold_minutes__lte=60),
                name="payment_settings_hold_minutes_range",
            ),
        ]


class Prepayment(models.TextChoices):
    NONE = "none", _("No prepayment (pay at the salon)")
    DEPOSIT_FIXED = "deposit_fixed", _("Deposit: a fixed amount")
    DEPOSIT_PERCENT = "deposit_percent", _("Deposit: a percentage of the price")
    FULL = "full", _("Full price in advance")


class ServicePayment(TenantModel):
    """What a service asks to be paid online when booked (absent = `none`)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    prepayment = models.CharField(
        _("prepayment"), max_length=16, choices=Prepayment.choices, default=Prepayment.NONE
    )
    # deposit_fixed: the amount in the salon's currency; deposit_percent: 1–100.
    amount = models.DecimalField(
        _("amount"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("service prepayment")
        verbose_name_plural = _("service prepayments")
        constraints = [
            models.UniqueConstraint(
                fields=["salon", "service"], name="service_payment_one_per_service"
            ),
            models.CheckConstraint(
                condition=Q(prepayment__in=["none", "full"])
                | (Q(prepayment="deposit_fixed") & Q(amount__gt=0))
                | (Q(prepayment="deposit_percent") & Q(amount__gt=0) & Q(amount__lte=100)),
                name="service_payment_amount_valid",
            ),
        ]


class Order(TenantModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for payment")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Payment failed")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")
        PARTLY_REFUNDED = "partly_refunded", _("Partly refunded")

    reference = models.CharField(max_length=64, unique=True, default=new_reference)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The booking the order pays for (held while the client pays), if any.
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    currency = models.CharField(_("currency"), max_length=3)
    total = models.DecimalField(_("total"), max_digits=10, decimal_places=2)
    # What the client pays online / at the salon / with a gift card, of the total.
    amount_online = models.DecimalField(
        _("paid online"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    amount_refunded = models.DecimalField(
        _("refunded"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    provider = models.CharField(_("provider"), max_length=32)
    # When a pending order (and the time it holds) lapses.
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["salon", "status", "created_at"], name="order_salon_status"),
            models.Index(fields=["salon", "created_at"], name="order_salon_created"),
            models.Index(fields=["salon", "appointment"], name="order_salon_appointment"),
            models.Index(
                fields=["status", "expires_at"],
                name="order_pending_expiry",
                condition=Q(status="pending"),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(
                condition=Q(amount_online__gte=0) & Q(amount_online__lte=F("total")),
                name="order_amount_online_within_total",
            ),
            # Refunds are bounded per payment (payment_refund_within_amount); an order's
            # payments may be online or at the salon (issue 17, payments core).
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=F("total")),
                name="order_refund_within_paid",
            ),
            # One live online order per booking: two checkouts of one held time never both
            # pay. (The salon's own record of a payment at the desk may sit beside it.)
            models.UniqueConstraint(
                fields=["salon", "appointment"],
                condition=Q(status__in=["pending", "paid", "partly_refunded"])
                & ~Q(provider="pay_at_salon"),
                name="order_one_live_per_appointment",
            ),
        ]


class OrderItem(TenantModel):
    class Kind(models.TextChoices):
        BOOKING = "booking", _("Booking")
        DEPOSIT = "deposit", _("Deposit")
        PACKAGE = "package", _("Package")
        GIFT_CARD = "gift_card", _("Gift card")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # The thing bought, in the app that owns `kind` (an appointment, a ClientPackage, a
    # GiftCard): payments never imports those apps.
    object_id = models.BigIntegerField(null=True, blank=True)
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        ordering = ("id",)
        indexes = [
            models.Index(fields=["salon", "kind", "object_id"], name="order_item_thing"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="order_item_amount_not_negative"
            ),
        ]


class Payment(TenantModel):
    """One attempt to take money for an order through one provider (a Checkout Session)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")
        PARTLY_REFUNDED = "partly_refunded", _("Partly refunded")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(_("provider"), max_length=32)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    amount_refunded = models.DecimalField(
        _("refunded"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    # The provider's ids: the checkout session, and the charge/payment intent once paid.
    provider_session_id = models.CharField(max_length=255, blank=True)
    provider_payment_id = models.CharField(max_length=255, blank=True)
    redirect_url = models.URLField(max_length=2000, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["salon", "status", "created_at"], name="payment_salon_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=F("amount")),
                name="payment_refund_within_amount",
            ),
            models.UniqueConstraint(
                fields=["provider", "provider_session_id"],
                condition=~Q(provider_session_id=""),
                name="payment_unique_provider_session",
            ),
        ]


class Refund(TenantModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Refunded")
        FAILED = "failed", _("Failed")

    class Reason(models.TextChoices):
        CLIENT_CANCELLED = "client_cancelled", _("Cancelled by the client")
        SALON = "salon", _("Refunded by the salon")
        HOLD_EXPIRED = "hold_expired", _("Paid after the held time lapsed")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices)
    provider_refund_id = models.CharField(max_length=255, blank=True)
    # Sent to the provider as its idempotency key: a retried refund is not paid out twice.
    idempotency_key = models.CharField(max_length=64, unique=True)
    # Calls to the provider so far, and its last error (a FAILED refund is retried by the
    # sweep, payments.tasks.refunds_retry).
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
        ]


class WebhookEvent(models.Model):
    """Every provider event we accepted (signature verified), once: the unique event id makes
    a redelivered event a no-op. Not tenant-owned until matched to an order."""

    provider = models.CharField(max_length=32)
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=100)
    salon = models.ForeignKey(
        "bookings.Salon", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="webhook_event_unique_per_provider"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type} {self.event_id}"
