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


def fulfilment_for(kind: str) -> Fulfilment | None:
    return _registry.get(str(kind))
