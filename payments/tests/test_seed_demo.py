"""`manage.py seed_demo_payments`: after `seed_demo` and `seed_demo_loyalty`, the demo salon
takes payment at the salon (online card payments off, a refund policy set), has a handful
of visits recorded as paid at the salon and one refund — the Payments page shows them and
their totals; a second run creates nothing."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client as HttpClient

from bookings.models import Salon
from payments import selectors
from payments.models import (
    Order,
    OrderItem,
    Payment,
    PaymentSettings,
    Refund,
    RefundPolicy,
    ServicePayment,
)
from payments.services.settings import online_payments_available


def counts(salon: Salon) -> dict[str, int]:
    return {
        model.__name__: model.objects.for_salon(salon).count()
        for model in (Order, OrderItem, Payment, Refund, PaymentSettings, ServicePayment)
    }


def test_the_demo_records_paid_visits_and_a_refund_once(db, settings):
    # given
    settings.STRIPE_SECRET_KEY = ""
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo_loyalty", stdout=StringIO())
    # when
    out = StringIO()
    call_command("seed_demo_payments", stdout=out)
    salon = Salon.objects.get(slug="demo")
    first = counts(salon)
    again = StringIO()
    call_command("seed_demo_payments", stdout=again)
    # then: the second run changed nothing
    assert counts(salon) == first
    assert "already complete" in again.getvalue()
    assert first["Order"] == 5 and first["Payment"] == 5 and first["Refund"] == 1
    assert first["PaymentSettings"] == 1 and first["ServicePayment"] == 2
    assert "5 visits recorded as paid at the salon" in out.getvalue()
    # pay at the salon, a refund policy
    row = PaymentSettings.objects.get(salon=salon)
    assert row.online_payments_enabled is False
    assert row.refund_policy == RefundPolicy.DEPOSIT_KEPT
    assert not online_payments_available(salon)
    # the orders are completed visits, paid at the salon by the owner, at their price
    orders = list(Order.objects.for_salon(salon).select_related("appointment", "created_by"))
    for order in orders:
        assert order.provider == "pay_at_salon"
        assert order.appointment.status == "completed"
        assert order.total == order.appointment.price
        assert order.created_by.email == "owner@demo.salonbook.test"
    assert len({order.appointment_id for order in orders}) == 5
    refund = Refund.objects.for_salon(salon).get()
    assert (refund.amount, refund.status) == (Decimal("10.00"), Refund.Status.SUCCEEDED)
    assert refund.payment.order.status == Order.Status.PARTLY_REFUNDED
    # the Payments page's totals
    totals = selectors.order_totals(salon=salon)
    assert totals.count == 5
    assert totals.paid == sum((order.total for order in orders), Decimal("0.00"))
    assert totals.refunded == Decimal("10.00")
    assert totals.net == totals.paid - Decimal("10.00")
    http = HttpClient()
    http.force_login(get_user_model().objects.get(email="owner@demo.salonbook.test"))
    page = http.get("/dashboard/demo/payments/")
    assert page.status_code == 200
    assert page.content.decode().count('<tr id="order-') == 5


def test_without_past_visits_it_sets_up_payments_and_says_what_is_missing(db):
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("seed_demo_payments", stdout=out)
    salon = Salon.objects.get(slug="demo")
    assert PaymentSettings.objects.for_salon(salon).count() == 1
    assert Order.objects.for_salon(salon).count() == 0
    assert "seed_demo_loyalty" in out.getvalue()


def test_it_needs_the_demo_salon(db):
    with pytest.raises(CommandError):
        call_command("seed_demo_payments", stdout=StringIO())
