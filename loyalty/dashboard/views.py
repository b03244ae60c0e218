"""The owner's loyalty pages: settings (the switch, the delay, the points of each service), gift
card types, issued gift cards with their ledger, issuing a card, and the manual points
adjustment posted from the client page's panel (loyalty/dashboard/panels.py).

Every member of the salon may read these pages; writes need an owner or manager (staff: 403).
Ids in URLs go through `tenant_get` (another salon's: 404). Writes go through
`loyalty/services/`; a service's ValidationError is shown on the form and nothing is written."""

from __future__ import annotations

import zoneinfo
from functools import cached_property
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from bookings import selectors as booking_selectors
from bookings.dashboard.forms import add_service_errors
from bookings.dashboard.mixins import SalonViewMixin
from bookings.dashboard.views import (
    ClientDetailView,
    DetailAddView,
    SalonFormView,
    SalonObjectFormView,
)
from bookings.models import Client
from bookings.selectors import tenant_get
from bookings.validators import parse_id
from loyalty import selectors
from loyalty.codes import code_display
from loyalty.models import GiftCard, GiftCardType
from loyalty.notice_kinds import POINTS_ADJUSTED, POINTS_CREDITED
from loyalty.services.gift_cards import (
    gift_card_issue,
    gift_card_type_create,
    gift_card_type_update,
    gift_card_valid_until,
)
from loyalty.services.points import points_adjust
from loyalty.services.program import loyalty_program_update, service_points_set
from notices.registry import Channel

from .forms import (
    CLIENTS_SHOWN,
    GiftCardIssueForm,
    GiftCardTypeForm,
    LoyaltySettingsForm,
    PointsAdjustForm,
    ServiceChange,
    minutes_to_hours,
)

GIFT_CARDS_PER_PAGE = 25
MAX_SEARCH_LENGTH = 64
# The bound adjustment form travels to the client page's panel on the request.
ADJUST_FORM_ATTR = "loyalty_points_adjust_form"


def _search_param(request: HttpRequest, name: str = "q") -> str:
    # PostgreSQL refuses NUL characters in a query parameter (a 500); nobody types them.
    return request.GET.get(name, "").replace("\x00", "").strip()[:MAX_SEARCH_LENGTH]


def _is_htmx_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def gift_card_row(card: GiftCard, *, show_code: bool, now: Any = None) -> dict[str, Any]:
    """A card as the dashboard shows it: owners and managers see the whole code, staff the last
    four characters; "valid until" is the last valid day in the salon's time zone."""
    now = now or timezone.now()
    if card.is_expired(now):
        status, status_label = "expired", _("Expired")
    elif card.balance <= 0:
        status, status_label = "used_up", _("Used up")
    else:
        status, status_label = "active", _("Valid")
    return {
        "card": card,
        "code": code_display(card.code) if show_code else card.masked_code,
        "type_name": card.card_type.name if card.card_type else card.name,
        "valid_until": gift_card_valid_until(card),
        "status": status,
        "status_label": status_label,
    }


class LoyaltyPageMixin(SalonViewMixin):
    """Readable by every member; the tabs of the loyalty section in the context."""

    manage_required = False
    loyalty_tab = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["loyalty_tab"] = self.loyalty_tab
        return context


# --- Settings ---------------------------------------------------------------------------


class _RowError(Exception):
    def __init__(self, field: str, error: ValidationError) -> None:
        super().__init__(field)
        self.field, self.error = field, error


def loyalty_settings_save(
    *, form: LoyaltySettingsForm, salon: Any, changes: list[ServiceChange]
) -> None:
    """The program and the changed service rows in one transaction: all or nothing."""
    with transaction.atomic():
        loyalty_program_update(
            salon=salon,
            enabled=form.cleaned_data["enabled"],
            award_delay_minutes=form.award_delay_minutes,
        )
        for change in changes:
            try:
                service_points_set(
                    salon=salon,
                    service=change.row.service,
                    enabled=change.enabled,
                    points=change.points,
                )
            except ValidationError as exc:
                raise _RowError(change.row.points_name, exc) from exc


