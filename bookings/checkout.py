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

After-booking hooks
-------------------
A feature app that needs to act on an online booking as part of it (referrals record "who
invited this client" from a referral code) registers a hook, also in `ready()`:

    from bookings.checkout import register_booking_hook

    def record_referral(
        appointment: Appointment, client: Client, extras: Mapping[str, str], is_new_client: bool
    ) -> None:
        code = extras.get("referral_code", "")
        if not code:
            return  # a booking without a code: nothing to do
        # Raises ValidationError({"referral_code": …}) for a code it refuses.
        referral_record_by_code(
            salon=appointment.salon, referred=client, code=code, appointment=appointment
        )

    register_booking_hook(record_referral)

`extras` are what the booking carried besides the booking itself, by name: the public API's
named fields (`referral_code`), or what the booking site remembered in the visitor's session
for this salon (`bookings.public.extensions.booking_extra_remember`). Every hook runs on every
online booking (`checkout_complete`), after the appointment and its payment, inside the
booking's transaction and in a savepoint of its own, with the booking's client and whether
this booking created that client. It may write; it must not send anything itself (enqueue with
`transaction.on_commit`). What happens to a `ValidationError` it raises depends on where the
extras came from (`checkout_complete(extras_strict=…)`):

- strict (the API: the caller typed the value): the booking is refused — nothing is written,
  and the API answers 400 with the error's keys (key it by the extra's name);
- not strict (the site: a value remembered in the session may be stale): the hook's own writes
  are rolled back, the booking stands, and the refusal is logged.

Any other exception fails the booking (a bug must not pass silently). Tests can
`unregister_booking_hook(fn)` what they registered.

Paying online: holds and the pay URL (issue 17)
-----------------------------------------------
A method that sends the client to pay elsewhere (payments' "Pay online by card"):

- `hold_minutes(salon, client, service)` returns N (default None): the appointment is then
  booked *held* (`Appointment.Status.HELD`, `hold_expires_at` = now + N minutes) instead of
  booked — its time is nobody else's until then, and it becomes a booking (with its
  confirmation notice) only when paid (`bookings.services.holds.appointment_hold_confirm`);
- `apply` returns the URL the client must be sent to (else None). The appointment
  `checkout_complete` returns carries it as `appointment.payment_url` (always set: "" when
  none): the site redirects there (303), the API answers it, the embed links to it;
- `summary(salon, service, price)`: the line shown under the method (default its
  `description`), e.g. "Pay a deposit of 15,00 € now by card; the rest at the salon";
- `satisfies_prepayment = True` for a method that pays the salon before the visit.

A prepayment rule (`register_prepayment_rule(fn)`, `fn(salon, service) -> bool`) that says
True for a service makes the checkout offer only methods that `satisfies_prepayment` (pay
at the salon disappears, and is refused when posted). Tests can
`unregister_prepayment_rule(fn)`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bookings.models import Appointment, Client, Salon, Service
from bookings.passcodes import PasscodeRequired, PasscodeUnlocks
from bookings.services.booking import BookingRequest, appointment_book
from bookings.services.clients import client_find_for_booking, client_for_booking

logger = logging.getLogger(__name__)


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
    # A method that spends what the client holds (a package, points): offered only to a
    # logged-in visitor booking as their own client record — never for a client found by an
    # email a guest typed. Guests see its `login_hint` instead (if any).
    account_only: bool = False
    # When offered, the page chooses it before the client does (the first such method wins;
    # the client can still choose another). E.g. a package the client holds.
    selected_by_default: bool = False
    # Pays the salon before the visit (a card payment, a package, a gift card covering the
    # price): still offered when a prepayment rule requires paying ahead (see the module
    # docstring). Pay at the salon does not.
    satisfies_prepayment: bool = False

    def is_available(self, salon: Salon, client: Client | None, service: Service) -> bool:
        return True

    def is_available_at(
        self, salon: Salon, client: Client | None, service: Service, starts_at: Any
    ) -> bool:
        """Asked instead of `is_available` when the booking's start is known (the checkout
        page and its POST): override it for an offer that depends on the date, e.g. a
        package valid until a day."""
        return self.is_available(salon, client, service)

    def login_hint(self, salon: Salon, service: Service) -> str:
        """For an `account_only` method: what a visitor who is not logged in is told (e.g.
        "Log in to use your package"), or "" for nothing."""
        return ""

    def hold_minutes(self, salon: Salon, client: Client | None, service: Service) -> int | None:
        """Minutes to hold the time while the client pays elsewhere (the appointment is
        booked "held" until then), or None to book it at once."""
        return None

    def summary(self, salon: Salon, service: Service, price: Decimal) -> str:
        """The line shown under the method on the checkout page and in the API's list of
        methods (`price`: the service's price)."""
        return str(self.description)

    def apply(self, appointment: Appointment, payment: PaymentContext) -> str | None:
        """Record the payment (database writes only). Return the URL the client must be sent
        to, to pay, or None."""
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


