"""Forms of the segments pages; they check input shape only — the rules live in
segments/services/segments.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bookings.models import Salon, Service, StaffMember
from segments.selectors import segment_service_choices, segment_staff_choices


class ServiceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Service) -> str:
        if obj.visibility == Service.Visibility.SEGMENTS:
            return str(_("%(name)s (for segments only)") % {"name": obj.name})
        return obj.name


class StaffChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: StaffMember) -> str:
        if not obj.offered_online:
            return str(_("%(name)s (not offered online)") % {"name": obj.name})
        return obj.name


class SegmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        help_text=_("For the salon only, e.g. who gets the link."),
    )
    services = ServiceChoiceField(
        label=_("Services offered through the link"),
        queryset=Service.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Services for segments only are hidden from your booking site; clients book them "
            "through this link."
        ),
    )
    staff = StaffChoiceField(
        label=_("Staff the bookings go to"),
        queryset=StaffMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Optional. None chosen: the staff of your booking site. Staff not offered online "
            "can be chosen here too."
        ),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    embed_domains = forms.CharField(
        label=_("Websites that may embed it"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Optional: the addresses of your own websites, one a line (https://example.com). "
            "Empty: any website may embed this segment's booking."
        ),
    )

    def __init__(self, *args: Any, salon: Salon, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.salon = salon
        self.fields["services"].queryset = segment_service_choices(salon=salon)  # type: ignore[attr-defined]
        self.fields["staff"].queryset = segment_staff_choices(salon=salon)  # type: ignore[attr-defined]


class EmbedSettingsForm(forms.Form):
    embed_domains = forms.CharField(
        label=_("Websites that may embed your booking"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Optional: the addresses of your own websites, one a line (https://example.com). "
            "Empty: any website may embed your booking."
        ),
    )

    def __init__(self, *args: Any, salon: Salon, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.salon = salon
