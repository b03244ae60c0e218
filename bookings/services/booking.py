"""Booking writes: book, reschedule, cancel, mark completed / no-show (and correct them).

A client's identical duplicate (same client, service and start, both active) is refused
(`DuplicateBooking`), by a check and by a unique constraint for concurrent requests.

Invariant 1 (no double booking) is enforced twice: a check against existing appointments
inside the transaction, and on PostgreSQL an exclusion constraint that catches what races
past the check (`Appointment.NO_OVERLAP_CONSTRAINT`). On SQLite, the settings open every
transaction with BEGIN IMMEDIATE, which serializes writers, so the check cannot race there.

Holds (issue 17): an online booking paid at a provider is first *held* (status "held" until
`hold_expires_at`, `hold_until=` below; bookings/services/holds.py confirms or releases it).
A live hold takes its time like a booking; an expired one is free: availability and the
checks here ignore it, and the database constraints, which still see it, are cleared by
releasing the expired holds in the way (one conditional UPDATE) when an insert conflicts,
only then (no statement on the common path); the sweep releases the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.constants import OnConflict
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.availability import Availability, availability_get
from bookings.booking_scope import BookingScope, service_offered_online, staff_offered_online
from bookings.events import BookingEvent, publish
from bookings.models import (
    Appointment,
    Client,
    Location,
    Salon,
    Service,
    StaffLocation,
    StaffMember,
    StaffService,
)
from bookings.passcodes import PasscodeRequired
from bookings.services.clients import client_create
from bookings.validators import horizon_message, in_horizon


class SlotTaken(Exception):
    """The time was free a moment ago and is not any more (or never was)."""

    def __init__(self, next_slots: list[dt.datetime]) -> None:
        super().__init__(_("This time was just taken. Please choose another time."))
        self.next_slots = next_slots


class SlotNotBookable(ValidationError):
    """A time that was never offered (400 in the API, on `starts_at`, with `reason`), unlike
    `SlotTaken` (offered a moment ago, now taken: 409 with the next free times). Reasons:

    - `too_soon`: inside the salon's minimum notice (online bookings only);
    - `too_far`: beyond the salon's maximum advance (online bookings only);
    - `outside_hours`: [start, start + duration) is not inside working ∩ opening hours (or the
      location is closed that day);
    - `off_grid`: inside the hours but not one of the slot starts (bookings/availability.py).
    """

    REASONS = ("too_soon", "too_far", "outside_hours", "off_grid")

    def __init__(self, reason: str) -> None:
        messages = {
            "too_soon": _("This time is too soon: the salon needs more notice."),
            "too_far": _("This time is too far ahead: the salon does not take bookings so early."),
            "outside_hours": _("This time is outside the opening and working hours."),
            "off_grid": _("Bookings start only at the times offered; choose one of them."),
        }
        super().__init__({"starts_at": ValidationError(messages[reason], code=reason)})
        self.reason = reason
        # Read by the API's exception handler (salonbook/api.py): added to the 400's body.
        self.api_reason = reason


class DuplicateBooking(ValidationError):
    """The client already holds an active appointment of this service at this start (400 in
    the API, on `starts_at`, with `reason` "duplicate"). A client may hold overlapping
    appointments of different services (or at different starts); an identical one is a
    double click or a retried request. The database refuses it too
    (`Appointment.NO_DUPLICATE_CONSTRAINT`), so concurrent duplicates are refused alike."""

    def __init__(self) -> None:
        message = _("This client already has an appointment for this service at this time.")
        super().__init__({"starts_at": ValidationError(message, code="duplicate")})
        self.api_reason = "duplicate"


@dataclass(frozen=True)
class BookingRequest:
    location: Location
    service: Service
    starts_at: dt.datetime
    staff: StaffMember | None = None  # None: "any available"
    # Online: which staff this visitor may book (a personal passcode may lock some away);
    # "any available" never picks one it refuses. None: everyone.
    staff_allowed: Callable[[StaffMember], bool] | None = None
    # Online: an invitation link's services and staff (bookings/booking_scope.py) instead of
    # the public ones (public services, staff offered online). None: the public rules.
    scope: BookingScope | None = None


def _block(
    service: Service, starts_at: dt.datetime
) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    ends_at = starts_at + dt.timedelta(minutes=service.duration_minutes)
    return (
        ends_at,
        starts_at - dt.timedelta(minutes=service.buffer_before_minutes),
        ends_at + dt.timedelta(minutes=service.buffer_after_minutes),
    )


def _staff_link_error(req: BookingRequest) -> str | None:
    """Does `req.staff` perform the service at the location? One query; the message if not."""
    assert req.staff is not None
    links = (
        StaffMember.objects.filter(pk=req.staff.pk)
        .annotate(
            performs=Exists(
                StaffService.objects.filter(staff=OuterRef("pk"), service_id=req.service.pk)
            ),
            works_here=Exists(
                StaffLocation.objects.filter(staff=OuterRef("pk"), location_id=req.location.pk)
            ),
        )
        .values_list("performs", "works_here")
        .first()
    )
    performs, works_here = links or (False, False)
    if not performs:
        return _("This staff member does not perform that service.")
    if not works_here:
        return _("This staff member does not work at that location.")
    return None


def _validate_request(
    salon: Salon, req: BookingRequest, *, online: bool, check_links: bool = True
) -> None:
    """`check_links=False` leaves out whether the staff member performs the service at the
    location: for a caller that reads availability next, which only offers such staff (and
    asks `_staff_link_error` for the message when it offers nobody)."""
    errors: dict[str, str] = {}
    for name, obj in (("location", req.location), ("service", req.service), ("staff", req.staff)):
        if obj is not None and obj.salon_id != salon.pk:
            errors[name] = _("Select a valid choice.")
    if errors:
        raise ValidationError(errors)
    if not req.location.is_active:
        errors["location"] = _("This location does not take bookings.")
    if not req.service.is_active:
        errors["service"] = _("This service is not offered any more.")
    elif online and not service_offered_online(req.service, req.scope):
        errors["service"] = _("This service cannot be booked online.")
    if req.staff is not None:
        if not req.staff.is_active:
            errors["staff"] = _("This staff member is not active.")
        elif online and not staff_offered_online(req.staff, req.scope):
            errors["staff"] = _("This staff member cannot be booked online.")
        elif check_links and (link_error := _staff_link_error(req)) is not None:
            errors["staff"] = link_error
    if timezone.is_naive(req.starts_at):
        errors["starts_at"] = _("Give the time with its time zone offset.")
    elif not in_horizon(req.starts_at):
        errors["starts_at"] = horizon_message()
    elif req.starts_at <= timezone.now():
        errors["starts_at"] = _("This time is in the past.")
    if errors:
        raise ValidationError(errors)


def _scope_staff(req: BookingRequest) -> frozenset[int] | None:
    return req.scope.staff_ids if req.scope is not None else None


def _availability_around(
    salon: Salon, req: BookingRequest, *, online: bool, days: int = 1
) -> Availability:
    day = req.starts_at.astimezone(req.location.tzinfo).date()
    return availability_get(
        salon=salon,
        location=req.location,
        service=req.service,
        start=day,
        end=day + dt.timedelta(days=days - 1),
        staff=req.staff,
        online=online,
        staff_allowed=req.staff_allowed,
        online_staff_ids=_scope_staff(req),
    )


def booking_refusal(salon: Salon, req: BookingRequest, *, online: bool) -> SlotNotBookable | None:
    """Why `req.starts_at` is not offered, when it never was (None: it is a slot that is
    busy now, i.e. taken). A read: call it after a time was found not free."""
    now = timezone.now()
    if online and req.starts_at < now + dt.timedelta(minutes=salon.min_notice_minutes):
        return SlotNotBookable("too_soon")
    if online and req.starts_at > now + dt.timedelta(days=salon.max_advance_days):
        return SlotNotBookable("too_far")
    day = req.starts_at.astimezone(req.location.tzinfo).date()
    grid = availability_get(
        salon=salon,
        location=req.location,
        service=req.service,
        start=day,
        end=day,
        staff=req.staff,
        online=online,
        staff_allowed=req.staff_allowed,
        online_staff_ids=_scope_staff(req),
        ignore_busy=True,
        ignore_limits=True,
    )
    if grid.staff_for(req.starts_at):
        return None
    ends_at = req.starts_at + dt.timedelta(minutes=req.service.duration_minutes)
    if any(lo <= req.starts_at and ends_at <= hi for lo, hi in grid.windows):
        return SlotNotBookable("off_grid")
    return SlotNotBookable("outside_hours")


def _not_offered(salon: Salon, req: BookingRequest, *, online: bool) -> Exception:
    """The exception for a time that is not among the free slots: 400 with the reason when it
    never was a slot, else SlotTaken (409) with the next free times."""
    refusal = booking_refusal(salon, req, online=online)
    if refusal is not None:
        return refusal
    return SlotTaken(next_free_slots(salon, req, online=online))


def next_free_slots(
    salon: Salon, req: BookingRequest, *, online: bool, limit: int = 3
) -> list[dt.datetime]:
    """The first free start times after the requested one (for "this time was just taken")."""
    availability = _availability_around(salon, req, online=online, days=7)
    return [s.starts_at for s in availability.slots if s.starts_at > req.starts_at][:limit]


def holds_release_in_the_way(appointment: Appointment, *, now: dt.datetime | None = None) -> int:
    """Release the expired holds that the database constraints would hold against
    `appointment`: of its staff member over its blocked range, and the client's own of the
    same service and start. One conditional UPDATE; how many were released."""
    now = now or timezone.now()
    return (
        Appointment.objects.for_salon(appointment.salon_id)
        .expired_holds(now)
        .filter(
            Q(
                staff_id=appointment.staff_id,
                block_starts_at__lt=appointment.block_ends_at,
                block_ends_at__gt=appointment.block_starts_at,
            )
            | Q(
                client_id=appointment.client_id,
                service_id=appointment.service_id,
                starts_at=appointment.starts_at,
            )
        )
        .exclude(pk=appointment.pk)
        .update(status=Appointment.Status.RELEASED, status_changed_at=now, updated_at=now)
    )


def _insert(appointment: Appointment) -> bool:
    """Insert; False when the database refuses an overlap (a lost race), DuplicateBooking
    when it refuses a duplicate (one that raced past the check). When the insert conflicts,
    expired holds in the way are released (`holds_release_in_the_way`) and it is tried once
    more — no statement on the common path (the booking's statement budget).

    On PostgreSQL one statement, no savepoint: `INSERT … ON CONFLICT DO NOTHING RETURNING id`
    (the no-overlap exclusion constraint and the no-duplicate unique index are both conflict
    arbiters), so a refused row leaves the transaction usable; only then is it asked which of
    the two refused it. Elsewhere (SQLite) the insert runs in a savepoint. SQLite has no
    exclusion constraint, so an expired hold of the staff member stays "held" (expired: free
    for availability and the checks here) until the sweep releases it; confirming it then
    finds its time taken (`appointment_hold_confirm` checks an expired hold's time)."""
    if connection.vendor == "postgresql":
        return _insert_or_nothing(appointment)
    try:
        return _insert_in_savepoint(appointment)
    except DuplicateBooking:
        if not holds_release_in_the_way(appointment):
            raise
    return _insert_in_savepoint(appointment)


def _insert_in_savepoint(appointment: Appointment) -> bool:
    try:
        with transaction.atomic():
            appointment.save(force_insert=True)
    except IntegrityError as exc:
        appointment.pk = None
        appointment._state.adding = True
        if Appointment.NO_OVERLAP_CONSTRAINT in str(exc):
            return False
        if _is_duplicate_error(exc):
            raise DuplicateBooking() from exc
        raise
    return True


def _insert_or_nothing(appointment: Appointment) -> bool:
    appointment._check_related_salons()  # what TenantModel.save checks
    if _insert_row(appointment):
        return True
    if holds_release_in_the_way(appointment) and _insert_row(appointment):
        return True
    if (
        Appointment.objects.for_salon(appointment.salon_id)
        .blocking()
        .filter(
            client_id=appointment.client_id,
            service_id=appointment.service_id,
            starts_at=appointment.starts_at,
        )
        .exists()
    ):
        raise DuplicateBooking()
    return False


def _insert_row(appointment: Appointment) -> bool:
    """`INSERT … ON CONFLICT DO NOTHING RETURNING …`: whether the row went in."""
    meta = Appointment._meta
    fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
    rows = Appointment.objects._insert(
        [appointment],
        fields=fields,
        returning_fields=meta.db_returning_fields,
        on_conflict=OnConflict.IGNORE,
    )
    if rows:
        for value, field in zip(rows[0], meta.db_returning_fields, strict=True):
            setattr(appointment, field.attname, value)
        appointment._state.adding = False
        appointment._state.db = Appointment.objects.db
        return True
    return False


def _is_duplicate_error(exc: IntegrityError) -> bool:
    # PostgreSQL names the constraint; SQLite names the columns of the unique index.
    text = str(exc)
    return Appointment.NO_DUPLICATE_CONSTRAINT in text or (
        "UNIQUE constraint failed" in text and "client_id" in text and "service_id" in text
    )


def _check_not_duplicate(
    salon: Salon,
    *,
    client: Client,
    service: Service,
    starts_at: dt.datetime,
    exclude_pk: int | None = None,
) -> None:
    # Bookings of one client are serialized on the client's row: two concurrent identical
    # requests would otherwise each insert and then wait on the other's row in the unique
    # index (a deadlock on PostgreSQL). The second one now sees the first and is refused.
    # No row: the client was merged into another record (or deleted) after the caller read
    # it — refused here, not by the foreign key at commit (an IntegrityError, a 500).
    if Client.objects.select_for_update().filter(pk=client.pk).first() is None:
        raise ValidationError(
            {
                "client": ValidationError(
                    _(
                        "This client was just merged into another record or deleted. "
                        "Choose the client again."
                    ),
                    code="client_gone",
                )
            }
        )
    qs = (
        Appointment.objects.for_salon(salon)
        .blocking()
        .filter(client=client, service=service, starts_at=starts_at)
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise DuplicateBooking()


def _overlaps_existing(appointment: Appointment, *, exclude_pk: int | None = None) -> bool:
    qs = (
        Appointment.objects.for_salon(appointment.salon_id)
        .blocking()
        .filter(staff_id=appointment.staff_id)
        .overlapping(appointment.block_starts_at, appointment.block_ends_at)
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def appointment_book(
    *,
    salon: Salon,
    request: BookingRequest,
    client: Client,
    source: str = Appointment.Source.ONLINE,
    actor: Any = None,
    notes: str = "",
    enforce_hours: bool = True,
    new_client: bool = False,
    savepoint: bool = True,
    hold_until: dt.datetime | None = None,
) -> Appointment:
    """Book `request` for `client`. Online bookings must be an offered slot; owners
    (`source=dashboard`, `enforce_hours=False`) may book outside hours but never over
    another appointment. "Any available" tries the free staff in the documented order:
    the one with the fewest appointments that day first, then the lowest id.

    `new_client`: the client row was created in this transaction (nobody else sees it yet,
    it holds no appointment), so it is neither locked nor looked up for a duplicate — the
    database's no-duplicate index still has the last word. `savepoint=False`: inside the
    caller's transaction, which is the unit (a refusal fails all of it), without a savepoint
    of its own. Both for the online checkout (bookings/checkout.py), issue 15.

    `hold_until`: hold the time for payment instead (status "held" until then; issue 17):
    it blocks the time like a booking but is not one yet — no CREATED event (no notice)
    until `appointment_hold_confirm` (bookings/services/holds.py)."""
    with transaction.atomic(savepoint=savepoint):
        return _book(
            salon=salon,
            request=request,
            client=client,
            source=source,
            actor=actor,
            notes=notes,
            enforce_hours=enforce_hours,
            new_client=new_client,
            hold_until=hold_until,
        )


def _book(
    *,
    salon: Salon,
    request: BookingRequest,
    client: Client,
    source: str,
    actor: Any,
    notes: str,
    enforce_hours: bool,
    new_client: bool,
    hold_until: dt.datetime | None = None,
) -> Appointment:
    online = source == Appointment.Source.ONLINE
    # Availability offers only staff who perform the service at the location: their links
    # are checked only when it offers nobody (below), for the message.
    with_availability = enforce_hours or request.staff is None
    _validate_request(salon, request, online=online, check_links=not with_availability)
    if client.salon_id != salon.pk:
        raise ValidationError({"client": _("Select a valid choice.")})

    allowed = request.staff_allowed
    if request.staff is not None and allowed is not None and not allowed(request.staff):
        raise PasscodeRequired(request.staff)
    if not new_client:
        _check_not_duplicate(
            salon, client=client, service=request.service, starts_at=request.starts_at
        )
    if with_availability:
        availability = _availability_around(salon, request, online=online)
        candidates = availability.staff_for(request.starts_at)
        if request.staff is not None:
            candidates = [s for s in candidates if s.pk == request.staff.pk]
        if not candidates:
            if request.staff is not None and (link_error := _staff_link_error(request)):
                raise ValidationError({"staff": link_error})
            raise _not_offered(salon, request, online=online)
    else:
        candidates = [request.staff]

    ends_at, block_start, block_end = _block(request.service, request.starts_at)
    for staff in candidates:
        appointment = Appointment(
            salon=salon,
            location=request.location,
            staff=staff,
            service=request.service,
            client=client,
            starts_at=request.starts_at,
            ends_at=ends_at,
            block_starts_at=block_start,
            block_ends_at=block_end,
            source=source,
            price=request.service.price,
            notes=notes,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if hold_until is not None:
            appointment.status = Appointment.Status.HELD
            appointment.hold_expires_at = hold_until
        # Field checks only: the check constraints hold by construction (duration > 0,
        # buffers >= 0, price >= 0) and the database enforces them; validating them here
        # would cost a query each on the hottest write path.
        appointment.clean_fields(
            exclude=["salon", "client", "staff", "service", "location", "created_by"]
        )
        # The candidates from availability were free a moment ago in this transaction; a race
        # since is refused by the no-overlap constraint (`_insert`). An owner's forced time
        # was never checked: it is, first.
        if not with_availability and _overlaps_existing(appointment):
            continue
        if _insert(appointment):
            if hold_until is None:
                publish(BookingEvent.CREATED, appointment)
            return appointment
    raise SlotTaken(next_free_slots(salon, request, online=online))


@transaction.atomic
def appointment_book_for_new_client(
    *, salon: Salon, request: BookingRequest, client_data: dict[str, Any], **book: Any
) -> Appointment:
    """Create the client and book in one transaction (the owner's "new client" booking): when
    the time is taken or the booking is refused, the new client is not kept either."""
    client = client_create(salon=salon, **client_data)
    return appointment_book(salon=salon, request=request, client=client, **book)


@transaction.atomic
def appointment_reschedule(
    *,
    appointment: Appointment,
    starts_at: dt.datetime,
    staff: StaffMember | None = None,
    by_owner: bool = False,
    scope: BookingScope | None = None,
) -> Appointment:
    """Move an appointment (optionally to another staff member). Clients may only move to an
    offered slot; owners may move anywhere that does not overlap another appointment.
    `scope`: the invitation link the appointment was booked through (its services and staff
    stay bookable for the client; bookings/booking_scope.py)."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status != Appointment.Status.BOOKED:
        raise ValidationError(_("Only booked appointments can be moved."))
    salon = appointment.salon
    request = BookingRequest(
        location=appointment.location,
        service=appointment.service,
        starts_at=starts_at,
        staff=staff or appointment.staff,
        scope=scope,
    )
    online = not by_owner
    _validate_request(salon, request, online=online)
    ends_at, block_start, block_end = _block(appointment.service, starts_at)
    old = (appointment.starts_at, appointment.staff_id)
    appointment.starts_at, appointment.ends_at = starts_at, ends_at
    appointment.block_starts_at, appointment.block_ends_at = block_start, block_end
    appointment.staff = request.staff
    if not by_owner:
        # The appointment's own old time must not count against it.
        availability = _availability_excluding(appointment, request)
        if not any(s.pk == appointment.staff_id for s in availability):
            raise _not_offered(salon, request, online=True)
    if _overlaps_existing(appointment, exclude_pk=appointment.pk):
        raise SlotTaken(next_free_slots(salon, request, online=online))
    _check_not_duplicate(
        salon,
        client=appointment.client,
        service=appointment.service,
        starts_at=starts_at,
        exclude_pk=appointment.pk,
    )
    holds_release_in_the_way(appointment)
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError as exc:
        if Appointment.NO_OVERLAP_CONSTRAINT in str(exc):
            raise SlotTaken(next_free_slots(salon, request, online=online)) from exc
        if _is_duplicate_error(exc):
            raise DuplicateBooking() from exc
        raise
    if old != (appointment.starts_at, appointment.staff_id):
        publish(BookingEvent.RESCHEDULED, appointment)
    return appointment


@transaction.atomic
def appointment_update(
    *,
    appointment: Appointment,
    starts_at: dt.datetime | None = None,
    staff: StaffMember | None = None,
    notes: str | None = None,
) -> Appointment:
    """The owner's edit of an appointment: move it (to another time and/or staff member, see
    `appointment_reschedule(by_owner=True)`) and/or change its notes — all or nothing."""
    if starts_at is not None or staff is not None:
        appointment = appointment_reschedule(
            appointment=appointment,
            starts_at=starts_at if starts_at is not None else appointment.starts_at,
            staff=staff,
            by_owner=True,
        )
    if notes is not None:
        appointment.notes = notes
        appointment.clean_fields(
            exclude=[f.name for f in Appointment._meta.fields if f.name != "notes"]
        )
        appointment.save(update_fields=["notes", "updated_at"])
    return appointment


def _availability_excluding(appointment: Appointment, request: BookingRequest) -> list[StaffMember]:
    # Cancel the appointment inside a savepoint that is rolled back, so it does not block itself.
    sid = transaction.savepoint()
    try:
        Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.CANCELLED)
        availability = _availability_around(appointment.salon, request, online=True)
        return availability.staff_for(request.starts_at)
    finally:
        transaction.savepoint_rollback(sid)


_EVENTS = {
    Appointment.Status.CANCELLED: BookingEvent.CANCELLED,
    Appointment.Status.COMPLETED: BookingEvent.COMPLETED,
    Appointment.Status.NO_SHOW: BookingEvent.NO_SHOW,
}

# Which statuses each status may be set from. A booked appointment is completed, cancelled
# or a no-show; an owner may correct a completed one to a no-show or cancelled (the client
# did not come after all). Nothing leaves cancelled or no-show.
STATUS_ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    Appointment.Status.COMPLETED: (Appointment.Status.BOOKED,),
    Appointment.Status.CANCELLED: (Appointment.Status.BOOKED, Appointment.Status.COMPLETED),
    Appointment.Status.NO_SHOW: (Appointment.Status.BOOKED, Appointment.Status.COMPLETED),
}


def appointment_status_choices(appointment: Appointment, *, booked_only: bool = False) -> list[str]:
    """The statuses `appointment_set_status` would set `appointment` to from where it is now
    (in the order completed, no-show, cancelled)."""
    return [
        status
        for status in (
            Appointment.Status.COMPLETED,
            Appointment.Status.NO_SHOW,
            Appointment.Status.CANCELLED,
        )
        if appointment.status in _allowed_from(status, booked_only=booked_only)
    ]


def _allowed_from(status: str, *, booked_only: bool) -> tuple[str, ...]:
    if booked_only:
        return (Appointment.Status.BOOKED,)
    return STATUS_ALLOWED_FROM[status]


@transaction.atomic
def appointment_set_status(
    *, appointment: Appointment, status: str, booked_only: bool = False
) -> Appointment:
    """booked → completed / cancelled / no-show, and the owner's correction completed →
    no-show / cancelled (`STATUS_ALLOWED_FROM`; `booked_only` allows booked → … only, for
    the client's cancel and the sweep). Asking for the status it has changes nothing; any
    other change is a ValidationError on `status`.

    A change happens once: the row is updated only while its status is one the new status
    may follow (a conditional UPDATE), so a retried or concurrent call publishes its event
    (BookingEvent.COMPLETED / CANCELLED / NO_SHOW) once."""
    if status not in _EVENTS:
        raise ValidationError({"status": _("Choose completed, cancelled or no-show.")})
    now = timezone.now()
    changed = Appointment.objects.filter(
        pk=appointment.pk, status__in=_allowed_from(status, booked_only=booked_only)
    ).update(status=status, status_changed_at=now, updated_at=now)
    appointment.refresh_from_db()
    if not changed:
        if appointment.status == status:
            return appointment
        raise ValidationError(
            {
                "status": _("This appointment is already %(status)s.")
                % {"status": appointment.get_status_display()}
            }
        )
    publish(_EVENTS[status], appointment)
    return appointment


def appointments_complete_ended(*, now: dt.datetime | None = None, batch_size: int = 500) -> int:
    """Mark appointments that ended and were not marked as completed (the scheduled job).
    Works salon by salon in bounded batches; safe to run twice or concurrently."""
    now = now or timezone.now()
    total = 0
    for salon_id in Salon.objects.order_by("pk").values_list("pk", flat=True):
        while True:
            batch = list(
                Appointment.objects.for_salon(salon_id)
                .filter(status=Appointment.Status.BOOKED, ends_at__lte=now)
                .order_by("ends_at")[:batch_size]
            )
            for appointment in batch:
                try:
                    appointment_set_status(
                        appointment=appointment,
                        status=Appointment.Status.COMPLETED,
                        booked_only=True,
                    )
                except ValidationError:
                    continue  # marked meanwhile by the owner
                total += 1
            if len(batch) < batch_size:
                break
    return total