class LoyaltySettingsView(LoyaltyPageMixin, FormView):
    template_name = "loyalty/dashboard/settings.html"
    form_class = LoyaltySettingsForm
    loyalty_tab = "settings"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.membership.can_manage:
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    @cached_property
    def program(self) -> Any:
        return selectors.loyalty_program_get(salon=self.salon)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["program"] = self.program
        kwargs["rows"] = selectors.service_points_list(salon=self.salon)
        kwargs["read_only"] = not self.membership.can_manage
        return kwargs

    def form_valid(self, form: LoyaltySettingsForm) -> HttpResponse:  # type: ignore[override]
        try:
            loyalty_settings_save(form=form, salon=self.salon, changes=form.service_changes())
        except _RowError as exc:
            add_service_errors(form, exc.error, {"points": exc.field, "enabled": exc.field})
            return self.form_invalid(form)
        except ValidationError as exc:
            add_service_errors(form, exc, {"award_delay_minutes": "award_delay_hours"})
            return self.form_invalid(form)
        messages.success(self.request, _("Loyalty settings saved."))
        return HttpResponseRedirect(self.request.path)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        program = self.program
        context["program"] = program
        context["delay_hours"] = minutes_to_hours(program.award_delay_minutes)
        context["notice_links"] = [
            {
                "label": kind.label,
                "links": [
                    {
                        "label": channel.label,
                        "url": reverse(
                            "dashboard:notice_template_edit",
                            kwargs={
                                "salon_slug": self.salon.slug,
                                "kind": kind.key,
                                "channel": channel.value,
                            },
                        ),
                    }
                    for channel in Channel
                ],
            }
            for kind in (POINTS_CREDITED, POINTS_ADJUSTED)
        ]
        return context


# --- Gift card types --------------------------------------------------------------------


class GiftCardTypeListView(LoyaltyPageMixin, TemplateView):
    template_name = "loyalty/dashboard/gift_card_types.html"
    loyalty_tab = "types"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["card_types"] = selectors.gift_card_type_list(salon=self.salon)
        return context


class GiftCardTypeCreateView(SalonFormView):
    form_class = GiftCardTypeForm
    page_title = gettext_lazy("New gift card type")
    success_message = gettext_lazy("Gift card type saved.")
    cancel_url_name = "dashboard:loyalty_gift_card_type_list"

    def perform_write(self, form: forms.Form) -> Model:
        return gift_card_type_create(salon=self.salon, **form.cleaned_data)


class GiftCardTypeEditView(SalonObjectFormView):
    model = GiftCardType
    form_class = GiftCardTypeForm
    page_title = gettext_lazy("Edit gift card type")
    success_message = gettext_lazy("Gift card type saved.")
    cancel_url_name = "dashboard:loyalty_gift_card_type_list"

    def perform_write(self, form: forms.Form) -> Model:
        return gift_card_type_update(gift_card_type=self.object, **form.cleaned_data)


# --- Issued gift cards ------------------------------------------------------------------


