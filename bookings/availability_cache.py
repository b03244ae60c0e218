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

The public API's warm path (`public_target_cached`, `availability_of_target`): ONE query —
the salon's id and version by its slug — and ONE cache round trip fetching two entries under
that version: the request's resolved catalogue (the salon, the public location, the public
service and the chosen staff member, as the public selectors answer them; only for requests
without a segment link) and the availability entry. The catalogue entry is as safe as the
availability one: every table the selectors read (salon, location, service, staff and their
links) bumps the version. Passcodes are not copied (PASSCODE_MARKER only, plus their versions
for the session's unlocks); the caller still refuses what the visitor may not see and takes
the usual path for anything else (a refusal, a code sent, a locked target).

When it is not used (the uncached `availability_get` answers): `AVAILABILITY_CACHE_SECONDS`
is 0; the database is not PostgreSQL (SQLite, the zero-setup default, has no version
triggers); inside a transaction (its own writes are not counted in the version until it
commits, since the bump triggers run at COMMIT); when the salon has no version row.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass
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
KEY_FORMAT = "av2"  # bump when the entry's shape changes

_NO_VERSION = object()

# (start epoch seconds, free staff ids) per slot; staff id -> the staff member's columns; when
# it was computed (epoch seconds: a process's own copy lives no longer than the shared one)
Entry = tuple[list[tuple[int, tuple[int, ...]]], dict[int, tuple[Any, ...]], float]


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
    return _key_of_ids(
        salon_id=salon.pk,
        version=version,
        location_id=location.pk,
        service_id=service.pk,
        start=start,
        end=end,
        staff_id=None if staff is None else staff.pk,
        online_staff_ids=online_staff_ids,
    )


def _key_of_ids(
    *,
    salon_id: int,
    version: int,
    location_id: int,
    service_id: int,
    start: dt.date,
    end: dt.date,
    staff_id: int | None,
    online_staff_ids: Collection[int] | None,
) -> str:
    scope = "-" if online_staff_ids is None else ",".join(map(str, sorted(online_staff_ids)))
    if len(scope) > 64:
        scope = hashlib.sha256(scope.encode()).hexdigest()[:32]
    who = "any" if staff_id is None else str(staff_id)
    return (
        f"{KEY_FORMAT}:{salon_id}:{version}:{location_id}:{service_id}:{who}:"
        f"{start.isoformat()}:{end.isoformat()}:{scope}"
    )


# A passcode is not copied into the cache: only whether there is one (`passcode_active`).
_PASSCODE_FIELD = "booking_passcode"
PASSCODE_MARKER = "(set)"


def _pack(availability: Availability, computed_at: float | None = None) -> Entry:
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
    return slots, staff, time.time() if computed_at is None else computed_at


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
    raw_slots, raw_staff = entry[0], entry[1]
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

    def fresh() -> Availability:
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

    if not cache_enabled(using):
        return fresh()
    validate_date_range(start, end)
    now = now or timezone.now()
    # The version first (folded into the location's query when the caller could), then the
    # computation: an entry never holds data older than its version.
    version: Any = getattr(location, VERSION_ATTRIBUTE, _NO_VERSION)
    if version is _NO_VERSION:
        version = availability_version(salon, using=using)
    if version is None:
        return fresh()
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
        started = time.time()
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
        entry = _pack(full, started)
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


# --- The public API's warm path (see the module) ---

CATALOGUE_KEY_FORMAT = "avc1"  # bump when the catalogue entry's shape changes
_REFUSED = "refused"  # the catalogue entry of a request the public selectors refuse

# (attnames, values) of one row
Row = tuple[tuple[str, ...], tuple[Any, ...]]


class _LocalMemo:
    """A small per-process LRU of values that never change under their key (the keys hold
    the salon's version), each with an expiry (epoch seconds)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[Any, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            if item[0] <= time.time():
                del self._data[key]
                return None
            self._data.move_to_end(key)
            return item[1]

    def set(self, key: Any, value: Any, expires: float) -> None:
        with self._lock:
            self._data[key] = (expires, value)
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


# Per process, in front of the shared cache: the resolved catalogue (rows built once) and the
# availability entries with their rendered slots. A process's copy of an entry expires when
# the shared one does (its `computed_at` + the TTL), so a lapsed hold stays hidden no longer.
_CATALOGUES = _LocalMemo(1024)
_ENTRIES = _LocalMemo(256)


def local_memo_clear() -> None:
    """Forget this process's copies (tests)."""
    _CATALOGUES.clear()
    _ENTRIES.clear()


class _LocalEntry:
    """An availability entry as this process keeps it: the staff rows built once, the slots'
    epochs (sorted) and their JSON, per set of staff a visitor may see."""

    def __init__(self, entry: Entry, using: str) -> None:
        self.entry = entry
        raw_slots, raw_staff = entry[0], entry[1]
        attnames = [f.attname for f in StaffMember._meta.concrete_fields]
        self.staff = {pk: StaffMember.from_db(using, attnames, v) for pk, v in raw_staff.items()}
        self.times = [t for t, _ids in raw_slots]
        self.sorted = all(a <= b for a, b in zip(self.times, self.times[1:], strict=False))
        self._rendered: dict[frozenset[int] | None, tuple[list[int], list[str]]] = {}
        self._lock = threading.Lock()

    def rendered(
        self, allowed: frozenset[int] | None, tz: dt.tzinfo
    ) -> tuple[list[int], list[str]]:
        """(epochs, JSON objects) of the slots with at least one `allowed` staff member
        (None: all), their staff cut to those."""
        found = self._rendered.get(allowed)
        if found is not None:
            return found
        times: list[int] = []
        parts: list[str] = []
        for t, ids in self.entry[0]:
            if allowed is not None:
                ids = tuple(sid for sid in ids if sid in allowed)
                if not ids:
                    continue
            times.append(t)
            starts_at = dt.datetime.fromtimestamp(t, tz).isoformat()
            parts.append(
                json.dumps({"starts_at": starts_at, "staff": list(ids)}, separators=(",", ":"))
            )
        with self._lock:
            if len(self._rendered) < 16:  # a few sets of unlocks per entry
                self._rendered[allowed] = (times, parts)
        return times, parts


@dataclass
class PublicTarget:
    """What a public availability request resolved to, from the cache (see the module):
    rows built from cached columns (a passcode is PASSCODE_MARKER), the version they are valid
    for, and the availability entry when it was cached too."""

    salon: Salon
    location: Location
    service: Service
    staff: StaffMember | None
    version: int
    start: dt.date
    end: dt.date
    availability_key: str
    entry: _LocalEntry | None


def salon_id_and_version(salon_slug: str, *, using: str | None = None) -> tuple[int, int] | None:
    """The salon's id and availability version, by slug, in one query (None: no such salon,
    no version row, or no PostgreSQL)."""
    using = using or _database()
    if connections[using].vendor != "postgresql":
        return None
    with connections[using].cursor() as cursor:
        cursor.execute(
            f'SELECT s."id", v."version" FROM "{Salon._meta.db_table}" s '
            f'JOIN "{VERSION_TABLE}" v ON v."salon_id" = s."id" WHERE s."slug" = %s',
            [salon_slug],
        )
        row = cursor.fetchone()
    return None if row is None else (int(row[0]), int(row[1]))


def _row(instance: Any) -> Row:
    attnames = tuple(f.attname for f in type(instance)._meta.concrete_fields)
    values = tuple(
        (PASSCODE_MARKER if getattr(instance, name) else "")
        if name == _PASSCODE_FIELD
        else getattr(instance, name)
        for name in attnames
    )
    return attnames, values


def _instance[M](model: type[M], row: Row, using: str) -> M:
    attnames, values = row
    return model.from_db(using, list(attnames), values)  # type: ignore[attr-defined]


def _local_entry(key: str, entry: Entry, using: str) -> _LocalEntry:
    local = _LocalEntry(entry, using)
    _ENTRIES.set(key, local, entry[2] + cache_seconds())
    return local


def public_target_cached(
    *,
    salon_slug: str,
    location_id: int,
    service_id: int,
    staff_id: int | None,
    start: dt.date,
    end: dt.date,
    resolve: Callable[[int], tuple[Salon, Location, Service, StaffMember | None] | None],
) -> PublicTarget | None:
    """The request's salon, location, service and staff member (and its availability entry)
    from the cache — this process's copy, else the shared cache in one round trip — under the
    salon's version read in this call's one query. `resolve(salon_id)` answers on a miss what
    the public selectors allow, in one query (None: refused; remembered as such).
    None: answer the usual way (caching off, no such salon, no version, or refused)."""
    using = _database()
    if not cache_enabled(using):
        return None
    found = salon_id_and_version(salon_slug, using=using)
    if found is None:
        return None
    salon_id, version = found
    who = "any" if staff_id is None else str(staff_id)
    catalogue_key = f"{CATALOGUE_KEY_FORMAT}:{salon_id}:{version}:{location_id}:{service_id}:{who}"
    availability_key = _key_of_ids(
        salon_id=salon_id,
        version=version,
        location_id=location_id,
        service_id=service_id,
        start=start,
        end=end,
        staff_id=staff_id,
        online_staff_ids=None,
    )
    catalogue: Any = _CATALOGUES.get(catalogue_key)
    local = _ENTRIES.get(availability_key)
    if catalogue is None or local is None:
        cache = caches[getattr(settings, "AVAILABILITY_CACHE_ALIAS", "default")]
        wanted = [catalogue_key] if catalogue is None else []
        wanted += [availability_key] if local is None else []
        entries = cache.get_many(wanted)
        if local is None and availability_key in entries:
            local = _local_entry(availability_key, entries[availability_key], using)
        if catalogue is None:
            packed: Any = entries.get(catalogue_key)
            if packed is None:
                # The version was read first: what is resolved now is at least as new as it.
                resolved = resolve(salon_id)
                packed = (
                    _REFUSED
                    if resolved is None
                    else tuple(None if row is None else _row(row) for row in resolved)
                )
                cache.set(catalogue_key, packed, cache_seconds())
            catalogue = (
                _REFUSED
                if packed == _REFUSED
                else (
                    _instance(Salon, packed[0], using),
                    _instance(Location, packed[1], using),
                    _instance(Service, packed[2], using),
                    None if packed[3] is None else _instance(StaffMember, packed[3], using),
                )
            )
            _CATALOGUES.set(catalogue_key, catalogue, time.time() + cache_seconds())
    if catalogue == _REFUSED:
        return None
    salon, location, service, staff = catalogue
    return PublicTarget(
        salon=salon,
        location=location,
        service=service,
        staff=staff,
        version=version,
        start=start,
        end=end,
        availability_key=availability_key,
        entry=local,
    )


def _entry_of_target(target: PublicTarget, now: dt.datetime) -> _LocalEntry:
    if target.entry is not None:
        return target.entry
    started = time.time()
    full = availability_get(
        salon=target.salon,
        location=target.location,
        service=target.service,
        start=target.start,
        end=target.end,
        staff=target.staff,
        now=now,
        online=True,
        ignore_limits=True,
    )
    entry = _pack(full, started)
    cache = caches[getattr(settings, "AVAILABILITY_CACHE_ALIAS", "default")]
    cache.set(target.availability_key, entry, cache_seconds())
    target.entry = _local_entry(target.availability_key, entry, _database())
    return target.entry


def availability_of_target(
    target: PublicTarget,
    *,
    now: dt.datetime | None = None,
    staff_allowed: Callable[[StaffMember], bool] | None = None,
) -> Availability:
    """`availability_cached` for a `public_target_cached` answer: its entry when it had one,
    else computed and stored (under the version read before the computation)."""
    now = now or timezone.now()
    local = _entry_of_target(target, now)
    return _unpack(
        local.entry,
        salon=target.salon,
        location=target.location,
        service=target.service,
        now=now,
        staff_allowed=staff_allowed,
        using=_database(),
    )


def slots_json_of_target(
    target: PublicTarget,
    *,
    now: dt.datetime | None = None,
    staff_allowed: Callable[[StaffMember], bool] | None = None,
) -> str | None:
    """The slots `availability_of_target` gives, as the public API's JSON array
    (`[{"starts_at": "<ISO 8601 with offset>", "staff": [ids]}, …]`), cut from this
    process's rendering of the entry. None when the entry's starts are not in order (then
    use `availability_of_target`)."""
    now = now or timezone.now()
    local = _entry_of_target(target, now)
    if not local.sorted:
        return None
    allowed: frozenset[int] | None = None
    if staff_allowed is not None:
        ids = frozenset(pk for pk, member in local.staff.items() if staff_allowed(member))
        allowed = None if len(ids) == len(local.staff) else ids
    times, parts = local.rendered(allowed, target.location.tzinfo)
    now_s = now.timestamp()
    # As availability_get: a start t is offered when earliest <= t <= latest.
    first = bisect.bisect_left(times, now_s + target.salon.min_notice_minutes * 60)
    last = bisect.bisect_right(times, now_s + target.salon.max_advance_days * DAY)
    return "[" + ",".join(parts[first:last]) + "]"
