"""The owner's payment pages, `/dashboard/<salon_slug>/payments/…` (owners and managers only;
staff get 403 and do not see the section in the navigation).

- `payments/` — the salon's orders, newest first, paginated; filters (status, online or at
  the salon, what was bought, dates in the salon's time zone, client) and the totals of the
  filtered set (paid, refunded, net, count), computed by the database.
- `payments/<id>/` — one order: items, payments, refunds, the client and the booking;
  actions `…/mark-paid/`, `…/cancel/`, `…/refund/` (POST, with a confirmation in the page).
- `payments/record/` — "Record payment at the salon": one of today's or recent bookings
  nobody recorded as paid yet.
- `payments/settings/` — online card payments on/off, refund policy, hold minutes; and each
  service's prepayment (`payments/settings/services/<service_id>/`, POST).

Ids go through `tenant_get` (another salon's: 404). Writes go through `payments/services/`;
a refusal is shown on the form or as a message, and nothing is written.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from bookings.dashboard.forms import add_service_errors
from bookings.dashboard.mixins import SalonViewMixin
from bookings.models import Service
from bookings.selectors import tenant_get
from languages.formats import money as format_money
from payments import selectors
from payments.models import Order, Prepayment, ServicePayment
from payments.providers import online_provider, provider_for
from payments.services.settings import (
    payment_settings_for,
    payment_settings_update,
    service_payment_set,
)

from .forms import (
    OrderFilterForm,
    PaymentSettingsForm,
    RecordPaidForm,
    RefundForm,
    ServicePaymentForm,
    appointment_label,
)

ORDERS_PER_PAGE = 25


def provider_label(key: str) -> str:
    try:
        return str(provider_for(key).label)
    except KeyError:
        return key


class PaymentsViewMixin(SalonViewMixin):
    manage_required = True

    def url(self, name: str, **kwargs: Any) -> str:
        return reverse(f"dashboard:{name}", kwargs={"salon_slug": self.salon.slug, **kwargs})


class OrderListView(PaymentsViewMixin, TemplateView):
    template_name = "payments/dashboard/list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        form = OrderFilterForm(params or None)
        if form.is_bound:
            form.is_valid()
        filters = form.filters()
        paginator = Paginator(
            selectors.order_list(salon=self.salon, filters=filters), ORDERS_PER_PAGE
        )
        page = paginator.get_page(self.request.GET.get("page"))
        for order in page.object_list:
            order.provider_label = provider_label(order.provider)  # type: ignore[attr-defined]
        kept = {key: value for key, value in params.items() if value and key in form.fields}
        context.update(
            form=form,
            filtered=bool(kept),
            totals=selectors.order_totals(salon=self.salon, filters=filters),
            page_obj=page,
            page_query=urlencode(kept) + "&" if kept else "",
        )
        return context


def _order_context(order: Order, **forms_: Any) -> dict[str, Any]:
    refundable = selectors.order_refundable(order)
    at_salon = order.provider == selectors.PAY_AT_SALON
    appointment = order.appointment
    return {
        "booking_label": appointment_label(appointment) if appointment else "",
        "booking_date": (
            appointment.starts_at.astimezone(appointment.location.tzinfo).date()
            if appointment
            else None
        ),
        "order": order,
        "provider_label": provider_label(order.provider),
        "items": list(order.items.all()),
        "payments": [
            {
                "payment": payment,
                "label": provider_label(payment.provider),
                "refunds": list(payment.refunds.all()),
            }
            for payment in order.payments.all()
        ],
        "refundable": refundable,
        "refund_summary": selectors.order_refund_summary(order),
        "can_mark_paid": at_salon and order.status == Order.Status.PENDING,
        "can_cancel": order.status in (Order.Status.PENDING, Order.Status.FAILED),
        "can_refund": refundable > 0,
        "refund_form": forms_.get("refund_form")
        or RefundForm(initial={"amount": refundable, "token": RefundForm.new_token()}),
    }


class OrderDetailView(PaymentsViewMixin, TemplateView):
    template_name = "payments/dashboard/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        order = selectors.order_get(salon=self.salon, order_id=self.kwargs["pk"])
        context.update(_order_context(order))
        return context


class OrderActionView(PaymentsViewMixin, View):
    """POST: one action on an order, then back to its page with a message."""

    http_method_names = ["post"]
    success_message: Any = ""

    def act(self, order: Order) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        order = tenant_get(Order, salon=self.salon, pk=kwargs["pk"])
        try:
            self.act(order)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, self.success_message)
        return redirect(self.url("payment_detail", pk=order.pk))


class OrderMarkPaidView(OrderActionView):
    def act(self, order: Order) -> None:
        from payments.services.orders import order_mark_paid

        order_mark_paid(salon=self.salon, order_id=order.pk, actor=self.request.user)
        self.success_message = _("The order is marked paid.")


class OrderCancelView(OrderActionView):
    def act(self, order: Order) -> None:
        from payments.services.orders import order_cancel

        order_cancel(salon=self.salon, order_id=order.pk, actor=self.request.user)
        self.success_message = _("The order is cancelled.")


class OrderRefundView(PaymentsViewMixin, TemplateView):
    """POST the refund form; invalid input or a refused refund: the order's page again with
    the errors on the form, nothing refunded."""

    http_method_names = ["post"]
    template_name = "payments/dashboard/detail.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from payments.services.refunds import refund_create

        order = tenant_get(Order, salon=self.salon, pk=kwargs["pk"])
        form = RefundForm(request.POST)
        if form.is_valid():
            token = form.cleaned_data["token"]
            try:
                refunds = refund_create(
                    salon=self.salon,
                    order_id=order.pk,
                    amount=form.cleaned_data["amount"],
                    actor=request.user,
                    idempotency_prefix=f"dash-{token}" if token else None,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if refunds:
                    total = sum((refund.amount for refund in refunds), Decimal("0.00"))
                    message = _("Refunded %(amount)s.") % {"amount": _money(total, order.currency)}
                else:
                    message = _("This refund was already made.")
                messages.success(request, message)
                return redirect(self.url("payment_detail", pk=order.pk))
        order = selectors.order_get(salon=self.salon, order_id=order.pk)
        context = self.get_context_data(**kwargs)
        context.update(_order_context(order, refund_form=form))
        return TemplateResponse(request, self.template_name, context)


def _money(amount: Decimal, currency: str) -> str:
    return format_money(amount, currency)


class RecordPaidView(PaymentsViewMixin, TemplateView):
    """ "Record payment at the salon": a booking of today or the last days, and the amount
    (empty: the price minus what was paid online)."""

    template_name = "payments/dashboard/record.html"

    def build_form(self, data: Any = None) -> RecordPaidForm:
        return RecordPaidForm(
            data, appointments=selectors.appointments_to_record_paid(salon=self.salon)
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.build_form())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from payments.services.orders import appointment_record_paid_at_salon

        form = self.build_form(request.POST)
        if form.is_valid():
            try:
                order = appointment_record_paid_at_salon(
                    salon=self.salon,
                    appointment_id=form.cleaned_data["appointment"].pk,
                    amount=form.cleaned_data["amount"],
                    actor=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc, field_map={"appointment_id": "appointment"})
            else:
                messages.success(
                    request,
                    _("Recorded a payment of %(amount)s at the salon.")
                    % {"amount": _money(order.total, order.currency)},
                )
                return redirect(self.url("payment_detail", pk=order.pk))
        return self.render_to_response(self.get_context_data(form=form))


# --- Settings -------------------------------------------------------------------------------


def _provider_configured() -> bool:
    return online_provider() is not None


class PaymentSettingsView(PaymentsViewMixin, TemplateView):
    template_name = "payments/dashboard/settings.html"

    def settings_form(self, data: Any = None) -> PaymentSettingsForm:
        current = payment_settings_for(self.salon)
        return PaymentSettingsForm(
            data,
            provider_configured=_provider_configured(),
            initial={
                "online_payments_enabled": current.online_payments_enabled,
                "refund_policy": current.refund_policy,
                "hold_minutes": current.hold_minutes,
            },
        )

    def service_rows(self, bound: dict[int, ServicePaymentForm] | None = None) -> list[Any]:
        bound = bound or {}
        services = list(Service.objects.for_salon(self.salon).order_by("name", "id"))
        rules = {
            rule.service_id: rule
            for rule in ServicePayment.objects.for_salon(self.salon).filter(service__in=services)
        }
        rows = []
        for service in services:
            rule = rules.get(service.pk)
            form = bound.get(service.pk) or ServicePaymentForm(
                prefix=f"service-{service.pk}",
                initial={
                    "prepayment": rule.prepayment if rule else Prepayment.NONE,
                    "amount": rule.amount if rule else None,
                },
            )
            rows.append({"service": service, "rule": rule, "form": form})
        return rows

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.settings_form())
        context.setdefault("service_rows", self.service_rows())
        context["provider_configured"] = _provider_configured()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.settings_form(request.POST)
        if form.is_valid():
            try:
                payment_settings_update(salon=self.salon, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Payment settings saved."))
                return redirect(self.url("payment_settings"))
        return self.render_to_response(self.get_context_data(form=form))


class ServicePaymentSetView(PaymentSettingsView):
    """POST one row of the prepayment table."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        service = tenant_get(Service, salon=self.salon, pk=kwargs["service_id"])
        form = ServicePaymentForm(request.POST, prefix=f"service-{service.pk}")
        if form.is_valid():
            try:
                service_payment_set(
                    salon=self.salon,
                    service=service,
                    prepayment=form.cleaned_data["prepayment"],
                    amount=form.cleaned_data["amount"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Prepayment of “%(name)s” saved.") % {"name": service.name}
                )
                return redirect(self.url("payment_settings"))
        context = self.get_context_data(service_rows=self.service_rows({service.pk: form}))
        return self.render_to_response(context)
