"""Forms of the payments pages. They parse and check input; the services in
`payments/services/` do every write (and validate again, inside their transaction)."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bookings.models import Appointment
from bookings.validators import validate_in_horizon
from payments.models import MAX_AMOUNT, Order, OrderItem, Prepayment, RefundPolicy
from payments.selectors import MAX_SEARCH_LENGTH, OrderFilters, ProviderFilter

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
HOLD_MINUTES_MIN = 5
HOLD_MINUTES_MAX = 60


def _any(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


def money_field(*, required: bool, label: Any, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        help_text=help_text,
    )


class OrderFilterForm(forms.Form):
    """The list's filters (GET). Invalid input shows errors and the list is not filtered by
    the invalid field."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_any(_("Any status")) + Order.Status.choices
    )
    provider = forms.ChoiceField(
        label=_("Payment method"),
        required=False,
        choices=_any(_("Online or at the salon")) + ProviderFilter.choices,
    )
    kind = forms.ChoiceField(
        label=_("For"), required=False, choices=_any(_("Anything")) + OrderItem.Kind.choices
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=DATE_INPUT, validators=[validate_in_horizon]
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=DATE_INPUT, validators=[validate_in_horizon]
    )
    client = forms.CharField(
        label=_("Client (name or email)"),
        required=False,
        max_length=MAX_SEARCH_LENGTH,
    )

    def clean_client(self) -> str:
        return self.cleaned_data["client"].replace("\x00", "").strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> OrderFilters:
        """The valid filters (call after is_valid(); an invalid field is left out)."""
        data = getattr(self, "cleaned_data", {})
        return OrderFilters(
            status=data.get("status", ""),
            provider=data.get("provider", ""),
            kind=data.get("kind", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            client=data.get("client", ""),
        )


class RefundForm(forms.Form):
    amount = money_field(
        required=False,
        label=_("Amount to refund"),
        help_text=_("Leave empty to refund everything that is left."),
    )
    # A fresh token per rendered form: the same form sent twice (a double click, a reload)
    # refunds once (`refund_create(idempotency_prefix=…)`).
    token = forms.CharField(
        required=False,
        widget=forms.HiddenInput,
        validators=[RegexValidator(r"^[A-Za-z0-9_-]{16,40}$")],
    )

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(18)


class ConfirmForm(forms.Form):
    """A POST action with only its CSRF token (mark paid, cancel)."""


class RecordPaidForm(forms.Form):
    appointment = forms.ModelChoiceField(
        label=_("Booking"),
        queryset=Appointment.objects.none(),
        empty_label=_("Choose a booking"),
    )
    amount = money_field(
        required=False,
        label=_("Amount paid"),
        help_text=_("Leave empty for the booking's price minus what was paid online."),
    )

    def __init__(self, *args: Any, appointments: QuerySet[Appointment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["appointment"]
        assert isinstance(field, forms.ModelChoiceField)
        # The choices are the selector's (sliced) rows; validation uses their ids.
        rows = list(appointments)
        field.queryset = Appointment.objects.filter(pk__in=[row.pk for row in rows])
        field.choices = [("", field.empty_label)] + [
            (row.pk, appointment_label(row)) for row in rows
        ]


def appointment_label(appointment: Appointment) -> str:
    """ "2026-11-30 10:00 · Kati Tamm · Haircut" in the location's time zone."""
    when = appointment.starts_at.astimezone(appointment.location.tzinfo)
    client = appointment.client.full_name if appointment.client_id else "—"
    return f"{when:%Y-%m-%d %H:%M} · {client} · {appointment.service.name}"


class PaymentSettingsForm(forms.Form):
    online_payments_enabled = forms.BooleanField(
        label=_("Accept card payments online"), required=False
    )
    refund_policy = forms.ChoiceField(
        label=_("Refund when a client cancels in time"), choices=RefundPolicy.choices
    )
    hold_minutes = forms.IntegerField(
        label=_("Minutes a time is held while the client pays"),
        min_value=HOLD_MINUTES_MIN,
        max_value=HOLD_MINUTES_MAX,
        help_text=_("Between 5 and 60 minutes."),
    )

    def __init__(self, *args: Any, provider_configured: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.provider_configured = provider_configured
        field = self.fields["online_payments_enabled"]
        if not provider_configured:
            field.disabled = True
            field.help_text = _(
                "Online card payments are not set up on this site yet: they need the site's "
                "Stripe keys (ask whoever runs this site). Until then clients pay at the salon."
            )
        else:
            field.help_text = _(
                "Clients can pay bookings, deposits, packages and gift cards by card."
            )

    def clean_online_payments_enabled(self) -> bool:
        # Without a provider the switch is off whatever it was (the keys were removed): the
        # rest of the settings can still be saved.
        return bool(self.cleaned_data["online_payments_enabled"]) and self.provider_configured


class ServicePaymentForm(forms.Form):
    """One service's row of the prepayment table."""

    prepayment = forms.ChoiceField(label=_("Prepayment"), choices=Prepayment.choices)
    amount = forms.DecimalField(
        label=_("Amount or percentage"),
        required=False,
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        help_text=_("A deposit: the fixed amount, or the percentage of the price (1–100)."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        prepayment, amount = data.get("prepayment"), data.get("amount")
        deposit = prepayment in (Prepayment.DEPOSIT_FIXED, Prepayment.DEPOSIT_PERCENT)
        if deposit and amount is None and "amount" not in self.errors:
            self.add_error("amount", _("Enter the deposit."))
        if prepayment == Prepayment.DEPOSIT_PERCENT and amount is not None and amount > 100:
            self.add_error("amount", _("A percentage is at most 100."))
        if not deposit:
            data["amount"] = None
        return data
