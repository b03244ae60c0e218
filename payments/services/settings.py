"""A salon's payment settings and what each service asks to be paid online.

- `payment_settings_for(salon)`: the salon's row, or unsaved defaults.
- `payment_settings_update(...)`: validated per field; online payments can only be enabled
  while an online provider is configured on this site (STRIPE_SECRET_KEY etc.).
- `online_payments_available(salon)`: enabled by the salon AND a provider configured.
- `service_payment_for` / `service_payment_set`: a service's prepayment rule.
- `prepayment_amount(...)`: what the client pays online for a booking of the service.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bookings.models import Salon, Service
from payments.models import PaymentSettings, Prepayment, RefundPolicy, ServicePayment
from payments.money import ZERO, money, money_in

HOLD_MINUTES_MIN = 5
HOLD_MINUTES_MAX = 60


def payment_settings_for(salon: Salon) -> PaymentSettings:
    """The salon's settings; unsaved defaults when it never saved any."""
    found = PaymentSettings.objects.for_salon(salon).first()
    return found if found is not None else PaymentSettings(salon=salon)


def _online_provider_configured() -> bool:
    from payments.providers import online_provider

    return online_provider() is not None


def payment_settings_update(
    *,
    salon: Salon,
    online_payments_enabled: bool,
    refund_policy: str,
    hold_minutes: int,
) -> PaymentSettings:
    """Save the salon's settings. ValidationError keyed by field for bad values; enabling
    online payments needs a configured online provider."""
    errors: dict[str, str] = {}
    if refund_policy not in RefundPolicy.values:
        errors["refund_policy"] = _("Choose one of the refund policies.")
    try:
        minutes = int(hold_minutes)
    except (TypeError, ValueError):
        minutes = -1
    if isinstance(hold_minutes, bool) or not HOLD_MINUTES_MIN <= minutes <= HOLD_MINUTES_MAX:
        errors["hold_minutes"] = _("Hold the time between %(min)d and %(max)d minutes.") % {
            "min": HOLD_MINUTES_MIN,
            "max": HOLD_MINUTES_MAX,
        }
    if online_payments_enabled and not _online_provider_configured():
        errors["online_payments_enabled"] = _(
            "Online card payments are not set up on this site yet."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = PaymentSettings.objects.for_salon(salon).select_for_update().first()
        if row is None:
            row = PaymentSettings(salon=salon)
        row.online_payments_enabled = bool(online_payments_enabled)
        row.refund_policy = refund_policy
        row.hold_minutes = minutes
        row.save()
    return row


def online_payments_available(salon: Salon) -> bool:
    """The salon accepts card payments online and a provider is configured."""
    # The provider first: no query at all on a site without one.
    return _online_provider_configured() and payment_settings_for(salon).online_payments_enabled


def service_payment_for(*, salon: Salon, service: Service) -> ServicePayment:
    """The service's prepayment rule; an unsaved "none" when it has none."""
    found = ServicePayment.objects.for_salon(salon).filter(service=service).first()
    return found if found is not None else ServicePayment(salon=salon, service=service)


def service_payment_set(
    *, salon: Salon, service: Service, prepayment: str, amount: Decimal | None
) -> ServicePayment:
    """Set the service's prepayment rule. ValidationError keyed `prepayment` / `amount`."""
    if service.salon_id != salon.pk:
        raise ValidationError({"service": _("Choose one of your services.")})
    if prepayment not in Prepayment.values:
        raise ValidationError({"prepayment": _("Choose one of the prepayment options.")})
    value: Decimal | None = None
    if prepayment in (Prepayment.DEPOSIT_FIXED, Prepayment.DEPOSIT_PERCENT):
        try:
            value = money(amount) if amount is not None and amount != "" else None
        except (InvalidOperation, TypeError, ValueError):
            value = None
        if value is None or not value.is_finite():
            raise ValidationError({"amount": _("Enter the deposit.")})
        if value <= 0:
            raise ValidationError({"amount": _("The deposit must be more than zero.")})
        if prepayment == Prepayment.DEPOSIT_PERCENT and value > 100:
            raise ValidationError({"amount": _("A percentage is at most 100.")})
        if prepayment == Prepayment.DEPOSIT_FIXED and value > Decimal("99999999.99"):
            raise ValidationError({"amount": _("This amount is too large.")})
    for attempt in range(2):
        try:
            with transaction.atomic():
                row = (
                    ServicePayment.objects.for_salon(salon)
                    .select_for_update()
                    .filter(service=service)
                    .first()
                )
                if row is None:
                    row = ServicePayment(salon=salon, service=service)
                row.prepayment = prepayment
                row.amount = value
                row.save()
            return row
        except IntegrityError:
            # A concurrent first save of this service's rule won (one row per service):
            # update that row instead.
            if attempt:
                raise
    raise AssertionError("unreachable")


def prepayment_amount(*, salon: Salon, service: Service, price: Decimal) -> Decimal:
    """What is paid online in advance for `service` at `price`: the deposit (never more than
    the price), the full price, or 0 for none."""
    rule = service_payment_for(salon=salon, service=service)
    # In what the salon's currency can be paid in (whole yen): the provider is asked for
    # exactly what the order records.
    return min(money_in(prepayment_amount_for_rule(rule, price), salon.currency), money(price))


def prepayment_amount_for_rule(rule: ServicePayment, price: Decimal) -> Decimal:
    price = money(price)
    if rule.prepayment == Prepayment.FULL:
        return price
    if rule.prepayment == Prepayment.DEPOSIT_FIXED and rule.amount:
        return min(money(rule.amount), price)
    if rule.prepayment == Prepayment.DEPOSIT_PERCENT and rule.amount:
        return min(money(price * rule.amount / Decimal(100)), price)
    return ZERO


def deposit_amount(*, salon: Salon, service: Service, price: Decimal) -> Decimal:
    """The service's deposit (its deposit rule; 0 for none or a full prepayment): what a
    DEPOSIT_KEPT refund policy keeps of a full prepayment."""
    rule = service_payment_for(salon=salon, service=service)
    if rule.prepayment in (Prepayment.DEPOSIT_FIXED, Prepayment.DEPOSIT_PERCENT):
        return min(money_in(prepayment_amount_for_rule(rule, price), salon.currency), money(price))
    return ZERO
