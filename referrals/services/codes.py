"""Every client's personal referral code, made the first time it is shown."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from bookings.models import Client, Salon
from referrals.codes import code_generate
from referrals.models import ReferralCode

MAX_ATTEMPTS = 10


def referral_code_get_or_create(*, salon: Salon, client: Client) -> ReferralCode:
    """The client's code, created on first use. Safe when two requests ask at once (the unique
    (salon, client) constraint keeps one; the loser reads it) and against a code collision
    (another random code is tried)."""
    if client.salon_id != salon.pk:
        raise ValueError("The client belongs to another salon.")
    existing = ReferralCode.objects.for_salon(salon).filter(client=client).first()
    if existing is not None:
        return existing
    for _attempt in range(MAX_ATTEMPTS):
        try:
            with transaction.atomic():
                return ReferralCode.objects.create(salon=salon, client=client, code=code_generate())
        except IntegrityError:
            existing = ReferralCode.objects.for_salon(salon).filter(client=client).first()
            if existing is not None:
                return existing
            # Else the random code was taken by another client: try another one.
    raise RuntimeError("Could not find a free referral code.")
