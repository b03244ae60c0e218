from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from bookings.models import Membership, Salon


@transaction.atomic
def salon_create(*, owner: AbstractBaseUser, slug: str, name: str, **fields: str) -> Salon:
    salon = Salon(slug=slug, name=name, **fields)
    salon.full_clean()
    salon.save()
    Membership.objects.create(salon=salon, user=owner, role=Membership.Role.OWNER)
    return salon


@transaction.atomic
def membership_set(*, salon: Salon, user: AbstractBaseUser, role: str) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        salon=salon, user=user, defaults={"role": role}
    )
    membership.full_clean()
    return membership