def _is_holder(client: Client | None, user: Any) -> bool:
    return (
        client is not None
        and client.user_id is not None
        and getattr(user, "is_authenticated", False)
        and client.user_id == user.pk
    )


def _offers(
    method: PaymentMethod,
    *,
    salon: Salon,
    client: Client | None,
    service: Service,
    starts_at: Any,
    holder: bool,
) -> bool:
    if method.account_only and not holder:
        return False
    if starts_at is None:
        return method.is_available(salon, client, service)
    return method.is_available_at(salon, client, service, starts_at)


def payment_methods_available(
    *,
    salon: Salon,
    client: Client | None,
    service: Service,
    starts_at: Any = None,
    user: Any = None,
) -> list[PaymentMethod]:
    """The methods offered, in page order. `starts_at` (when known) is the booking's start;
    `user` the visitor, whom `account_only` methods need to be logged in as `client`. When
    the service requires paying ahead (`prepayment_required`), only methods that
    `satisfies_prepayment`."""
    methods = sorted(_registry.values(), key=lambda m: (m.position, m.key))
    if prepayment_required(salon=salon, service=service):
        methods = [m for m in methods if m.satisfies_prepayment]
    holder = _is_holder(client, user)
    return [
        m
        for m in methods
        if _offers(
            m, salon=salon, client=client, service=service, starts_at=starts_at, holder=holder
        )
    ]


def payment_method_offered(
    key: str,
    *,
    salon: Salon,
    client: Client | None,
    service: Service,
    starts_at: Any = None,
    user: Any = None,
) -> PaymentMethod | None:
    """The method `key` if `payment_methods_available` offers it (else None), asking only
    that method (and the prepayment rules only for a method that does not pay ahead): the
    booking's POST, on its statement budget (bookings/tests/test_query_counts.py)."""
    method = _registry.get(key)
    if method is None:
        return None
    if not method.satisfies_prepayment and prepayment_required(salon=salon, service=service):
        return None
    holder = _is_holder(client, user)
    if not _offers(
        method, salon=salon, client=client, service=service, starts_at=starts_at, holder=holder
    ):
        return None
    return method


def payment_summaries(
    methods: list[PaymentMethod], *, salon: Salon, service: Service, price: Decimal | None = None
) -> dict[str, str]:
    """Each method's summary line (`PaymentMethod.summary`), by key, for `service` at
    `price` (default: the service's price)."""
    amount = service.price if price is None else price
    return {m.key: str(m.summary(salon, service, amount) or "") for m in methods}


def payment_method_default(methods: list[PaymentMethod]) -> str | None:
    """The key the page chooses before the client does: the first offered method
    `selected_by_default`, else the only one offered, else None."""
    for method in methods:
        if method.selected_by_default:
            return method.key
    return methods[0].key if len(methods) == 1 else None


def payment_login_hints(*, salon: Salon, service: Service, user: Any) -> list[str]:
    """What a visitor who is not logged in is told about `account_only` methods."""
    if getattr(user, "is_authenticated", False):
        return []
    methods = sorted(_registry.values(), key=lambda m: (m.position, m.key))
    hints = [m.login_hint(salon, service) for m in methods if m.account_only]
    return [str(hint) for hint in hints if hint]


register(PayAtSalon())


# --- Prepayment rules (see the module docstring) -------------------------------------------

PrepaymentRule = Callable[[Salon, Service], bool]

_prepayment_rules: list[PrepaymentRule] = []


def register_prepayment_rule(rule: PrepaymentRule) -> PrepaymentRule:
    """`rule(salon, service)` True: the service must be paid ahead (only methods that
    `satisfies_prepayment` are offered). Registering the same function again changes
    nothing."""
    if rule not in _prepayment_rules:
        _prepayment_rules.append(rule)
    return rule


def unregister_prepayment_rule(rule: PrepaymentRule) -> None:
    if rule in _prepayment_rules:
        _prepayment_rules.remove(rule)


def prepayment_required(*, salon: Salon, service: Service) -> bool:
    """Whether any prepayment rule requires paying `service` ahead."""
    return any(rule(salon, service) for rule in list(_prepayment_rules))


