"""Writes of accounts that do not go through allauth's own forms (seeding, admin tooling)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction

from bookings.services.clients import clients_link_to_user

from .models import User


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    email_verified: bool = False,
) -> User:
    """Create an account and its allauth address (primary).

    A verified address is proof of ownership, so the salons' client records with that email
    are linked at once, as they would be on confirming the address through allauth.
    """
    UserModel = get_user_model()
    user = UserModel(email=email.strip().lower(), first_name=first_name, last_name=last_name)
    user.set_password(password)
    user.full_clean()
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    if email_verified:
        clients_link_to_user(user=user, email=user.email)
    return user
