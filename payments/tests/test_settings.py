"""Payment settings and service prepayment rules (payments/services/settings.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from payments.models import PaymentSettings, Prepayment, RefundPolicy, ServicePayment
from payments.services.settings import (
    online_payments_available,
    payment_settings_for,
    payment_settings_update,
    prepayment_amount,
    service_payment_for,
    service_payment_set,
)
from tests.factories import ServiceFactory


def test_defaults_are_unsaved(salon):
    settings_row = payment_settings_for(salon)
    assert settings_row.pk is None and not settings_row.online_payments_enabled
    assert settings_row.hold_minutes == 10 and settings_row.refund_policy == RefundPolicy.FULL
    assert not online_payments_available(salon)


def test_enabling_needs_a_configured_provider(salon, settings):
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(ValidationError) as exc:
        payment_settings_update(
            salon=salon, online_payments_enabled=True, refund_policy="full", hold_minutes=10
        )
    assert "online_payments_enabled" in exc.value.message_dict
    assert not PaymentSettings.objects.exists()


def test_update_and_availability(salon, fake_stripe):
    row = payment_settings_update(
        salon=salon, online_payments_enabled=True, refund_policy="deposit_kept", hold_minutes=15
    )
    assert (row.online_payments_enabled, row.refund_policy, row.hold_minutes) == (
        True,
        "deposit_kept",
        15,
    )
    assert online_payments_available(salon)
    payment_settings_update(
        salon=salon, online_payments_enabled=False, refund_policy="none", hold_minutes=5
    )
    assert PaymentSettings.objects.count() == 1
    assert not online_payments_available(salon)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"refund_policy": "some"}, "refund_policy"),
        ({"hold_minutes": 4}, "hold_minutes"),
        ({"hold_minutes": 61}, "hold_minutes"),
        ({"hold_minutes": "x"}, "hold_minutes"),
        ({"hold_minutes": True}, "hold_minutes"),
    ],
)
def test_bad_settings_are_refused_per_field(salon, fake_stripe, kwargs, field):
    args = {"online_payments_enabled": False, "refund_policy": "full", "hold_minutes": 10}
    args.update(kwargs)
    with pytest.raises(ValidationError) as exc:
        payment_settings_update(salon=salon, **args)
    assert field in exc.value.message_dict
    assert not PaymentSettings.objects.exists()


def test_service_prepayment_rules_and_amounts(salon):
    service = ServiceFactory(salon=salon, price=Decimal("40.00"))
    assert service_payment_for(salon=salon, service=service).pk is None
    assert prepayment_amount(salon=salon, service=service, price=Decimal("40")) == 0
    cases = [
        (Prepayment.DEPOSIT_FIXED, Decimal("15"), Decimal("15.00")),
        (Prepayment.DEPOSIT_FIXED, Decimal("50"), Decimal("40.00")),  # never above the price
        (Prepayment.DEPOSIT_PERCENT, Decimal("12.5"), Decimal("5.00")),
        (Prepayment.FULL, None, Decimal("40.00")),
        (Prepayment.NONE, None, Decimal("0.00")),
    ]
    for prepayment, amount, expected in cases:
        service_payment_set(salon=salon, service=service, prepayment=prepayment, amount=amount)
        assert prepayment_amount(salon=salon, service=service, price=Decimal("40")) == expected
    assert ServicePayment.objects.count() == 1


@pytest.mark.parametrize(
    ("prepayment", "amount", "field"),
    [
        ("weird", None, "prepayment"),
        ("deposit_fixed", None, "amount"),
        ("deposit_fixed", Decimal("0"), "amount"),
        ("deposit_percent", Decimal("101"), "amount"),
        ("deposit_percent", "abc", "amount"),
    ],
)
def test_bad_prepayment_rules_are_refused(salon, prepayment, amount, field):
    service = ServiceFactory(salon=salon)
    with pytest.raises(ValidationError) as exc:
        service_payment_set(salon=salon, service=service, prepayment=prepayment, amount=amount)
    assert field in exc.value.message_dict
    assert not ServicePayment.objects.exists()


def test_another_salons_service_is_refused(salon, other_salon):
    service = ServiceFactory(salon=other_salon)
    with pytest.raises(ValidationError):
        service_payment_set(salon=salon, service=service, prepayment="full", amount=None)
