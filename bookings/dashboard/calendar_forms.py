"""Forms of the owner calendar. Choices are always the salon's own rows, so another salon's
id in a POST body is a form error ("Select a valid choice"), never a lookup outside the salon.
Dates and times are typed in the location's time zone and become aware datetimes here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from bookings.models import Appointment, Client, Location, Salon, Service, StaffMember
from bookings.selectors import location_list, service_list
from bookings.selectors_calendar import calendar_staff_choices
from bookings.validators import horizon_message, in_horizon, parse_id

# Where a booking service's error keys go on these forms.
SERVICE_ERROR_FIELDS = {"starts_at": "time"}


def local_datetime(day: dt.date, time: dt.time, location: Location) -> dt.datetime | None:
    """`day` at `time` on the location's clock, or None if that time does not exist there (the
    hour skipped when clocks go forward). A repeated hour means its first occurrence."""
    tz = location.tzinfo
    naive = dt.datetime.combine(day, time.replace(tzinfo=None, second=0, microsecond=0))
    aware = naive.replace(tzinfo=tz)
    if aware.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None) != naive:
        return None
    return aware


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field it names, else on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        target = SERVICE_ERROR_FIELDS.get(name, name)
        if target == NON_FIELD_ERRORS or target not in form.fields:
            form.add_error(None, errors)
        else:
            form.add_error(target, errors)


NONEXISTENT_TIME = _("This time does not exist on that day (the clocks change).")


class _LocalTimeFields(forms.Form):
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    time = forms.TimeField(
        label=_("Time"),
        widget=forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M"),
    )

    def starts_at_for(self, location: Location | None) -> dt.datetime | None:
        day, time = self.cleaned_data.get("date"), self.cleaned_data.get("time")
        if location is None or day is None or time is None:
            return None
        if not in_horizon(day):  # also keeps year 1 / 9999 off the time zone arithmetic
            self.add_error("date", horizon_message())
            return None
        starts_at = local_datetime(day, time, location)
        if starts_at is None:
            self.add_error("time", NONEXISTENT_TIME)
        return starts_at


class AppointmentCreateForm(_LocalTimeFields):
    """Book for a client of the salon, or a new client typed in (name, email, phone).

    The booking panel. The client is found by a search (`client_query`; the page shows the
    matches as radio buttons named `client`, never a select of every client), so `client`
    validates one id with one query, whatever the number of clients. Staff and services are
    filtered for display by each other (`limit_choices`): the services the chosen staff
    member performs, the staff who perform the chosen service at the location; `clean`
    refuses a mismatch on the server too. `suggested_time` (a "book at 15:30" button after a
    conflict) replaces the typed time."""

    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.none())
    staff = forms.ModelChoiceField(
        label=_("Staff member"),
        queryset=StaffMember.objects.none(),
        empty_label=_("— choose —"),
    )
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service.objects.none(), empty_label=_("— choose —")
    )
    client_query = forms.CharField(
        label=_("Client"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "placeholder": _("Name, phone or e-mail"),
            }
        ),
    )
    client = forms.ModelChoiceField(
        label=_("Client"), queryset=Client.objects.none(), required=False, widget=forms.HiddenInput
    )
    first_name = forms.CharField(label=_("New client: first name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("New client: last name"), max_length=100, required=False)
    email = forms.EmailField(label=_("New client: email"), required=False)
    phone = PhoneNumberField(label=_("New client: phone"), required=False)
    notes = forms.CharField(
        label=_("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    suggested_time = forms.TimeField(required=False, widget=forms.HiddenInput)

    field_order = [
        "location",
        "date",
        "time",
        "staff",
        "service",
        "client_query",
        "client",
        "first_name",
        "last_name",
        "email",
        "phone",
        "notes",
    ]

    def __init__(self, *args: Any, salon: Salon, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.salon = salon
        self.fields["location"].queryset = location_list(salon=salon, active_only=True)
        self.fields["staff"].queryset = calendar_staff_choices(salon=salon)
        self.fields["service"].queryset = service_list(salon=salon, active_only=True)
        # One row by id when validating; the page never lists these (see the class doc).
        self.fields["client"].queryset = Client.objects.for_salon(salon)

    def clean_first_name(self) -> str:
        return self.cleaned_data["first_name"].strip()

    def clean_last_name(self) -> str:
        return self.cleaned_data["last_name"].strip()

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("suggested_time") is not None and "time" in self.errors:
            del self.errors["time"]
        if cleaned.get("suggested_time") is not None:
            cleaned["time"] = cleaned["suggested_time"]
        no_client = cleaned.get("client") is None and "client" not in self.errors
        if no_client and not cleaned.get("first_name"):
            self.add_error(
                "client_query",
                _("Search for the client and choose them, or give a new client's first name."),
            )
        staff, service, location = (
            cleaned.get("staff"),
            cleaned.get("service"),
            cleaned.get("location"),
        )
        if (
            staff is not None
            and service is not None
            and not staff.services.filter(pk=service.pk).exists()
        ):
            self.add_error(
                "service",
                _("%(staff)s does not perform %(service)s.")
                % {"staff": staff.name, "service": service.name},
            )
        if (
            staff is not None
            and location is not None
            and not staff.locations.filter(pk=location.pk).exists()
        ):
            self.add_error(
                "staff",
                _("%(staff)s does not work at %(location)s.")
                % {"staff": staff.name, "location": location.name},
            )
        cleaned["starts_at"] = self.starts_at_for(location)
        return cleaned

    @property
    def new_client_data(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name] for name in ("first_name", "last_name", "email", "phone")
        }

    def chosen_ids(self) -> dict[str, int | None]:
        """The location, staff and service ids the form holds (typed or initial)."""
        ids: dict[str, int | None] = {}
        for name in ("location", "staff", "service", "client"):
            raw = self.data.get(name) if self.is_bound else self.initial.get(name)
            raw = getattr(raw, "pk", raw)
            ids[name] = parse_id(raw)
        return ids

    def limit_choices(self) -> None:
        """Show only the services the chosen staff member performs and only the staff who
        perform the chosen service at the chosen location (call after validating)."""
        ids = self.chosen_ids()
        staff_qs = calendar_staff_choices(salon=self.salon)
        service_qs = service_list(salon=self.salon, active_only=True)
        if ids["location"]:
            staff_qs = staff_qs.filter(locations=ids["location"])
        if ids["service"]:
            staff_qs = staff_qs.filter(services=ids["service"])
        if ids["staff"]:
            service_qs = service_qs.filter(staff=ids["staff"])
        self.fields["staff"].queryset = staff_qs.distinct()
        self.fields["service"].queryset = service_qs.distinct()


class AppointmentMoveForm(_LocalTimeFields):
    """A new time (on the appointment location's clock) and optionally another staff member."""

    staff = forms.ModelChoiceField(
        label=_("Staff member"),
        queryset=StaffMember.objects.none(),
        required=False,
        empty_label=_("— same staff member —"),
    )

    def __init__(self, *args: Any, appointment: Appointment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.appointment = appointment
        self.fields["staff"].queryset = calendar_staff_choices(salon=appointment.salon_id)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        cleaned["starts_at"] = self.starts_at_for(self.appointment.location)
        return cleaned


def move_form_initial(appointment: Appointment) -> dict[str, Any]:
    local = appointment.starts_at.astimezone(appointment.location.tzinfo)
    return {"date": local.date(), "time": local.time(), "staff": appointment.staff_id}
