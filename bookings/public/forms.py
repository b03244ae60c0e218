"""Forms of the public booking site and the parsing of its query parameters."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import phonenumbers
from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from bookings.checkout import ClientDetails, PaymentMethod


class QueryParamError(ValueError):
    """A malformed query parameter; `message` is shown on the page (status 400)."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


def parse_day(raw: str | None) -> dt.date | None:
    if raw in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except (TypeError, ValueError):
        raise QueryParamError(_("That is not a valid date.")) from None


def parse_start(raw: str | None, tz: dt.tzinfo) -> dt.datetime:
    """An ISO 8601 start time. A `+` offset that arrives as a space (unencoded in a link) is
    repaired; a time without offset is read in the location's time zone."""
    if not raw:
        raise QueryParamError(_("Choose a time."))
    text = raw.strip()
    if " " in text and "T" in text:
        text = text.replace(" ", "+")
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise QueryParamError(_("That is not a valid time.")) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(tz)


def phone_region(country: str | None) -> str | None:
    """The region local phone numbers are read in: the location's country when phonenumbers
    knows it, else PHONENUMBER_DEFAULT_REGION."""
    code = (country or "").strip().upper()
    if code in phonenumbers.SUPPORTED_REGIONS:
        return code
    return getattr(settings, "PHONENUMBER_DEFAULT_REGION", None)


# "+44 (0)7911 …": the national trunk prefix written in brackets after the country code.
_TRUNK_IN_BRACKETS = re.compile(r"^(\s*(?:\+|00)\s*\d{1,3})\s*\(0\)")


class LocalPhoneNumberField(PhoneNumberField):
    """A phone number as people type it: spaces, dashes, dots, slashes and parentheses, a
    leading 0 (the national prefix) read in the field's region, "+" or "00" for another
    country, and "(0)" after a country code. Stored as E.164 by the callers."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = _TRUNK_IN_BRACKETS.sub(r"\1", value).strip().rstrip(".")
        return super().to_python(value)


class BookingDetailsForm(forms.Form):
    """The client's details. `region`: the location's country (local numbers; `phone_region`).
    The page checks the fields in the browser first (static/js/public.js reads the HTML5
    attributes and the `data-msg-*` texts set here); the server validates all of it again."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(label=_("Email"), max_length=254)
    phone = LocalPhoneNumberField(label=_("Phone"))
    notes = forms.CharField(
        label=_("Notes for the salon"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    marketing_consent = forms.BooleanField(
        label=_("Send me news and offers from the salon"), required=False, initial=False
    )

    def __init__(self, *args: Any, region: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region = phone_region(region)
        if region != self.fields["phone"].region:
            self.fields["phone"] = LocalPhoneNumberField(label=_("Phone"), region=region)
        autocomplete = {
            "first_name": "given-name",
            "last_name": "family-name",
            "email": "email",
            "phone": "tel",
        }
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value
        self.fields["phone"].widget.input_type = "tel"
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "maxlength": "40"})
        # Texts of the browser-side check (static/js/public.js), as the server words them.
        required = str(_("This field is required."))
        for field in self.fields.values():
            if field.required:
                field.widget.attrs["data-msg-required"] = required
        self.fields["email"].widget.attrs["data-msg-invalid"] = str(
            _("Enter a valid email address.")
        )
        phone_invalid = str(
            _("Enter a valid phone number, e.g. %(example)s.") % {"example": phone_example(region)}
        )
        self.fields["phone"].widget.attrs["data-msg-invalid"] = phone_invalid
        self.fields["phone"].error_messages["invalid"] = phone_invalid

    def clean_first_name(self) -> str:
        return self.cleaned_data["first_name"].strip()

    def clean_last_name(self) -> str:
        return self.cleaned_data["last_name"].strip()

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def to_session(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "email": data["email"],
            "phone": data["phone"].as_e164 if data["phone"] else "",
            "notes": data["notes"],
            "marketing_consent": bool(data["marketing_consent"]),
        }

    def details(self) -> ClientDetails:
        # The page's language (PublicSalonMixin activated it) becomes the client's.
        return ClientDetails(**self.to_session(), language=translation.get_language() or "")


def phone_example(region: str | None) -> str:
    """A mobile number of the region as people there write it ("5123 4567" in Estonia)."""
    if not region:
        return "+372 5123 4567"
    number = phonenumbers.example_number_for_type(
        region, phonenumbers.PhoneNumberType.MOBILE
    ) or phonenumbers.example_number(region)
    if number is None:
        return "+372 5123 4567"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


class PaymentMethodForm(forms.Form):
    """The way to pay, and an optional text field for each input of the methods offered
    (`PaymentMethod.inputs`, named as the input), shown under its method's choice, with the
    method's summary line (`summaries`, by key: `bookings.checkout.payment_summaries`)."""

    payment_method = forms.ChoiceField(
        label=_("How would you like to pay?"), widget=forms.RadioSelect
    )

    def __init__(
        self,
        *args: Any,
        methods: list[PaymentMethod],
        summaries: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.summaries = dict(summaries or {})
        choices = [(m.key, m.label) for m in methods]
        self.fields["payment_method"].choices = choices
        if len(choices) == 1:
            self.fields["payment_method"].initial = choices[0][0]
        self.method_inputs: dict[str, list[str]] = {}
        for method in methods:
            names = self.method_inputs.setdefault(method.key, [])
            for payment_input in method.inputs:
                if payment_input.name in self.fields:
                    continue  # names are unique per registry; never replace a field
                self.fields[payment_input.name] = forms.CharField(
                    label=payment_input.label,
                    help_text=payment_input.help_text,
                    max_length=payment_input.max_length,
                    required=False,
                    widget=forms.TextInput(attrs={"autocomplete": "off"}),
                )
                names.append(payment_input.name)

    @property
    def input_names(self) -> set[str]:
        return {name for names in self.method_inputs.values() for name in names}

    def payment_choices(self) -> list[dict[str, Any]]:
        """Each choice's radio button with the fields of its method's inputs."""
        inputs = {key: [self[name] for name in names] for key, names in self.method_inputs.items()}
        return [
            {
                "radio": radio,
                "inputs": inputs.get(str(radio.data["value"]), []),
                "summary": self.summaries.get(str(radio.data["value"]), ""),
            }
            for radio in self["payment_method"]
        ]

    def payment_details(self) -> dict[str, str]:
        """The inputs' values, as typed (the checkout strips and cuts them)."""
        return {name: self.cleaned_data.get(name) or "" for name in self.input_names}
