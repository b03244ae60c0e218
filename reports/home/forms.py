"""The period of the home page's figures, chosen with `?period=7|30|90`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

PERIOD_DAYS = (7, 30, 90)
DEFAULT_PERIOD_DAYS = 30
PERIOD_CHOICES = [
    (7, _("Last 7 days")),
    (30, _("Last 30 days")),
    (90, _("Last 90 days")),
]


class PeriodForm(forms.Form):
    period = forms.TypedChoiceField(
        label=_("Period"),
        choices=PERIOD_CHOICES,
        coerce=int,
        required=False,
        empty_value=DEFAULT_PERIOD_DAYS,
        error_messages={
            "invalid_choice": _("Choose a period of 7, 30 or 90 days; showing the last 30 days.")
        },
    )

    def period_days(self) -> int:
        """The chosen number of days; the default when nothing or nonsense was chosen."""
        if self.is_valid():
            return int(self.cleaned_data["period"])
        return DEFAULT_PERIOD_DAYS
