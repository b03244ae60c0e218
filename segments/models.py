"""Client segments (issue 9; the behaviour of Vello's "Asiakassegmentti").

A `Segment` is a named group of clients the salon invites through a private link: the link
offers the segment's services (public ones and/or those for segments only) and books them with
the segment's staff (any of its staff, also those not offered online; none chosen = the staff
the public site offers). Bookings made through it record the segment (`SegmentBooking`).

The link is the segment's `token` (unguessable, 32 URL-safe characters). Regenerating it
replaces it at once: the old link opens nothing any more. A deactivated segment's link opens
nothing either. `EmbedSettings` holds the salon's own web domains allowed to frame the
booking widget (empty: any site).
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bookings.models import Appointment, Service, StaffMember
from bookings.models.tenancy import TenantModel

TOKEN_BYTES = 24  # 32 characters of URL-safe base64


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class Segment(TenantModel):
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(
        _("note"),
        max_length=300,
        blank=True,
        help_text=_("For the salon only, e.g. who gets the link."),
    )
    token = models.CharField(max_length=64, default=new_token, editable=False)
    token_created_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(_("active"), default=True)
    services = models.ManyToManyField(
        Service, through="SegmentService", related_name="+", verbose_name=_("services")
    )
    staff = models.ManyToManyField(
        StaffMember, through="SegmentStaff", related_name="+", verbose_name=_("staff")
    )
    embed_domains = models.TextField(
        _("websites that may embed it"),
        blank=True,
        max_length=2000,
        help_text=_(
            "Optional: the addresses of your own websites, one a line (https://example.com). "
            "Empty: any website may embed this segment's booking."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ("name", "pk")
        constraints = [
            models.UniqueConstraint(fields=["salon", "name"], name="segment_unique_salon_name"),
            models.UniqueConstraint(fields=["salon", "token"], name="segment_unique_salon_token"),
            models.CheckConstraint(condition=~Q(token=""), name="segment_token_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name


class SegmentService(TenantModel):
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="service_links")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["salon", "segment", "service"], name="segment_service_unique"
            ),
        ]


class SegmentStaff(TenantModel):
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="staff_links")
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["salon", "segment", "staff"], name="segment_staff_unique"
            ),
        ]


class SegmentBooking(TenantModel):
    """An appointment booked through a segment's link (at most one segment per appointment)."""

    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="bookings")
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("segment booking")
        verbose_name_plural = _("segment bookings")
        constraints = [
            models.UniqueConstraint(
                fields=["salon", "appointment"], name="segment_booking_unique_appointment"
            ),
        ]
        indexes = [models.Index(fields=["salon", "segment"])]


class EmbedSettings(TenantModel):
    """The salon's embed preferences: its own websites allowed to frame the booking widget."""

    embed_domains = models.TextField(
        _("websites that may embed your booking"),
        blank=True,
        max_length=2000,
        help_text=_(
            "Optional: the addresses of your own websites, one a line (https://example.com). "
            "Empty: any website may embed your booking."
        ),
    )

    class Meta:
        verbose_name = _("embed settings")
        verbose_name_plural = _("embed settings")
        constraints = [
            models.UniqueConstraint(fields=["salon"], name="embed_settings_unique_salon"),
        ]
