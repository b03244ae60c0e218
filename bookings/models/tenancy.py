"""Tenancy: a `Salon` is the tenant; every tenant-owned row carries it (see DESIGN.md)."""

from __future__ import annotations

import zoneinfo
from typing import Any, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from bookings.validators import validate_currency, validate_passcode, validate_time_zone


class Salon(models.Model):
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Tallinn", validators=[validate_time_zone]
    )
    currency = models.CharField(
        _("currency"), max_length=3, default="EUR", validators=[validate_currency]
    )
    default_language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    email = models.EmailField(_("contact email"), blank=True)
    phone = PhoneNumberField(_("contact phone"), blank=True)
    website = models.URLField(_("website"), blank=True)
    # Online booking preferences
    slot_step_minutes = models.PositiveSmallIntegerField(
        _("slot step (minutes)"),
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    min_notice_minutes = models.PositiveIntegerField(
        _("minimum notice (minutes)"), default=120, validators=[MaxValueValidator(60 * 24 * 30)]
    )
    max_advance_days = models.PositiveSmallIntegerField(
        _("maximum advance (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
    )
    cancellation_cutoff_hours = models.PositiveSmallIntegerField(
        _("clients may cancel or reschedule until (hours before)"),
        default=24,
        validators=[MaxValueValidator(24 * 30)],
    )
    reminder_hours_before = models.PositiveSmallIntegerField(
        _("send reminders (hours before)"), default=24, validators=[MaxValueValidator(24 * 14)]
    )
    require_login_to_book = models.BooleanField(_("clients must log in to book"), default=False)
    cancellation_policy = models.TextField(
        _("cancellation and change policy"),
        max_length=2000,
        blank=True,
        help_text=_(
            "Optional. Shown to clients before they confirm, on the confirmation page and in "
            "the confirmation e-mail, after the cancellation cutoff."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("salon")
        verbose_name_plural = _("salons")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class TenantQuerySet(models.QuerySet):
    """Every read of tenant data starts with `for_salon(salon)`."""

    def for_salon(self, salon: Salon | int) -> Self:
        if salon is None:
            raise ValueError("A salon is required to read tenant data.")
        return self.filter(salon=salon)


class TenantModel(models.Model):
    """Base of every tenant-owned model: a non-null salon and the scoped queryset."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="+")

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._check_related_salons()
        super().save(*args, **kwargs)

    def _check_related_salons(self) -> None:
        """A row never points at another salon's row (a second line behind the services)."""
        for field in self._meta.concrete_fields:
            if not field.many_to_one or field.name == "salon":
                continue
            if not issubclass(field.related_model, TenantModel):
                continue
            related = getattr(self, field.name, None)
            if related is not None and related.salon_id != self.salon_id:
                raise ValueError(f"{type(self).__name__}.{field.name} belongs to another salon.")


class Membership(TenantModel):
    """A user's access to one salon's dashboard."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MANAGER = "manager", _("Manager")
        STAFF = "staff", _("Staff")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["salon", "user"], name="membership_unique_salon_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.salon_id} ({self.role})"

    @property
    def can_manage(self) -> bool:
        return self.role in (self.Role.OWNER, self.Role.MANAGER)


class Location(TenantModel):
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("street address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO code"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Tallinn", validators=[validate_time_zone]
    )
    phone = PhoneNumberField(_("phone"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    description = models.TextField(
        _("description"),
        max_length=2000,
        blank=True,
        help_text=_("A few words for clients on the booking site: how to find you, parking, …"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Online booking passcode (see bookings/passcodes.py). The version changes whenever the
    # code changes or is switched off, which ends every unlock given for the old code.
    booking_passcode_enabled = models.BooleanField(_("online booking passcode"), default=False)
    booking_passcode = models.CharField(
        _("passcode"), max_length=6, blank=True, validators=[validate_passcode]
    )
    booking_passcode_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(fields=["salon", "name"], name="location_unique_salon_name"),
            models.CheckConstraint(
                condition=Q(booking_passcode_enabled=False) | ~Q(booking_passcode=""),
                name="location_enabled_passcode_not_blank",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def passcode_active(self) -> bool:
        return self.booking_passcode_enabled and bool(self.booking_passcode)
