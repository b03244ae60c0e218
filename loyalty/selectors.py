"""Reads of the loyalty app. Every function takes the salon; rows come with what their pages
and serializers show (no query per row)."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet, Sum
from django.utils import formats
from django.utils.translation import gettext as _

from bookings.models import Client, Salon, Service
from loyalty.models import (
    GiftCard,
    GiftCardEntry,
    GiftCardType,
    LoyaltyProgram,
    PointsAccount,
    PointsEntry,
    ServicePoints,
)


def loyalty_program_get(*, salon: Salon) -> LoyaltyProgram:
    """The salon's program; an unsaved one with the defaults (off) if it was never set."""
    program = LoyaltyProgram.objects.for_salon(salon).first()
    return program if program is not None else LoyaltyProgram(salon=salon)


def loyalty_is_enabled(*, salon: Salon) -> bool:
    return LoyaltyProgram.objects.for_salon(salon).filter(enabled=True).exists()


def loyalty_enabled_cache_key(salon_id: int) -> str:
    return f"loyalty:enabled:{salon_id}"


def loyalty_is_enabled_cached(*, salon: Salon) -> bool:
    """For what every public page asks (the nav links): the cache, filled from the database
    for ten minutes; `loyalty_program_update` clears it after its commit."""
    key = loyalty_enabled_cache_key(salon.pk)
    enabled = cache.get(key)
    if enabled is None:
        enabled = loyalty_is_enabled(salon=salon)
        cache.set(key, enabled, timeout=600)
    return bool(enabled)


def gift_card_types_sold_online(*, salon: Salon) -> QuerySet[GiftCardType]:
    """The types a client can buy for money now: offered, sold online, and the salon takes
    payments online (else none)."""
    from payments.providers import online_provider
    from payments.services.settings import online_payments_available

    # The provider first: a site without one asks the database nothing.
    if online_provider() is None or not online_payments_available(salon):
        return GiftCardType.objects.none()
    return GiftCardType.objects.for_salon(salon).filter(is_active=True, sold_online=True)


def gift_cards_on_sale_cache_key(salon_id: int) -> str:
    return f"loyalty:gift_cards_on_sale:{salon_id}"


def gift_cards_on_sale_cached(*, salon: Salon) -> bool:
    """Whether the salon sells gift cards online now (the public nav link): the cache, filled
    from the database for a minute; gift card type writes clear it after their commit."""
    key = gift_cards_on_sale_cache_key(salon.pk)
    on_sale = cache.get(key)
    if on_sale is None:
        on_sale = gift_card_types_sold_online(salon=salon).exists()
        cache.set(key, on_sale, timeout=60)
    return bool(on_sale)


def service_points_list(*, salon: Salon) -> list[tuple[Service, ServicePoints | None]]:
    """Every active service of the salon with its loyalty row (or None)."""
    rules = {r.service_id: r for r in ServicePoints.objects.for_salon(salon)}
    services = Service.objects.for_salon(salon).filter(is_active=True).select_related("category")
    return [(service, rules.get(service.pk)) for service in services]


def points_balance(*, salon: Salon, client: Client) -> int:
    account = PointsAccount.objects.for_salon(salon).filter(client=client).first()
    return account.balance if account else 0


def points_balance_from_ledger(*, salon: Salon, client: Client) -> int:
    """The balance as the sum of the ledger (what the cached balance must always equal)."""
    total = (
        PointsEntry.objects.for_salon(salon)
        .filter(client=client)
        .aggregate(total=Sum("points"))["total"]
    )
    return int(total or 0)


def points_history(*, salon: Salon, client: Client) -> QuerySet[PointsEntry]:
    return (
        PointsEntry.objects.for_salon(salon)
        .filter(client=client)
        .select_related(
            "appointment__service", "appointment__location", "gift_card", "actor", "reverses"
        )
        .order_by("-created_at", "-id")
    )


def _visit(entry: PointsEntry) -> str:
    appointment = entry.appointment
    if appointment is None:
        return ""
    tz = zoneinfo.ZoneInfo(appointment.location.time_zone)
    day = formats.date_format(appointment.starts_at.astimezone(tz), "SHORT_DATE_FORMAT")
    return _("%(service)s on %(date)s") % {"service": appointment.service.name, "date": day}


