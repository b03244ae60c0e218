"""When an account's email is verified, the client records with that email become its own."""

from typing import Any

from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed, user_logged_in
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from accounts.backends import login_identifier
from accounts.login_limits import login_failure_record
from bookings.services.clients import clients_link_to_user


@receiver(email_confirmed)
def link_clients_on_email_confirmed(
    sender: Any, request: Any, email_address: EmailAddress, **kwargs: Any
) -> None:
    clients_link_to_user(user=email_address.user, email=email_address.email)


@receiver(user_logged_in)
def link_clients_on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # Records an owner created after the account was verified are picked up at the next login.
    for address in EmailAddress.objects.filter(user=user, verified=True):
        clients_link_to_user(user=user, email=address.email)


@receiver(user_login_failed)
def count_failed_login(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    """Every failed authenticate() — allauth, admin, token endpoint — counts against the
    account (accounts/login_limits.py)."""
    login_failure_record(login_identifier(credentials))
