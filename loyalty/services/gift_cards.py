"""Gift cards: the types a salon offers, cards bought with points (or issued by the salon), and
paying a booking with a card's code.

- A card's value has its own ledger (`GiftCardEntry`); the cached `GiftCard.balance` changes in
  the same transaction under the card row's lock, so concurrent use of one card cannot overspend
  it (and a check constraint stands behind that).
- Paying: the card pays the booking in full or in part (the rest is paid at the salon).
- Cancelling a booking a card paid gives the value back to the card — also to an expired card
  (the value was the client's; the salon can still honour it at the desk). A no-show keeps the
  payment, as a salon keeps a no-show fee.
- Expiry: a card is valid through the last day of its validity in the salon's time zone.
- Bought online (issue 17): a type `sold_online` is sold for its value while the salon takes
  payments online (`gift_card_buy_online`: an order with one GIFT_CARD item, paid by card). The
  card is issued to the buyer and sent to them only when the order is paid (the GIFT_CARD
  fulfilment's `on_paid`), once per order item (a unique `order_item_id`), never before; a
  cancelled or lapsed order issues nothing.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bookings.models import Appointment, Client, Salon
from bookings.services.common import model_update, save_or_validation_error, validate_row
from languages.formats import LocalDate, Money
from loyalty.codes import (
    code_display,
    code_failure_record,
    code_generate,
    code_guessing_throttled,
    code_is_well_formed,
    code_normalize,
)
from loyalty.models import GiftCard, GiftCardEntry, GiftCardType, LoyaltyProgram, PointsEntry
from loyalty.notice_kinds import GIFT_CARD_ISSUED
from loyalty.selectors import gift_cards_on_sale_cache_key
from loyalty.services.points import points_entry_add
from notices.services import notice_send_to_client

if TYPE_CHECKING:
    from payments.models import Order, OrderItem

CODE_FIELD = "gift_card_code"
TYPE_FIELDS = [
    "name",
    "description",
    "value",
    "validity_days",
    "for_points",
    "points_price",
    "sold_online",
    "is_active",
]


# --- Types ----------------------------------------------------------------------------------


def _check_points_price(card_type: GiftCardType) -> None:
    if card_type.for_points and not card_type.points_price:
        raise ValidationError(
            {"points_price": _("Give the points a client pays for this gift card.")}
        )


def _forget_on_sale(salon_id: int) -> None:
    """The public nav's "sells gift cards online" is cached: clear it after the commit."""
    transaction.on_commit(lambda: cache.delete(gift_cards_on_sale_cache_key(salon_id)))


def gift_card_type_create(*, salon: Salon, **data: Any) -> GiftCardType:
    card_type = GiftCardType(salon=salon)
    with transaction.atomic():
        for name in TYPE_FIELDS:
            if name in data:
                setattr(card_type, name, data[name])
        _check_points_price(card_type)
        validate_row(card_type)
        save_or_validation_error(card_type)
        _forget_on_sale(salon.pk)
    return card_type


def gift_card_type_update(*, gift_card_type: GiftCardType, **data: Any) -> GiftCardType:
    with transaction.atomic():
        for name in TYPE_FIELDS:
            if name in data:
                setattr(gift_card_type, name, data[name])
        _check_points_price(gift_card_type)
        updated = model_update(instance=gift_card_type, data={}, fields=[])
        _forget_on_sale(gift_card_type.salon_id)
        return updated


# --- Issuing --------------------------------------------------------------------------------


def _expires_at(salon: Salon, validity_days: int | None, now: dt.datetime) -> dt.datetime | None:
    """Midnight after the last valid day, in the salon's time zone."""
    if not validity_days:
        return None
    tz = zoneinfo.ZoneInfo(salon.time_zone)
    last_day = now.astimezone(tz).date() + dt.timedelta(days=validity_days)
    return dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)


def gift_card_valid_until(card: GiftCard) -> dt.date | None:
    if card.expires_at is None:
        return None
    tz = zoneinfo.ZoneInfo(card.salon.time_zone)
    return (card.expires_at.astimezone(tz) - dt.timedelta(microseconds=1)).date()


