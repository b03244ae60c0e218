"""Authentication backends: `LoginLimitBackend` refuses logins of an account locked by too
many failed attempts (accounts/login_limits.py). It is first in AUTHENTICATION_BACKENDS and
authenticates nobody itself; ModelBackend and allauth's backend check the password after it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.login_limits import login_is_locked


def login_identifier(credentials: dict[str, Any]) -> str:
    """The account a login is for: `email` (allauth, the token endpoint) or the username
    field (the admin's login form posts the email as `username`)."""
    username_field = get_user_model().USERNAME_FIELD
    for key in ("email", username_field, "username"):
        value = credentials.get(key)
        if value:
            return str(value)
    return ""


class LoginLimitBackend:
    """Deliberately not a BaseBackend: without `get_user` (or permission methods) it is never
    the backend a session is logged in with (`force_login`, `login()` pick the first backend
    that has `get_user`)."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        if login_is_locked(login_identifier(credentials)):
            # Stops django.contrib.auth.authenticate(): no later backend checks the password.
            raise PermissionDenied
        return None
