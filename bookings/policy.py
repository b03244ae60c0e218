"""The salon's cancellation and change policy as clients read it: the rule that follows from
`Salon.cancellation_cutoff_hours` (what the site enforces, bookings/services/self_service.py)
plus the salon's own optional text (`Salon.cancellation_policy`). Shown before the client
confirms, on the confirmation page and in the booking confirmation notice."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, ngettext

from bookings.models import Salon


@dataclass(frozen=True)
class CancellationPolicy:
    rule: str  # from the cutoff setting
    text: str  # the salon's own words ("" when none)

    def __str__(self) -> str:
        return f"{self.rule}\n{self.text}" if self.text else self.rule


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
    return CancellationPolicy(rule=rule, text=salon.cancellation_policy.strip())