def _new_card(
    *,
    salon: Salon,
    card_type: GiftCardType,
    client: Client | None,
    source: str,
    actor: Any,
    value: Decimal | None = None,
    order_item_id: int | None = None,
) -> GiftCard:
    now = timezone.now()
    value = card_type.value if value is None else value
    card = GiftCard(
        salon=salon,
        card_type=card_type,
        client=client,
        name=card_type.name,
        initial_value=value,
        balance=value,
        currency=salon.currency,
        source=source,
        expires_at=_expires_at(salon, card_type.validity_days, now),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=now,
        order_item_id=order_item_id,
    )
    for _attempt in range(5):
        card.code = code_generate()
        try:
            with transaction.atomic():
                card.save()
            break
        except IntegrityError:  # the same code in this salon: draw again (about 1 in 2^78)
            if order_item_id is not None and (
                GiftCard.objects.for_salon(salon).filter(order_item_id=order_item_id).exists()
            ):
                raise
            card.pk = None
    else:  # pragma: no cover - five collisions in a row means a broken random source
        raise RuntimeError("Could not draw a unique gift card code.")
    GiftCardEntry.objects.create(
        salon=salon,
        gift_card=card,
        kind=GiftCardEntry.Kind.ISSUED,
        amount=card.initial_value,
        actor=card.created_by,
    )
    return card


def _send_card(card: GiftCard) -> None:
    if card.client is None:
        return
    salon = card.salon
    until = gift_card_valid_until(card)
    # Printed in the recipient's language when the notice is rendered (languages/formats.py).
    valid_until = LocalDate(until, "j F Y") if until else gettext_lazy("no expiry")
    try:
        booking_url = settings.SITE_URL + reverse("public:home", kwargs={"salon_slug": salon.slug})
    except NoReverseMatch:
        booking_url = settings.SITE_URL + "/"
    notice_send_to_client(
        client=card.client,
        kind=GIFT_CARD_ISSUED.key,
        context={
            "gift_card": card.name,
            "code": code_display(card.code),
            "value": Money(card.initial_value, card.currency),
            "valid_until": valid_until,
            "booking_url": booking_url,
        },
        dedupe_key=f"gift-card:{card.pk}",
    )


def gift_card_buy_with_points(
    *, salon: Salon, client: Client, card_type: GiftCardType, actor: Any = None
) -> GiftCard:
    """The client spends points for a gift card ("choose with points"): the points leave their
    balance and a card with a fresh code is issued to them and e-mailed. Not enough points, a
    type not for sale with points, or loyalty switched off: ValidationError, nothing written."""
    if client.salon_id != salon.pk or card_type.salon_id != salon.pk:
        raise ValueError("Client and gift card type must be of this salon.")
    program = LoyaltyProgram.objects.for_salon(salon).filter(enabled=True).first()
    if program is None:
        raise ValidationError(_("The loyalty system of this salon is switched off."))
    if not (card_type.is_active and card_type.for_points and card_type.points_price):
        raise ValidationError({"gift_card_type": _("This gift card cannot be bought with points.")})
    with transaction.atomic():
        card = _new_card(
            salon=salon,
            card_type=card_type,
            client=client,
            source=GiftCard.Source.POINTS,
            actor=actor,
        )
        points_entry_add(
            salon=salon,
            client=client,
            kind=PointsEntry.Kind.REDEEMED,
            points=-int(card_type.points_price),
            actor=actor,
            gift_card=card,
        )
        _send_card(card)
    return card


def gift_card_issue(
    *, salon: Salon, card_type: GiftCardType, client: Client | None, actor: Any
) -> GiftCard:
    """The salon issues a card (sold or given at the desk); e-mailed when a client is named.
    Only types still offered can be issued."""
    if card_type.salon_id != salon.pk or (client is not None and client.salon_id != salon.pk):
        raise ValueError("Client and gift card type must be of this salon.")
    if not card_type.is_active:
        raise ValidationError(
            {"gift_card_type": _("This gift card is no longer offered; offer it again first.")}
        )
    with transaction.atomic():
        card = _new_card(
            salon=salon,
            card_type=card_type,
            client=client,
            source=GiftCard.Source.SALON,
            actor=actor,
        )
        _send_card(card)
    return card


