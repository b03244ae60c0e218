"""The award sweep: points for visits that took place, credited `award_delay_minutes` after the
visit ended, by a periodic Celery beat task (never one ETA task per appointment: with the Redis
broker those are redelivered after the visibility timeout).

The rule
- An appointment earns when its salon's loyalty system is on, it is `completed`, it ended at
  least the salon's delay ago and after the system was (last) switched on, and not more than
  `LOYALTY_AWARD_LOOKBACK_DAYS` (30) ago — older visits are the owner's to add by hand.
- Points are those fixed when the appointment was booked (`AppointmentPoints`); an
  appointment booked before its service earned points (or before loyalty was on) earns the
  service's points at the time of the award.
- Cancelled and no-show appointments never earn (only `completed` is selected). A visit marked
  no-show or cancelled after its award is reversed (`points_reverse_for_appointment`, from the
  booking event, and again by `loyalty_reconcile` if that handler was lost).

Why it awards once (invariant 2)
- Each batch locks its appointment rows (`FOR UPDATE SKIP LOCKED`): two sweeps at once take
  different rows, and a status change waits for the batch (or the batch skips the row).
- The ledger rows are inserted with `ON CONFLICT DO NOTHING … RETURNING`: the unique
  (salon, appointment, kind) constraint refuses a second "earned" row whatever raced, and only
  the rows really inserted move balances. A task delivered twice or a worker killed mid-batch
  (its transaction rolls back) therefore changes nothing twice.

Each row's `balance_after` (the balance it leaves): the batch's accounts are locked first (one
upsert that creates missing ones at zero and returns the balances, clients in id order), the
rows are dated after that and written with their running balances, and the balances move by
what was really inserted (a row the unique constraint refused makes its client's balances be
recomputed from the ledger, still under the lock).

Cost: per batch one SELECT, one upsert locking the accounts, one INSERT of the entries, one
upsert of the balances, whatever the batch size; salons are swept one after another in bounded
batches (memory is one batch).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from bookings.models import Appointment
from loyalty.models import (
    AppointmentPoints,
    GiftCardEntry,
    LoyaltyProgram,
    PointsAccount,
    PointsEntry,
    ServicePoints,
)
from loyalty.services.points import points_balances_recompute
from salonbook.tasks_publish import publish

DEFAULT_BATCH_SIZE = 1000


def _lookback() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "LOYALTY_AWARD_LOOKBACK_DAYS", 30)))


def _due_batch(
    program: LoyaltyProgram,
    *,
    since: dt.datetime,
    until: dt.datetime,
    after: tuple[dt.datetime, int] | None,
    batch_size: int,
) -> list[tuple[int, int, int, dt.datetime, bool]]:
    """(appointment id, client id, points, ends_at, client opted in) of due appointments."""
    salon_id = program.salon_id
    snapshot = AppointmentPoints.objects.filter(salon_id=salon_id, appointment_id=OuterRef("pk"))
    rule = ServicePoints.objects.filter(
        salon_id=salon_id, service_id=OuterRef("service_id"), enabled=True
    )
    earned = PointsEntry.objects.filter(
        salon_id=salon_id, appointment_id=OuterRef("pk"), kind=PointsEntry.Kind.EARNED
    )
    qs = (
        Appointment.objects.for_salon(salon_id)
        .filter(status=Appointment.Status.COMPLETED, ends_at__gte=since, ends_at__lte=until)
        .annotate(
            award_points=Coalesce(
                Subquery(snapshot.values("points")[:1]),
                Subquery(rule.values("points")[:1]),
                output_field=IntegerField(),
            )
        )
        .filter(award_points__gt=0)
        .filter(~Exists(earned))
    )
    if after is not None:
        ends_at, pk = after
        qs = qs.filter(Q(ends_at__gt=ends_at) | Q(ends_at=ends_at, pk__gt=pk))
    qs = qs.order_by("ends_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return list(
        qs.values_list("pk", "client_id", "award_points", "ends_at", "client__marketing_consent")[
            :batch_size
        ]
    )


def _insert_earned(
    salon_id: int, rows: Iterable[tuple[int, int, int, int]], now: dt.datetime
) -> list[tuple[int, int, int]]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: (entry id, client id, points) really inserted.
    `rows` are (appointment id, client id, points, balance after).

    On PostgreSQL the batch travels as four arrays (`unnest`), not as thousands of
    parameters that the driver and the server would each parse (measured: the insert takes a
    third of the time)."""
    rows = list(rows)
    if not rows:
        return []
    table = connection.ops.quote_name(PointsEntry._meta.db_table)
    created = connection.ops.adapt_datetimefield_value(now)
    columns = (
        "salon_id, client_id, kind, points, description, appointment_id, created_at, balance_after"
    )
    kind = PointsEntry.Kind.EARNED.value
    if connection.vendor == "postgresql":
        appointment_ids, client_ids, points, balances = (list(c) for c in zip(*rows, strict=True))
        sql = (
            f"INSERT INTO {table} ({columns}) "
            "SELECT %s, t.client_id, %s, t.points, '', t.appointment_id, %s, t.balance_after "
            "FROM unnest(%s::bigint[], %s::bigint[], %s::integer[], %s::integer[]) "
            "WITH ORDINALITY AS t(appointment_id, client_id, points, balance_after, n) "
            "ORDER BY t.n "
            "ON CONFLICT DO NOTHING RETURNING id, client_id, points"
        )
        params: list[object] = [
            salon_id,
            kind,
            created,
            appointment_ids,
            client_ids,
            points,
            balances,
        ]
    else:
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
        params = []
        for appointment_id, client_id, amount, balance_after in rows:
            params += [salon_id, client_id, kind, amount, "", appointment_id, created]
            params.append(balance_after)
        sql = (
            f"INSERT INTO {table} ({columns}) VALUES {values} "
            "ON CONFLICT DO NOTHING RETURNING id, client_id, points"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(r) for r in cursor.fetchall()]  # type: ignore[misc]


