"""The client's pay page and return pages (thin: the rules are in payments/services).

- `/pay/<reference>/`: an online order waiting for payment → 303 to the provider's page (the
  checkout session is created once per payment; a second click reuses it); otherwise a page
  saying where the order stands (paid, paid at the salon, expired, cancelled, payment
  temporarily unavailable).
- `/pay/<reference>/done/`: the provider's success return: the order's state (the webhook
  may not have arrived yet: "we are confirming your payment").
- `/pay/<reference>/cancelled/`: the provider's cancel return: a pending order is cancelled
  and its held time released.

An unknown reference is a 404, never a 500. The reference is the order's unguessable public
id (payments/models.py `new_reference`); the pages show only that order.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from payments.models import Order
from payments.services import orders as order_services
from payments.services.webhooks import webhook_receive


class _SeeOther(HttpResponseRedirect):
    status_code = 303


def _order(reference: str) -> Order:
    order = order_services.order_for_reference(reference)
    if order is None:
        raise Http404
    return order


def _render(request: HttpRequest, order: Order, state: str, *, status: int = 200) -> HttpResponse:
    salon = order.salon
    items = list(order.items.filter(salon=salon))
    return render(
        request,
        "payments/public/order.html",
        {
            "salon": salon,
            "order": order,
            "items": items,
            "state": state,
            "pay_url": order_services.order_pay_path(order),
            "scope_query": "",
        },
        status=status,
    )


@never_cache
@require_GET
def pay(request: HttpRequest, reference: str) -> HttpResponse:
    order = _order(reference)
    start = order_services.payment_session_start(order=order)
    if start.state == "redirect":
        return _SeeOther(start.url)
    order.refresh_from_db()
    return _render(request, order, start.state, status=503 if start.state == "unavailable" else 200)


@never_cache
@require_GET
def done(request: HttpRequest, reference: str) -> HttpResponse:
    order = _order(reference)
    session_id = request.GET.get("session_id", "")
    return _render(request, order, order_services.order_return_state(order, session_id=session_id))


@never_cache
@require_GET
def cancelled(request: HttpRequest, reference: str) -> HttpResponse:
    order = _order(reference)
    if order.status == Order.Status.PENDING and order.provider != "pay_at_salon":
        try:
            order = order_services.order_cancel(salon=order.salon, order_id=order.pk)
        except ValidationError:
            # Paid meanwhile (the webhook came first): show what it is now.
            order.refresh_from_db()
    return _render(request, order, order_services.order_public_state(order))


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, provider: str) -> HttpResponse:
    """The provider's webhook: 400 for what fails verification, 200 once recorded."""
    status, outcome = webhook_receive(provider, request.body, dict(request.headers))
    return HttpResponse(outcome, status=status, content_type="text/plain")
