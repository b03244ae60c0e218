"""Packages clients hold: assigned by the salon, bought online, marked paid.

- **Assign** (the client's page, "Add package"; the owner API): only an active type of this
  salon, to a client of this salon. The package is valid from today (the salon's date) through
  the expiry the owner gives; by default the one the type's validity gives (see
  packages/validity.py). A time pass always needs an expiry; an expiry before today is
  refused. It is active at once (the owner took the payment, or gives it away).
  "For existing bookings too" makes it pay the client's upcoming bookings at once (in date
  order, as far as the balance goes — `package_apply_to_upcoming`); otherwise only bookings
  made from now on use it.
- **Buy online** (the booking site, a logged-in client): only an active type offered online.
  Paid at the salon: the package waits for payment (`pending`, not usable yet) until the
  owner marks it paid. Paid by card (packages/services/online.py): the same pending package
  plus an order; it becomes active when the payment arrives, and `lapsed` when the order is
  cancelled or lapses. One pending purchase per client and type: a second one is refused
  (also when two requests race: a unique constraint).
- **Mark paid**: a pending package becomes active, once (a conditional UPDATE); with "for
  existing bookings too" it pays the client's upcoming bookings like an assignment. Not for a
  package whose online payment is still pending.
- Every new package starts its ledger with an "added" row of its credit or visits, so its
  balance is always the sum of its ledger.
- Bad input is a ValidationError keyed by field, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Client, Salon
from packages.models import ClientPackage, PackageEntry, PackageKind, PackageType
from packages.services.usage import package_apply_to_upcoming
from packages.validity import validity_end


class _Default:
    """The expiry the type's validity gives (`expires_on` left out)."""


DEFAULT_EXPIRY: Any = _Default()
MAX_EXPIRY_DAYS = 3660  # ten years, as the longest validity


def salon_today(salon: Salon, now: dt.datetime | None = None) -> dt.date:
    return timezone.localdate(now or timezone.now(), salon.tzinfo)


def default_expiry(
    *, salon: Salon, package_type: PackageType, today: dt.date | None = None
) -> dt.date | None:
    """The last valid day of a package of this type assigned or bought today."""
    start = today or salon_today(salon)
    return validity_end(start, package_type.validity_count, package_type.validity_unit)


def _check_same_salon(salon: Salon, client: Client, package_type: PackageType) -> None:
    if client.salon_id != salon.pk or package_type.salon_id != salon.pk:
        raise ValueError("The client and the package type must be of this salon.")


def _check_expiry(package_type: PackageType, expires_on: dt.date | None, today: dt.date) -> None:
    if expires_on is None:
        if package_type.kind == PackageKind.TIME:
            raise ValidationError(
                {"expires_on": _("A time pass needs an expiry date: the last day it covers.")}
            )
        return
    if not isinstance(expires_on, dt.date) or isinstance(expires_on, dt.datetime):
        raise ValidationError({"expires_on": _("Enter a valid date.")})
    if expires_on < today:
        raise ValidationError({"expires_on": _("The expiry date is in the past.")})
    if expires_on > today + dt.timedelta(days=MAX_EXPIRY_DAYS):
        raise ValidationError({"expires_on": _("At most ten years from today.")})


def _new_package(
    *,
    salon: Salon,
    client: Client,
    package_type: PackageType,
    status: str,
    source: str,
    expires_on: dt.date | None,
    today: dt.date,
    actor: Any,
) -> ClientPackage:
    actor = actor if getattr(actor, "is_authenticated", False) else None
    client_package = ClientPackage(
        salon=salon,
        package_type=package_type,
        client=client,
        kind=package_type.kind,
        name=package_type.name,
        price=package_type.price,
        currency=salon.currency,
        status=status,
        source=source,
        starts_on=today,
        expires_on=expires_on,
        created_by=actor,
    )
    if package_type.kind == PackageKind.CREDIT:
        client_package.credit_total = client_package.credit_left = package_type.credit
    elif package_type.kind == PackageKind.VISITS:
        client_package.visits_total = client_package.visits_left = package_type.visits
    if status == ClientPackage.Status.ACTIVE:
        client_package.paid_at = client_package.created_at
        client_package.paid_by = actor
    client_package.save(force_insert=True)
    PackageEntry.objects.create(
        salon=salon,
        client_package=client_package,
        kind=PackageEntry.Kind.ISSUED,
        credit=client_package.credit_total or 0,
        visits=client_package.visits_total or 0,
        actor=actor,
        created_at=client_package.created_at,
    )
    return client_package


