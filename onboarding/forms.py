"""Forms of the setup wizard: they parse input; the rules are in onboarding/services.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .defaults import COUNTRIES, DEFAULT_OPENING_HOURS, KINDS, country_choices


class SalonStartForm(forms.Form):
    name = forms.CharField(label=_("Salon name"), max_length=200)
    slug = forms.SlugField(
        label=_("Web address"),
        max_length=50,
        required=False,
        help_text=_("Your booking page will be at /s/<address>/. Letters, digits and hyphens."),
    )
    country = forms.ChoiceField(label=_("Country"), choices=country_choices)
    time_zone = forms.CharField(label=_("Time zone"), max_length=64, required=False)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    default_language = forms.ChoiceField(
        label=_("Language of the booking page"),
        choices=[("", _("From the country")), *settings.LANGUAGES],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Picking a country fills in the rest (static/js/onboarding.js reads these).
        self.fields["country"].widget.attrs["data-country-defaults"] = ""
        self.fields["name"].widget.attrs["data-slug-source"] = ""
        self.fields["slug"].widget.attrs["data-slug-target"] = ""
        self.fields["time_zone"].widget.attrs["list"] = "time-zones"
        self.fields["currency"].widget.attrs["list"] = "currencies"

    @staticmethod
    def defaults_by_country() -> list[dict[str, str]]:
        return [
            {
                "code": code,
                "time_zone": d.time_zone,
                "currency": d.currency,
                "language": d.language,
            }
            for code, d in COUNTRIES.items()
        ]


class LocationStepForm(forms.Form):
    name = forms.CharField(label=_("Location name"), max_length=120)
    address = forms.CharField(label=_("Street address"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)


WEEKDAYS = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]


class OpeningDayForm(forms.Form):
    weekday = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=6)
    is_open = forms.BooleanField(label=_("Open"), required=False)
    opens = forms.TimeField(
        label=_("Opens"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    closes = forms.TimeField(
        label=_("Closes"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )

    @property
    def day_name(self) -> Any:
        weekday = self.initial.get("weekday")
        if weekday is None and self.is_bound:
            try:
                weekday = int(self.data.get(self.add_prefix("weekday"), ""))
            except ValueError:
                return ""
        return WEEKDAYS[weekday] if weekday is not None and 0 <= weekday < 7 else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("is_open"):
            for field in ("opens", "closes"):
                if data.get(field) is None and field not in self.errors:
                    self.add_error(field, _("Give the time, or untick the day."))
        return data


OpeningHoursFormSet = forms.formset_factory(OpeningDayForm, extra=0, min_num=7, max_num=7)


def opening_hours_initial() -> list[dict[str, Any]]:
    rows = []
    for weekday in range(7):
        hours = DEFAULT_OPENING_HOURS.get(weekday)
        rows.append(
            {
                "weekday": weekday,
                "is_open": hours is not None,
                "opens": dt.time.fromisoformat(hours[0] if hours else "10:00"),
                "closes": dt.time.fromisoformat(hours[1] if hours else "16:00"),
            }
        )
    return rows


class KindForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of salon"), choices=KINDS)


class ServiceRowForm(forms.Form):
    include = forms.BooleanField(label=_("Offer"), required=False)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    duration_minutes = forms.IntegerField(
        label=_("Minutes"), min_value=5, max_value=600, required=False
    )
    price = forms.DecimalField(
        label=_("Price"), min_value=Decimal("0"), max_digits=8, decimal_places=2, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("include"):
            for field in ("name", "duration_minutes", "price"):
                if data.get(field) in (None, "") and field not in self.errors:
                    self.add_error(field, _("Fill this in, or untick the service."))
        return data


ServiceRowFormSet = forms.formset_factory(ServiceRowForm, extra=2, max_num=30)


class StaffStepForm(forms.Form):
    owner_name = forms.CharField(
        label=_("Your name"),
        max_length=120,
        help_text=_("You are the first staff member; clients see this name."),
    )
    other_names = forms.CharField(
        label=_("More staff"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One name per line. You can invite them to log in later."),
    )

    def names(self) -> list[str]:
        text = self.cleaned_data.get("other_names", "")
        return [line.strip() for line in text.splitlines() if line.strip()]
