"""Packages: time passes, credit packages and visit packages a salon sells or gives to clients.

- `PackageType` is what the salon offers: a kind, a name, a price, the services it covers, an
  optional validity (a number of days, months or years) and whether clients can buy it online.
  Types are deactivated, never deleted while a client holds one (`PROTECT` below, and the
  service says why).
- `ClientPackage` is one package a client holds, with what it was when it was assigned or
  bought (kind, name, price, credit or visits), its dates and its cached balance.
- `PackageEntry` is the append-only ledger of a held package: the credit or visits it was
  issued with, each use by an appointment and each return.

The rules live in `packages/services/` (writes) and `packages/selectors.py` (reads); the
database holds the invariants it can (DESIGN.md 3):

- no balance below zero: `credit_left` and `visits_left` have check constraints, and every use
  changes them under the package row's lock;
- a balance equals the sum of its ledger: the row and its entries change in one transaction;
- one appointment is paid by one package, once: `package_entry_used_once_per_appointment` is
  unique on (salon, appointment) for uses, and `package_entry_returned_once` on (salon,
  reverses) for returns, whoever inserts them.
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

MAX_PRICE = Decimal("100000")
MAX_CREDIT = Decimal("100000")
MAX_VISITS = 1000
# The longest validity of each unit (ten years).
MAX_VALIDITY = {"days": 3660, "months": 120, "years": 10}


class PackageKind(models.TextChoices):
    TIME = "time", _("Time pass")
    CREDIT = "credit", _("Credit package")
    VISITS = "visits", _("Visit package")


class ValidityUnit(models.TextChoices):
    DAYS = "days", _("days")
    MONTHS = "months", _("months")
    YEARS = "years", _("years")


class PackageType(TenantModel):
    """A package the salon offers. `credit` is set for credit packages only, `visits` for visit
    packages only; a time pass has neither but always a validity."""

    kind = models.CharField(_("type"), max_length=8, choices=PackageKind.choices)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    price = models.DecimalField(
        _("price"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_PRICE)],
    )
    credit = models.DecimalField(
        _("credit"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_CREDIT)],
    )
    visits = models.PositiveIntegerField(
        _("visits"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_VISITS)],
    )
    validity_count = models.PositiveSmallIntegerField(
        _("valid for"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_VALIDITY["days"])],
    )
    validity_unit = models.CharField(
        _("validity unit"), max_length=8, choices=ValidityUnit.choices, blank=True
    )
    services = models.ManyToManyField(
        Service,
        through="PackageTypeService",
        related_name="+",
        verbose_name=_("services"),
    )
    offered_online = models.BooleanField(_("offered online"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("package type")
        verbose_name_plural = _("package types")
        ordering = ("kind", "name", "id")
        constraints = [
            models.UniqueConstraint(fields=["salon", "name"], name="package_type_unique_name"),
            models.CheckConstraint(condition=Q(price__gt=0), name="package_type_price_gt_0"),
            models.CheckConstraint(
                condition=(
                    Q(kind="time", credit__isnull=True, visits__isnull=True)
                    | Q(kind="credit", credit__gt=0, visits__isnull=True)
                    | Q(kind="visits", visits__gt=0, credit__isnull=True)
                ),
                name="package_type_amount_matches_kind",
            ),
            models.CheckConstraint(
                condition=(
                    Q(validity_count__isnull=True, validity_unit="")
                    | Q(validity_count__gt=0, validity_unit__in=ValidityUnit.values)
                ),
                name="package_type_validity_complete",
            ),
            models.CheckConstraint(
                condition=~Q(kind="time") | Q(validity_count__isnull=False),
                name="package_type_time_pass_has_validity",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PackageTypeService(TenantModel):
    """A service a package type covers."""

    package_type = models.ForeignKey(PackageType, on_delete=models.CASCADE)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["salon", "package_type", "service"], name="package_type_service_unique"
            ),
        ]


class ClientPackage(TenantModel):
    """A package one client holds. Name, price and amounts are copied from the type when it is
    assigned or bought (a later edit of the type changes new packages only); the services
    covered are the type's."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for payment")
        ACTIVE = "active", _("Active")
        # Bought online and not paid: the payment was abandoned, cancelled or lapsed. Never
        # usable; the client may buy the type again.
        LAPSED = "lapsed", _("Not paid")

    class Source(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned by the salon")
        PURCHASE = "purchase", _("Bought online")

    package_type = models.ForeignKey(
        PackageType, verbose_name=_("package"), on_delete=models.PROTECT, related_name="held"
    )
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=8, choices=PackageKind.choices)
    name = models.CharField(_("name"), max_length=120)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    credit_total = models.DecimalField(
        _("credit"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    credit_left = models.DecimalField(
        _("credit left"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    visits_total = models.PositiveIntegerField(_("visits"), null=True, blank=True)
    visits_left = models.IntegerField(_("visits left"), null=True, blank=True)
    starts_on = models.DateField(_("valid from"))
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("added at"), default=timezone.now)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("client package")
        verbose_name_plural = _("client packages")
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["salon", "client", "status"], name="client_package_salon_client"),
            models.Index(fields=["salon", "status", "created_at"], name="client_package_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="time", credit_left__isnull=True, visits_left__isnull=True)
                    | Q(
                        kind="credit",
                        credit_left__isnull=False,
                        credit_total__isnull=False,
                        visits_left__isnull=True,
                    )
                    | Q(
                        kind="visits",
                        visits_left__isnull=False,
                        visits_total__isnull=False,
                        credit_left__isnull=True,
                    )
                ),
                name="client_package_balance_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(credit_left__isnull=True)
                | Q(credit_left__gte=0, credit_left__lte=F("credit_total")),
                name="client_package_credit_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(visits_left__isnull=True)
                | Q(visits_left__gte=0, visits_left__lte=F("visits_total")),
                name="client_package_visits_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("starts_on")),
                name="client_package_expires_after_start",
            ),
            # One purchase waiting for payment per client and type: a second "buy" is refused.
            models.UniqueConstraint(
                fields=["salon", "client", "package_type"],
                condition=Q(status="pending"),
                name="client_package_one_pending_per_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (client {self.client_id})"

    def is_expired_on(self, day: object) -> bool:
        return self.expires_on is not None and self.expires_on < day  # type: ignore[operator]

    @property
    def is_used_up(self) -> bool:
        if self.kind == PackageKind.CREDIT:
            return (self.credit_left or 0) <= 0
        if self.kind == PackageKind.VISITS:
            return (self.visits_left or 0) <= 0
        return False


class PackageEntry(TenantModel):
    """One movement of a held package (append-only): issued with its credit or visits, used by
    an appointment (negative, or zero for a time pass), returned when that appointment is
    cancelled or moved out of the package's cover (the opposite of the use it reverses)."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Added")
        USED = "used", _("Used for a booking")
        RETURNED = "returned", _("Returned")

    client_package = models.ForeignKey(
        ClientPackage, on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    credit = models.DecimalField(_("credit"), max_digits=10, decimal_places=2, default=0)
    visits = models.IntegerField(_("visits"), default=0)
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("package entry")
        verbose_name_plural = _("package entries")
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(
                fields=["salon", "client_package", "created_at"], name="package_entry_package_at"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["salon", "appointment"],
                condition=Q(kind="used"),
                name="package_entry_used_once_per_appointment",
            ),
            models.UniqueConstraint(
                fields=["salon", "reverses"],
                condition=Q(kind="returned"),
                name="package_entry_returned_once",
            ),
            models.CheckConstraint(
                condition=~Q(kind="used")
                | Q(appointment__isnull=False, credit__lte=0, visits__lte=0),
                name="package_entry_use_takes",
            ),
            models.CheckConstraint(
                condition=~Q(kind="returned")
                | Q(reverses__isnull=False, credit__gte=0, visits__gte=0),
                name="package_entry_return_gives_back",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.credit} / {self.visits} (package {self.client_package_id})"
