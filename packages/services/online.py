"""Packages bought online and paid by card through the payments app (issue 17).

- **Buy** (`client_package_buy_online`): only while the salon accepts online payments
  (`payments.services.settings.online_payments_available`). The purchase is the existing one
  (`client_package_buy`: a pending package, one per client and type) plus an order with one
  PACKAGE item (object_id = the package, amount = its price) paid through the online provider;
  the client is sent to the order's pay page (`order_pay_path`). A second "buy" while that
  order still waits for its payment continues the same order (no second package, no second
  order); a purchase waiting for payment at the salon is refused as before.
- **Paid** (the PACKAGE fulfilment's `on_paid`, registered in `PackagesConfig.ready()`): the
  package becomes active, like the owner's "mark paid" without an actor. Idempotent: an active
  package stays as it is.
- **Lapses** unpaid after `PAYMENTS_PURCHASE_EXPIRY_HOURS` (default 24; the order's
  `expires_at`, `payments.services.orders.purchase_expires_at`): payments' sweep cancels it.
- **Not paid** (`on_cancelled`: the order was cancelled, abandoned or lapsed): the pending
  package becomes `lapsed` — never usable, and no longer "waiting for payment", so the
  one-pending-purchase rule lets the client buy the type again.
- The owner cannot "mark paid" a package whose online payment is still pending (it would be
  paid twice); see `client_package_mark_paid`.

Handlers run inside the payments transaction under the order's row lock; they only write.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bookings.models import Client, Salon
from packages.models import ClientPackage, PackageType
from packages.services.holdings import client_package_activate, client_package_buy

if TYPE_CHECKING:
    from payments.models import Order, OrderItem

# The order statuses in which the client may still pay (continue the same order).
OPEN_ORDER_STATUSES = ("pending", "failed")


@dataclass(frozen=True)
class OnlinePurchase:
    client_package: ClientPackage
    order: Order
    payment_url: str


def online_payments_available(salon: Salon) -> bool:
    """The salon takes payments online now (the provider is asked first: a site without one
    asks the database nothing)."""
    from payments.providers import online_provider
    from payments.services.settings import online_payments_available as available

    return online_provider() is not None and available(salon)


def online_provider_key() -> str:
    from payments.providers import online_provider

    provider = online_provider()
    return provider.key if provider is not None else "stripe"


def package_open_order(*, salon: Salon, client_package: ClientPackage) -> Order | None:
    """The order still waiting for the online payment of this package, if any."""
    from payments.models import Order, OrderItem

    order_ids = (
        OrderItem.objects.for_salon(salon)
        .filter(kind=OrderItem.Kind.PACKAGE, object_id=client_package.pk)
        .values("order_id")
    )
    return (
        Order.objects.for_salon(salon)
        .filter(pk__in=order_ids, status__in=OPEN_ORDER_STATUSES)
        .order_by("-created_at", "-id")
        .first()
    )


def packages_paying_online(*, salon: Salon, package_ids: Iterable[int]) -> set[int]:
    """Which of these packages have an order still waiting for their online payment (one
    query): the owner's "Mark paid" is not offered for them."""
    from payments.models import Order, OrderItem

    ids = [pk for pk in package_ids if pk is not None]
    if not ids:
        return set()
    open_orders = Order.objects.for_salon(salon).filter(status__in=OPEN_ORDER_STATUSES)
    return set(
        OrderItem.objects.for_salon(salon)
        .filter(kind=OrderItem.Kind.PACKAGE, object_id__in=ids, order__in=open_orders)
        .values_list("object_id", flat=True)
    )


def client_package_buy_online(
    *, salon: Salon, client: Client, package_type: PackageType, actor: Any = None
) -> OnlinePurchase:
    """A client buys a package and pays by card (see the module's rules). ValidationError keyed
    `package_type` (not sold online, waiting for payment at the salon) or `payment_method`
    (online payments are off); nothing is written then."""
    from payments.models import OrderItem
    from payments.services.orders import (
        ItemSpec,
        order_create,
        order_pay_path,
        purchase_expires_at,
    )

    if client.salon_id != salon.pk or package_type.salon_id != salon.pk:
        raise ValueError("The client and the package type must be of this salon.")
    if not online_payments_available(salon):
        raise ValidationError(
            {"payment_method": _("This salon does not take payments online at the moment.")}
        )
    pending = (
        ClientPackage.objects.for_salon(salon)
        .filter(client=client, package_type=package_type, status=ClientPackage.Status.PENDING)
        .first()
    )
    if pending is not None:
        order = package_open_order(salon=salon, client_package=pending)
        if order is not None and package_type.is_active and package_type.offered_online:
            # The client left the payment page earlier: continue that payment.
            return OnlinePurchase(pending, order, order_pay_path(order))
    with transaction.atomic():
        held = client_package_buy(
            salon=salon, client=client, package_type=package_type, actor=actor
        )
        order = order_create(
            salon=salon,
            client=client,
            items=[
                ItemSpec(
                    kind=OrderItem.Kind.PACKAGE,
                    description=held.name,
                    amount=held.price,
                    object_id=held.pk,
                )
            ],
            provider=online_provider_key(),
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            expires_at=purchase_expires_at(),
        )
    return OnlinePurchase(held, order, order_pay_path(order))


def _package_of(item: OrderItem) -> ClientPackage | None:
    if item.object_id is None:
        return None
    return (
        ClientPackage.objects.for_salon(item.salon)
        .filter(pk=item.object_id)
        .select_related("salon")
        .first()
    )


def package_order_paid(item: OrderItem) -> None:
    """PACKAGE fulfilment `on_paid`: the bought package becomes active (once)."""
    client_package = _package_of(item)
    if client_package is None:
        return
    client_package_activate(
        salon=item.salon,
        client_package=client_package,
        actor=None,
        from_statuses=(ClientPackage.Status.PENDING, ClientPackage.Status.LAPSED),
    )


def package_order_cancelled(item: OrderItem) -> None:
    """PACKAGE fulfilment `on_cancelled`: a package still waiting for this payment lapses."""
    if item.object_id is None:
        return
    ClientPackage.objects.for_salon(item.salon).filter(
        pk=item.object_id, status=ClientPackage.Status.PENDING
    ).update(status=ClientPackage.Status.LAPSED)


def register_fulfilment() -> None:
    from payments.fulfilment import Fulfilment
    from payments.fulfilment import register_fulfilment as register
    from payments.models import OrderItem

    register(
        Fulfilment(
            kind=OrderItem.Kind.PACKAGE,
            on_paid=package_order_paid,
            on_cancelled=package_order_cancelled,
        )
    )
