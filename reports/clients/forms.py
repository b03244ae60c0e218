"""The client report's query: search and sort (`?q=…&sort=-visits`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bookings.selectors import MAX_SEARCH_LENGTH
from reports.clients.selectors import DEFAULT_SORT, SORT_COLUMNS

SORT_CHOICES = [(column, column) for column in SORT_COLUMNS] + [
    (f"-{column}", f"-{column}") for column in SORT_COLUMNS
]


class ClientReportForm(forms.Form):
    q = forms.CharField(
        label=_("Search by name, email or phone"),
        required=False,
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=SORT_CHOICES,
        required=False,
        error_messages={"invalid_choice": _("Unknown sort order; sorted by name.")},
    )

    def clean_q(self) -> str:
        # PostgreSQL refuses NUL characters in a query parameter (a 500); nobody types them.
        return self.cleaned_data["q"].replace("\x00", "").strip()[:MAX_SEARCH_LENGTH]

    def query(self) -> tuple[str, str]:
        """(search, sort) to use: what is valid of the input, the defaults for the rest."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return data.get("q", ""), data.get("sort") or DEFAULT_SORT
