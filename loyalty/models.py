"""Loyalty: points earned per service, kept in an append-only ledger per client, and gift cards
bought with them (or issued by the salon), each with a ledger of its own value.

The rules live in `loyalty/services/` (writes) and `loyalty/selectors.py` (reads); the
database holds the invariants it can (DESIGN.md 2 and 3):

- an appointment earns once: `points_entry_once_per_appointment` is unique on
  (salon, appointment, kind), so a second "earned" row for it cannot exist, whoever inserts it;
- a balance never goes below zero: `PointsAccount.balance` and `GiftCard.balance` have check
  constraints, and every debit is a conditional UPDATE (`… WHERE balance >= amount`);
- a balance equals the sum of its ledger: ledger rows and the cached balance change in the same
  transaction (tests compare them);
- each ledger row carries `balance_after`, the client's balance once the row was written (the
  running sum of their ledger in (created_at, id) order), written by the ledger service under
  the account row's lock, so reports read it instead of summing a client's whole history.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings.models import Appointment, Client, Service, TenantModel

DEFAULT_AWARD_DELAY_MINUTES = 180  # "3-4 hours after the visit", as in the reference
MAX_AWARD_DELAY_MINUTES = 60 * 24 * 14
MAX_POINTS = 1_000_000
MAX_GIFT_CARD_VALUE = Decimal("100000")
MAX_VALIDITY_DAYS = 366 * 5


class LoyaltyProgram(TenantModel):
    """The salon's loyalty switch and award delay (one row per salon, created on first save).

    `enabled_at` is when the program was last switched on: only visits that ended after it earn
    automatically, so switching loyalty on does not pour points for years of past visits, and
    visits while it was off earn nothing (the owner can add points by hand)."""

    enabled = models.BooleanField(_("loyalty system on"), default=False)
    enabled_at = models.DateTimeField(_("switched on at"), null=True, blank=True)
    award_delay_minutes = models.PositiveIntegerField(
        _("credit points this long after the visit ends (minutes)"),
        default=DEFAULT_AWARD_DELAY_MINUTES,
        validators=[MaxValueValidator(MAX_AWARD_DELAY_MINUTES)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("loyalty program")
        verbose_name_plural = _("loyalty programs")
        constraints = [
            models.UniqueConstraint(fields=["salon"], name="loyalty_program_one_per_salon"),
        ]

    def __str__(self) -> str:
        return f"loyalty of salon {self.salon_id}"


class ServicePoints(TenantModel):
    """A service that is part of the loyalty system, and the points one booking of it earns."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField(_("part of the loyalty system"), default=True)
    points = models.PositiveIntegerField(
        _("points per booking"), validators=[MinValueValidator(1), MaxValueValidator(MAX_POINTS)]
    )

    class Meta:
        verbose_name = _("service points")
        verbose_name_plural = _("service points")
        constraints = [
            models.UniqueConstraint(
                fields=["salon", "service"], name="loyalty_service_points_unique"
            ),
            models.CheckConstraint(condition=Q(points__gt=0), name="loyalty_service_points_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.service_id}: {self.points}"


class AppointmentPoints(TenantModel):
    """The points an appointment will earn, fixed when it was booked (the client was told this
    number; a later change of the service's points does not change it)."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="+")
    points = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["salon", "appointment"], name="loyalty_appointment_points_unique"
            ),
        ]


class PointsAccount(TenantModel):
    """A client's cached balance: the sum of their ledger, changed in the same transaction as
    the ledger under the row's lock (or by a conditional UPDATE)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    balance = models.IntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["salon", "client"], name="loyalty_account_unique"),
            models.CheckConstraint(
                condition=Q(balance__gte=0), name="loyalty_account_balance_not_negative"
            ),
        ]


class PointsEntry(TenantModel):
    """One movement of a client's points. Rows are never changed or deleted: a correction is a
    row of its own (a reversal points at the row it takes back)."""

    class Kind(models.TextChoices):
        EARNED = "earned", _("Earned")
        REDEEMED = "redeemed", _("Redeemed")
        MANUAL = "manual", _("Manual adjustment")
        REVERSAL = "reversal", _("Reversal")
        REFERRAL = "referral", _("Referral bonus")

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    points = models.IntegerField(_("points"))
    description = models.CharField(_("description"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    gift_card = models.ForeignKey(
        "GiftCard", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    # The client's balance after this row: the sum of their ledger up to and including it, in
    # (created_at, id) order. `points_entry_add` writes it under the account row's lock; a
    # client merge recomputes the kept client's rows (`points_balances_recompute`).
    balance_after = models.IntegerField(_("balance after"))

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["salon", "client", "created_at"], name="points_salon_client_at"),
            models.Index(fields=["salon", "created_at"], name="points_salon_at"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["salon", "appointment", "kind"],
                condition=Q(appointment__isnull=False),
                name="points_entry_once_per_appointment",
            ),
            models.CheckConstraint(condition=~Q(points=0), name="points_entry_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.points:+d} (client {self.client_id})"

    def save(self, *args: object, **kwargs: object) -> None:
        # The ledger service always sets balance_after under the account lock. A row written
        # some other way (a fixture, a test) gets the sum of the client's ledger so far.
        if self.balance_after is None and self._state.adding:
            before = (
                PointsEntry.objects.filter(salon_id=self.salon_id, client_id=self.client_id)
                .aggregate(total=models.Sum("points"))
                .get("total")
            )
            self.balance_after = (before or 0) + self.points
        super().save(*args, **kwargs)  # type: ignore[arg-type]


def gift_card_validity_default() -> int:
    return 365


class GiftCardType(TenantModel):
    """A gift card the salon offers: its value, how long a card stays valid, and whether (and
    for how many points) clients can take it with their points."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    value = models.DecimalField(
        _("value"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_GIFT_CARD_VALUE)],
    )
    validity_days = models.PositiveIntegerField(
        _("valid for (days)"),
        null=True,
        blank=True,
        default=gift_card_validity_default,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_VALIDITY_DAYS)],
        help_text=_("Empty: the card never expires."),
    )
    for_points = models.BooleanField(_("clients can buy it with points"), default=False)
    points_price = models.PositiveIntegerField(
        _("price in points"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_POINTS)],
    )
    is_active = models.BooleanField(_("offered"), default=True)
    # Sold on the booking site for money (its value), paid online (issue 17): offered only
    # while the salon accepts online payments.
    sold_online = models.BooleanField(
        _("clients can buy it online"),
        default=False,
        help_text=_("Paid by card on your booking site; needs online payments switched on."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("gift card type")
        verbose_name_plural = _("gift card types")
        ordering = ("name", "id")
        constraints = [
            models.UniqueConstraint(fields=["salon", "name"], name="gift_card_type_unique_name"),
            models.CheckConstraint(condition=Q(value__gt=0), name="gift_card_type_value_gt_0"),
            models.CheckConstraint(
                condition=Q(for_points=False) | Q(points_price__gt=0),
                name="gift_card_type_points_price_when_for_points",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class GiftCard(TenantModel):
    """One issued card. Whoever holds the code can use it; `client` is who got it."""

    class Source(models.TextChoices):
        POINTS = "points", _("Bought with points")
        SALON = "salon", _("Issued by the salon")
        PURCHASE = "purchase", _("Bought online")

    card_type = models.ForeignKey(
        GiftCardType,
        verbose_name=_("type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cards",
    )
    code = models.CharField(_("code"), max_length=32)
    client = models.ForeignKey(
        Client,
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=120)
    initial_value = models.DecimalField(_("value"), max_digits=10, decimal_places=2)
    balance = models.DecimalField(_("remaining value"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    expires_at = models.DateTimeField(_("valid until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("issued at"), default=timezone.now)
    # The paid order item (payments.OrderItem) a card bought online was issued for: unique, so
    # a duplicate "paid" delivery never issues a second card.
    order_item_id = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("gift card")
        verbose_name_plural = _("gift cards")
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["code"], name="gift_card_code"),
            models.Index(fields=["salon", "client", "created_at"], name="gift_card_salon_client"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["salon", "code"], name="gift_card_unique_code"),
            models.CheckConstraint(
                condition=Q(balance__gte=0), name="gift_card_balance_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(balance__lte=F("initial_value")),
                name="gift_card_balance_at_most_value",
            ),
            models.UniqueConstraint(
                fields=["salon", "order_item_id"],
                condition=Q(order_item_id__isnull=False),
                name="gift_card_once_per_order_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} …{self.code[-4:]}"

    def is_expired(self, now: object = None) -> bool:
        now = now or timezone.now()
        return self.expires_at is not None and self.expires_at <= now  # type: ignore[operator]

    @property
    def masked_code(self) -> str:
        return f"••••-{self.code[-4:]}"


class GiftCardEntry(TenantModel):
    """One movement of a card's value (append-only, like the points ledger)."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Issued")
        REDEEMED = "redeemed", _("Paid a booking")
        REFUND = "refund", _("Returned (booking cancelled)")

    gift_card = models.ForeignKey(GiftCard, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("gift card entry")
        verbose_name_plural = _("gift card entries")
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["salon", "gift_card", "appointment", "kind"],
                condition=Q(appointment__isnull=False),
                name="gift_card_entry_once_per_appointment",
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="gift_card_entry_not_zero"),
        ]
