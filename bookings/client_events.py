"""Client events: the hook feature apps use when two client records of a salon become one.

`bookings` never imports a feature app. When the owner merges a duplicate client into the
record kept (`bookings.services.clients.clients_merge`), every row that points at the
duplicate must point at the kept client before the duplicate is deleted. Appointments and the
notice log move in `bookings`; a feature app moves its own rows (ledgers, held packages,
referrals) by subscribing in its `AppConfig.ready()`:

    from bookings.client_events import subscribe_clients_merged

    subscribe_clients_merged(handlers.on_clients_merged)   # handler(merge: ClientsMerge)

Unlike booking events (bookings/events.py, after the commit), these handlers run INSIDE the
merge's transaction, with both client rows locked (in pk order), after the appointments moved
and before the duplicate is deleted:

- a handler that raises `ValidationError` refuses the whole merge, and its message is shown
  to the owner (e.g. "both records hold a package purchase waiting for payment");
- any other exception rolls the merge back as well: a merge never leaves a ledger half moved;
- a row no handler moved still points at the duplicate; its PROTECT foreign key then makes the
  delete fail and the merge is refused, so nothing is lost silently. (CASCADE rows — a
  per-client cache such as a balance — would be deleted with the duplicate: their handler must
  fold them into the kept client's row.)

Handlers keep their app's invariants (a balance equals the sum of its ledger, one referral per
referred client …) and move rows with bulk UPDATEs, not one save per row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bookings.models import Client, Salon


@dataclass(frozen=True)
class ClientsMerge:
    """`merged` is about to be folded into `kept` (both of `salon`, both locked)."""

    salon: Salon
    kept: Client
    merged: Client
    actor: Any = None


ClientsMergedHandler = Callable[[ClientsMerge], None]

_merge_handlers: list[ClientsMergedHandler] = []


def subscribe_clients_merged(handler: ClientsMergedHandler) -> ClientsMergedHandler:
    if handler not in _merge_handlers:
        _merge_handlers.append(handler)
    return handler


def unsubscribe_clients_merged(handler: ClientsMergedHandler) -> None:
    if handler in _merge_handlers:
        _merge_handlers.remove(handler)


def clients_merged_handlers() -> list[ClientsMergedHandler]:
    return list(_merge_handlers)


def clients_merged_publish(merge: ClientsMerge) -> None:
    """Run every handler now, in the caller's transaction; exceptions propagate."""
    for handler in clients_merged_handlers():
        handler(merge)
