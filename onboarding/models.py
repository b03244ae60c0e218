"""The setup wizard's progress: one row per salon created through the wizard or the API.

A step is done or skipped; the wizard resumes at the first step that is neither, and a
skipped step can be opened again from the last page.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bookings.models import Membership, TenantModel


class SetupStep(models.TextChoices):
    LOCATION = "location", _("Location and opening hours")
    SERVICES = "services", _("Services")
    STAFF = "staff", _("Staff")


# The order of the wizard after the first page (the salon itself).
STEPS: tuple[str, ...] = (SetupStep.LOCATION, SetupStep.SERVICES, SetupStep.STAFF)


class SalonSetup(TenantModel):
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO code"))
    kind = models.CharField(_("kind of salon"), max_length=16, blank=True)
    steps_done = models.JSONField(default=list, blank=True)
    steps_skipped = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("salon setup")
        verbose_name_plural = _("salon setups")
        constraints = [
            models.UniqueConstraint(fields=["salon"], name="salonsetup_unique_salon"),
        ]

    def __str__(self) -> str:
        return f"setup of salon {self.salon_id}"

    @property
    def next_step(self) -> str | None:
        """The first step neither done nor skipped; None when the wizard is through."""
        for step in STEPS:
            if step not in self.steps_done and step not in self.steps_skipped:
                return step
        return None

    @property
    def open_steps(self) -> list[str]:
        """Skipped and never done: offered again on the last page."""
        return [s for s in STEPS if s in self.steps_skipped and s not in self.steps_done]


class StaffInvitation(TenantModel):
    """An e-mailed link that links a person's account to one staff member of the salon.

    Only a hash of the link's token is stored. An invitation is used once, expires, and can be
    revoked; a newer invitation for the same staff member revokes the older ones."""

    staff = models.ForeignKey(
        "bookings.StaffMember", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email"))
    role = models.CharField(
        _("role"), max_length=16, choices=Membership.Role.choices, default=Membership.Role.STAFF
    )
    token_hash = models.CharField(max_length=64)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("staff invitation")
        verbose_name_plural = _("staff invitations")
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["salon", "token_hash"], name="staffinvitation_unique_salon_token"
            ),
        ]

    def __str__(self) -> str:
        return f"invitation of {self.email} to staff {self.staff_id}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class SalonBookingNotices(TenantModel):
    """Which client changes the salon is e-mailed about, and to whom (one row per salon;
    without one, the defaults below apply: every event, to the salon and the staff member)."""

    on_created = models.BooleanField(_("new online bookings"), default=True)
    on_cancelled = models.BooleanField(_("cancellations by clients"), default=True)
    on_rescheduled = models.BooleanField(_("changes of time by clients"), default=True)
    to_salon = models.BooleanField(_("to the salon's address"), default=True)
    salon_email = models.EmailField(
        _("salon's address"),
        blank=True,
        help_text=_("Leave empty to use the salon's contact e-mail."),
    )
    to_staff = models.BooleanField(_("to the staff member concerned"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("booking notices to the salon")
        verbose_name_plural = _("booking notices to the salon")
        constraints = [
            models.UniqueConstraint(fields=["salon"], name="salonbookingnotices_unique_salon"),
        ]

    def __str__(self) -> str:
        return f"booking notices of salon {self.salon_id}"


class StaffBookingNotices(TenantModel):
    """A staff member's own switch for the booking e-mails about their appointments (without a
    row: on, as long as the salon sends them to staff)."""

    staff = models.ForeignKey(
        "bookings.StaffMember", on_delete=models.CASCADE, related_name="booking_notice_settings"
    )
    enabled = models.BooleanField(_("e-mail me about my online bookings"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("staff member's booking e-mails")
        verbose_name_plural = _("staff members' booking e-mails")
        constraints = [
            models.UniqueConstraint(
                fields=["salon", "staff"], name="staffbookingnotices_unique_salon_staff"
            ),
        ]

    def __str__(self) -> str:
        return f"booking e-mails of staff {self.staff_id}: {self.enabled}"
