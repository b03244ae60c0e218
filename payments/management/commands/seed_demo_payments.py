"""`manage.py seed_demo_payments`: the demo salon's payments, run after `seed_demo` and
`seed_demo_loyalty` (which writes the past, completed visits).

- Payment settings: online card payments stay off (the demo has no Stripe keys: clients pay
  at the salon), refund policy "refund, but the salon keeps the deposit", times held 15
  minutes while a client pays.
- Deposits on the two long colour services (Balayage: 40 EUR; Full colour: 30 %) — shown on
  the settings page; they only apply once online payments are switched on.
- A handful of the latest completed visits recorded as paid at the salon (through
  `appointment_record_paid_at_salon`, by the demo owner), and one of them partly refunded
  (`refund_create`) — so the Payments page shows orders, a refund and the totals.

Idempotent like the other demo commands: a second run creates nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bookings.models import Appointment, Salon, Service
from payments.models import (
    Order,
    PaymentSettings,
    Prepayment,
    Refund,
    RefundPolicy,
    ServicePayment,
)
from payments.providers.pay_at_salon import PAY_AT_SALON
from payments.services.orders import appointment_record_paid_at_salon
from payments.services.refunds import refund_create
from payments.services.settings import payment_settings_update, service_payment_set

SALON_SLUG = "demo"
OWNER_EMAIL = "owner@demo.salonbook.test"
HOLD_MINUTES = 15
PAID_AT_SALON = 5
REFUND_AMOUNT = Decimal("10.00")
DEPOSITS: list[tuple[str, str, Decimal]] = [
    ("Balayage", Prepayment.DEPOSIT_FIXED, Decimal("40.00")),
    ("Full colour", Prepayment.DEPOSIT_PERCENT, Decimal("30")),
]


def seed_settings(salon: Salon) -> bool:
    """Pay at the salon (online off) with a refund policy — once."""
    if PaymentSettings.objects.for_salon(salon).exists():
        return False
    payment_settings_update(
        salon=salon,
        online_payments_enabled=False,
        refund_policy=RefundPolicy.DEPOSIT_KEPT,
        hold_minutes=HOLD_MINUTES,
    )
    return True


def seed_deposits(salon: Salon) -> int:
    created = 0
    for name, prepayment, amount in DEPOSITS:
        service = Service.objects.for_salon(salon).filter(name=name).first()
        if (
            service is None
            or ServicePayment.objects.for_salon(salon).filter(service=service).exists()
        ):
            continue
        service_payment_set(salon=salon, service=service, prepayment=prepayment, amount=amount)
        created += 1
    return created


def _seeded_orders(salon: Salon) -> Any:
    """The orders this command records: paid at the salon, for a booking."""
    return Order.objects.for_salon(salon).filter(
        provider=PAY_AT_SALON, appointment__isnull=False, created_by__email__iexact=OWNER_EMAIL
    )


def seed_paid_at_salon(salon: Salon, owner: Any) -> list[Order]:
    """The latest completed, priced visits nobody recorded yet, up to `PAID_AT_SALON` in all."""
    missing = PAID_AT_SALON - _seeded_orders(salon).count()
    if missing <= 0:
        return []
    recorded = Order.objects.for_salon(salon).filter(provider=PAY_AT_SALON).values("appointment")
    visits = (
        Appointment.objects.for_salon(salon)
        .filter(status=Appointment.Status.COMPLETED, price__gt=0, client__isnull=False)
        .exclude(pk__in=recorded)
        .order_by("-starts_at", "-pk")[:missing]
    )
    return [
        appointment_record_paid_at_salon(
            salon=salon, appointment_id=visit.pk, amount=None, actor=owner
        )
        for visit in visits
    ]


def seed_refund(salon: Salon, owner: Any) -> Refund | None:
    """One partial refund of the oldest recorded visit (a goodwill gesture) — once."""
    if Refund.objects.for_salon(salon).exists():
        return None
    order = (
        _seeded_orders(salon)
        .filter(status=Order.Status.PAID, total__gt=REFUND_AMOUNT)
        .order_by("created_at", "pk")
        .first()
    )
    if order is None:
        return None
    refunds = refund_create(
        salon=salon,
        order_id=order.pk,
        amount=REFUND_AMOUNT,
        actor=owner,
        reason=Refund.Reason.SALON,
    )
    return refunds[0] if refunds else None


class Command(BaseCommand):
    help = (
        "Set up payments in the demo salon (pay at the salon, a refund policy, deposits) and "
        "record some visits as paid at the salon, one partly refunded."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        salon = Salon.objects.filter(slug=SALON_SLUG).first()
        if salon is None:
            raise CommandError("Run `manage.py seed_demo` first.")
        owner = get_user_model().objects.filter(email__iexact=OWNER_EMAIL).first()
        with transaction.atomic():
            settings = seed_settings(salon)
            deposits = seed_deposits(salon)
            orders = seed_paid_at_salon(salon, owner)
            refund = seed_refund(salon, owner)
        parts = []
        if settings:
            parts.append("pay at the salon (online card payments off), refund policy set")
        if deposits:
            parts.append(f"deposits on {deposits} services")
        if orders:
            parts.append(f"{len(orders)} visits recorded as paid at the salon")
        if refund is not None:
            parts.append(f"a refund of {refund.amount} {salon.currency}")
        self.stdout.write(
            self.style.SUCCESS("Demo payments: " + "; ".join(parts) + ".")
            if parts
            else "Demo payments are already complete; nothing created."
        )
        if not _seeded_orders(salon).exists():
            self.stdout.write(
                self.style.WARNING(
                    "No completed visits to record as paid: run `seed_demo_loyalty` first."
                )
            )
