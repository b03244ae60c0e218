"""A `Client` is a person inside one salon; it may exist before their account does."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from .tenancy import TenantModel


class Client(TenantModel):
    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clients",
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    notes = models.TextField(_("notes"), max_length=4000, blank=True)
    marketing_consent = models.BooleanField(_("agrees to marketing messages"), default=False)
    marketing_consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=8, choices=Channel.choices, default=Channel.EMAIL
    )
    # The language of their notices and reminders, set from the booking site's language when
    # they book or manage a booking; empty: the salon's default language.
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ("last_name", "first_name", "id")
        indexes = [
            models.Index(fields=["salon", "last_name", "first_name"]),
            models.Index(fields=["salon", "phone"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["salon", "email"], condition=~Q(email=""), name="client_unique_salon_email"
            ),
            models.UniqueConstraint(
                fields=["salon", "user"],
                condition=Q(user__isnull=False),
                name="client_unique_salon_user",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
