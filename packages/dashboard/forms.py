"""Forms of the owner's package pages. They parse what was typed; the services in
`packages/services/` check the rules (and their messages are shown on these forms)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bookings.dashboard.forms import DATE_INPUT, TenantMultipleChoiceField
from bookings.models import Salon, Service
from bookings.validators import parse_id
from packages.models import PackageKind, PackageType, ValidityUnit

MAX_ID = 2**63 - 1

EXISTING = "existing"
NEW_ONLY = "new"


class PackageTypeForm(forms.Form):
    """A package type of one kind: the credit field for a credit package, the visits field for
    a visit package; the validity is required for a time pass."""

    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to clients on the booking site."),
    )
    price = forms.DecimalField(label=_("Price"), max_digits=10, decimal_places=2)
    credit = forms.DecimalField(
        label=_("Credit"),
        max_digits=10,
        decimal_places=2,
        help_text=_("Each booking takes its price from the credit."),
    )
    visits = forms.IntegerField(
        label=_("Number of visits"), help_text=_("Each booking takes one visit.")
    )
    validity_count = forms.IntegerField(
        label=_("Valid for"),
        required=False,
        help_text=_("Counted from the day it is assigned or bought. Empty: no expiry."),
    )
    validity_unit = forms.ChoiceField(
        label=_("Validity unit"),
        choices=[("", "—"), *ValidityUnit.choices],
        required=False,
    )
    services = TenantMultipleChoiceField(
        label=_("Services it covers"),
        queryset=Service.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the services the package covers.")},
    )
    offered_online = forms.BooleanField(
        label=_("Clients can buy it online"), required=False, initial=True
    )

    def __init__(
        self,
        *args: Any,
        salon: Salon,
        kind: str,
        instance: PackageType | None = None,
        **kwargs: Any,
    ) -> None:
        if instance is not None:
            kwargs["initial"] = {
                **{
                    "name": instance.name,
                    "description": instance.description,
                    "price": instance.price,
                    "credit": instance.credit,
                    "visits": instance.visits,
                    "validity_count": instance.validity_count,
                    "validity_unit": instance.validity_unit,
                    "services": list(instance.services.all()),
                    "offered_online": instance.offered_online,
                },
                **(kwargs.get("initial") or {}),
            }
        super().__init__(*args, **kwargs)
        self.salon = salon
        self.kind = kind
        self.instance = instance
        self.fields["price"].label = _("Price (%(currency)s)") % {"currency": salon.currency}
        if kind != PackageKind.CREDIT:
            del self.fields["credit"]
        else:
            self.fields["credit"].label = _("Credit (%(currency)s)") % {"currency": salon.currency}
        if kind != PackageKind.VISITS:
            del self.fields["visits"]
        if kind == PackageKind.TIME:
            self.fields["validity_count"].required = True
            self.fields["validity_count"].help_text = _(
                "The period it covers, from the day it is assigned or bought."
            )
            self.fields["validity_count"].error_messages["required"] = _(
                "A time pass needs a validity: the period it covers."
            )
        services = self.fields["services"]
        services.queryset = Service.objects.for_salon(salon).filter(is_active=True)  # type: ignore[attr-defined]
        if instance is not None:
            # Services switched off later stay chosen (and listed) on the type they belong to.
            services.queryset = Service.objects.for_salon(salon).filter(  # type: ignore[attr-defined]
                pk__in=[s.pk for s in services.queryset] + [s.pk for s in instance.services.all()]  # type: ignore[attr-defined]
            )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        same = PackageType.objects.for_salon(self.salon).filter(name__iexact=name)
        if self.instance is not None:
            same = same.exclude(pk=self.instance.pk)
        if name and same.exists():
            raise ValidationError(_("A package with this name already exists."), code="duplicate")
        return name

    def service_data(self) -> dict[str, Any]:
        """What the services take: the type's fields and its services."""
        data = dict(self.cleaned_data)
        data["validity_unit"] = data.get("validity_unit") or ""
        if data.get("validity_count") is None:
            data["validity_unit"] = ""
        return data


class PackageTypeChoiceField(forms.ModelChoiceField):
    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.strip().isdigit() and parse_id(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)

    def label_from_instance(self, obj: PackageType) -> str:
        return f"{obj.get_kind_display()}: {obj.name}"


class ClientPackageAssignForm(forms.Form):
    """ "Add package" on a client's page. Shown among other apps' panels: its own ids."""

    package_type = PackageTypeChoiceField(
        label=_("Package"),
        queryset=PackageType.objects.none(),
        empty_label=None,
        error_messages={
            "invalid_choice": _("Choose one of the active packages of this salon."),
        },
    )
    expires_on = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Empty: as long as the package's validity (or no expiry)."),
    )
    apply_to = forms.ChoiceField(
        label=_("Use it for"),
        choices=[
            (NEW_ONLY, _("Only new bookings")),
            (EXISTING, _("Bookings already made too")),
        ],
        initial=NEW_ONLY,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, package_types: QuerySet[PackageType], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "packages-assign-%s")
        super().__init__(*args, **kwargs)
        self.fields["package_type"].queryset = package_types  # type: ignore[attr-defined]


class MarkPaidForm(forms.Form):
    apply_to_existing = forms.BooleanField(
        label=_("Use it for the bookings already made too"), required=False
    )
