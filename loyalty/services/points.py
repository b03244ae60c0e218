"""The points ledger: every change of a client's points is one `PointsEntry` row, and the cached
`PointsAccount.balance` changes in the same transaction under the account row's lock.

Negative balances cannot happen (invariant 3):
- spending (redeeming, a negative manual adjustment) locks the account row, refuses when the
  balance is short, and the database's check constraint stands behind that;
- a reversal (a visit marked no-show or cancelled after its points were credited) takes back
  what it can: if the client has already spent some of those points, the reversal takes the
  balance down to zero, not below, and records the points it really took (the reversal row's
  amount), so the ledger still sums to the balance. The shortfall is shown in the history
  ("40 of 50 points taken back; the rest had already been spent").
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Appointment, Client, Salon
from loyalty.models import (
    MAX_POINTS,
    AppointmentPoints,
    LoyaltyProgram,
    PointsAccount,
    PointsEntry,
    ServicePoints,
)
from salonbook.tasks_publish import publish

MAX_DESCRIPTION_LENGTH = 255


def account_lock(*, salon: Salon | int, client: Client | int) -> PointsAccount:
    """The client's account row, created at zero if missing, locked until the transaction ends."""
    salon_id = salon if isinstance(salon, int) else salon.pk
    client_id = client if isinstance(client, int) else client.pk
    account, _created = PointsAccount.objects.select_for_update().get_or_create(
        salon_id=salon_id, client_id=client_id
    )
    return account


def _account_change(account: PointsAccount, points: int) -> None:
    account.balance += points
    account.updated_at = timezone.now()
    account.save(update_fields=["balance", "updated_at"])


def points_entry_add(
    *,
    salon: Salon,
    client: Client,
    kind: str,
    points: int,
    description: str = "",
    actor: Any = None,
    allow_partial: bool = False,
    **source: Any,
) -> tuple[PointsEntry, PointsAccount]:
    """Write one ledger row and move the balance with it (call inside a transaction).

    A debit larger than the balance raises ValidationError({"points": …}), unless
    `allow_partial` (reversals), which takes the balance to zero and records what it took.
    `source` is the row's appointment / gift_card / reverses (and `created_at` for a row
    dated in the past). The row's `balance_after` is the balance it leaves, under the lock.
    """
    if client.salon_id != salon.pk:
        raise ValueError("The client belongs to another salon.")
    account = account_lock(salon=salon, client=client)
    if points < 0 and account.balance + points < 0:
        if not allow_partial:
            raise ValidationError(
                {
                    "points": _(
                        "Not enough points: the balance is %(balance)d, this takes %(points)d."
                    )
                    % {"balance": account.balance, "points": -points}
                }
            )
        points = -account.balance
    entry = PointsEntry(
        salon=salon,
        client=client,
        kind=kind,
        points=points,
        description=description,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        # Under the account row's lock: no other row of this client is written meanwhile.
        balance_after=account.balance + points,
        **source,
    )
    if points != 0:
        entry.save()
        _account_change(account, points)
        if "created_at" in source and _rows_after(entry):
            # A row dated before rows already written (an import, a backdated correction):
            # the balances after it and after the later rows follow the ledger's order.
            points_balances_recompute(salon=salon, client=client)
            entry.refresh_from_db(fields=["balance_after"])
    return entry, account


def _rows_after(entry: PointsEntry) -> bool:
    return (
        PointsEntry.objects.filter(salon_id=entry.salon_id, client_id=entry.client_id)
        .filter(created_at__gt=entry.created_at)
        .exists()
    )


RECOMPUTE_SQL = """
UPDATE loyalty_pointsentry
SET balance_after = running.balance
FROM (
    SELECT id, SUM(points) OVER (ORDER BY created_at, id) AS balance
    FROM loyalty_pointsentry
    WHERE salon_id = %s AND client_id = %s
) AS running
WHERE loyalty_pointsentry.id = running.id
  AND loyalty_pointsentry.balance_after <> running.balance
"""