def points_entry_description(entry: PointsEntry) -> str:
    """What the client and the owner read for a row (translated into the active language).
    Rows the system writes are described from their source; manual rows by their text."""
    kind = entry.kind
    if kind == PointsEntry.Kind.EARNED:
        return _("Visit: %(visit)s") % {"visit": _visit(entry)}
    if kind == PointsEntry.Kind.REVERSAL and entry.appointment_id is None:
        return entry.description  # a correction written with its own words
    if kind == PointsEntry.Kind.REVERSAL:
        text = _("Taken back: %(visit)s did not take place") % {"visit": _visit(entry)}
        earned = entry.reverses.points if entry.reverses_id and entry.reverses else None
        if earned is not None and -entry.points < earned:
            text += " " + _(
                "(%(taken)d of %(earned)d points taken back; the rest had already been spent)"
            ) % {"taken": -entry.points, "earned": earned}
        return text
    if kind == PointsEntry.Kind.REDEEMED and entry.gift_card_id and entry.gift_card:
        return _("Gift card: %(name)s") % {"name": entry.gift_card.name}
    return entry.description


def points_history_rows(entries: Any) -> list[dict[str, Any]]:
    return [
        {"entry": e, "description": points_entry_description(e), "kind": e.get_kind_display()}
        for e in entries
    ]


def gift_card_type_list(*, salon: Salon) -> QuerySet[GiftCardType]:
    return GiftCardType.objects.for_salon(salon).order_by("name", "id")


def gift_card_types_for_points(*, salon: Salon) -> QuerySet[GiftCardType]:
    return (
        gift_card_type_list(salon=salon)
        .filter(is_active=True, for_points=True, points_price__isnull=False)
        .order_by("points_price", "name")
    )


def gift_card_list(
    *, salon: Salon, client: Client | None = None, search: str = ""
) -> QuerySet[GiftCard]:
    qs = GiftCard.objects.for_salon(salon).select_related("client", "card_type", "salon")
    if client is not None:
        qs = qs.filter(client=client)
    search = search.replace("\x00", "").strip()[:64]
    if search:
        from loyalty.codes import code_normalize

        qs = qs.filter(code__contains=code_normalize(search)) | qs.filter(
            client__last_name__icontains=search
        )
    return qs.order_by("-created_at", "-id")


def gift_card_entries(*, salon: Salon, gift_card: GiftCard) -> QuerySet[GiftCardEntry]:
    return (
        GiftCardEntry.objects.for_salon(salon)
        .filter(gift_card=gift_card)
        .select_related("appointment__service", "actor")
        .order_by("-created_at", "-id")
    )


def service_points_public(*, salon: Salon) -> QuerySet[ServicePoints]:
    """What a visit earns, as the public site tells it: services clients can book online that
    are part of the loyalty system, with their points."""
    return (
        ServicePoints.objects.for_salon(salon)
        .filter(enabled=True, service__is_active=True, service__online_bookable=True)
        .select_related("service")
        .order_by("service__name", "service_id")
    )


def gift_card_search_list(*, salon: Salon, search: str = "") -> QuerySet[GiftCard]:
    """The salon's issued cards for the dashboard, newest first. `search` finds a card by (part
    of) its code, typed with or without dashes, or by its client: each word must match the
    client's first name, last name or email."""
    from django.db.models import Q

    from loyalty.codes import code_normalize

    qs = GiftCard.objects.for_salon(salon).select_related("client", "card_type", "salon")
    search = (search or "").replace("\x00", "").strip()[:64]
    if search:
        by_client = Q()
        for term in search.split()[:5]:
            by_client &= (
                Q(client__first_name__icontains=term)
                | Q(client__last_name__icontains=term)
                | Q(client__email__icontains=term)
            )
        code = code_normalize(search)
        qs = qs.filter(by_client | Q(code__contains=code) if code else by_client)
    return qs.order_by("-created_at", "-id")


def gift_card_types_for_client(
    *, salon: Salon, client: Client | None
) -> list[tuple[GiftCardType, bool]]:
    """The types offered for points, each with whether this client can take it now: loyalty on
    and a balance of at least its price (what `gift_card_buy_with_points` will accept). Nobody
    logged in, or no client record in this salon: nothing is affordable."""
    types = list(gift_card_types_for_points(salon=salon))
    if client is None or not types or not loyalty_is_enabled(salon=salon):
        return [(card_type, False) for card_type in types]
    balance = points_balance(salon=salon, client=client)
    return [(t, t.points_price is not None and balance >= t.points_price) for t in types]
