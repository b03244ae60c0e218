"""The language switcher's endpoint and the account page "Language".

`set_language` is Django's view (it sets the language cookie), and for a logged-in person
switching on a dashboard or account page it also stores the choice as their own dashboard
language (`User.language`), so it follows them to every device. On the public booking site
(/s/…) the choice stays in the cookie only: it is the language of that visit (and becomes a
client's preferred language when they book or manage a booking).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

PUBLIC_SITE_PREFIX = "/s/"


def _next_path(request: HttpRequest) -> str:
    return str(request.POST.get("next") or request.GET.get("next") or "")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    response = django_set_language(request)
    chosen = request.POST.get("language", "")
    if (
        request.user.is_authenticated
        and chosen in dict(settings.LANGUAGES)
        and not _next_path(request).startswith(PUBLIC_SITE_PREFIX)
        and getattr(request.user, "language", chosen) != chosen
    ):
        request.user.language = chosen  # type: ignore[union-attr]
        request.user.save(update_fields=["language"])  # type: ignore[union-attr]
    return response


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language of your dashboard"),
        choices=[("", gettext_lazy("The salon's language")), *settings.LANGUAGES],
        required=False,
        help_text=gettext_lazy(
            "Pages, menus, dates and amounts of the dashboard are shown in this language. "
            "Your clients get their notices in their own language."
        ),
    )


@login_required
def account_language(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST or None, initial={"language": request.user.language})
    if request.method == "POST" and form.is_valid():
        request.user.language = form.cleaned_data["language"]
        request.user.save(update_fields=["language"])
        if request.user.language:
            translation.activate(request.user.language)
        messages.success(request, _("Your language was saved."))
        response = redirect("account_language")
        if request.user.language:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, request.user.language)
        return response
    return render(request, "languages/account_language.html", {"form": form})