def points_balances_recompute(*, salon: Salon | int, client: Client | int) -> int:
    """Rewrite `balance_after` of a client's ledger rows as the running sum in (created_at, id)
    order, under the account row's lock; the number of rows changed. For when rows join a
    client other than by `points_entry_add` (a client merge moves a duplicate's rows)."""
    salon_id = salon if isinstance(salon, int) else salon.pk
    client_id = client if isinstance(client, int) else client.pk
    with transaction.atomic():
        account_lock(salon=salon_id, client=client_id)
        with connection.cursor() as cursor:
            cursor.execute(RECOMPUTE_SQL, [salon_id, client_id])
            return cursor.rowcount


def _clean_adjustment(points: Any, description: str) -> tuple[int, str]:
    errors: dict[str, str] = {}
    try:
        value = int(points)
    except (TypeError, ValueError):
        value = 0
        errors["points"] = _("Enter a whole number of points, with a minus to take points.")
    else:
        if value == 0:
            errors["points"] = _("Enter a number of points other than zero.")
        elif abs(value) > MAX_POINTS:
            errors["points"] = _("At most %(max)d points at a time.") % {"max": MAX_POINTS}
    text = " ".join((description or "").split())
    if not text:
        errors["description"] = _("Say what the points are for; the client sees this text.")
    elif len(text) > MAX_DESCRIPTION_LENGTH:
        errors["description"] = _("At most %(max)d characters.") % {"max": MAX_DESCRIPTION_LENGTH}
    if errors:
        raise ValidationError(errors)
    return value, text


def points_adjust(
    *, salon: Salon, client: Client, points: int, description: str, actor: Any
) -> PointsEntry:
    """The owner adds (+) or takes (−) points by hand, with a description the client sees. The
    client is told (a marketing notice: only if they opted in). Taking more than the balance is
    refused, nothing written."""
    value, text = _clean_adjustment(points, description)
    if client.salon_id != salon.pk:
        raise ValueError("The client belongs to another salon.")
    with transaction.atomic():
        entry, account = points_entry_add(
            salon=salon,
            client=client,
            kind=PointsEntry.Kind.MANUAL,
            points=value,
            description=text,
            actor=actor,
        )
        entry_id = entry.pk
        transaction.on_commit(lambda: _notify_later(entry_id))
    return entry


def _notify_later(entry_id: int) -> None:
    from loyalty.tasks import points_notify

    publish(points_notify, [entry_id])  # a broker outage is logged, never a 500 after commit


def points_reverse_for_appointment(
    *, salon: Salon, appointment_id: int, actor: Any = None
) -> PointsEntry | None:
    """Take back the points an appointment earned, once (the unique (appointment, kind) row
    makes a second reversal impossible). None when it earned nothing or was reversed already."""
    with transaction.atomic():
        earned = (
            PointsEntry.objects.for_salon(salon)
            .select_related("client")
            .filter(appointment_id=appointment_id, kind=PointsEntry.Kind.EARNED)
            .first()
        )
        if earned is None:
            return None
        # Lock the account first, then look for a reversal: a concurrent reversal of the same
        # appointment waits here and then finds ours.
        account_lock(salon=salon, client=earned.client)
        if (
            PointsEntry.objects.for_salon(salon)
            .filter(appointment_id=appointment_id, kind=PointsEntry.Kind.REVERSAL)
            .exists()
        ):
            return None
        entry, _account = points_entry_add(
            salon=salon,
            client=earned.client,
            kind=PointsEntry.Kind.REVERSAL,
            points=-earned.points,
            actor=actor,
            allow_partial=True,
            appointment_id=appointment_id,
            reverses=earned,
        )
    return entry if entry.pk else None


def points_snapshot_for_appointment(*, appointment: Appointment) -> AppointmentPoints | None:
    """Fix the points an appointment will earn at the moment it is booked (when the salon's
    loyalty system is on and the service earns points)."""
    program = LoyaltyProgram.objects.for_salon(appointment.salon_id).filter(enabled=True).first()
    if program is None:
        return None
    rule = (
        ServicePoints.objects.for_salon(appointment.salon_id)
        .filter(service_id=appointment.service_id, enabled=True)
        .first()
    )
    if rule is None:
        return None
    snapshot, _created = AppointmentPoints.objects.get_or_create(
        salon_id=appointment.salon_id,
        appointment=appointment,
        defaults={"points": rule.points},
    )
    return snapshot
