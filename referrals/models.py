"""Referrals: a client who brings a new client gets bonus points (Phorest's TreatCard referral,
reference 004), recorded by the owner ("referred by" on the client's page) or by the new client
booking through the referrer's personal link.

The rules live in `referrals/services/` (writes) and `referrals/selectors.py` (reads); the
database holds what it can:

- a client has at most one referrer at a time: `referral_one_active_per_client` is unique on
  (salon, referred) among pending and awarded referrals. Changing the referrer ends the old row
  (cancelled, or reversed when its points were awarded) and adds a new one, so the list keeps
  the history;
- nobody refers themselves (`referral_not_self`);
- an awarded referral points at its ledger row (`referral_awarded_has_entry`), and a ledger row
  belongs to one referral at most (`referral_points_entry_unique`). Awarding claims the row
  under its lock (pending → awarded), so it happens once whoever asks how often.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings.models import Appointment, Client, TenantModel
from loyalty.models import MAX_POINTS, PointsEntry

DEFAULT_POINTS = 100  # "we recommend 100 bonus points", as in the reference


class ReferralSettings(TenantModel):
    """The salon's referral bonus (one row per salon, created on first save). Its row is also
    the salon's lock for recording referrals (see services/referrals.py)."""

    class AwardOn(models.TextChoices):
        RECORDED = "recorded", _("When the referral is recorded")
        FIRST_VISIT = "first_visit", _("After the new client's first completed visit")

    points = models.PositiveIntegerField(
        _("points per referral"),
        default=DEFAULT_POINTS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_POINTS)],
    )
    send_sms = models.BooleanField(_("send a thank-you SMS to the referring client"), default=False)
    award_on = models.CharField(
        _("credit the points"),
        max_length=16,
        choices=AwardOn.choices,
        default=AwardOn.FIRST_VISIT,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("referral settings")
        verbose_name_plural = _("referral settings")
        constraints = [
            models.UniqueConstraint(fields=["salon"], name="referral_settings_one_per_salon"),
            models.CheckConstraint(condition=Q(points__gt=0), name="referral_settings_points_gt_0"),
        ]

    def __str__(self) -> str:
        return f"referrals of salon {self.salon_id}"


class ReferralCode(TenantModel):
    """A client's personal referral code (the link `/s/<salon>/r/<code>/`), made on first use."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("code"), max_length=16)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("referral code")
        verbose_name_plural = _("referral codes")
        constraints = [
            models.UniqueConstraint(fields=["salon", "code"], name="referral_code_unique_code"),
            models.UniqueConstraint(
                fields=["salon", "client"], name="referral_code_one_per_client"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Referral(TenantModel):
    """`referrer` brought `referred` to the salon. Pending until its points are credited;
    awarded with its ledger row; reversed (points taken back) or cancelled (before any points)
    when the owner changes or clears "referred by", or the visit that earned it did not happen."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Recorded by the salon")
        LINK = "link", _("Referral link")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        AWARDED = "awarded", _("Points credited")
        REVERSED = "reversed", _("Points taken back")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE_STATUSES = (Status.PENDING, Status.AWARDED)

    referred = models.ForeignKey(
        Client, verbose_name=_("new client"), on_delete=models.PROTECT, related_name="+"
    )
    referrer = models.ForeignKey(
        Client, verbose_name=_("referred by"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    points = models.PositiveIntegerField(_("points"), null=True, blank=True)
    points_entry = models.ForeignKey(
        PointsEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reversal_entry = models.ForeignKey(
        PointsEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The appointment whose booking (credited on recording) or completion (after the first
    # visit) credited the points: if it turns into a no-show or is cancelled, they go back.
    awarded_for = models.ForeignKey(
        Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    awarded_at = models.DateTimeField(_("credited at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["salon", "created_at"], name="referral_salon_created"),
            models.Index(fields=["salon", "referrer", "status"], name="referral_salon_referrer"),
            models.Index(fields=["salon", "referred", "status"], name="referral_salon_referred"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["salon", "referred"],
                condition=Q(status__in=["pending", "awarded"]),
                name="referral_one_active_per_client",
            ),
            models.UniqueConstraint(
                fields=["salon", "points_entry"],
                condition=Q(points_entry__isnull=False),
                name="referral_points_entry_unique",
            ),
            models.CheckConstraint(condition=~Q(referred=F("referrer")), name="referral_not_self"),
            models.CheckConstraint(
                condition=~Q(status="awarded") | Q(points_entry__isnull=False),
                name="referral_awarded_has_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referrer_id} → {self.referred_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES
