"""Appointments: a client's booking of one service with one staff member at one location.

The time a staff member is blocked is the service time widened by the service's buffers
(`block_starts_at`..`block_ends_at`, stored so the database can enforce invariant 1: on
PostgreSQL an exclusion constraint (migration 0003) forbids two active appointments of one
staff member whose blocked ranges overlap)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .catalogue import MAX_BUFFER_MINUTES, MAX_SERVICE_MINUTES, Service, StaffMember
from .clients import Client
from .tenancy import Location, TenantModel, TenantQuerySet

# The longest an appointment can block a staff member: the longest service plus both buffers
# (the service's validators bound them; the booking service computes blocks from them).
MAX_BLOCK = dt.timedelta(minutes=MAX_SERVICE_MINUTES + 2 * MAX_BUFFER_MINUTES)


class AppointmentQuerySet(TenantQuerySet):
    def active(self) -> AppointmentQuerySet:
        return self.filter(status__in=Appointment.ACTIVE_STATUSES)

    def blocking(self, now: dt.datetime | None = None) -> AppointmentQuerySet:
        """What takes a staff member's time (and a client's duplicate slot) at `now`: active
        appointments and live holds (held, `hold_expires_at > now`). An expired hold is free
        (the database constraints still see it until it is released: see
        bookings/services/holds.py)."""
        return self.filter(Appointment.blocking_q(now or timezone.now()))

    def live_holds(self, now: dt.datetime | None = None) -> AppointmentQuerySet:
        return self.filter(
            status=Appointment.Status.HELD, hold_expires_at__gt=now or timezone.now()
        )

    def expired_holds(self, now: dt.datetime | None = None) -> AppointmentQuerySet:
        return self.filter(
            status=Appointment.Status.HELD, hold_expires_at__lte=now or timezone.now()
        )

    def overlapping(self, starts_at: dt.datetime, ends_at: dt.datetime) -> AppointmentQuerySet:
        """Blocked ranges that overlap [starts_at, ends_at). The lower bound on the start
        (no block is longer than MAX_BLOCK) lets the (salon, staff, block_starts_at) index
        read only the rows near the range instead of the staff member's whole history."""
        return self.filter(
            block_starts_at__lt=ends_at,
            block_starts_at__gt=starts_at - MAX_BLOCK,
            block_ends_at__gt=starts_at,
        )


class Appointment(TenantModel):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")
        # Online payment (issue 17): the time is held while the client pays at the provider
        # (until `hold_expires_at`); paid → booked (services/holds.py), not paid in time →
        # released. Neither is a booking: no events, no notices, not in reports.
        HELD = "held", _("Held for payment")
        RELEASED = "released", _("Not paid in time")

    class Source(models.TextChoices):
        ONLINE = "online", _("Online booking")
        DASHBOARD = "dashboard", _("Dashboard")
        API = "api", _("API")

    ACTIVE_STATUSES = (Status.BOOKED, Status.COMPLETED)
    # What the database constraints (no overlap, no duplicate) cover: active appointments and
    # holds — a held time is nobody else's while its hold is live; an expired hold is
    # released by whoever needs its time (services/booking.py) or by the sweep.
    BLOCKING_STATUSES = (Status.BOOKED, Status.COMPLETED, Status.HELD)
    # Not (or no longer, or not yet) a booking: left out of schedules, counts and revenue
    # (reports, the staff member's day) — a hold becomes a booking when it is paid.
    NOT_BOOKED_STATUSES = (Status.CANCELLED, Status.HELD, Status.RELEASED)
    # The name the database constraint and the service share (see migration 0003).
    NO_OVERLAP_CONSTRAINT = "appointment_staff_no_overlap"
    # One client may hold overlapping appointments (two services at once, with two staff),
    # but never two active ones of the same service at the same start: that is a duplicate
    # (a double click, a retried request), refused also under concurrent requests.
    NO_DUPLICATE_CONSTRAINT = "appointment_client_no_duplicate"

    # No single-column indexes on salon and staff (migration 0009, issue 15): with many
    # salons in the table PostgreSQL preferred them to the (salon, staff, block_starts_at)
    # index and read a salon's or staff member's whole history. Every composite index below
    # starts with salon; a staff member's rows (the PROTECT check when one is deleted) are
    # found through the no-overlap constraint's GiST index (salon, staff, blocked range).
    salon = models.ForeignKey(
        "bookings.Salon", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="appointments")
    staff = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, related_name="appointments", db_index=False
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="appointments")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="appointments")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    block_starts_at = models.DateTimeField(_("blocked from"))
    block_ends_at = models.DateTimeField(_("blocked until"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.BOOKED
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # Held for payment (status "held"): until when. None for every other status.
    hold_expires_at = models.DateTimeField(_("held until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AppointmentQuerySet.as_manager()

    # Not stored: where `bookings.checkout.checkout_complete` sends the client to pay (a
    # payment method's `apply` result; issue 17), "" when nowhere.
    payment_url: str = ""

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ("starts_at",)
        indexes = [
            models.Index(
                fields=["salon", "staff", "block_starts_at"], name="appt_salon_staff_block"
            ),
            models.Index(
                fields=["salon", "location", "starts_at"], name="appt_salon_location_start"
            ),
            models.Index(fields=["salon", "status", "ends_at"], name="appt_salon_status_end"),
            models.Index(fields=["salon", "client", "starts_at"], name="appt_salon_client_start"),
            # The sweep of expired holds (services/holds.py) reads only the held rows.
            models.Index(
                fields=["hold_expires_at"], condition=Q(status="held"), name="appt_held_expiry"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="appointment_ends_after_starts"
            ),
            models.CheckConstraint(
                condition=Q(block_starts_at__lte=F("starts_at"))
                & Q(block_ends_at__gte=F("ends_at")),
                name="appointment_block_covers_service",
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0), name="appointment_price_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(status="held") | Q(hold_expires_at__isnull=False),
                name="appointment_hold_has_expiry",
            ),
            models.UniqueConstraint(
                fields=["salon", "client", "service", "starts_at"],
                condition=Q(status__in=["booked", "completed", "held"]),
                name="appointment_client_no_duplicate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} · {self.staff} · {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def is_held(self) -> bool:
        """Held for payment, whether or not the hold has expired yet."""
        return self.status == self.Status.HELD

    def hold_is_live(self, now: dt.datetime | None = None) -> bool:
        return (
            self.status == self.Status.HELD
            and self.hold_expires_at is not None
            and self.hold_expires_at > (now or timezone.now())
        )

    @staticmethod
    def blocking_q(now: dt.datetime) -> Q:
        """The condition of `AppointmentQuerySet.blocking`."""
        return Q(status__in=Appointment.ACTIVE_STATUSES) | Q(
            status=Appointment.Status.HELD, hold_expires_at__gt=now
        )
