"""Forms of the owner's loyalty pages. They parse and check what was typed; the services in
`loyalty/services/` do every write (and check again inside their transaction)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bookings.dashboard.forms import SalonModelForm
from bookings.models import Client, Salon, Service
from bookings.validators import parse_id
from loyalty.models import (
    MAX_AWARD_DELAY_MINUTES,
    MAX_GIFT_CARD_VALUE,
    MAX_POINTS,
    GiftCardType,
    LoyaltyProgram,
    ServicePoints,
)
from loyalty.services.gift_cards import TYPE_FIELDS
from loyalty.services.points import MAX_DESCRIPTION_LENGTH

MAX_ID = 2**63 - 1


def minutes_to_hours(minutes: int) -> Decimal:
    """3 for 180 minutes, 1.5 for 90: what the hours field shows."""
    hours = Decimal(minutes) / 60
    return hours.quantize(Decimal(1)) if minutes % 60 == 0 else hours.quantize(Decimal("0.01"))


def hours_to_minutes(hours: Decimal) -> int:
    return int((hours * 60).to_integral_value(rounding=ROUND_HALF_UP))


# --- Settings and the points of each service --------------------------------------------


@dataclass(frozen=True)
class ServiceRow:
    """One line of the services table: the service, its loyalty row (if any) and the names of
    its two inputs."""

    service: Service
    rule: ServicePoints | None

    @property
    def earns_name(self) -> str:
        return f"earns_{self.service.pk}"

    @property
    def points_name(self) -> str:
        return f"points_{self.service.pk}"


@dataclass(frozen=True)
class ServiceChange:
    row: ServiceRow
    enabled: bool
    points: int | None


class LoyaltySettingsForm(forms.Form):
    """The switch, the award delay (typed in hours, stored in minutes) and, per active service,
    "part of the loyalty system" and its points per booking — checked all together, so one bad
    row stops the whole save."""

    enabled = forms.BooleanField(label=_("Loyalty system on"), required=False)
    award_delay_hours = forms.DecimalField(
        label=_("Credit points this many hours after the visit ends"),
        min_value=Decimal(0),
        max_value=Decimal(MAX_AWARD_DELAY_MINUTES) / 60,
        max_digits=6,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.25"}),
        help_text=_("For example 3: a visit that ends at 14:00 earns its points at 17:00."),
    )

    def __init__(
        self,
        *args: Any,
        program: LoyaltyProgram,
        rows: list[tuple[Service, ServicePoints | None]],
        read_only: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rows = [ServiceRow(service=service, rule=rule) for service, rule in rows]
        self.initial.setdefault("enabled", program.enabled)
        self.initial.setdefault("award_delay_hours", minutes_to_hours(program.award_delay_minutes))
        for row in self.rows:
            name = row.service.name
            self.fields[row.earns_name] = forms.BooleanField(
                label=_("%(service)s is part of the loyalty system") % {"service": name},
                required=False,
                initial=bool(row.rule and row.rule.enabled),
            )
            self.fields[row.points_name] = forms.IntegerField(
                label=_("Points per booking of %(service)s") % {"service": name},
                required=False,
                max_value=MAX_POINTS,
                initial=row.rule.points if row.rule else None,
                widget=forms.NumberInput(attrs={"min": 1, "max": MAX_POINTS, "step": 1}),
            )
        if read_only:
            for field in self.fields.values():
                field.disabled = True

    def table(self) -> list[dict[str, Any]]:
        """The services table for the template: each row with its two bound fields."""
        return [
            {"service": row.service, "earns": self[row.earns_name], "points": self[row.points_name]}
            for row in self.rows
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for row in self.rows:
            if row.points_name in self.errors:
                continue
            earns, points = data.get(row.earns_name), data.get(row.points_name)
            if earns and (points is None or points <= 0):
                self.add_error(
                    row.points_name,
                    _("A service in the loyalty system earns 1 or more points per booking."),
                )
            elif points is not None and points < 0:
                self.add_error(row.points_name, _("Points cannot be negative."))
        return data

    @property
    def award_delay_minutes(self) -> int:
        return hours_to_minutes(self.cleaned_data["award_delay_hours"])

    def service_changes(self) -> list[ServiceChange]:
        """The rows that change. A service whose inputs were not in the form (added after the
        page was loaded) is left as it is; 0 or empty points with the box off keep the number
        stored for later."""
        changes = []
        for row in self.rows:
            if self.add_prefix(row.points_name) not in self.data:
                continue
            enabled = bool(self.cleaned_data.get(row.earns_name))
            points = self.cleaned_data.get(row.points_name) or None
            if row.rule is None:
                if enabled or points is not None:
                    changes.append(ServiceChange(row=row, enabled=enabled, points=points))
                continue
            if enabled == row.rule.enabled and points in (None, row.rule.points):
                continue
            changes.append(ServiceChange(row=row, enabled=enabled, points=points))
        return changes


# --- Gift card types --------------------------------------------------------------------


class GiftCardTypeForm(SalonModelForm):
    unique_name_message = _("A gift card type with this name already exists.")

    class Meta:
        model = GiftCardType
        fields = TYPE_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, salon: Salon, **kwargs: Any) -> None:
        super().__init__(*args, salon=salon, **kwargs)
        value = self.fields["value"]
        value.label = _("Value (%(currency)s)") % {"currency": salon.currency}
        value.error_messages["min_value"] = _("The value must be more than zero.")
        value.error_messages["max_value"] = _("At most %(max)s.") % {"max": MAX_GIFT_CARD_VALUE}
        self.fields["points_price"].help_text = _(
            "Needed when clients can buy it with points: 1 or more."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        needs_price = data.get("for_points") and not data.get("points_price")
        if needs_price and "points_price" not in self.errors:
            self.add_error("points_price", _("Give the points a client pays for this gift card."))
        return data


# --- Issuing a gift card ----------------------------------------------------------------

CLIENTS_SHOWN = 50


class SafeModelChoiceField(forms.ModelChoiceField):
    """Refuses an id no table can hold before asking the database (SQLite would raise
    OverflowError for it instead of finding nothing)."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.strip().isdigit() and parse_id(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ClientChoiceField(SafeModelChoiceField):
    def label_from_instance(self, obj: Client) -> str:
        contact = obj.email or str(obj.phone or "")
        return f"{obj.full_name} · {contact}" if contact else obj.full_name


