"""The API's own log-in: API tokens of the calling account (accounts/tokens.py).

- `POST /api/v1/auth/token/` — email, password (and an optional `label`) → a new token and
  its expiry. The token is shown only here. Password guessing is limited per client address
  (the throttle below; salonbook/net.py reads the address) and per account from all addresses
  (accounts/login_limits.py: past the limit 429, even for the right password).
- `POST /api/v1/auth/logout/` — revokes the token the request was made with.
- `GET /api/v1/auth/tokens/` — the caller's live tokens (never the token itself).
- `DELETE /api/v1/auth/tokens/<id>/` — revoke one (another account's id is a 404).
- `POST /api/v1/auth/tokens/revoke-all/` — revoke every token of the caller.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import ApiTokenAuthentication
from accounts.login_limits import login_is_locked, login_lock_seconds_left
from accounts.models import ApiToken
from accounts.tokens import (
    LABEL_MAX_LENGTH,
    api_token_create,
    api_token_list,
    api_token_revoke,
    api_token_revoke_all,
)
from salonbook.net import client_ip
from salonbook.throttling import AnonRateThrottle


class TokenObtainThrottle(AnonRateThrottle):
    """Password guessing through the token endpoint is throttled per client address (read by
    salonbook/net.py: a forwarded header counts only when TRUSTED_PROXY_HEADER names it), and
    per account by accounts/login_limits.py."""

    scope = "token_obtain"
    rate = "10/minute"


class TokenObtainInputSerializer(serializers.Serializer):
    email = serializers.EmailField(label=_("Email"))
    password = serializers.CharField(
        label=_("Password"), style={"input_type": "password"}, trim_whitespace=False
    )
    label = serializers.CharField(
        label=_("Label"),
        help_text=_("What the token is for, e.g. the name of an integration (optional)."),
        max_length=LABEL_MAX_LENGTH,
        required=False,
        allow_blank=True,
    )


class TokenCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    token = serializers.CharField(help_text=_("Shown only once; send it as `Token <token>`."))
    expiry = serializers.DateTimeField()


class ApiTokenSerializer(serializers.ModelSerializer):
    client = serializers.CharField(source="user_agent")
    expires_at = serializers.DateTimeField(source="expiry", allow_null=True)
    created_at = serializers.DateTimeField(source="created")
    prefix = serializers.CharField(
        source="token_key", help_text=_("The first characters of the token.")
    )
    current = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = (
            "id", "label", "client", "prefix", "created_at", "expires_at", "last_used_at",
            "current",
        )  # fmt: skip

    def get_current(self, token: ApiToken) -> bool:
        """Is this the token the request was made with?"""
        auth = self.context.get("auth")
        return isinstance(auth, ApiToken) and auth.pk == token.pk


class TokenObtainApi(APIView):
    """Exchange an email and password for a new API token (verified emails only, like the
    site's login)."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenObtainThrottle]

    @extend_schema(
        tags=["auth"],
        operation_id="auth_token_create",
        request=TokenObtainInputSerializer,
        responses={200: TokenCreatedSerializer},
    )
    def post(self, request: Request) -> Response:
        from allauth.account.models import EmailAddress

        serializer = TokenObtainInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email = serializer.validated_data["email"].strip().lower()
        if login_is_locked(email):
            wait = login_lock_seconds_left(email)
            raise exceptions.Throttled(
                wait=wait,
                detail=_(
                    "Too many failed logins for this account. Please wait %(minutes)d "
                    "minutes and try again."
                )
                % {"minutes": max(1, (wait + 59) // 60)},
            )
        user = authenticate(
            request._request, email=email, password=serializer.validated_data["password"]
        )
        if user is None:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Unable to log in with provided credentials.")]}
            )
        if not EmailAddress.objects.filter(user=user, verified=True).exists():
            raise exceptions.ValidationError(
                {"email": [_("Confirm this email address before requesting a token.")]}
            )
        # Too many tokens: a ValidationError, a 400 (salonbook.api.exception_handler).
        token, raw = api_token_create(
            user=user,
            label=serializer.validated_data.get("label", ""),
            user_agent=request.headers.get("User-Agent", ""),
            ip=client_ip(request),
        )
        return Response({"id": token.pk, "token": raw, "expiry": token.expiry})


class _OwnTokensApi(APIView):
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]


class TokenLogoutApi(_OwnTokensApi):
    """Revoke the token this request is made with."""

    authentication_classes = [ApiTokenAuthentication]

    @extend_schema(tags=["auth"], operation_id="auth_logout", request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        api_token_revoke(user=request.user, token_id=request.auth.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListApi(_OwnTokensApi):
    """The caller's live API tokens, newest first (the tokens themselves are never shown)."""

    @extend_schema(
        tags=["auth"], operation_id="auth_tokens_list", responses=ApiTokenSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        tokens = api_token_list(user=request.user)
        context: dict[str, Any] = {"auth": request.auth}
        return Response(ApiTokenSerializer(tokens, many=True, context=context).data)


class TokenDetailApi(_OwnTokensApi):
    """Revoke one of the caller's API tokens."""

    @extend_schema(tags=["auth"], operation_id="auth_tokens_destroy", responses={204: None})
    def delete(self, request: Request, token_id: int) -> Response:
        if not api_token_revoke(user=request.user, token_id=token_id):
            raise exceptions.NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenRevokeAllApi(_OwnTokensApi):
    """Revoke every API token of the caller."""

    @extend_schema(
        tags=["auth"],
        operation_id="auth_tokens_revoke_all",
        request=None,
        responses=inline_serializer("ApiTokensRevoked", {"revoked": serializers.IntegerField()}),
    )
    def post(self, request: Request) -> Response:
        return Response({"revoked": api_token_revoke_all(user=request.user)})
