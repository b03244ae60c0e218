"""The salon's cancellation and change policy as clients read it: the rule that follows from
`Salon.cancellation_cutoff_hours` (what the site enforces, bookings/services/self_service.py)
plus the salon's own optional text (`Salon.cancellation_policy`). Shown before the client
confirms, on the confirmation page and in the booking confirmation notice.

Feature apps add sentences of their own (payments: what is refunded when the client cancels)
with `register_policy_extra(fn)`, `fn(salon) -> str` ("" for nothing), in `ready()`: they
are shown with the policy before the client confirms or pays (`CancellationPolicy.extras`).
Tests can `unregister_policy_extra(fn)`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext, ngettext

from bookings.models import Salon


@dataclass(frozen=True)
class CancellationPolicy:
    rule: str  # from the cutoff setting
    text: str  # the salon's own words ("" when none)
    # what feature apps add (`register_policy_extra`), e.g. the refund policy of online payments
    extras: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        return "\n".join([self.rule, *([self.text] if self.text else []), *self.extras])


PolicyExtra = Callable[[Salon], str]

_extras: list[PolicyExtra] = []


def register_policy_extra(extra: PolicyExtra) -> PolicyExtra:
    """`extra(salon)` returns sentences shown with the cancellation policy ("" for none).
    Registering the same function again changes nothing."""
    if extra not in _extras:
        _extras.append(extra)
    return extra


def unregister_policy_extra(extra: PolicyExtra) -> None:
    if extra in _extras:
        _extras.remove(extra)


def policy_extras(salon: Salon) -> tuple[str, ...]:
    """What the registered extras say for `salon` (in the active language), non-empty only."""
    texts = (str(extra(salon)).strip() for extra in list(_extras))
    return tuple(text for text in texts if text)


def cancellation_policy(salon: Salon) -> CancellationPolicy:
    """In the active language (callers override it for a notice)."""
    hours = salon.cancellation_cutoff_hours
    if hours:
        rule = ngettext(
            "You can cancel or reschedule online until %(hours)d hour before your appointment; "
            "after that, please contact the salon.",
            "You can cancel or reschedule online until %(hours)d hours before your "
            "appointment; after that, please contact the salon.",
            hours,
        ) % {"hours": hours}
    else:
        rule = gettext("You can cancel or reschedule online until your appointment starts.")
    return CancellationPolicy(
        rule=rule, text=salon.cancellation_policy.strip(), extras=policy_extras(salon)
    )