class GiftCardIssueForm(forms.Form):
    """A type the salon offers and, if the card is for someone, one of the salon's clients.
    Any client of the salon is accepted; the select lists only those matching the search (at
    most CLIENTS_SHOWN, and the chosen one)."""

    card_type = SafeModelChoiceField(
        label=_("Gift card type"), queryset=GiftCardType.objects.none(), empty_label=None
    )
    client = ClientChoiceField(
        label=_("Client"),
        queryset=Client.objects.none(),
        required=False,
        empty_label=_("— no client: hand the code over yourself —"),
        help_text=_("A named client gets the code by e-mail and sees the card in their account."),
    )

    def __init__(
        self,
        *args: Any,
        salon: Salon,
        card_types: QuerySet[GiftCardType],
        clients: QuerySet[Client],
        shown_clients: list[Client],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.salon = salon
        card_type = self.fields["card_type"]
        card_type.queryset = card_types  # type: ignore[attr-defined]
        client = self.fields["client"]
        client.queryset = clients  # type: ignore[attr-defined]
        # Render only the shown clients (validation still accepts any client of the salon).
        client.widget.choices = [
            ("", client.empty_label),  # type: ignore[attr-defined]
            *((c.pk, client.label_from_instance(c)) for c in shown_clients),  # type: ignore[attr-defined]
        ]


# --- Points: the owner's adjustment -----------------------------------------------------


class PointsAdjustForm(forms.Form):
    """Shown on the client page among other apps' panels: its own element ids."""

    points = forms.IntegerField(
        label=_("Points"),
        min_value=-MAX_POINTS,
        max_value=MAX_POINTS,
        help_text=_("With a minus to take points, e.g. -20."),
        widget=forms.NumberInput(attrs={"step": 1}),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=MAX_DESCRIPTION_LENGTH,
        help_text=_("The client sees this text in their points history."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "loyalty-adjust-%s")
        super().__init__(*args, **kwargs)

    def clean_points(self) -> int:
        points = self.cleaned_data["points"]
        if points == 0:
            raise ValidationError(_("Enter a number of points other than zero."), code="zero")
        return points

    def clean_description(self) -> str:
        return " ".join(self.cleaned_data["description"].split())