class GiftCardListView(LoyaltyPageMixin, TemplateView):
    """Search (code or client) and pages. An htmx request (live search, page links) gets only
    the results."""

    template_name = "loyalty/dashboard/gift_cards.html"
    results_template_name = "loyalty/dashboard/_gift_card_results.html"
    loyalty_tab = "cards"

    def get_template_names(self) -> list[str]:
        partial = _is_htmx_partial(self.request)
        return [self.results_template_name if partial else self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = _search_param(self.request)
        cards = selectors.gift_card_search_list(salon=self.salon, search=query)
        page = Paginator(cards, GIFT_CARDS_PER_PAGE).get_page(self.request.GET.get("page"))
        show_code = self.membership.can_manage
        now = timezone.now()
        context["query"] = query
        context["page_obj"] = page
        context["rows"] = [gift_card_row(card, show_code=show_code, now=now) for card in page]
        return context

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        patch_vary_headers(response, ["HX-Request"])
        return response


class GiftCardDetailView(LoyaltyPageMixin, TemplateView):
    template_name = "loyalty/dashboard/gift_card_detail.html"
    loyalty_tab = "cards"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        queryset = GiftCard.objects.select_related("client", "card_type", "salon", "created_by")
        card = tenant_get(GiftCard, salon=self.salon, pk=self.kwargs["pk"], queryset=queryset)
        tz = zoneinfo.ZoneInfo(self.salon.time_zone)
        entries = []
        for entry in selectors.gift_card_entries(salon=self.salon, gift_card=card):
            appointment = entry.appointment
            entries.append(
                {
                    "entry": entry,
                    "service": appointment.service.name if appointment else "",
                    "visit_at": appointment.starts_at.astimezone(tz) if appointment else None,
                }
            )
        context["row"] = gift_card_row(card, show_code=self.membership.can_manage)
        context["card"] = card
        context["entries"] = entries
        return context


class GiftCardIssueView(SalonFormView):
    """Issue a card of one of the offered types, to one of the salon's clients or to nobody in
    particular. The client select lists the clients matching the search field (`q`); an htmx
    search swaps only the select."""

    form_class = GiftCardIssueForm
    template_name = "loyalty/dashboard/gift_card_issue.html"
    client_field_template_name = "loyalty/dashboard/_issue_client_field.html"
    page_title = gettext_lazy("Issue a gift card")
    success_message = gettext_lazy("Gift card issued.")
    cancel_url_name = "dashboard:loyalty_gift_card_list"

    def get_template_names(self) -> list[str]:
        if self.request.method == "GET" and _is_htmx_partial(self.request):
            return [self.client_field_template_name]
        return [self.template_name]

    def _preselected_client(self) -> Client | None:
        raw = self.request.POST.get("client") or self.request.GET.get("client") or ""
        if parse_id(raw) is None:
            return None
        return Client.objects.for_salon(self.salon).filter(pk=raw).first()

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        initial["client"] = self._preselected_client()
        return initial

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        search = _search_param(self.request)
        shown = list(booking_selectors.client_list(salon=self.salon, search=search)[:CLIENTS_SHOWN])
        chosen = self._preselected_client()
        if chosen is not None and chosen not in shown:
            shown.insert(0, chosen)
        kwargs["card_types"] = selectors.gift_card_type_list(salon=self.salon).filter(
            is_active=True
        )
        kwargs["clients"] = booking_selectors.client_list(salon=self.salon)
        kwargs["shown_clients"] = shown
        return kwargs

    def perform_write(self, form: forms.Form) -> Model:
        return gift_card_issue(
            salon=self.salon,
            card_type=form.cleaned_data["card_type"],
            client=form.cleaned_data["client"],
            actor=self.request.user,
        )

    def get_success_url_for(self, obj: Model) -> str:
        return self.url("dashboard:loyalty_gift_card_detail", pk=obj.pk)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["query"] = _search_param(self.request)
        context["loyalty_tab"] = "cards"
        return context

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        patch_vary_headers(response, ["HX-Request"])
        return response


# --- Points: the manual adjustment from the client page ---------------------------------


class PointsAdjustView(DetailAddView, ClientDetailView):
    """POST target of the client page's points panel. Valid: `points_adjust` writes the ledger
    row and we go back to the client page. Invalid (zero, no description, taking more than the
    balance, …): the client page again, the panel's form showing the errors, nothing written."""

    form_context_name = "points_adjust_form"

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.kwargs["pk"] = kwargs["client_id"]  # what the client page reads

    @cached_property
    def client(self) -> Client:
        return tenant_get(Client, salon=self.salon, pk=self.kwargs["client_id"])

    def detail_url(self) -> str:
        return reverse(
            "dashboard:client_detail", kwargs={"salon_slug": self.salon.slug, "pk": self.client.pk}
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.client  # noqa: B018 - another salon's client: 404 before reading the input
        return super().post(request, *args, **kwargs)

    def build_form(self, **kwargs: Any) -> forms.Form:
        form = PointsAdjustForm(**kwargs)
        setattr(self.request, ADJUST_FORM_ATTR, form)
        return form

    def perform_write(self, form: forms.Form) -> Any:
        entry = points_adjust(
            salon=self.salon,
            client=self.client,
            points=form.cleaned_data["points"],
            description=form.cleaned_data["description"],
            actor=self.request.user,
        )
        self.success_message = _("%(points)+d points: the balance is now %(balance)d.") % {
            "points": entry.points,
            "balance": selectors.points_balance(salon=self.salon, client=self.client),
        }
        return entry
