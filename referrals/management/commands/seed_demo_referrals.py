"""`manage.py seed_demo_referrals`: the demo salon's referral bonus, run after `seed_demo` and
`seed_demo_loyalty`.

- Referral settings: 100 points per referral, credited after the new client's first completed
  visit, with the thank-you SMS on.
- The demo client Mari Kask's personal referral link (printed), and one example: a new client,
  Liis Lepp, referred by Mari — her 100 points credited (one ledger row) and the thank-you SMS
  in the notices log.

Idempotent like the other seeds: a second run creates nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bookings.models import Client, Salon
from bookings.services.clients import client_create
from loyalty.selectors import loyalty_is_enabled
from referrals.models import ReferralSettings
from referrals.selectors import referral_active_for, referral_link
from referrals.services.codes import referral_code_get_or_create
from referrals.services.program import referral_settings_update
from referrals.services.referrals import referral_set

SALON_SLUG = "demo"
REFERRER_EMAIL = "mari.kask@example.com"
NEW_CLIENT = {
    "first_name": "Liis",
    "last_name": "Lepp",
    "email": "liis.lepp@example.com",
    "phone": "+372 5399 1122",
    "marketing_consent": True,
    "preferred_channel": "sms",
}


def seed_settings(salon: Salon) -> bool:
    if ReferralSettings.objects.for_salon(salon).exists():
        return False
    referral_settings_update(
        salon=salon,
        points=100,
        send_sms=True,
        award_on=ReferralSettings.AwardOn.FIRST_VISIT,
    )
    return True


def seed_example(salon: Salon, referrer: Client) -> bool:
    """Liis Lepp, new, referred by Mari: credited now (as the owner's "yes" does)."""
    new_client = Client.objects.for_salon(salon).filter(email=NEW_CLIENT["email"]).first()
    if new_client is None:
        new_client = client_create(salon=salon, **NEW_CLIENT)
    if referral_active_for(salon=salon, referred=new_client) is not None:
        return False
    referral_set(
        salon=salon,
        referred=new_client,
        referrer=referrer,
        actor=None,
        award=loyalty_is_enabled(salon=salon),
    )
    return True


class Command(BaseCommand):
    help = "Switch on the referral bonus in the demo salon, with an example referral."

    def handle(self, *args: Any, **options: Any) -> None:
        salon = Salon.objects.filter(slug=SALON_SLUG).first()
        if salon is None:
            raise CommandError("Run `manage.py seed_demo` first.")
        referrer = Client.objects.for_salon(salon).filter(email=REFERRER_EMAIL).first()
        if referrer is None:
            raise CommandError("Run `manage.py seed_demo` first (the demo client is missing).")
        with transaction.atomic():
            settings_created = seed_settings(salon)
            code = referral_code_get_or_create(salon=salon, client=referrer)
            example = seed_example(salon, referrer)
        parts = []
        if settings_created:
            parts.append("100 points per referral, thank-you SMS on")
        if example:
            parts.append(f"{NEW_CLIENT['first_name']} {NEW_CLIENT['last_name']} referred by Mari")
        self.stdout.write(
            self.style.SUCCESS("Demo referrals: " + "; ".join(parts) + ".")
            if parts
            else "Demo referrals are already complete; nothing created."
        )
        self.stdout.write(
            f"Mari Kask's referral link: {referral_link(salon=salon, code=code.code)}"
        )
