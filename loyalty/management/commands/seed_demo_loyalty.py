"""`manage.py seed_demo_loyalty`: the demo salon's loyalty system, run after `seed_demo`.

- Loyalty on (for two weeks already), every service earning points (about one per euro),
  three gift card types (two for points).
- A demo client account (Mari Kask) to log in to the booking site with, and two weeks of past
  visits of several clients, completed — so the award sweep credits their points at once: the
  command runs the sweep itself at the end (the worker's beat runs it every 2 minutes too).

Idempotent like `seed_demo`: a second run creates nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.services import user_create
from bookings.models import Appointment, Client, Salon, Service, StaffMember, WorkingHours
from loyalty.models import GiftCardType, LoyaltyProgram
from loyalty.services.award import points_award_due
from loyalty.services.gift_cards import gift_card_type_create
from loyalty.services.program import loyalty_program_update, service_points_set

SALON_SLUG = "demo"
CLIENT_EMAIL = "mari.kask@example.com"
CLIENT_PASSWORD = "demo-client-2026"
HISTORY_DAYS = 14

GIFT_CARD_TYPES: list[dict[str, Any]] = [
    {
        "name": "Gift card 10 EUR",
        "value": Decimal("10.00"),
        "for_points": True,
        "points_price": 100,
    },
    {
        "name": "Gift card 25 EUR",
        "value": Decimal("25.00"),
        "for_points": True,
        "points_price": 230,
    },
    {"name": "Gift card 50 EUR", "value": Decimal("50.00"), "for_points": False},
]


def seed_program(salon: Salon) -> bool:
    if LoyaltyProgram.objects.for_salon(salon).exists():
        return False
    loyalty_program_update(salon=salon, enabled=True, award_delay_minutes=180)
    # The demo has had loyalty for a while, so its past visits earn.
    LoyaltyProgram.objects.for_salon(salon).update(
        enabled_at=timezone.now() - dt.timedelta(days=HISTORY_DAYS + 1)
    )
    for service in Service.objects.for_salon(salon).filter(is_active=True):
        points = max(5, int(service.price.to_integral_value()))
        service_points_set(salon=salon, service=service, enabled=True, points=points)
    for data in GIFT_CARD_TYPES:
        if not GiftCardType.objects.for_salon(salon).filter(name=data["name"]).exists():
            gift_card_type_create(salon=salon, validity_days=365, **data)
    return True


def seed_client_account() -> bool:
    if get_user_model().objects.filter(email__iexact=CLIENT_EMAIL).exists():
        return False
    user_create(
        email=CLIENT_EMAIL,
        password=CLIENT_PASSWORD,
        first_name="Mari",
        last_name="Kask",
        email_verified=True,
    )
    return EmailAddress.objects.filter(email__iexact=CLIENT_EMAIL, verified=True).exists()


def seed_history(salon: Salon, *, now: dt.datetime) -> int:
    """Completed visits on the past days, one per staff member and day, inside their shifts
    (written directly: the booking rules rightly refuse booking the past)."""
    if (
        Appointment.objects.for_salon(salon)
        .filter(status=Appointment.Status.COMPLETED, ends_at__lt=now)
        .exists()
    ):
        return 0
    demo_client = Client.objects.for_salon(salon).filter(email=CLIENT_EMAIL).first()
    clients = list(Client.objects.for_salon(salon).order_by("pk")[:12])
    if demo_client is None or not clients:
        return 0
    tz = salon.tzinfo
    today = timezone.localdate(now, tz)
    created = 0
    staff_members = list(StaffMember.objects.for_salon(salon).filter(is_active=True).order_by("pk"))
    for offset in range(1, HISTORY_DAYS + 1):
        day = today - dt.timedelta(days=offset)
        for index, staff in enumerate(staff_members):
            shift = (
                WorkingHours.objects.for_salon(salon)
                .filter(staff=staff, weekday=day.weekday())
                .select_related("location")
                .order_by("starts")
                .first()
            )
            service = staff.services.filter(is_active=True).order_by("pk").first()
            if shift is None or service is None:
                continue
            starts_at = dt.datetime.combine(day, shift.starts, tzinfo=tz) + dt.timedelta(hours=1)
            ends_at = starts_at + dt.timedelta(minutes=service.duration_minutes)
            if ends_at.astimezone(tz).time() > shift.ends:
                continue
            # Mari comes every third day; the others take turns.
            client = (
                demo_client
                if offset % 3 == 1 and index == 0
                else clients[(offset + index) % len(clients)]
            )
            Appointment.objects.create(
                salon=salon,
                location=shift.location,
                staff=staff,
                service=service,
                client=client,
                starts_at=starts_at,
                ends_at=ends_at,
                block_starts_at=starts_at - dt.timedelta(minutes=service.buffer_before_minutes),
                block_ends_at=ends_at + dt.timedelta(minutes=service.buffer_after_minutes),
                status=Appointment.Status.COMPLETED,
                status_changed_at=ends_at,
                source=Appointment.Source.DASHBOARD,
                price=service.price,
            )
            created += 1
    return created


class Command(BaseCommand):
    help = "Switch on loyalty in the demo salon, with a client account and past visits."

    def handle(self, *args: Any, **options: Any) -> None:
        salon = Salon.objects.filter(slug=SALON_SLUG).first()
        if salon is None:
            raise CommandError("Run `manage.py seed_demo` first.")
        now = timezone.now()
        with transaction.atomic():
            program = seed_program(salon)
            account = seed_client_account()
            visits = seed_history(salon, now=now)
        awarded = points_award_due(now=now)
        parts = []
        if program:
            parts.append("loyalty switched on with service points and gift card types")
        if account:
            parts.append(f"client account {CLIENT_EMAIL}")
        if visits:
            parts.append(f"{visits} past visits")
        if awarded:
            parts.append(f"points credited for {awarded} visits")
        self.stdout.write(
            self.style.SUCCESS("Demo loyalty: " + "; ".join(parts) + ".")
            if parts
            else "Demo loyalty is already complete; nothing created."
        )
        self.stdout.write("Log in to the booking site as a client with:")
        self.stdout.write(f"  email:    {CLIENT_EMAIL}")
        self.stdout.write(f"  password: {CLIENT_PASSWORD}")
