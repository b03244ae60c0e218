"""The last step of an online booking: how the client pays, and the booking itself.

Payment methods are a registry, so features (packages, gift cards, loyalty points, online
payment) add theirs without `bookings` importing them. A feature app registers its method in
its `AppConfig.ready()`:

    from bookings.checkout import PaymentContext, PaymentInput, PaymentMethod, register

    class GiftCard(PaymentMethod):
        key = "gift_card"                    # unique, stable: it is posted by the form
        label = _("Pay with a gift card")
        position = 10                        # lower comes first on the page
        # Optional text fields shown under the method's choice on the page (and accepted as
        # `payment_details` by the public API); the name is the form field's and the key of
        # `payment.details`, unique among all methods.
        inputs = (
            PaymentInput("gift_card_code", _("Gift card code"), help_text=_("On the card")),
        )

        def is_available(self, salon, client, service) -> bool:
            # client is None for a first-time guest (no record yet)
            return gift_card_selectors.salon_sells_gift_cards(salon)

        def apply(self, appointment, payment: PaymentContext) -> None:
            code = payment.details["gift_card_code"]  # stripped, at most max_length; or ""
            if not code:
                raise ValidationError({"gift_card_code": _("Enter the code of your gift card.")})
            gift_card_services.redeem(
                appointment=appointment, code=code, client_ip=payment.client_ip
            )

    register(GiftCard())

`is_available` is asked when the page is shown and again on the final POST (never trust the
posted key alone). `apply` runs inside the booking's transaction, after the appointment row
exists: raise `django.core.exceptions.ValidationError` to refuse (nothing is written — the
client and the appointment are rolled back with it). Key the error by an input's name to
show it next to that field on the page (the API answers 400 with the same keys); any other
error is shown above the form. `payment.details` holds exactly the method's inputs (what the
client typed, else ""); `payment.client_ip` is the visitor's address (for throttling code
guessing), "" when unknown. Keep `apply` to database writes; anything external (charging a
card) must be idempotent and keyed by the appointment. Tests can `unregister(key)` what
they registered.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bookings.models import Appointment, Client, Salon, Service
from bookings.passcodes import PasscodeRequired, PasscodeUnlocks
from bookings.services.booking import BookingRequest, appointment_book
from bookings.services.clients import client_find_for_booking, client_for_booking


@dataclass(frozen=True)
class PaymentInput:
    """An optional text field of a payment method (a gift card code, say). `name` is the
    field's name on the page, its key in the API's `payment_details` and in
    `PaymentContext.details`; it is unique among all registered methods."""

    name: str
    label: Any
    help_text: Any = ""
    max_length: int = 64


@dataclass(frozen=True)
class PaymentContext:
    """What `PaymentMethod.apply` gets besides the appointment: the method's inputs as the
    client gave them (every input of the method is a key; "" when not given) and the
    client's IP address ("" when unknown)."""

    details: Mapping[str, str]
    client_ip: str = ""

    def __post_init__(self) -> None:
        # Read-only: a method cannot change what another step sees.
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))


class PaymentMethod:
    key: str = ""
    label: Any = ""
    description: Any = ""
    position: int = 100
    inputs: tuple[PaymentInput, ...] = ()

    def is_available(self, salon: Salon, client: Client | None, service: Service) -> bool:
        return True

    def apply(self, appointment: Appointment, payment: PaymentContext) -> None:
        return None


class PayAtSalon(PaymentMethod):
    key = "pay_at_salon"
    label = gettext_lazy("Pay at the salon")
    description = gettext_lazy("Pay after your visit, at the salon.")
    position = 1000

    def apply(self, appointment: Appointment, payment: PaymentContext) -> None:
        return None  # nothing to record: the appointment's price is due at the visit


_registry: dict[str, PaymentMethod] = {}

# Field names of the checkout form that an input must not take.
RESERVED_INPUT_NAMES = frozenset({"payment_method", "csrfmiddlewaretoken"})
_INPUT_NAME = re.compile(r"[a-z][a-z0-9_]*")


def _check_inputs(method: PaymentMethod) -> None:
    taken = {
        i.name for other in _registry.values() if other.key != method.key for i in other.inputs
    }
    seen: set[str] = set()
    for payment_input in method.inputs:
        name = payment_input.name
        if not _INPUT_NAME.fullmatch(name) or name in RESERVED_INPUT_NAMES:
            raise ValueError(f"Payment input name {name!r} is not allowed.")
        if name in seen or name in taken:
            raise ValueError(f"Payment input name {name!r} is already used.")
        if payment_input.max_length < 1:
            raise ValueError(f"Payment input {name!r} needs a positive max_length.")
        seen.add(name)


def register(method: PaymentMethod) -> PaymentMethod:
    if not method.key:
        raise ValueError("A payment method needs a key.")
    existing = _registry.get(method.key)
    if existing is not None and type(existing) is not type(method):
        raise ValueError(f"Payment method {method.key!r} is already registered.")
    _check_inputs(method)
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
    payment_details: Mapping[str, str] | None = None,
    client_ip: str = "",
) -> Appointment:
    """Find or create the client, book, and apply the chosen payment method — all or nothing.

    `unlocks` are the passcodes this visitor has given (bookings/passcodes.py): a locked
    location or staff member raises `PasscodeRequired`, and "any available" only picks staff
    the visitor may book. `payment_details` are the values of the method's inputs (others
    are ignored; each is stripped and cut to the input's `max_length`), passed to `apply`
    with `client_ip`. Raises ValidationError (per field; `payment_method` for an unknown
    or unavailable method, an input's name for what `apply` refuses) or `SlotTaken`. The
    confirmation notice follows from the booking event (bookings/notifications.py), after
    the commit.
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
        method.apply(
            appointment,
            PaymentContext(
                details=payment_inputs_clean(method, payment_details), client_ip=client_ip
            ),
        )
    return appointment


def payment_inputs_clean(
    method: PaymentMethod, payment_details: Mapping[str, Any] | None
) -> dict[str, str]:
    """The method's inputs from what was posted: each one stripped and cut to its
    `max_length`, "" when missing (or not text); anything else posted is dropped."""
    given = payment_details or {}
    cleaned: dict[str, str] = {}
    for payment_input in method.inputs:
        value = given.get(payment_input.name, "")
        text = value if isinstance(value, str) else ""
        cleaned[payment_input.name] = text.strip()[: payment_input.max_length]
    return cleaned
