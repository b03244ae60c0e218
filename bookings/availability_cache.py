"""The public availability, cached (issue 15): `availability_cached` answers what
`availability_get(online=True)` answers, from Django's cache when it can.

What is cached. The free start times of one (salon, location, service, staff choice, date
range, invitation link's staff) as computed by `availability_get` WITHOUT the notice limits
and without the visitor's passcode unlocks: (start as UTC epoch seconds, free staff ids) plus
the candidate staff's columns. At read time the entry is cut to what this request may see:
starts earlier than now + the salon's minimum notice or later than now + its maximum advance
go (so "now" is not part of the key, and the cache never offers a time the booking service
refuses as too soon), and so do the staff members `staff_allowed` refuses (a locked personal
passcode); a start left without staff goes too. The result equals the uncached one
(bookings/tests/test_availability_cache.py proves both).

When it is stale: never. The key holds the salon's availability VERSION, a row of
`bookings_availability_version` (bookings/migrations/0015_availability_cache.py) that
PostgreSQL triggers bump in the transaction of every write to a table availability reads
(appointments, working hours, time off, opening hours, closed days, staff and their service
and location links, services, locations, the salon) — through the ORM, bulk updates or raw
SQL alike. The version is read BEFORE the computation (the public API folds it into its first
query: `with_availability_version`), so an entry may at worst hold data newer than its
version (harmless: the next write abandons that version), never older. The only thing that
changes availability without a write is time: a payment hold that lapses frees its time up
to `AVAILABILITY_CACHE_SECONDS` later than the database does (conservative: the time is
hidden, not offered).

When it is not used (the uncached `availability_get` answers): `AVAILABILITY_CACHE_SECONDS`
is 0; the database is not PostgreSQL (SQLite, the zero-setup default, has no version
triggers); inside a transaction (its own writes are not counted in the version until it
commits, since the bump triggers run at COMMIT); when the salon has no version row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Collection
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connections, router
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from bookings.availability import (
    DAY,
    Availability,
    Slot,
    availability_get,
    validate_date_range,
)
from bookings.models import Location, Salon, Service, StaffMember

VERSION_TABLE = "bookings_availability_version"
VERSION_ATTRIBUTE = "availability_version"
KEY_FORMAT = "av1"  # bump when the entry's shape changes

_NO_VERSION = object()

# (start epoch seconds, free staff ids) per slot; staff id -> the staff member's columns
Entry = tuple[list[tuple[int, tuple[int, ...]]], dict[int, tuple[Any, ...]]]


def cache_seconds() -> int:
    return int(getattr(settings, "AVAILABILITY_CACHE_SECONDS", 0) or 0)


def _database() -> str:
    return router.db_for_read(StaffMember)


def cache_enabled(using: str | None = None) -> bool:
    """Caching applies: a TTL is set, the database is PostgreSQL (the version triggers) and
    the connection is not inside a transaction."""
    if cache_seconds() <= 0:
        return False
    connection = connections[using or _database()]
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def with_availability_version[Q: QuerySet[Any]](queryset: Q, salon_column: str = "salon_id") -> Q:
    """`queryset` (of a model with `salon_column`, e.g. Location) with each row's salon's
    availability version as the attribute `availability_version`, in the same query (the
    public API's first query: it stays at 4 queries). Unchanged when caching is off."""
    if not cache_enabled(queryset.db):
        return queryset
    table = queryset.model._meta.db_table
    column = queryset.model._meta.get_field(salon_column).column
    version = RawSQL(
        f'(SELECT v."version" FROM "{VERSION_TABLE}" v WHERE v."salon_id" = "{table}"."{column}")',
        (),
    )
    return queryset.annotate(**{VERSION_ATTRIBUTE: version})


def availability_version(salon: Salon | int, *, using: str | None = None) -> int | None:
    """The salon's availability version now (None: no version row, or no PostgreSQL)."""
    using = using or _database()
    if connections[using].vendor != "postgresql":
        return None
    salon_id = salon if isinstance(salon, int) else salon.pk
    with connections[using].cursor() as cursor:
        cursor.execute(f'SELECT "version" FROM "{VERSION_TABLE}" WHERE "salon_id" = %s', [salon_id])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _key(
    *,
    salon: Salon,
    version: int,
    location: Location,
    service: Service,
    start: dt.date,
    end: dt.date,
    staff: StaffMember | None,
    online_staff_ids: Collection[int] | None,
) -> str:
    scope = "-" if online_staff_ids is None else ",".join(map(str, sorted(online_staff_ids)))
    if len(scope) > 64:
        scope = hashlib.sha256(scope.encode()).hexdigest()[:32]
    who = "any" if staff is None else str(staff.pk)
    return (
        f"{KEY_FORMAT}:{salon.pk}:{version}:{location.pk}:{service.pk}:{who}:"
        f"{start.isoformat()}:{end.isoformat()}:{scope}"
    )


# A passcode is not copied into the cache: only whether there is one (`passcode_active`).
_PASSCODE_FIELD = "booking_passcode"
PASSCODE_MARKER = "(set)"


def _pack(availability: Availability) -> Entry:
    slots = [(int(slot.starts_at.timestamp()), slot.staff_ids) for slot in availability.slots]
    attnames = [f.attname for f in StaffMember._meta.concrete_fields]
    staff = {
        pk: tuple(
            (PASSCODE_MARKER if getattr(member, name) else "")
            if name == _PASSCODE_FIELD
            else getattr(member, name)
            for name in attnames
        )
        for pk, member in availability.staff.items()
    }
    return slots, staff


def _unpack(
    entry: Entry,
    *,
    salon: Salon,
    location: Location,
    service: Service,
    now: dt.datetime,
    staff_allowed: Callable[[StaffMember], bool] | None,
    using: str,
) -> Availability:
    raw_slots, raw_staff = entry
    attnames = [f.attname for f in StaffMember._meta.concrete_fields]
    staff: dict[int, StaffMember] = {}
    for pk, values in raw_staff.items():
        member = StaffMember.from_db(using, attnames, values)
        if staff_allowed is None or staff_allowed(member):
            staff[pk] = member
    now_s = now.timestamp()
    # As availability_get: a start t is offered when earliest <= t <= latest.
    earliest = now_s + salon.min_notice_minutes * 60
    latest = now_s + salon.max_advance_days * DAY
    tz = location.tzinfo
    everyone = len(staff) == len(raw_staff)
    slots: list[Slot] = []
    for t, ids in raw_slots:
        if t < earliest or t > latest:
            continue
        if not everyone:
            ids = tuple(sid for sid in ids if sid in staff)
            if not ids:
                continue
        slots.append(Slot(starts_at=dt.datetime.fromtimestamp(t, tz), staff_ids=ids))
    return Availability(location=location, service=service, slots=slots, staff=staff)


def availability_cached(
    *,
    salon: Salon,
    location: Location,
    service: Service,
    start: dt.date,
    end: dt.date,
    staff: StaffMember | None = None,
    now: dt.datetime | None = None,
    staff_allowed: Callable[[StaffMember], bool] | None = None,
    online_staff_ids: Collection[int] | None = None,
) -> Availability:
    """`availability_get(online=True, …)` with the same arguments, from the cache when it can
    (see the module). The result's `slots` and `staff` are the uncached ones (from the cache,
    a staff member's `booking_passcode` is PASSCODE_MARKER when set: the code itself is never
    cached); `booked` and `window_seconds` (what the booking service's refusals use) are left
    empty from the cache.
    Raises ValidationError for a bad date range, as `availability_get` does."""
    using = _database()
    if not cache_enabled(using):
        return availability_get(
            salon=salon,
            location=location,
            service=service,
            start=start,
            end=end,
            staff=staff,
            now=now,
            online=True,
            staff_allowed=staff_allowed,
            online_staff_ids=online_staff_ids,
        )
    validate_date_range(start, end)
    now = now or timezone.now()
    # The version first (folded into the location's query when the caller could), then the
    # computation: an entry never holds data older than its version.
    version: Any = getattr(location, VERSION_ATTRIBUTE, _NO_VERSION)
    if version is _NO_VERSION:
        version = availability_version(salon, using=using)
    if version is None:
        return availability_get(
            salon=salon,
            location=location,
            service=service,
            start=start,
            end=end,
            staff=staff,
            now=now,
            online=True,
            staff_allowed=staff_allowed,
            online_staff_ids=online_staff_ids,
        )
    key = _key(
        salon=salon,
        version=int(version),
        location=location,
        service=service,
        start=start,
        end=end,
        staff=staff,
        online_staff_ids=online_staff_ids,
    )
    cache = caches[getattr(settings, "AVAILABILITY_CACHE_ALIAS", "default")]
    entry: Entry | None = cache.get(key)
    if entry is None:
        full = availability_get(
            salon=salon,
            location=location,
            service=service,
            start=start,
            end=end,
            staff=staff,
            now=now,
            online=True,
            online_staff_ids=online_staff_ids,
            ignore_limits=True,
        )
        entry = _pack(full)
        cache.set(key, entry, cache_seconds())
    return _unpack(
        entry,
        salon=salon,
        location=location,
        service=service,
        now=now,
        staff_allowed=staff_allowed,
        using=using,
    )
