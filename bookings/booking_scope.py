"""A booking scope: what an invitation link opens on the public site (DESIGN.md invariant 6).

The public site and the public API offer only public services (`Service.visibility` public)
and staff offered online. An invitation link — a client segment's private link, provided by
a feature app through `bookings.public.extensions.register_booking_scope_provider` — opens a
scope instead:

- `service_ids`: the services offered through the link (public or segment-only); nothing else
  is listed, offered or bookable through it;
- `staff_ids`: the staff its bookings go to (also staff not offered online); None means the
  staff the public site offers (active and offered online);
- location passcodes do not apply inside the scope (the link is the salon's invitation);
  staff members' personal codes still do (bookings/passcodes.py);
- `extras`: values recorded with a booking made through the link, passed to the
  after-booking hooks (bookings/checkout.py), e.g. {"segment": "<token>"}.

Readers and the booking services take an optional `scope`: the public selectors
(bookings/public/selectors.py), `availability_get(online_staff_ids=…)` and
`BookingRequest.scope` (bookings/services/booking.py). Without a scope they apply the public
rules. This module imports nothing of the feature apps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class BookingScope:
    token: str
    label: str
    service_ids: frozenset[int]
    staff_ids: frozenset[int] | None = None
    extras: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extras", MappingProxyType(dict(self.extras)))

    def allows_service(self, service: Any) -> bool:
        return service.pk in self.service_ids

    def allows_staff(self, staff: Any) -> bool:
        """May a booking through the link go to this (active) staff member?"""
        if self.staff_ids is None:
            return bool(staff.offered_online)
        return staff.pk in self.staff_ids


def service_offered_online(service: Any, scope: BookingScope | None) -> bool:
    """Public rule for a service (visible, bookable online), or the scope's."""
    if not service.online_bookable:
        return False
    if scope is None:
        return service.visibility == "public"
    return scope.allows_service(service)


def staff_offered_online(staff: Any, scope: BookingScope | None) -> bool:
    if scope is None:
        return bool(staff.offered_online)
    return scope.allows_staff(staff)