def client_package_assign(
    *,
    salon: Salon,
    client: Client,
    package_type: PackageType,
    actor: Any,
    expires_on: dt.date | None = DEFAULT_EXPIRY,
    apply_to_existing: bool = False,
    now: dt.datetime | None = None,
) -> ClientPackage:
    """The salon gives a client a package (see the module's rules)."""
    _check_same_salon(salon, client, package_type)
    if not package_type.is_active:
        raise ValidationError(
            {
                "package_type": _(
                    "This package is deactivated, so it cannot be assigned. Activate it first."
                )
            }
        )
    today = salon_today(salon, now)
    if isinstance(expires_on, _Default):
        expires_on = default_expiry(salon=salon, package_type=package_type, today=today)
    _check_expiry(package_type, expires_on, today)
    with transaction.atomic():
        client_package = _new_package(
            salon=salon,
            client=client,
            package_type=package_type,
            status=ClientPackage.Status.ACTIVE,
            source=ClientPackage.Source.ASSIGNED,
            expires_on=expires_on,
            today=today,
            actor=actor,
        )
        if apply_to_existing:
            package_apply_to_upcoming(client_package=client_package, actor=actor, now=now)
    return client_package


def client_package_buy(
    *, salon: Salon, client: Client, package_type: PackageType, actor: Any = None
) -> ClientPackage:
    """A client buys a package on the booking site, to pay at the salon: it waits for payment
    (see the module's rules)."""
    _check_same_salon(salon, client, package_type)
    if not (package_type.is_active and package_type.offered_online):
        raise ValidationError({"package_type": _("This package is not sold online at the moment.")})
    duplicate = ValidationError(
        {
            "package_type": _(
                "You have already bought this package; it is waiting for your payment at the salon."
            )
        }
    )
    pending = ClientPackage.objects.for_salon(salon).filter(
        client=client, package_type=package_type, status=ClientPackage.Status.PENDING
    )
    waiting = pending.first()
    if waiting is not None:
        from packages.services.online import package_open_order

        if package_open_order(salon=salon, client_package=waiting) is not None:
            raise ValidationError(
                {
                    "package_type": _(
                        "You have already bought this package and its payment by card is not "
                        "finished: continue it from “My packages”."
                    )
                }
            )
        raise duplicate
    today = salon_today(salon)
    try:
        with transaction.atomic():
            return _new_package(
                salon=salon,
                client=client,
                package_type=package_type,
                status=ClientPackage.Status.PENDING,
                source=ClientPackage.Source.PURCHASE,
                expires_on=default_expiry(salon=salon, package_type=package_type, today=today),
                today=today,
                actor=actor,
            )
    except IntegrityError as exc:  # a concurrent purchase of the same type won
        if pending.exists():
            raise duplicate from exc
        raise


def client_for_purchase(*, salon: Salon, user: Any) -> Client:
    """The logged-in buyer's client record in this salon; a person who never booked here gets
    one, as their first booking would give them (bookings' `client_for_booking`)."""
    from bookings.services.clients import client_for_booking

    linked = Client.objects.for_salon(salon).filter(user=user).first()
    if linked is not None:
        return linked
    email = (user.email or "").strip()
    return client_for_booking(
        salon=salon,
        user=user,
        first_name=(user.first_name or email.split("@")[0])[:100],
        last_name=(user.last_name or "")[:100],
        email=email,
        phone="",
        marketing_consent=False,
    )


def client_package_activate(
    *,
    salon: Salon,
    client_package: ClientPackage,
    actor: Any,
    now: dt.datetime | None = None,
    from_statuses: tuple[str, ...] = (ClientPackage.Status.PENDING,),
) -> bool:
    """A package waiting for payment becomes active: one conditional UPDATE, so a second call
    (a retry, a duplicate "paid") changes nothing. True when this call activated it."""
    if client_package.salon_id != salon.pk:
        raise ValueError("The package belongs to another salon.")
    changed = (
        ClientPackage.objects.for_salon(salon)
        .filter(pk=client_package.pk, status__in=from_statuses)
        .update(
            status=ClientPackage.Status.ACTIVE,
            paid_at=now or timezone.now(),
            paid_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
    )
    client_package.refresh_from_db()
    return bool(changed)


def client_package_mark_paid(
    *,
    salon: Salon,
    client_package: ClientPackage,
    actor: Any,
    apply_to_existing: bool = False,
    now: dt.datetime | None = None,
) -> ClientPackage:
    """The owner took the payment of a purchase: the package becomes active (once). A package
    whose online payment is still pending is refused (it would be paid twice)."""
    from packages.services.online import package_open_order

    if client_package.salon_id != salon.pk:
        raise ValueError("The package belongs to another salon.")
    now = now or timezone.now()
    if (
        client_package.status == ClientPackage.Status.PENDING
        and package_open_order(salon=salon, client_package=client_package) is not None
    ):
        raise ValidationError(
            _(
                "This package is being paid online; it becomes active by itself when the "
                "payment arrives."
            )
        )
    with transaction.atomic():
        changed = client_package_activate(
            salon=salon, client_package=client_package, actor=actor, now=now
        )
        if not changed:
            if client_package.status == ClientPackage.Status.LAPSED:
                raise ValidationError(_("This purchase was not paid online and has lapsed."))
            raise ValidationError(_("This package is paid already."))
        if apply_to_existing:
            package_apply_to_upcoming(client_package=client_package, actor=actor, now=now)
    return client_package
