"""What becomes valid when an order is paid, and what lapses when it is not.

`payments` never imports the apps whose things are sold: the app owning an item kind
registers its handlers in its `AppConfig.ready()`:

    from payments.fulfilment import Fulfilment, register_fulfilment

    register_fulfilment(
        Fulfilment(
            kind=OrderItem.Kind.PACKAGE,
            on_paid=package_paid,            # (item) -> None: make the thing valid
            on_cancelled=package_lapsed,     # (item) -> None: the order lapsed / was cancelled
            on_refunded=package_refunded,    # (item, amount) -> None: optional
        )
    )

Handlers run inside the transaction that moves the order (under the order's row lock), once
per move: the order's state machine makes sure `on_paid` runs at most once per order. They
may write; they must not call anything external (enqueue with `transaction.on_commit`).
A handler that cannot fulfil (the held time was taken meanwhile) raises `FulfilmentFailed`;
the payments core then refunds the order in full.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from payments.models import OrderItem


class FulfilmentFailed(Exception):
    """The thing paid for can no longer be given (e.g. the held time was booked by someone
    else after the hold lapsed): the order is refunded."""


def _nothing(*args: object) -> None:
    return None


@dataclass(frozen=True)
class Fulfilment:
    kind: str
    on_paid: Callable[[OrderItem], None]
    on_cancelled: Callable[[OrderItem], None] = _nothing
    on_refunded: Callable[[OrderItem, Decimal], None] = _nothing


_registry: dict[str, Fulfilment] = {}


def register_fulfilment(fulfilment: Fulfilment) -> Fulfilment:
    _registry[str(fulfilment.kind)] = fulfilment
    return fulfilment


def unregister_fulfilment(kind: str) -> None:
    _registry.pop(str(kind), None)


# Handlers of another app for a kind it does not own, run after the owner's (e.g. loyalty gives
# a gift card's part of a booking back to the card when the booking's order lapses).
_listeners: dict[str, list[Fulfilment]] = {}


def add_fulfilment_listener(fulfilment: Fulfilment) -> Fulfilment:
    """Run `fulfilment`'s handlers too, after those of the kind's owner (adding the same one
    again changes nothing)."""
    listeners = _listeners.setdefault(str(fulfilment.kind), [])
    if fulfilment not in listeners:
        listeners.append(fulfilment)
    return fulfilment


def remove_fulfilment_listener(fulfilment: Fulfilment) -> None:
    listeners = _listeners.get(str(fulfilment.kind), [])
    if fulfilment in listeners:
        listeners.remove(fulfilment)


def fulfilment_for(kind: str) -> Fulfilment | None:
    owner = _registry.get(str(kind))
    listeners = list(_listeners.get(str(kind), ()))
    if owner is None or not listeners:
        return owner
    chain = [owner, *listeners]

    def on_paid(item: OrderItem) -> None:
        for f in chain:
            f.on_paid(item)

    def on_cancelled(item: OrderItem) -> None:
        for f in chain:
            f.on_cancelled(item)

    def on_refunded(item: OrderItem, amount: Decimal) -> None:
        for f in chain:
            f.on_refunded(item, amount)

    return Fulfilment(
        kind=owner.kind, on_paid=on_paid, on_cancelled=on_cancelled, on_refunded=on_refunded
    )
