"""The account's pages outside allauth's own: the API tokens page (`/accounts/tokens/`)."""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.tokens import (
    LABEL_MAX_LENGTH,
    api_token_create,
    api_token_list,
    api_token_revoke,
    api_token_revoke_all,
)
from salonbook.net import client_ip


def _creating(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get("action") == "create"


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@reauthentication_required(enabled=_creating)
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The user's API tokens with revoke buttons; "revoke all"; a new token (after confirming
    the password if the last login was a while ago), shown once on the answer to the POST."""
    user = request.user
    new_token = ""
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "revoke":
            try:
                token_id = int(request.POST.get("token", ""))
            except ValueError:
                token_id = 0
            if api_token_revoke(user=user, token_id=token_id):
                messages.success(request, _("The token was revoked."))
            else:
                messages.error(request, _("That token does not exist (any more)."))
            return redirect("account_api_tokens")
        if action == "revoke_all":
            count = api_token_revoke_all(user=user)
            messages.success(
                request,
                ngettext("%(count)d token was revoked.", "%(count)d tokens were revoked.", count)
                % {"count": count},
            )
            return redirect("account_api_tokens")
        if action == "create":
            try:
                _token, new_token = api_token_create(
                    user=user,
                    label=request.POST.get("label", ""),
                    user_agent=_("Created on the account page"),
                    ip=client_ip(request),
                )
            except ValidationError as exc:
                errors = exc.messages
                status = 400
        else:
            errors = [_("Unknown action.")]
            status = 400
    return render(
        request,
        "account/api_tokens.html",
        {
            "tokens": list(api_token_list(user=user)),
            "new_token": new_token,
            "errors": errors,
            "label_max_length": LABEL_MAX_LENGTH,
        },
        status=status,
    )
