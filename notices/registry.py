"""The notice kinds SalonBook knows, declared in code.

A *kind* is one message the platform can send ("booking_confirmation", "loyalty_points_earned",
…): whether it is marketing or transactional, the variables its text may use, and its default
text per channel. Salons may edit the text per channel (`NoticeTemplate`); they cannot invent
variables, so every template is checked against its kind when it is saved.

Registering a kind from a feature app
-------------------------------------
Put the declaration in `<app>/notice_kinds.py` and import that module from your
`AppConfig.ready()` (so web, worker and beat processes all know the kind)::

    # loyalty/notice_kinds.py
    from django.utils.translation import gettext_lazy as _

    from notices.registry import NoticeKind, Variable, register

    POINTS_EARNED = register(
        NoticeKind(
            key="loyalty_points_earned",
            label=_("Points earned"),
            marketing=True,  # invariant 7: only sent to clients who opted in
            variables=(
                Variable("client.first_name", _("Client's first name"), example="Anna"),
                Variable("points", _("Points earned"), example="25"),
            ),
            email_subject=_("You earned {{ points }} points at {{ salon_name }}"),
            email_body=_("Hi {{ client.first_name }},\\n\\nyou earned {{ points }} points."),
            sms_body=_("{{ salon_name }}: you earned {{ points }} points."),
        )
    )

    # loyalty/apps.py
    def ready(self) -> None:
        from . import notice_kinds  # noqa: F401

Then send it with `notices.services.notice_send_to_client(client=…, kind=POINTS_EARNED.key,
context={"points": 25})` (`client` and `salon_name` are filled in for you).

Rules of the text: placeholders are `{{ name }}` or dotted `{{ client.first_name }}`, and only
names the kind declares (plus `salon_name`, which every kind has). No template tags, no filters.
Callers pass display-ready values (dates already formatted in the location's time zone).
Defaults are lazy translations; they are rendered in the salon's default language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


@dataclass(frozen=True)
class Variable:
    name: str
    description: Any  # a lazy translation
    example: str = ""


# Every kind may use these; `notice_send` fills them in.
COMMON_VARIABLES: tuple[Variable, ...] = (
    Variable("salon_name", _("Name of the salon"), example="Alpha Hair"),
)


@dataclass(frozen=True)
class NoticeKind:
    key: str
    label: Any
    marketing: bool
    email_subject: Any
    email_body: Any
    sms_body: Any
    variables: tuple[Variable, ...] = field(default=())
    description: Any = ""
    # Client-facing kinds are capped per recipient address and hour
    # (NOTICE_MAX_PER_RECIPIENT_PER_HOUR: anyone can type someone else's address into a
    # booking form). Kinds sent to the salon's own addresses (its contact e-mail, its staff,
    # its owners) set this to False: a busy salon gets every new-booking e-mail.
    recipient_limited: bool = True

    @property
    def all_variables(self) -> tuple[Variable, ...]:
        return COMMON_VARIABLES + tuple(self.variables)

    @property
    def variable_names(self) -> frozenset[str]:
        return frozenset(v.name for v in self.all_variables)

    def example_context(self) -> dict[str, str]:
        return {v.name: v.example or v.name for v in self.all_variables}

    def default_subject(self, channel: str) -> str:
        return str(self.email_subject) if channel == Channel.EMAIL else ""

    def default_body(self, channel: str) -> str:
        return str(self.email_body if channel == Channel.EMAIL else self.sms_body)


_KINDS: dict[str, NoticeKind] = {}


def register(kind: NoticeKind) -> NoticeKind:
    """Add a kind and return it. Safe to call at import time (nothing is translated yet);
    its default texts are checked by the `notices` system check (`manage.py check`)."""
    existing = _KINDS.get(kind.key)
    if existing is not None and existing != kind:
        raise ImproperlyConfigured(f"Notice kind {kind.key!r} is already registered.")
    _KINDS[kind.key] = kind
    return kind


def kind_default_errors(kind: NoticeKind) -> list[str]:
    """Problems in a kind's default texts (they may only use the kind's variables)."""
    from notices.renderer import validate_template

    errors = []
    for text in (kind.email_subject, kind.email_body, kind.sms_body):
        try:
            validate_template(str(text), allowed=kind.variable_names)
        except ValidationError as exc:
            errors.extend(f"{kind.key}: {message}" for message in exc.messages)
    return errors


def unregister(key: str) -> None:
    """For tests that register a throw-away kind."""
    _KINDS.pop(key, None)


def kind_get(key: str) -> NoticeKind:
    """The registered kind; LookupError for an unknown key (a programming error)."""
    try:
        return _KINDS[key]
    except KeyError:
        raise LookupError(f"Unknown notice kind {key!r}.") from None


def kind_is_registered(key: str) -> bool:
    return key in _KINDS


def kind_list() -> list[NoticeKind]:
    return sorted(_KINDS.values(), key=lambda k: k.key)


TEST = register(
    NoticeKind(
        key="test",
        label=_("Test message"),
        marketing=False,
        description=_("Sent from the dashboard to check that email and SMS reach you."),
        variables=(Variable("recipient", _("Address the test was sent to"), example="you"),),
        email_subject=_("Test message from {{ salon_name }}"),
        email_body=_(
            "Hello,\n\nthis is a test message from {{ salon_name }} to {{ recipient }}.\n"
            "If you can read it, notices reach you."
        ),
        sms_body=_("Test message from {{ salon_name }} to {{ recipient }}."),
    )
)
