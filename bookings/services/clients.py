from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings.models import Client, Salon

from .common import validate_row

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
        EmailAddress.objects.filter(email__iexact=email, verified=True)
        .select_related("user")
        .first()
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
    validate_row(client)
    client.save()
    return client


@transaction.atomic
def client_update(*, client: Client, **data: Any) -> Client:
    old_email = client.email
    _apply(client, data)
    if client.email != old_email:
        # A changed address is no longer proof that the account holder is this client.
        client.user = _verified_user_for(client.email)
    validate_row(client)
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


BOOKING_FILLABLE_FIELDS = ("first_name", "last_name", "email", "phone")


def client_find_for_booking(*, salon: Salon, user: Any, email: str) -> Client | None:
    """The salon's client a booking belongs to: the account's linked client, else the client
    with this email (case-insensitive). None when the booking will create a new client."""
    qs = Client.objects.for_salon(salon)
    if user is not None and getattr(user, "is_authenticated", False):
        linked = qs.filter(user=user).first()
        if linked is not None:
            return linked
    email = (email or "").strip()
    if not email:
        return None
    return qs.filter(email__iexact=email).order_by("pk").first()


@transaction.atomic
def client_for_booking(
    *,
    salon: Salon,
    user: Any,
    first_name: str,
    last_name: str,
    email: str,
    phone: Any,
    marketing_consent: bool,
) -> Client:
    """The client of an online booking, found or created.

    An existing client (linked to the account, or with this email) keeps what the salon
    recorded: only blank fields are filled from the booking form. Marketing consent is only
    ever given here (with its timestamp), never withdrawn by an unticked box. A logged-in
    person whose account has no client in this salon yet is linked to the one they book as,
    unless that client already belongs to another account.
    """
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    email = (email or "").strip().lower()
    other_account = ValidationError(
        {
            "email": _(
                "This email address belongs to another account. Log in with it, or use your "
                "own address."
            )
        }
    )
    client = client_find_for_booking(salon=salon, user=user, email=email)
    if client is None:
        if authenticated and _verified_user_for(email) not in (None, user):
            raise other_account
        try:
            with transaction.atomic():
                client = client_create(
                    salon=salon,
                    first_name=first_name,
                    last_name=last_name,
                    email=email,
                    phone=phone or "",
                    marketing_consent=bool(marketing_consent),
                )
        except (IntegrityError, ValidationError):
            # A concurrent booking may have created this email's client a moment ago: use it.
            client = client_find_for_booking(salon=salon, user=None, email=email)
            if client is None:
                raise
            return client
        if authenticated and client.user_id is None:
            client.user = user
            validate_row(client)
            client.save(update_fields=["user", "updated_at"])
        return client

    if authenticated and client.user_id not in (None, user.pk):
        raise other_account
    changed: list[str] = []
    values = {"first_name": first_name, "last_name": last_name, "email": email, "phone": phone}
    for name in BOOKING_FILLABLE_FIELDS:
        if getattr(client, name) or not values[name]:
            continue
        if name == "email" and Client.objects.for_salon(salon).filter(email__iexact=email).exists():
            continue  # another client of the salon has it; the owner sorts that out
        setattr(client, name, values[name])
        changed.append(name)
    if marketing_consent and not client.marketing_consent:
        client.marketing_consent = True
        client.marketing_consent_at = timezone.now()
        changed += ["marketing_consent", "marketing_consent_at"]
    # Only the address the account holder proved is theirs links an existing record (and with
    # it whatever the salon assigned to it).
    if (
        authenticated
        and client.user_id is None
        and _verified_user_for(client.email) == user
        and not Client.objects.for_salon(salon).filter(user=user).exists()
    ):
        client.user = user
        changed.append("user")
    if changed:
        validate_row(client)
        client.save(update_fields=[*changed, "updated_at"])
    return client
