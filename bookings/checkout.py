"""The last step of an online booking: how the client pays, and the booking itself.

Payment methods are a registry, so features (packages, gift cards, loyalty points, online
payment) add theirs without `bookings` importing them. A feature app registers its method in
its `AppConfig.ready()`:

    from bookings.checkout import PaymentMethod, register

    class PackageVisit(PaymentMethod):
        key = "package"                      # unique, stable: it is posted by the form
        label = _("Use a visit from my package")
        position = 10                        # lower comes first on the page

        def is_available(self, salon, client, service) -> bool:
            # client is None for a first-time guest (no record yet)
            return client is not None and package_selectors.usable(client, service).exists()

        def apply(self, appointment) -> None:
            package_services.consume_visit(appointment=appointment)

    register(PackageVisit())

`is_available` is asked when the page is shown and again on the final POST (never trust the
posted key alone). `apply` runs inside the booking's transaction, after the appointment row
exists: raise `django.core.exceptions.ValidationError` to refuse (nothing is written — the
client and the appointment are rolled back with it). Keep `apply` to database writes;
anything external (charging a card) must be idempotent and keyed by the appointment.
Tests can `unregister(key)` what they registered.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bookings.models import Appointment, Client, Salon, Service
from bookings.passcodes import PasscodeRequired, PasscodeUnlocks
from bookings.services.booking import BookingRequest, appointment_book
from bookings.services.clients import client_find_for_booking, client_for_booking


class PaymentMethod:
    key: str = ""
    label: Any = ""
    description: Any = ""
    position: int = 100

    def is_available(self, salon: Salon, client: Client | None, service: Service) -> bool:
        return True

    def apply(self, appointment: Appointment) -> None:
        return None


class PayAtSalon(PaymentMethod):
    key = "pay_at_salon"
    label = gettext_lazy("Pay at the salon")
    description = gettext_lazy("Pay after your visit, at the salon.")
    position = 1000

    def apply(self, appointment: Appointment) -> None:
        return None  # nothing to record: the appointment's price is due at the visit


_registry: dict[str, PaymentMethod] = {}


def register(method: PaymentMethod) -> PaymentMethod:
    if not method.key:
        raise ValueError("A payment method needs a key.")
    existing = _registry.get(method.key)
    if existing is not None and type(existing) is not type(method):
        raise ValueError(f"Payment method {method.key!r} is already registered.")
    _registry[method.key] = method
    return method


def unregister(key: str) -> None:
    _registry.pop(key, None)


def payment_methods_available(
    *, salon: Salon, client: Client | None, service: Service
) -> list[PaymentMethod]:
    methods = sorted(_registry.values(), key=lambda m: (m.position, m.key))
    return [m for m in methods if m.is_available(salon, client, service)]


register(PayAtSalon())


@dataclass(frozen=True)
class ClientDetails:
    first_name: str
    last_name: str
    email: str
    phone: str
    notes: str = ""
    marketing_consent: bool = False


def checkout_complete(
    *,
    salon: Salon,
    request: BookingRequest,
    details: ClientDetails,
    payment_method: str,
    unlocks: PasscodeUnlocks,
    user: Any = None,
) -> Appointment:
    """Find or create the client, book, and apply the chosen payment method — all or nothing.

    `unlocks` are the passcodes this visitor has given (bookings/passcodes.py): a locked
    location or staff member raises `PasscodeRequired`, and "any available" only picks staff
    the visitor may book. Raises ValidationError (per field; `payment_method` for an unknown
    or unavailable method) or `SlotTaken`. The confirmation notice follows from the booking
    event (bookings/notifications.py), after the commit.
    """
    if not unlocks.allows(request.location):
        raise PasscodeRequired(request.location)
    request = dataclasses.replace(request, staff_allowed=unlocks.allows)
    with transaction.atomic():
        # Offer what the page offered: the methods of the client as they were before this
        # booking (a first-time guest has no record, so `client` is None).
        existing = client_find_for_booking(salon=salon, user=user, email=details.email)
        available = {
            m.key: m
            for m in payment_methods_available(
                salon=salon, client=existing, service=request.service
            )
        }
        method = available.get(payment_method)
        if method is None:
            raise ValidationError(
                {"payment_method": _("Choose one of the ways to pay shown on the page.")}
            )
        client = client_for_booking(
            salon=salon,
            user=user,
            first_name=details.first_name,
            last_name=details.last_name,
            email=details.email,
            phone=details.phone,
            marketing_consent=details.marketing_consent,
        )
        appointment = appointment_book(
            salon=salon,
            request=request,
            client=client,
            source=Appointment.Source.ONLINE,
            actor=user,
            notes=details.notes,
        )
        method.apply(appointment)
    return appointment