# --- Bought online -------------------------------------------------------------------------


@dataclass(frozen=True)
class GiftCardPurchase:
    order: Order
    payment_url: str


def gift_card_buy_online(
    *, salon: Salon, client: Client, card_type: GiftCardType, actor: Any = None
) -> GiftCardPurchase:
    """A client buys a gift card for its value, paid by card: an order with one GIFT_CARD item
    (object_id = the type) that the client pays at `payment_url`. No card exists until the
    order is paid (`gift_card_order_paid`). A type not offered or not sold online, or online
    payments off: ValidationError, nothing written."""
    from payments.models import OrderItem
    from payments.providers import online_provider
    from payments.services.orders import (
        ItemSpec,
        order_create,
        order_pay_path,
        purchase_expires_at,
    )
    from payments.services.settings import online_payments_available

    if client.salon_id != salon.pk or card_type.salon_id != salon.pk:
        raise ValueError("Client and gift card type must be of this salon.")
    if not (card_type.is_active and card_type.sold_online):
        raise ValidationError({"gift_card_type": _("This gift card is not sold online.")})
    provider = online_provider()
    if provider is None or not online_payments_available(salon):
        raise ValidationError(
            {"gift_card_type": _("This salon does not take payments online at the moment.")}
        )
    with transaction.atomic():
        order = order_create(
            salon=salon,
            client=client,
            items=[
                ItemSpec(
                    kind=OrderItem.Kind.GIFT_CARD,
                    description=card_type.name,
                    amount=card_type.value,
                    object_id=card_type.pk,
                )
            ],
            provider=provider.key,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            # An unpaid purchase lapses like a package's (the sweep cancels it).
            expires_at=purchase_expires_at(),
        )
    return GiftCardPurchase(order=order, payment_url=order_pay_path(order))


def client_for_buyer(*, salon: Salon, user: Any) -> Client:
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


def gift_card_for_order_item(*, salon: Salon, order_item_id: int) -> GiftCard | None:
    return GiftCard.objects.for_salon(salon).filter(order_item_id=order_item_id).first()


def gift_card_order_paid(item: OrderItem) -> None:
    """GIFT_CARD fulfilment `on_paid`: issue the paid card to the buyer (at the value paid, even
    if the type changed or stopped being offered meanwhile) and send it. Once per order item:
    a duplicate delivery finds the card and does nothing (the unique `order_item_id` stands
    behind that)."""
    salon = item.salon
    if gift_card_for_order_item(salon=salon, order_item_id=item.pk) is not None:
        return
    card_type = GiftCardType.objects.for_salon(salon).filter(pk=item.object_id).first()
    if card_type is None:  # pragma: no cover - types are PROTECTed by their cards, not orders
        raise ValueError("The gift card type of this order item is gone.")
    client = item.order.client
    try:
        with transaction.atomic():
            card = _new_card(
                salon=salon,
                card_type=card_type,
                client=client,
                source=GiftCard.Source.PURCHASE,
                actor=None,
                value=item.amount,
                order_item_id=item.pk,
            )
    except IntegrityError:
        if gift_card_for_order_item(salon=salon, order_item_id=item.pk) is not None:
            return  # a concurrent delivery issued it
        raise
    _send_card(card)


def register_fulfilment() -> None:
    from payments.fulfilment import Fulfilment
    from payments.fulfilment import register_fulfilment as register
    from payments.models import OrderItem

    register(Fulfilment(kind=OrderItem.Kind.GIFT_CARD, on_paid=gift_card_order_paid))


# --- Using a code ---------------------------------------------------------------------------


def _code_error(message: str) -> ValidationError:
    return ValidationError({CODE_FIELD: message}, code="invalid")


