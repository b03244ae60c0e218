"""Paying appointments with packages, and giving uses back.

The rules (each one tested in packages/tests/test_usage.py):

- **What pays.** A package pays a booking of a service its type covers, on a day it is valid
  (validity is judged on the appointment's date in its location's time zone, never on the day
  of booking — see packages/validity.py), once it is paid (a purchase waiting for payment at
  the salon does not pay yet). A booking with nothing to pay (price 0) uses no package.
- **Which one.** When several could pay, time passes come first (they do not run down), then
  the package that expires soonest (no expiry last), then the oldest.
- **How much.** A visit package gives one visit per booking. A credit package gives the
  booking's price; when less credit is left than the price, it gives what is left and the rest
  is paid at the salon (the use row records what it gave). A time pass gives the booking
  (nothing is deducted).
- **Time pass and overlaps.** A time pass pays any number of bookings in its period, but not
  two overlapping bookings of the same client: a booking that overlaps one the pass already
  pays for (active, not returned) is not paid by it — the client's second, overlapping
  booking is paid another way.
- **One appointment, one package, once.** The database refuses a second use row for an
  appointment (also from concurrent requests): the dashboard's automatic apply and the
  checkout's cannot both pay it.
- **Cancel returns, no-show keeps.** Cancelling (by the client, or the owner, also a
  correction of a completed visit) returns the use to the package — also to an expired one.
  A no-show keeps it used, as a salon keeps a no-show fee.
- **Moving re-checks.** When a booking moves, its use moves with it if the package still
  covers the new date (and, for a time pass, the new time overlaps no other booking the pass
  pays); otherwise the use is returned and the booking is paid at the salon. Moving it back
  later does not take the package again (one use per appointment, ever).
- **No balance below zero.** Every use and return changes the cached balance and writes its
  ledger row in one transaction, under the package row's lock (`SELECT … FOR UPDATE`; several
  candidates are locked by one query in one deterministic order); check constraints stand
  behind that.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Appointment, Salon
from packages.models import ClientPackage, PackageEntry, PackageKind, PackageTypeService
from packages.selectors import appointment_package_use, usable_packages
from packages.validity import appointment_day


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _returned() -> Exists:
    return Exists(
        PackageEntry.objects.filter(kind=PackageEntry.Kind.RETURNED, reverses=OuterRef("pk"))
    )


def _open_uses(salon_id: int, package_ids: list[int]) -> Any:
    """Uses of these packages that have not been returned, by active appointments."""
    return (
        PackageEntry.objects.for_salon(salon_id)
        .filter(
            client_package_id__in=package_ids,
            kind=PackageEntry.Kind.USED,
            appointment__status__in=Appointment.ACTIVE_STATUSES,
        )
        .exclude(_returned())
    )


def _overlapping_time_passes(
    salon_id: int, packages: list[ClientPackage], appointment: Appointment
) -> set[int]:
    """Ids of the time passes among `packages` that already pay a booking overlapping this
    one (one query, whatever the number of packages and uses)."""
    passes = [p.pk for p in packages if p.kind == PackageKind.TIME]
    if not passes:
        return set()
    return set(
        _open_uses(salon_id, passes)
        .filter(
            appointment__starts_at__lt=appointment.ends_at,
            appointment__ends_at__gt=appointment.starts_at,
        )
        .exclude(appointment_id=appointment.pk)
        .values_list("client_package_id", flat=True)
    )


def _amount(client_package: ClientPackage, price: Decimal) -> tuple[Decimal, int]:
    """(credit, visits) this package gives for a booking of `price`; (0, 0) for a time pass."""
    if client_package.kind == PackageKind.CREDIT:
        return min(client_package.credit_left or Decimal("0"), price), 0
    if client_package.kind == PackageKind.VISITS:
        return Decimal("0"), 1
    return Decimal("0"), 0


def _can_give(client_package: ClientPackage) -> bool:
    if client_package.status != ClientPackage.Status.ACTIVE:
        return False
    if client_package.kind == PackageKind.CREDIT:
        return (client_package.credit_left or 0) > 0
    if client_package.kind == PackageKind.VISITS:
        return (client_package.visits_left or 0) > 0
    return True


def _covers_day(client_package: ClientPackage, day: dt.date) -> bool:
    return client_package.starts_on <= day and not client_package.is_expired_on(day)


def _move_balance(client_package: ClientPackage, credit: Decimal, visits: int) -> None:
    """Add (or, negative, take) credit and visits on a row locked by the caller, in memory
    and in the database (an UPDATE of the two columns only)."""
    changes: dict[str, Any] = {}
    if client_package.kind == PackageKind.CREDIT and credit:
        client_package.credit_left = (client_package.credit_left or Decimal("0")) + credit
        changes["credit_left"] = client_package.credit_left
    if client_package.kind == PackageKind.VISITS and visits:
        client_package.visits_left = (client_package.visits_left or 0) + visits
        changes["visits_left"] = client_package.visits_left
    if changes:
        ClientPackage.objects.filter(pk=client_package.pk).update(**changes)


def _take(
    client_package: ClientPackage, appointment: Appointment, actor: Any
) -> PackageEntry | None:
    """Write the use and take the balance (package row locked by the caller). None when the
    appointment is already paid by a package (the unique use row, also a concurrent one)."""
    credit, visits = _amount(client_package, appointment.price)
    entry = PackageEntry(
        salon_id=client_package.salon_id,
        client_package=client_package,
        kind=PackageEntry.Kind.USED,
        credit=-credit,
        visits=-visits,
        appointment=appointment,
        actor=_actor(actor),
    )
    before = (client_package.credit_left, client_package.visits_left)
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
            _move_balance(client_package, -credit, -visits)
    except IntegrityError:
        client_package.credit_left, client_package.visits_left = before
        if PackageEntry.objects.filter(
            salon_id=client_package.salon_id,
            appointment_id=appointment.pk,
            kind=PackageEntry.Kind.USED,
        ).exists():
            return None
        raise
    return entry


def _lock_usable(appointment: Appointment, day: dt.date) -> list[ClientPackage]:
    """The client's packages that could pay this appointment, in the order they are used,
    locked in that (deterministic) order by one query. After waiting for a lock, PostgreSQL
    checks the row against the filter again, so a package a concurrent booking used up is
    left out; `_can_give` checks the locked values once more."""
    candidates = usable_packages(
        salon=appointment.salon_id,
        client=appointment.client_id,
        service=appointment.service_id,
        on=day,
    ).select_for_update()
    return [p for p in candidates if _can_give(p)]


def package_pay_appointment(*, appointment: Appointment, actor: Any = None) -> PackageEntry | None:
    """Pay the appointment with the client's best usable package (the rules above). None when
    none can (or it is paid by a package already); nothing is written then."""
    if appointment.status != Appointment.Status.BOOKED or appointment.price <= 0:
        return None
    day = appointment_day(appointment)
    with transaction.atomic(savepoint=False):  # nested: no savepoint of its own
        packages = _lock_usable(appointment, day)
        if not packages:
            return None
        blocked = _overlapping_time_passes(appointment.salon_id, packages, appointment)
        for client_package in packages:
            if client_package.pk in blocked:
                continue
            return _take(client_package, appointment, actor)
    return None


def package_pay_appointment_online(*, appointment: Appointment) -> PackageEntry:
    """The checkout's "package" way to pay (packages/checkout.py), inside the booking's
    transaction: the client's own package pays, or a ValidationError on `payment_method`
    refuses the booking (it is rolled back with everything else). Only the person logged in
    to the client's account can use the client's packages."""
    client = appointment.client
    if client.user_id is None or appointment.created_by_id != client.user_id:
        raise ValidationError(
            {"payment_method": _("Log in to your account to pay with your package.")}
        )
    if appointment.price <= 0:
        raise ValidationError(
            {"payment_method": _("This booking has nothing to pay, so no package is needed.")}
        )
    entry = package_pay_appointment(appointment=appointment, actor=appointment.created_by)
    if entry is None:
        raise ValidationError(
            {
                "payment_method": _(
                    "None of your packages can pay this booking: it is not valid on that day, "
                    "does not cover this service or has nothing left. Choose another way to pay."
                )
            }
        )
    return entry


def package_apply_to_upcoming(
    *, client_package: ClientPackage, actor: Any = None, now: dt.datetime | None = None
) -> list[PackageEntry]:
    """ "For existing bookings too": the package pays the client's upcoming booked appointments
    of the services it covers that no package paid yet, in date order, as far as its balance
    goes and while it is valid on their date (the rules above). Returns the uses written."""
    now = now or timezone.now()
    salon_id = client_package.salon_id
    used = PackageEntry.objects.filter(
        salon_id=salon_id, kind=PackageEntry.Kind.USED, appointment=OuterRef("pk")
    )
    covered = PackageTypeService.objects.for_salon(salon_id).filter(
        package_type_id=client_package.package_type_id
    )
    entries: list[PackageEntry] = []
    with transaction.atomic():
        locked = (
            ClientPackage.objects.for_salon(salon_id)
            .select_for_update()
            .filter(pk=client_package.pk)
            .first()
        )
        if locked is None or not _can_give(locked):
            return entries
        appointments = (
            Appointment.objects.for_salon(salon_id)
            .filter(
                client_id=locked.client_id,
                status=Appointment.Status.BOOKED,
                starts_at__gte=now,
                price__gt=0,
                service_id__in=covered.values("service_id"),
            )
            .exclude(Exists(used))
            .select_related("location")
            .order_by("starts_at", "pk")
        )
        busy: list[tuple[dt.datetime, dt.datetime]] = []
        if locked.kind == PackageKind.TIME:
            busy = [
                (u.appointment.starts_at, u.appointment.ends_at)
                for u in _open_uses(salon_id, [locked.pk]).select_related("appointment")
            ]
        for appointment in appointments:
            if not _can_give(locked):
                break
            day = appointment_day(appointment)
            if not _covers_day(locked, day):
                continue
            if locked.kind == PackageKind.TIME and any(
                start < appointment.ends_at and appointment.starts_at < end for start, end in busy
            ):
                continue
            entry = _take(locked, appointment, actor)
            if entry is not None:
                entries.append(entry)
                busy.append((appointment.starts_at, appointment.ends_at))
    client_package.credit_left, client_package.visits_left = locked.credit_left, locked.visits_left
    return entries


def _give_back(use: PackageEntry, actor: Any) -> PackageEntry | None:
    """Return a use (package row locked by the caller); None when it was returned already."""
    client_package = use.client_package
    entry = PackageEntry(
        salon_id=use.salon_id,
        client_package=client_package,
        kind=PackageEntry.Kind.RETURNED,
        credit=-use.credit,
        visits=-use.visits,
        appointment_id=use.appointment_id,
        reverses=use,
        actor=_actor(actor),
    )
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
            _move_balance(client_package, -use.credit, -use.visits)
    except IntegrityError:
        return None  # returned meanwhile (package_entry_returned_once)
    return entry


def _lock_use(salon: Salon | int, appointment_id: int) -> PackageEntry | None:
    """The appointment's unreturned use with its package row locked (then read again: a
    concurrent return may have committed while we waited for the lock)."""
    use = appointment_package_use(salon=salon, appointment_id=appointment_id)
    if use is None:
        return None
    client_package = ClientPackage.objects.select_for_update().get(pk=use.client_package_id)
    use = appointment_package_use(salon=salon, appointment_id=appointment_id)
    if use is None:
        return None
    use.client_package = client_package
    return use


def package_return_for_appointment(
    *, salon: Salon | int, appointment_id: int, actor: Any = None
) -> PackageEntry | None:
    """Give back what a package gave a cancelled appointment, once. None when no package paid
    it (or it was given back already)."""
    with transaction.atomic():
        use = _lock_use(salon, appointment_id)
        if use is None:
            return None
        return _give_back(use, actor)


def package_recheck_after_move(
    *, salon: Salon | int, appointment_id: int, actor: Any = None
) -> PackageEntry | None:
    """After a booking moved: keep its use if the package still covers the new date (and, for
    a time pass, the new time overlaps no other booking the pass pays); else give it back.
    Returns the return row, None when the use stays (or there is none)."""
    with transaction.atomic():
        use = _lock_use(salon, appointment_id)
        if use is None:
            return None
        appointment = (
            Appointment.objects.select_related("location").filter(pk=appointment_id).first()
        )
        if appointment is None or appointment.status not in Appointment.ACTIVE_STATUSES:
            return None
        client_package = use.client_package
        still_covered = _covers_day(client_package, appointment_day(appointment))
        if still_covered and client_package.kind == PackageKind.TIME:
            still_covered = not _overlapping_time_passes(
                appointment.salon_id, [client_package], appointment
            )
        if still_covered:
            return None
        return _give_back(use, actor)
