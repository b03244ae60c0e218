"""A deliberately tiny template language for notice texts that salon owners edit.

The only syntax is a placeholder, `{{ name }}` or `{{ client.first_name }}`. There are no tags,
no filters and no attribute access beyond the names a kind declares, so an owner's text can
never run code or read data it was not given. Django's template engine is not used on owner
text for exactly that reason.

`validate_template` is called when a template is saved (errors are ValidationErrors shown on the
form); `render` never raises for the text itself: a value that is missing renders as "".

Language: a notice is written in its recipient's language — `recipient_language` decides it
(an explicit language, else the client's preferred language, else the salon's default). The
salon's own text in that language is used where the owner wrote one, else our default
translated into it (`notices.selectors.notice_content_get(..., language=…)`); `rendering_in`
wraps the whole rendering so dates, numbers and money in the context come out in that
language too (`languages.formats.money`).
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


def supported_language(code: str | None) -> str | None:
    """`code` if SalonBook speaks it (a variant like "de-at" gives "de"), else None."""
    if not code:
        return None
    languages = dict(settings.LANGUAGES)
    if code in languages:
        return code
    try:
        variant = translation.get_supported_language_variant(code)
    except LookupError:
        return None
    return variant if variant in languages else None


def recipient_language(*, salon: Any, client: Any = None, language: str | None = None) -> str:
    """The language a notice to `client` (or to an address of `salon`) is written in: an
    explicit `language` (a user's own: staff and owners get the salon's notices in their
    `User.language` — onboarding/salon_notices.py, bookings/passcodes.py,
    onboarding/invitations.py), else the client's preferred language, else the salon's
    default language, else the site's."""
    for candidate in (
        language,
        getattr(client, "preferred_language", "") if client is not None else "",
        getattr(salon, "default_language", ""),
    ):
        chosen = supported_language(candidate)
        if chosen:
            return chosen
    return settings.LANGUAGE_CODE


@contextlib.contextmanager
def rendering_in(language: str) -> Iterator[None]:
    """Render a notice (texts, lazy strings, dates, numbers) in `language`."""
    with translation.override(language):
        yield


_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*$")
# Anything that looks like template syntax outside a well-formed placeholder is an error, so a
# text never silently shows "{% … %}" or half a placeholder to a client.
_STRAY = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")


@dataclass(frozen=True)
class Placeholder:
    name: str


Part = str | Placeholder


def parse(text: str) -> list[Part]:
    """Split `text` into literal strings and placeholders; ValidationError on bad syntax."""
    parts: list[Part] = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        _check_literal(text[position : match.start()])
        name = match.group(1).strip()
        if not _NAME.match(name):
            raise ValidationError(
                _(
                    "“%(placeholder)s” is not a valid placeholder. Write a variable name from "
                    "the list between double braces, for example {{ salon_name }}; filters "
                    "and tags are not supported."
                ),
                code="template_syntax",
                params={"placeholder": match.group(0)},
            )
        if position < match.start():
            parts.append(text[position : match.start()])
        parts.append(Placeholder(name))
        position = match.end()
    _check_literal(text[position:])
    if position < len(text):
        parts.append(text[position:])
    return parts


def _check_literal(literal: str) -> None:
    stray = _STRAY.search(literal)
    if stray is None:
        return
    if stray.group(0) in ("{%", "%}", "{#", "#}"):
        message = _("Template tags and comments (“%(token)s”) are not allowed.")
    else:
        message = _("“%(token)s” has no matching brace; placeholders look like {{ name }}.")
    raise ValidationError(message, code="template_syntax", params={"token": stray.group(0)})


def template_variables(text: str) -> list[str]:
    """The placeholder names used in `text`, in order, without repeats."""
    names = [part.name for part in parse(text) if isinstance(part, Placeholder)]
    return list(dict.fromkeys(names))


def validate_template(text: str, *, allowed: Iterable[str]) -> None:
    """ValidationError if `text` has bad syntax or uses a variable not in `allowed`."""
    allowed_names = set(allowed)
    unknown = [name for name in template_variables(text) if name not in allowed_names]
    if unknown:
        raise ValidationError(
            _("Unknown variable(s): %(names)s. Use only the variables listed for this notice."),
            code="unknown_variable",
            params={"names": ", ".join(unknown)},
        )


def render(text: str, context: Mapping[str, Any], *, allowed: Iterable[str]) -> str:
    """Substitute placeholders with values from `context` (plain text, no escaping).

    A dotted name is looked up as a flat key first ("client.first_name"), then step by step
    through mappings or attributes. Names not in `allowed` and values that are missing or
    callable render as "" (the text was validated at save time; this is the second line).
    """
    allowed_names = set(allowed)
    try:
        parts = parse(text)
    except ValidationError:
        # Only reachable if a stored text bypassed the save-time check; never fail a send.
        logger.warning("Notice text has invalid syntax; sent as written.")
        return text
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif part.name in allowed_names:
            out.append(_value_to_text(_resolve(context, part.name)))
        else:
            logger.warning("Notice text uses undeclared variable %r; rendered empty.", part.name)
    return "".join(out)


def render_subject(text: str, context: Mapping[str, Any], *, allowed: Iterable[str]) -> str:
    """Like `render`, on one line (an email header may not contain line breaks)."""
    return " ".join(render(text, context, allowed=allowed).split())


def render_html(plain: str) -> SafeString:
    """The HTML alternative of a rendered plain-text body: everything escaped, paragraphs kept."""
    # linebreaks() escapes the text itself (autoescape=True), so the result is safe.
    return mark_safe(linebreaks(plain, autoescape=True))


_MISSING = object()


def _resolve(context: Mapping[str, Any], name: str) -> Any:
    if name in context:
        return context[name]
    value: Any = context
    for step in name.split("."):
        if isinstance(value, Mapping):
            value = value.get(step, _MISSING)
        else:
            value = getattr(value, step, _MISSING)
        if value is _MISSING or value is None:
            return None
    return value


def _value_to_text(value: Any) -> str:
    if value is None or callable(value):
        return ""
    return str(value)
