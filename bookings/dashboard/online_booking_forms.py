"""Forms of "Online booking → Preferences": the salon's booking settings, the passcodes of
locations and staff members, and sending a code to chosen clients. They only parse and check;
`bookings.services.salons`, `bookings.passcodes` and `bookings.services.passcode_sharing` write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bookings.models import Client, Salon
from bookings.services.passcode_sharing import MAX_RECIPIENTS, PREFERENCE
from bookings.services.salons import SALON_SETTINGS_FIELDS
from bookings.validators import validate_passcode
from notices.registry import Channel

from .forms import SalonModelForm, TenantMultipleChoiceField

CODE_INPUT_ATTRS = {
    "inputmode": "numeric",
    "autocomplete": "off",
    "spellcheck": "false",
    "size": "8",
}


class BookingSettingsForm(SalonModelForm):
    """Edits a copy of the salon (so the page never shows half-checked values elsewhere)."""

    default_language = forms.ChoiceField(
        label=_("Salon language"),
        choices=settings.LANGUAGES,
        # Left out of a submission: the salon keeps its language.
        required=False,
        help_text=_(
            "The language of your booking site and of notices to clients who have not chosen "
            "one. Each person can still pick their own."
        ),
    )

    class Meta:
        model = Salon
        fields = list(SALON_SETTINGS_FIELDS)

    def clean_default_language(self) -> str:
        return self.cleaned_data.get("default_language") or self.instance.default_language


def _clean_code(value: str) -> str:
    code = (value or "").strip()
    if code:
        validate_passcode(code)
    return code


class LocationPasscodeForm(forms.Form):
    enabled = forms.BooleanField(
        label=_("Online booking passcode"),
        required=False,
        help_text=_("Visitors must enter the code before they can book at this location online."),
    )
    code = forms.CharField(
        label=_("Code"),
        required=False,
        strip=True,
        help_text=_("4 to 6 digits."),
        widget=forms.TextInput(attrs=CODE_INPUT_ATTRS),
    )

    def clean_code(self) -> str:
        return _clean_code(self.cleaned_data.get("code", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("enabled") and "code" in data and not data["code"]:
            self.add_error("code", _("Enter a code of 4 to 6 digits to switch the passcode on."))
        return data


class StaffPasscodeForm(forms.Form):
    code = forms.CharField(
        label=_("Personal code"),
        required=False,
        strip=True,
        help_text=_("4 to 6 digits. Leave empty for no code."),
        widget=forms.TextInput(attrs=CODE_INPUT_ATTRS),
    )

    def clean_code(self) -> str:
        # The "Remove code" button (named `<prefix>-remove`) ignores what is in the field.
        if self.add_prefix("remove") in self.data:
            return ""
        return _clean_code(self.cleaned_data.get("code", ""))


CHANNEL_CHOICES = [
    (PREFERENCE, _("Client's preference (email or SMS)")),
    (Channel.EMAIL.value, _("Email only")),
    (Channel.SMS.value, _("SMS only")),
]


class ClientChoiceField(TenantMultipleChoiceField):
    def _check_values(self, value: Any) -> Any:
        # Before the database is asked about every one of them.
        if len(value) > MAX_RECIPIENTS:
            raise ValidationError(
                _("Choose at most %(max)d clients at a time.") % {"max": MAX_RECIPIENTS},
                code="too_many",
            )
        return super()._check_values(value)


class PasscodeSendForm(forms.Form):
    clients = ClientChoiceField(
        label=_("Clients"),
        queryset=Client.objects.none(),
        error_messages={"required": _("Choose at least one client.")},
    )
    channel = forms.ChoiceField(
        label=_("Send by"),
        choices=CHANNEL_CHOICES,
        initial=PREFERENCE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, salon: Salon, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clients"].queryset = (  # type: ignore[attr-defined]
            Client.objects.for_salon(salon).select_related("salon")
        )

    def chosen_ids(self) -> set[str]:
        """The ids ticked in the submitted data (to keep them ticked when the page is shown
        again with errors)."""
        if not self.is_bound:
            return set()
        return {str(value) for value in self.data.getlist(self.add_prefix("clients"))}
