"""Two client records become one (`bookings.services.clients.clients_merge`, through the
`clients_merged` hook in bookings/client_events.py; subscribed in `LoyaltyConfig.ready()`).

The duplicate's points ledger and gift cards become the kept client's. Ledger rows are moved,
not rewritten: each keeps its kind, points, reason, actor and date; only whose row it is
changes. The two cached balances are added up in the kept client's account (both rows locked
in pk order), so the kept balance still equals the sum of its ledger and never goes below
zero (both parts were at least zero); the kept client's `balance_after` of every row is
recomputed as the running sum of the merged ledger."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from bookings.models import Client, Salon
from loyalty.models import GiftCard, PointsAccount, PointsEntry
from loyalty.services.points import points_balances_recompute


@transaction.atomic
def loyalty_move_to_client(*, salon: Salon, kept: Client, merged: Client) -> None:
    for client in sorted((kept, merged), key=lambda c: c.pk):
        PointsAccount.objects.select_for_update().get_or_create(salon=salon, client=client)
    accounts = {
        account.client_id: account
        for account in PointsAccount.objects.for_salon(salon)
        .select_for_update()
        .filter(client__in=[kept.pk, merged.pk])
        .order_by("pk")
    }
    PointsEntry.objects.for_salon(salon).filter(client=merged).update(client=kept)
    # The moved rows interleave with the kept client's: their balances after each row change.
    points_balances_recompute(salon=salon, client=kept)
    GiftCard.objects.for_salon(salon).filter(client=merged).update(client=kept)
    moved = accounts[merged.pk].balance
    accounts[merged.pk].delete()
    if moved:
        account = accounts[kept.pk]
        account.balance += moved
        account.updated_at = timezone.now()
        account.save(update_fields=["balance", "updated_at"])
