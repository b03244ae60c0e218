"""Forms of the owner dashboard. They parse and check input; the services in
`bookings.services` do every write (and validate again, inside their transaction)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cache
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from bookings import selectors
from bookings.models import (
    Client,
    Location,
    LocationClosure,
    Salon,
    Service,
    ServiceCategory,
    StaffMember,
)
from bookings.models.catalogue import END_OF_DAY, Weekday, as_end_time
from bookings.services.catalogue import CATEGORY_FIELDS, LOCATION_FIELDS, SERVICE_FIELDS
from bookings.services.clients import CLIENT_FIELDS
from bookings.validators import HORIZON_FIRST_YEAR, HORIZON_LAST_YEAR, parse_id

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
COLOR_INPUT = forms.TextInput(attrs={"type": "color"})


def add_service_errors(
    form: forms.BaseForm, exc: ValidationError, field_map: dict[str, str] | None = None
) -> None:
    """Show a service's ValidationError on the form: messages for a field the form has go on
    that field, the rest (e.g. a unique constraint including `salon`) on top of the form."""
    field_map = field_map or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        target = field_map.get(name, name)
        if target == NON_FIELD_ERRORS or target not in form.fields:
            form.add_error(None, errors)
        else:
            form.add_error(target, errors)


@cache
def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class SalonModelForm(forms.ModelForm):
    """A model form bound to one salon; it is never saved itself (`save` refuses)."""

    unique_name_message: Any = _("This name is already in use.")

    def __init__(self, *args: Any, salon: Salon, **kwargs: Any) -> None:
        self.salon = salon
        super().__init__(*args, **kwargs)

    def save(self, commit: bool = True) -> Model:
        raise NotImplementedError("Dashboard forms are saved through bookings.services.")

    def _same_name_exists(self, name: str) -> bool:
        model = self._meta.model
        qs = model.objects.for_salon(self.salon).filter(name__iexact=name)
        if self.instance.pk:
            qs = qs.exclude(pk=self.instance.pk)
        return qs.exists()

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if name and self._same_name_exists(name):
            raise ValidationError(self.unique_name_message, code="duplicate_name")
        return name


# --- Locations --------------------------------------------------------------------------


class LocationForm(SalonModelForm):
    unique_name_message = _("A location with this name already exists.")
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_time_zone_choices)

    class Meta:
        model = Location
        fields = LOCATION_FIELDS

    def __init__(self, *args: Any, salon: Salon, **kwargs: Any) -> None:
        super().__init__(*args, salon=salon, **kwargs)
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("time_zone", salon.time_zone)

    def clean_country(self) -> str:
        return self.cleaned_data["country"].strip().upper()


class EndTimeField(forms.TimeField):
    """The end of hours: a time, or 24:00 / 00:00 for the end of the day (END_OF_DAY)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text", _("00:00 or 24:00: until midnight; earlier than the start: the next day.")
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.time | None:
        if isinstance(value, str) and value.strip() in ("24:00", "24:00:00"):
            return END_OF_DAY
        return as_end_time(super().to_python(value))


class LocationHoursForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Weekday"), choices=Weekday.choices, coerce=int)
    opens = forms.TimeField(label=_("Opens"), widget=TIME_INPUT)
    closes = EndTimeField(label=_("Closes"), widget=TIME_INPUT)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        opens, closes = data.get("opens"), data.get("closes")
        # A closing time earlier than the opening is on the next day (open 18:00–03:00).
        if opens is not None and closes is not None and closes == opens:
            self.add_error("closes", _("Closing time must be after opening time."))
        return data


class LocationClosureForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, location: Location, **kwargs: Any) -> None:
        self.location = location
        super().__init__(*args, **kwargs)

    def clean_date(self) -> dt.date:
        date = self.cleaned_data["date"]
        closures = LocationClosure.objects.for_salon(self.location.salon_id)
        if closures.filter(location=self.location, date=date).exists():
            raise ValidationError(_("This day is already marked as closed."), code="duplicate")
        return date


