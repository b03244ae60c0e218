from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from bookings.models import Client, Salon

CLIENT_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "notes",
    "marketing_consent",
    "preferred_channel",
]


def _verified_user_for(email: str) -> Any | None:
    from allauth.account.models import EmailAddress

    if not email:
        return None
    address = (
        EmailAddress.objects.filter(email__iexact=email, verified=True).select_related("user").first()
    )
    return address.user if address else None


def _apply(client: Client, data: dict[str, Any]) -> None:
    was_consenting = client.marketing_consent
    for name in CLIENT_FIELDS:
        if name in data:
            setattr(client, name, data[name])
    client.email = (client.email or "").strip().lower()
    if client.marketing_consent and not was_consenting:
        client.marketing_consent_at = timezone.now()
    elif not client.marketing_consent:
        client.marketing_consent_at = None


@transaction.atomic
def client_create(*, salon: Salon, **data: Any) -> Client:
    client = Client(salon=salon)
    _apply(client, data)
    client.user = _verified_user_for(client.email)
    client.full_clean()
    client.save()
    return client


@transaction.atomic
def client_update(*, client: Client, **data: Any) -> Client:
    old_email = client.email
    _apply(client, data)
    if client.email != old_email:
        # A changed address is no longer proof that the account holder is this client.
        client.user = _verified_user_for(client.email)
    client.full_clean()
    client.save()
    return client


@transaction.atomic
def clients_link_to_user(*, user: Any, email: str) -> int:
    """Link every salon's client records having this (verified) email to the account.

    Whatever was assigned to those records (packages, points, gift cards) hangs off the
    client row, so it becomes the account holder's at once. Returns how many were linked.
    """
    User = get_user_model()
    if not isinstance(user, User) or not email:
        return 0
    return (
        Client.objects.filter(email__iexact=email.strip(), user__isnull=True)
        .exclude(salon__in=Client.objects.filter(user=user).values("salon"))
        .update(user=user)
    )