def accounts_lock(salon_id: int, client_ids: Iterable[int], now: dt.datetime) -> dict[int, int]:
    """Lock (creating at zero where missing) the accounts of these clients, in client id order
    (as `accounts_credit`, so sweeps cannot deadlock), in one upsert: {client id: balance}.
    Held until the transaction ends, so the balances read here are those the batch's ledger
    rows follow (`balance_after`)."""
    ids = sorted(set(client_ids))
    if not ids:
        return {}
    table = connection.ops.quote_name(PointsAccount._meta.db_table)
    updated = connection.ops.adapt_datetimefield_value(now)
    upsert = (
        "ON CONFLICT (salon_id, client_id) DO UPDATE SET "
        f"balance = {table}.balance RETURNING client_id, balance"
    )
    if connection.vendor == "postgresql":
        sql = (
            f"INSERT INTO {table} (salon_id, client_id, balance, updated_at) "
            "SELECT %s, t.client_id, 0, %s "
            "FROM unnest(%s::bigint[]) WITH ORDINALITY AS t(client_id, n) "
            f"ORDER BY t.n {upsert}"
        )
        params: list[object] = [salon_id, updated, ids]
    else:
        values = ", ".join(["(%s, %s, 0, %s)"] * len(ids))
        params = []
        for client_id in ids:
            params += [salon_id, client_id, updated]
        sql = (
            f"INSERT INTO {table} (salon_id, client_id, balance, updated_at) VALUES {values} "
            f"{upsert}"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def accounts_credit(salon_id: int, credits: dict[int, int], now: dt.datetime) -> None:
    """Add points to many balances in one upsert (clients in id order, so two sweeps lock
    accounts in the same order and cannot deadlock)."""
    if not credits:
        return
    table = connection.ops.quote_name(PointsAccount._meta.db_table)
    updated = connection.ops.adapt_datetimefield_value(now)
    items = sorted(credits.items())
    upsert = (
        "ON CONFLICT (salon_id, client_id) DO UPDATE SET "
        f"balance = {table}.balance + excluded.balance, updated_at = excluded.updated_at"
    )
    if connection.vendor == "postgresql":
        client_ids, points = (list(c) for c in zip(*items, strict=True))
        sql = (
            f"INSERT INTO {table} (salon_id, client_id, balance, updated_at) "
            "SELECT %s, t.client_id, t.points, %s "
            "FROM unnest(%s::bigint[], %s::integer[]) WITH ORDINALITY AS t(client_id, points, n) "
            f"ORDER BY t.n {upsert}"
        )
        params: list[object] = [salon_id, updated, client_ids, points]
    else:
        values = ", ".join(["(%s, %s, %s, %s)"] * len(items))
        params = []
        for client_id, amount in items:
            params += [salon_id, client_id, amount, updated]
        sql = (
            f"INSERT INTO {table} (salon_id, client_id, balance, updated_at) VALUES {values} "
            f"{upsert}"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _award_batch(
    program: LoyaltyProgram,
    *,
    since: dt.datetime,
    until: dt.datetime,
    after: tuple[dt.datetime, int] | None,
    batch_size: int,
    now: dt.datetime,
) -> tuple[int, tuple[dt.datetime, int] | None, bool]:
    """Award one batch in one transaction: (awarded, cursor for the next batch, more left)."""
    with transaction.atomic():
        due = _due_batch(program, since=since, until=until, after=after, batch_size=batch_size)
        if not due:
            return 0, after, False
        opted_in = {pk for pk, _c, _p, _e, consent in due if consent}
        # The accounts are locked before the rows are written, so each row's balance_after
        # follows the balance no other writer can move meanwhile.
        running = accounts_lock(program.salon_id, (client for _pk, client, *_r in due), now)
        # The rows are dated after the locks are held (not at the sweep's start): a row another
        # writer added meanwhile then comes before them in (created_at, id) order too.
        stamp = max(now, timezone.now())
        planned = []
        for pk, client, points, _e, _c in due:
            running[client] += points
            planned.append((pk, client, points, running[client]))
        inserted = _insert_earned(program.salon_id, planned, stamp)
        credits: dict[int, int] = defaultdict(int)
        for _entry_id, client_id, points in inserted:
            credits[client_id] += points
        if len(inserted) < len(planned):
            # A row was already there (a race the unique constraint settled): the balances
            # after the rows that were written follow from the ledger (accounts still locked).
            expected: dict[int, int] = defaultdict(int)
            for _pk, client, points, _b in planned:
                expected[client] += points
            for client_id in sorted(expected):
                if expected[client_id] != credits.get(client_id, 0):
                    points_balances_recompute(salon=program.salon_id, client=client_id)
        accounts_credit(program.salon_id, credits, now)
        notify_ids = _entries_to_notify(inserted, due, opted_in)
        if notify_ids:
            transaction.on_commit(lambda: _enqueue_notices(notify_ids))
    last = due[-1]
    return len(inserted), (last[3], last[0]), len(due) == batch_size


def _entries_to_notify(
    inserted: list[tuple[int, int, int]],
    due: list[tuple[int, int, int, dt.datetime, bool]],
    opted_in: set[int],
) -> list[int]:
    consenting_clients = {client for pk, client, _p, _e, _c in due if pk in opted_in}
    return [entry_id for entry_id, client_id, _p in inserted if client_id in consenting_clients]


def _enqueue_notices(entry_ids: list[int]) -> None:
    from loyalty.tasks import points_notify

    publish(points_notify, entry_ids)  # a broker outage is logged, not raised after commit


def points_award_due(
    *, now: dt.datetime | None = None, batch_size: int = DEFAULT_BATCH_SIZE
) -> int:
    """Credit every due appointment of every salon with loyalty on; returns how many earned.
    Safe to run twice, concurrently, or after a crash (see the module docstring)."""
    now = now or timezone.now()
    total = 0
    programs = LoyaltyProgram.objects.filter(enabled=True, enabled_at__isnull=False)
    for program in programs.order_by("salon_id").iterator():
        total += points_award_due_for_salon(program=program, now=now, batch_size=batch_size)
    return total


def points_award_due_for_salon(
    *, program: LoyaltyProgram, now: dt.datetime, batch_size: int = DEFAULT_BATCH_SIZE
) -> int:
    assert program.enabled_at is not None
    since = max(program.enabled_at, now - _lookback())
    until = now - dt.timedelta(minutes=program.award_delay_minutes)
    if until < since:
        return 0
    total = 0
    after: tuple[dt.datetime, int] | None = None
    more = True
    while more:
        awarded, after, more = _award_batch(
            program, since=since, until=until, after=after, batch_size=batch_size, now=now
        )
        total += awarded
    return total


def loyalty_reconcile(*, now: dt.datetime | None = None) -> int:
    """The safety net behind the booking-event handlers: reverse points of recent visits that
    were marked no-show or cancelled after their award, and give gift card value back for
    recently cancelled bookings, where the handler did not (a crash between the status change
    and the handler). Returns how many corrections it made."""
    from loyalty.services.gift_cards import gift_card_refund_for_appointment
    from loyalty.services.points import points_reverse_for_appointment

    now = now or timezone.now()
    since = now - _lookback() - dt.timedelta(days=1)
    fixed = 0
    for program in LoyaltyProgram.objects.select_related("salon").order_by("salon_id").iterator():
        salon = program.salon
        reversed_ = PointsEntry.objects.for_salon(salon).filter(
            appointment_id=OuterRef("appointment_id"), kind=PointsEntry.Kind.REVERSAL
        )
        to_reverse = (
            PointsEntry.objects.for_salon(salon)
            .filter(
                kind=PointsEntry.Kind.EARNED,
                created_at__gte=since,
                appointment__status__in=(
                    Appointment.Status.CANCELLED,
                    Appointment.Status.NO_SHOW,
                ),
            )
            .filter(~Exists(reversed_))
            .values_list("appointment_id", flat=True)
        )
        for appointment_id in list(to_reverse[:1000]):
            if points_reverse_for_appointment(salon=salon, appointment_id=appointment_id):
                fixed += 1
        refunded = GiftCardEntry.objects.for_salon(salon).filter(
            appointment_id=OuterRef("appointment_id"),
            gift_card_id=OuterRef("gift_card_id"),
            kind=GiftCardEntry.Kind.REFUND,
        )
        to_refund = (
            GiftCardEntry.objects.for_salon(salon)
            .filter(
                kind=GiftCardEntry.Kind.REDEEMED,
                created_at__gte=since - dt.timedelta(days=365),
                appointment__status=Appointment.Status.CANCELLED,
            )
            .filter(~Exists(refunded))
            .values_list("appointment_id", flat=True)
            .distinct()
        )
        for appointment_id in list(to_refund[:1000]):
            fixed += len(
                gift_card_refund_for_appointment(salon=salon, appointment_id=appointment_id)
            )
    return fixed
