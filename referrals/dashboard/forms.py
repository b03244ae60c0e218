"""Forms of the owner's referral pages. They parse and check what was typed; the services in
`referrals/services/` do every write (and check again inside their transaction)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bookings.models import Client
from bookings.validators import parse_id
from loyalty.models import MAX_POINTS
from notices.models import SMS_BODY_MAX_LENGTH
from referrals.models import Referral, ReferralSettings
from referrals.selectors import FIRST_DAY, LAST_DAY

MAX_ID = 2**63 - 1
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReferralSettingsForm(forms.Form):
    points = forms.IntegerField(
        label=_("Points per referral"),
        min_value=1,
        max_value=MAX_POINTS,
        help_text=_("Credited to the client who brought a new client. We recommend 100."),
        widget=forms.NumberInput(attrs={"step": 1}),
    )
    award_on = forms.ChoiceField(
        label=_("Credit the points"),
        choices=ReferralSettings.AwardOn.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Referrals recorded on a client's page are credited when you answer yes to adding "
            "the points; this decides when the rest are credited — those of bookings through a "
            "client's referral link, and those you recorded without points."
        ),
    )
    send_sms = forms.BooleanField(
        label=_("Send an SMS to the referring client"),
        required=False,
        help_text=_(
            "A thank-you when their points are credited — only to clients who agreed to "
            "marketing messages and have a phone number."
        ),
    )
    sms_text = forms.CharField(
        label=_("Text of the thank-you SMS"),
        max_length=SMS_BODY_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, read_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if read_only:
            for field in self.fields.values():
                field.disabled = True


class SafeClientChoiceField(forms.ModelChoiceField):
    """A client id of the salon (its queryset). An id no table can hold is refused before the
    database is asked (SQLite would raise OverflowError instead of finding nothing)."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.strip().isdigit() and parse_id(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)

    def label_from_instance(self, obj: Client) -> str:
        return obj.full_name


class ReferredByForm(forms.Form):
    """The client page's "referred by": the referrer (picked from the search results), then
    the answer to "add N referral points to …?" (`confirm` set by the question's page)."""

    AWARD_CHOICES = (("yes", _("Yes, add the points")), ("no", _("No, only record it")))

    referrer = SafeClientChoiceField(
        label=_("Referred by"),
        queryset=Client.objects.none(),
        error_messages={"invalid_choice": _("Choose a client of this salon from the search.")},
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
    award = forms.ChoiceField(choices=AWARD_CHOICES, required=False)

    def __init__(self, *args: Any, clients: QuerySet[Client], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "referral-%s")
        super().__init__(*args, **kwargs)
        self.fields["referrer"].queryset = clients  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("confirm") and data.get("award") not in ("yes", "no"):
            self.add_error("award", _("Answer yes or no."))
        return data


class ReferralFilterForm(forms.Form):
    """The list's filters; the period also chooses the top referrers."""

    start = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    end = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Referral.Status.choices]
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("All")), *Referral.Source.choices]
    )
    q = forms.CharField(label=_("Client"), required=False, max_length=64)

    def _day(self, name: str) -> dt.date | None:
        day = self.cleaned_data.get(name)
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise ValidationError(
                _("Choose a day between %(first)s and %(last)s."),
                code="out_of_range",
                params={"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
            )
        return day

    def clean_start(self) -> dt.date | None:
        return self._day("start")

    def clean_end(self) -> dt.date | None:
        return self._day("end")

    def clean_q(self) -> str:
        return self.cleaned_data["q"].replace("\x00", "").strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The period ends before it starts."))
        return data
