from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from notices.models import (
    EMAIL_BODY_MAX_LENGTH,
    EMAIL_SUBJECT_MAX_LENGTH,
    SMS_BODY_MAX_LENGTH,
    Notice,
)
from notices.registry import Channel


class NoticeTemplateForm(forms.Form):
    """A salon's text for one kind and channel; variables are checked by the save service."""

    def __init__(self, *args: Any, channel: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if channel == Channel.EMAIL:
            self.fields["subject"] = forms.CharField(
                label=_("Subject"), max_length=EMAIL_SUBJECT_MAX_LENGTH
            )
        limit = EMAIL_BODY_MAX_LENGTH if channel == Channel.EMAIL else SMS_BODY_MAX_LENGTH
        self.fields["body"] = forms.CharField(
            label=_("Text"),
            max_length=limit,
            strip=False,
            widget=forms.Textarea(attrs={"rows": 12 if channel == Channel.EMAIL else 5}),
        )


class NoticeFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))] + list(Notice.Status.choices),
    )


class NoticeTestForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    phone = forms.CharField(
        label=_("Phone number (for an SMS test)"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("channel") == Channel.SMS and not data.get("phone"):
            self.add_error("phone", _("Enter the phone number to send the test SMS to."))
        return data
