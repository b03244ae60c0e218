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
from bookings.selectors import client_list, location_list, service_list
from bookings.selectors_calendar import calendar_staff_choices

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


class ClientChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Client) -> str:
        contact = obj.email or str(obj.phone or "")
        return f"{obj.full_name} · {contact}" if contact else obj.full_name


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
        starts_at = local_datetime(day, time, location)
        if starts_at is None:
            self.add_error("time", NONEXISTENT_TIME)
        return starts_at


class AppointmentCreateForm(_LocalTimeFields):
    """Book for a client of the salon, or a new client typed in (name, email, phone)."""

    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.none())
    staff = forms.ModelChoiceField(label=_("Staff member"), queryset=StaffMember.objects.none())
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none())
    client = ClientChoiceField(
        label=_("Client"),
        queryset=Client.objects.none(),
        required=False,
        empty_label=_("— new client (fill in below) —"),
    )
    first_name = forms.CharField(label=_("New client: first name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("New client: last name"), max_length=100, required=False)
    email = forms.EmailField(label=_("New client: email"), required=False)
    phone = PhoneNumberField(label=_("New client: phone"), required=False)
    notes = forms.CharField(
        label=_("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    field_order = [
        "location",
        "date",
        "time",
        "staff",
        "service",
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
        self.fields["client"].queryset = client_list(salon=salon)

    def clean_first_name(self) -> str:
        return self.cleaned_data["first_name"].strip()

    def clean_last_name(self) -> str:
        return self.cleaned_data["last_name"].strip()

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        no_client = cleaned.get("client") is None and "client" not in self.errors
        if no_client and not cleaned.get("first_name"):
            self.add_error(
                "client", _("Choose a client, or give the new client's first name below.")
            )
        cleaned["starts_at"] = self.starts_at_for(cleaned.get("location"))
        return cleaned

    @property
    def new_client_data(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name] for name in ("first_name", "last_name", "email", "phone")
        }


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
