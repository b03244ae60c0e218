"""API tokens of an account: create, list, revoke (django-rest-knox, model `accounts.ApiToken`).

- A token is shown once, when it is created (`POST /api/v1/auth/token/` with email and
  password); the database keeps only its SHA-512 digest and first 15 characters, so a leaked
  database or backup leaks no live token.
- Each token expires `API_TOKEN_TTL_DAYS` (30) after it was created; an expired one is refused
  and deleted the next time it is shown. A user has at most `API_TOKEN_MAX_PER_USER` (20)
  live tokens: one more is refused until they revoke one.
- The user sees their tokens (label, client, created, expires, last used) on the account page
  (`/accounts/tokens/`) and in the API (`GET /api/v1/auth/tokens/`) and revokes one, or all.
  `POST /api/v1/auth/logout/` revokes the token the request was made with.
- Tokens of DRF's old `rest_framework.authtoken` (before django-rest-knox) are not carried
  over: they stop working, and integrations ask for a new token once.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.settings import knox_settings

from accounts.models import ApiToken, User

LABEL_MAX_LENGTH = 100
USER_AGENT_MAX_LENGTH = 255


def max_tokens_per_user() -> int:
    return int(getattr(settings, "API_TOKEN_MAX_PER_USER", 20))


def _live(queryset: QuerySet[ApiToken]) -> QuerySet[ApiToken]:
    return queryset.filter(Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()))


# --- Selectors ----------------------------------------------------------------------------


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """The user's live tokens, newest first."""
    return _live(ApiToken.objects.filter(user=user)).order_by("-created", "-id")


# --- Services -----------------------------------------------------------------------------


@transaction.atomic
def api_token_create(
    *, user: User, label: str = "", user_agent: str = "", ip: str = ""
) -> tuple[ApiToken, str]:
    """A new token for `user`: (the row, the token itself — shown once, never stored).

    ValidationError when the user already has `API_TOKEN_MAX_PER_USER` live tokens (the
    user row is locked, so two concurrent requests can't both pass the count)."""
    label = (label or "").strip()
    if "\x00" in label:  # PostgreSQL refuses NUL in text: a 400, not a DataError (a 500)
        raise ValidationError({"label": _("Null characters are not allowed.")})
    if len(label) > LABEL_MAX_LENGTH:
        raise ValidationError(
            {"label": _("At most %(limit)d characters.") % {"limit": LABEL_MAX_LENGTH}}
        )
    User.objects.select_for_update().filter(pk=user.pk).first()
    ApiToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    limit = max_tokens_per_user()
    if limit > 0 and ApiToken.objects.filter(user=user).count() >= limit:
        raise ValidationError(
            _(
                "This account already has %(limit)d API tokens. Revoke one on your account "
                "page, then ask again."
            )
            % {"limit": limit},
            code="too_many_tokens",
        )
    token, raw = ApiToken.objects.create(
        user=user,
        expiry=knox_settings.TOKEN_TTL,
        label=label,
        user_agent=(user_agent or "").replace("\x00", "")[:USER_AGENT_MAX_LENGTH],
        created_ip=(ip or "")[:64],
    )
    return token, raw


def api_token_revoke(*, user: User, token_id: int) -> bool:
    """Revoke one of the user's tokens; False when they have no such token (someone else's
    id is answered like an unknown one)."""
    deleted, _detail = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return bool(deleted)


def api_token_revoke_all(*, user: User) -> int:
    """Revoke every token of the user; returns how many."""
    deleted, _detail = ApiToken.objects.filter(user=user).delete()
    return deleted