def gift_card_for_code(*, salon: Salon, code: str, client_ip: str, lock: bool = False) -> GiftCard:
    """The salon's usable card with this code, or ValidationError({"gift_card_code": …}) that
    says why not: missing, mistyped, another salon's, expired, used up, or too many tries."""
    normalized = code_normalize(code)
    if not normalized:
        raise _code_error(_("Enter the code of your gift card."))
    if code_guessing_throttled(salon_id=salon.pk, client_ip=client_ip):
        raise _code_error(
            _("Too many wrong gift card codes. Please wait 15 minutes and try again.")
        )
    qs = GiftCard.objects.for_salon(salon).select_related("salon")
    if lock:
        qs = qs.select_for_update(of=("self",))
    card = qs.filter(code=normalized).first() if code_is_well_formed(normalized) else None
    if card is None:
        code_failure_record(salon_id=salon.pk, client_ip=client_ip)
        if code_is_well_formed(normalized) and GiftCard.objects.filter(code=normalized).exists():
            raise _code_error(_("This gift card is from another salon and cannot be used here."))
        raise _code_error(_("There is no gift card with this code. Check it for typing mistakes."))
    if card.is_expired():
        until = gift_card_valid_until(card)
        raise _code_error(
            _("This gift card expired on %(date)s.")
            % {"date": formats.date_format(until, "DATE_FORMAT") if until else ""}
        )
    if card.balance <= 0:
        raise _code_error(_("This gift card has been used up."))
    return card


def gift_card_pay_appointment(
    *, salon: Salon, appointment: Appointment, code: str, client_ip: str = ""
) -> GiftCardEntry:
    """Pay (part of) a booking with a card: min(remaining value, price) leaves the card. Runs in
    the booking's transaction (checkout), so a refusal rolls the booking back too."""
    if appointment.salon_id != salon.pk:
        raise ValueError("The appointment belongs to another salon.")
    with transaction.atomic():
        card = gift_card_for_code(salon=salon, code=code, client_ip=client_ip, lock=True)
        amount = min(card.balance, appointment.price)
        if amount <= 0:
            raise _code_error(_("This booking has nothing to pay, so no gift card is needed."))
        card.balance -= amount
        card.save(update_fields=["balance"])
        return GiftCardEntry.objects.create(
            salon=salon,
            gift_card=card,
            kind=GiftCardEntry.Kind.REDEEMED,
            amount=-amount,
            appointment=appointment,
        )


def gift_card_refund_for_appointment(*, salon: Salon, appointment_id: int) -> list[GiftCardEntry]:
    """Give back what gift cards paid for a cancelled booking, once per card."""
    refunds = []
    with transaction.atomic():
        paid = list(
            GiftCardEntry.objects.for_salon(salon)
            .filter(appointment_id=appointment_id, kind=GiftCardEntry.Kind.REDEEMED)
            .order_by("gift_card_id")
        )
        for entry in paid:
            card = GiftCard.objects.for_salon(salon).select_for_update().get(pk=entry.gift_card_id)
            if (
                GiftCardEntry.objects.for_salon(salon)
                .filter(
                    gift_card=card, appointment_id=appointment_id, kind=GiftCardEntry.Kind.REFUND
                )
                .exists()
            ):
                continue
            amount = -entry.amount
            card.balance += amount
            card.save(update_fields=["balance"])
            refunds.append(
                GiftCardEntry.objects.create(
                    salon=salon,
                    gift_card=card,
                    kind=GiftCardEntry.Kind.REFUND,
                    amount=amount,
                    appointment_id=appointment_id,
                )
            )
    return refunds


def gift_card_paid_total(*, salon: Salon, appointment_id: int) -> Decimal:
    """What gift cards paid of a booking (net of refunds)."""
    total = Decimal("0")
    for entry in GiftCardEntry.objects.for_salon(salon).filter(appointment_id=appointment_id):
        if entry.kind in (GiftCardEntry.Kind.REDEEMED, GiftCardEntry.Kind.REFUND):
            total -= entry.amount
    return total