# --- Categories and services ------------------------------------------------------------


class ServiceCategoryForm(SalonModelForm):
    unique_name_message = _("A category with this name already exists.")

    class Meta:
        model = ServiceCategory
        fields = CATEGORY_FIELDS


class ServiceForm(SalonModelForm):
    unique_name_message = _("A service with this name already exists.")

    class Meta:
        model = Service
        fields = SERVICE_FIELDS
        widgets = {"color": COLOR_INPUT}

    def __init__(self, *args: Any, salon: Salon, **kwargs: Any) -> None:
        super().__init__(*args, salon=salon, **kwargs)
        category = self.fields["category"]
        category.queryset = selectors.service_category_list(salon=salon)  # type: ignore[attr-defined]
        category.empty_label = _("No category")  # type: ignore[attr-defined]
        # Left out of a post (an older form, a script): the service stays public.
        self.fields["visibility"].required = False

    def clean_visibility(self) -> str:
        return self.cleaned_data.get("visibility") or Service.Visibility.PUBLIC


# --- Staff ------------------------------------------------------------------------------

MAX_ID = 2**63 - 1


class TenantMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses an id no table can hold before asking the database: its `__in` lookup
    would fail with OverflowError (a 500) on SQLite instead of finding nothing."""

    def _check_values(self, value: Any) -> QuerySet:
        for pk in value:
            if str(pk).strip().isdigit() and parse_id(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


STAFF_FORM_FIELDS = ["name", "title", "email", "phone", "offered_online", "is_active", "color"]


class StaffMemberForm(SalonModelForm):
    locations = TenantMultipleChoiceField(
        label=_("Locations"),
        queryset=Location.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    services = TenantMultipleChoiceField(
        label=_("Services"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = StaffMember
        fields = [*STAFF_FORM_FIELDS, "locations", "services"]
        widgets = {"color": COLOR_INPUT}

    def __init__(self, *args: Any, salon: Salon, **kwargs: Any) -> None:
        super().__init__(*args, salon=salon, **kwargs)
        self.fields["locations"].queryset = selectors.location_list(salon=salon)  # type: ignore[attr-defined]
        self.fields["services"].queryset = selectors.service_list(salon=salon)  # type: ignore[attr-defined]

    def clean_name(self) -> str:
        # Two people may share a name; the title tells them apart.
        return self.cleaned_data["name"].strip()


class WorkingHoursForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Weekday"), choices=Weekday.choices, coerce=int)
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.none())
    starts = forms.TimeField(label=_("Starts"), widget=TIME_INPUT)
    ends = EndTimeField(label=_("Ends"), widget=TIME_INPUT)

    def __init__(self, *args: Any, staff: StaffMember, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        locations: QuerySet[Location] = selectors.location_list(salon=staff.salon)
        self.fields["location"].queryset = locations  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends = data.get("starts"), data.get("ends")
        # An end earlier than the start is on the next day (a shift 20:00–02:00).
        if starts is not None and ends is not None and ends == starts:
            self.add_error("ends", _("The shift must end after it starts."))
        return data


TIME_OFF_MIN_YEAR, TIME_OFF_MAX_YEAR = HORIZON_FIRST_YEAR, HORIZON_LAST_YEAR  # validators.py


class TimeOffForm(forms.Form):
    """Whole days (first and last day, inclusive) or part of a day (date and times), both in
    the salon's local time; `clean` turns them into the UTC range the service stores."""

    WHOLE_DAYS = "days"
    PART_OF_DAY = "hours"

    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[(WHOLE_DAYS, _("Whole days")), (PART_OF_DAY, _("Part of a day"))],
        initial=WHOLE_DAYS,
        widget=forms.RadioSelect,
    )
    start_date = forms.DateField(label=_("Start date"), widget=DATE_INPUT)
    end_date = forms.DateField(
        label=_("End date"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Leave empty if it ends on the start date."),
    )
    start_time = forms.TimeField(label=_("Start time"), required=False, widget=TIME_INPUT)
    end_time = forms.TimeField(label=_("End time"), required=False, widget=TIME_INPUT)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, tz: zoneinfo.ZoneInfo, **kwargs: Any) -> None:
        self.tz = tz
        super().__init__(*args, **kwargs)

    def _check_year(self, name: str) -> dt.date | None:
        # Far-off years overflow once turned into UTC; they are typing mistakes anyway.
        day = self.cleaned_data.get(name)
        if day is not None and not TIME_OFF_MIN_YEAR <= day.year <= TIME_OFF_MAX_YEAR:
            raise ValidationError(
                _("Enter a date between the years %(min)s and %(max)s.")
                % {"min": TIME_OFF_MIN_YEAR, "max": TIME_OFF_MAX_YEAR},
                code="out_of_range",
            )
        return day

    def clean_start_date(self) -> dt.date | None:
        return self._check_year("start_date")

    def clean_end_date(self) -> dt.date | None:
        return self._check_year("end_date")

    def _to_utc(self, day: dt.date, time: dt.time, field: str) -> dt.datetime | None:
        local = dt.datetime.combine(day, time, tzinfo=self.tz)
        utc = local.astimezone(dt.UTC)
        if utc.astimezone(self.tz).replace(tzinfo=None) != local.replace(tzinfo=None):
            self.add_error(
                field,
                _("%(time)s does not exist on %(date)s: the clocks change that night.")
                % {"time": time.strftime("%H:%M"), "date": day.isoformat()},
            )
            return None
        return utc

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind, start_date = data.get("kind"), data.get("start_date")
        if kind is None or start_date is None:
            return data
        end_date = data.get("end_date") or start_date
        if kind == self.WHOLE_DAYS:
            if end_date < start_date:
                self.add_error("end_date", _("The end date cannot be before the start date."))
                return data
            data["all_day"] = True
            data["starts_at"] = self._to_utc(start_date, dt.time.min, "start_date")
            data["ends_at"] = self._to_utc(end_date + dt.timedelta(days=1), dt.time.min, "end_date")
            return data
        start_time, end_time = data.get("start_time"), data.get("end_time")
        for name, value in (("start_time", start_time), ("end_time", end_time)):
            if value is None and name not in self.errors:
                self.add_error(name, _("Enter a time for part of a day."))
        if start_time is None or end_time is None:
            return data
        starts_at = self._to_utc(start_date, start_time, "start_time")
        ends_at = self._to_utc(end_date, end_time, "end_time")
        if starts_at is not None and ends_at is not None and ends_at <= starts_at:
            self.add_error("end_time", _("Time off must end after it starts."))
        data["all_day"] = False
        data["starts_at"], data["ends_at"] = starts_at, ends_at
        return data


TIME_OFF_ERROR_FIELDS = {"starts_at": "start_date", "ends_at": "end_date", "all_day": "kind"}


# --- Clients ----------------------------------------------------------------------------


class ClientForm(SalonModelForm):
    class Meta:
        model = Client
        fields = CLIENT_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = self.fields.get("preferred_language")
        if isinstance(language, forms.ChoiceField):
            # Empty: notices in the salon's language; set when the client books online.
            language.choices = [("", _("The salon's language")), *settings.LANGUAGES]

    def clean_first_name(self) -> str:
        return self.cleaned_data["first_name"].strip()

    def clean_last_name(self) -> str:
        return self.cleaned_data["last_name"].strip()

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if not email:
            return email
        qs = Client.objects.for_salon(self.salon).filter(email__iexact=email)
        if self.instance.pk:
            qs = qs.exclude(pk=self.instance.pk)
        if qs.exists():
            raise ValidationError(
                _("Another client of this salon already has this email."), code="duplicate"
            )
        return email
