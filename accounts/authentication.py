"""`Authorization: Token <token>` for the API, with django-rest-knox tokens (accounts/tokens.py).

knox stores only a digest of each token and refuses (and deletes) expired ones. On top of it
this class records when a token was last used — at most once a minute per token, so a busy
integration does not write on every request.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from rest_framework import exceptions

LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        # Our tokens are hex. knox decodes the header as UTF-8 and looks its prefix up: a
        # Latin-1 byte (UnicodeDecodeError) or a NUL (PostgreSQL refuses it) would be a 500.
        try:
            text = token.decode("ascii")
        except UnicodeDecodeError:
            text = ""
        if not text.isprintable() or not text:
            raise exceptions.AuthenticationFailed()
        return super().authenticate_credentials(token)

    def validate_user(self, auth_token: Any) -> tuple[Any, Any]:
        user, token = super().validate_user(auth_token)
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            type(token).objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return user, token


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token scheme in the OpenAPI schema: `Authorization: Token <token>`."""

    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix=self.target.authenticate_header(None),
        )
