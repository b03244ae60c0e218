"""Forms of the points report page: the filters (a GET form: anything else in the query string
is ignored) and the "Add points" dialog. They parse input; `loyalty.services.points` writes."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bookings.models import Client, Location, Salon, Service, StaffMember
from bookings.selectors import client_list
from bookings.validators import parse_id
from loyalty.models import MAX_POINTS, PointsEntry
from loyalty.services.points import MAX_DESCRIPTION_LENGTH
from reports.points.filters import (
    DEFAULT_SORT,
    MAX_SEARCH_LENGTH,
    SORT_CHOICES,
    PointsReportFilters,
    clean_search,
    date_range_errors,
)

MAX_ID = 2**63 - 1
PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = PAGE_SIZES[0]
CLIENTS_SHOWN = 50
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TenantChoiceField(forms.ModelChoiceField):
    """One of the salon's rows by id. An id no table can hold is refused before the database is
    asked (SQLite raises OverflowError for it rather than finding nothing)."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.strip().isdigit() and parse_id(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ClientChoiceField(TenantChoiceField):
    def label_from_instance(self, obj: Client) -> str:
        contact = obj.email or str(obj.phone or "")
        return f"{obj.full_name} · {contact}" if contact else obj.full_name


class PointsReportFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)
    q = forms.CharField(
        label=_("Client"),
        required=False,
        max_length=MAX_SEARCH_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, email or phone")}),
    )
    client = TenantChoiceField(
        queryset=Client.objects.none(), required=False, widget=forms.HiddenInput
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *PointsEntry.Kind.choices],
    )
    staff = TenantChoiceField(label=_("Staff"), queryset=StaffMember.objects.none(), required=False)
    service = TenantChoiceField(label=_("Service"), queryset=Service.objects.none(), required=False)
    location = TenantChoiceField(
        label=_("Location"), queryset=Location.objects.none(), required=False
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)
    per_page = forms.TypedChoiceField(
        label=_("Rows per page"),
        required=False,
        choices=[(size, str(size)) for size in PAGE_SIZES],
        coerce=int,
        empty_value=DEFAULT_PAGE_SIZE,
    )

    # The query string of a report keeps these, in this order (export and page links).
    QUERY_FIELDS = (
        "date_from",
        "date_to",
        "q",
        "client",
        "kind",
        "staff",
        "service",
        "location",
        "sort",
        "per_page",
    )

    def __init__(self, *args: Any, salon: Salon, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.salon = salon
        self.fields["client"].queryset = Client.objects.for_salon(salon)  # type: ignore[attr-defined]
        staff = StaffMember.objects.for_salon(salon).order_by("name", "id")
        self.fields["staff"].queryset = staff  # type: ignore[attr-defined]
        services = Service.objects.for_salon(salon).order_by("name", "id")
        self.fields["service"].queryset = services  # type: ignore[attr-defined]
        locations = Location.objects.for_salon(salon).order_by("name", "id")
        self.fields["location"].queryset = locations  # type: ignore[attr-defined]
        self.fields["staff"].empty_label = _("All staff")  # type: ignore[attr-defined]
        self.fields["service"].empty_label = _("All services")  # type: ignore[attr-defined]
        self.fields["location"].empty_label = _("All locations")  # type: ignore[attr-defined]

    def clean_q(self) -> str:
        return clean_search(self.cleaned_data["q"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name, message in date_range_errors(data.get("date_from"), data.get("date_to")).items():
            if name not in self.errors:
                self.add_error(name, message)
        return data

    def filters(self) -> PointsReportFilters:
        data = self.cleaned_data
        return PointsReportFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            client=data.get("client"),
            search=data.get("q", ""),
            kind=data.get("kind", ""),
            staff=data.get("staff"),
            service=data.get("service"),
            location=data.get("location"),
            sort=data.get("sort") or DEFAULT_SORT,
        )

    @property
    def page_size(self) -> int:
        return self.cleaned_data.get("per_page") or DEFAULT_PAGE_SIZE

    def query(self, **changes: Any) -> str:
        """The valid filters as a query string, with `changes` (None drops a key)."""
        params: dict[str, Any] = {}
        for name in self.QUERY_FIELDS:
            value = self.cleaned_data.get(name)
            if hasattr(value, "pk"):
                value = value.pk
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            if value not in (None, ""):
                params[name] = value
        if params.get("sort") == DEFAULT_SORT:
            del params["sort"]
        if params.get("per_page") == DEFAULT_PAGE_SIZE:
            del params["per_page"]
        for name, value in changes.items():
            if value is None:
                params.pop(name, None)
            else:
                params[name] = value
        return urlencode(params)


class PointsAddForm(forms.Form):
    """The "Add points" dialog: one of the salon's clients (the select lists those matching
    the search, and the preselected one; any client of the salon is accepted), a whole number
    of points (a minus takes points) and the description the client sees."""

    client = ClientChoiceField(
        label=_("Client"), queryset=Client.objects.none(), empty_label=_("— choose a client —")
    )
    points = forms.IntegerField(
        label=_("Reward points"),
        min_value=-MAX_POINTS,
        max_value=MAX_POINTS,
        help_text=_('Put "-" before the number to subtract, e.g. -20.'),
        widget=forms.NumberInput(attrs={"step": 1}),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=MAX_DESCRIPTION_LENGTH,
        help_text=_("The client sees this text in their points history."),
    )

    def __init__(
        self,
        *args: Any,
        salon: Salon,
        shown_clients: list[Client] | QuerySet[Client] = (),  # type: ignore[assignment]
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", "points-add-%s")
        super().__init__(*args, **kwargs)
        field = self.fields["client"]
        field.queryset = client_list(salon=salon)  # type: ignore[attr-defined]
        field.widget.choices = [  # type: ignore[attr-defined]
            ("", field.empty_label),  # type: ignore[attr-defined]
            *((c.pk, field.label_from_instance(c)) for c in shown_clients),  # type: ignore[attr-defined]
        ]

    def clean_points(self) -> int:
        points = self.cleaned_data["points"]
        if points == 0:
            raise ValidationError(_("Enter a number of points other than zero."), code="zero")
        return points

    def clean_description(self) -> str:
        return " ".join(self.cleaned_data["description"].split())