@dataclass(frozen=True)
class ClientDetails:
    first_name: str
    last_name: str
    email: str
    phone: str
    notes: str = ""
    marketing_consent: bool = False
    # The language the client booked in (their notices follow it); "" keeps what is stored.
    language: str = ""


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
    extras: Mapping[str, str] | None = None,
    extras_strict: bool = True,
) -> Appointment:
    """Find or create the client, book, and apply the chosen payment method — all or nothing.

    `unlocks` are the passcodes this visitor has given (bookings/passcodes.py): a locked
    location or staff member raises `PasscodeRequired`, and "any available" only picks staff
    the visitor may book. `payment_details` are the values of the method's inputs (others
    are ignored; each is stripped and cut to the input's `max_length`), passed to `apply`
    with `client_ip`. `extras` go to the after-booking hooks (see the module docstring;
    `extras_strict` says whether a hook's refusal refuses the booking). Raises
    ValidationError (per field; `payment_method` for an unknown or unavailable method, an
    input's name for what `apply` refuses, an extra's name for what a hook refuses) or
    `SlotTaken`. The confirmation notice follows from the booking event
    (bookings/notifications.py), after the commit.

    A method with `hold_minutes` books the time *held* (no booking event, no notice until
    it is paid); the URL its `apply` returns is `appointment.payment_url` ("" when none).
    """
    if not unlocks.allows(request.location):
        raise PasscodeRequired(request.location)
    request = dataclasses.replace(request, staff_allowed=unlocks.allows)
    with transaction.atomic():
        # Offer what the page offered: the methods of the client as they were before this
        # booking (a first-time guest has no record, so `client` is None).
        existing = client_find_for_booking(salon=salon, user=user, email=details.email)
        method = payment_method_offered(
            payment_method,
            salon=salon,
            client=existing,
            service=request.service,
            starts_at=request.starts_at,
            user=user,
        )
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
            language=details.language,
            found=existing,
            savepoint=False,
        )
        minutes = method.hold_minutes(salon, client, request.service)
        appointment = appointment_book(
            salon=salon,
            request=request,
            client=client,
            source=Appointment.Source.ONLINE,
            actor=user,
            notes=details.notes,
            # This transaction is the unit (no savepoint of its own); a client created just
            # now holds no appointment to lock or compare (issue 15: fewer statements).
            new_client=existing is None,
            savepoint=False,
            hold_until=(
                None if minutes is None else timezone.now() + dt.timedelta(minutes=minutes)
            ),
        )
        payment_url = method.apply(
            appointment,
            PaymentContext(
                details=payment_inputs_clean(method, payment_details), client_ip=client_ip
            ),
        )
        appointment.payment_url = str(payment_url or "")
        booking_hooks_run(
            appointment=appointment,
            client=client,
            extras=extras,
            is_new_client=existing is None,
            strict=extras_strict,
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


# --- After-booking hooks (see the module docstring) ---------------------------------------

BookingHook = Callable[[Appointment, Client, Mapping[str, str], bool], None]

_booking_hooks: list[BookingHook] = []

# An extra's value is text of at most this many characters (longer is cut).
EXTRA_MAX_LENGTH = 200
_EXTRA_NAME = _INPUT_NAME


def register_booking_hook(hook: BookingHook) -> BookingHook:
    """Run `hook(appointment, client, extras, is_new_client)` in every online booking's
    transaction. Registering the same function again changes nothing."""
    if hook not in _booking_hooks:
        _booking_hooks.append(hook)
    return hook


def unregister_booking_hook(hook: BookingHook) -> None:
    if hook in _booking_hooks:
        _booking_hooks.remove(hook)


def booking_hooks() -> list[BookingHook]:
    return list(_booking_hooks)


def booking_extras_clean(extras: Mapping[str, Any] | None) -> dict[str, str]:
    """Text values under well-formed names, stripped and cut; anything else is dropped."""
    cleaned: dict[str, str] = {}
    for name, value in (extras or {}).items():
        if isinstance(name, str) and _EXTRA_NAME.fullmatch(name) and isinstance(value, str):
            cleaned[name] = value.strip()[:EXTRA_MAX_LENGTH]
    return cleaned


def booking_hooks_run(
    *,
    appointment: Appointment,
    client: Client,
    extras: Mapping[str, Any] | None,
    is_new_client: bool,
    strict: bool,
) -> None:
    """Strict: a refusal refuses the booking (the hooks run in the booking's transaction, which
    fails with it: no savepoints). Not strict: each hook in a savepoint, undone and logged when
    it refuses. Call inside the booking's transaction."""
    view = MappingProxyType(booking_extras_clean(extras))
    for hook in booking_hooks():
        try:
            with transaction.atomic(savepoint=not strict):
                hook(appointment, client, view, is_new_client)
        except ValidationError as exc:
            if strict:
                raise
            logger.info(
                "after-booking hook %r refused the extras of appointment %s: %s",
                hook,
                appointment.pk,
                "; ".join(exc.messages),
            )
