"""Recording referrals and crediting their bonus.

Rules (each refusal is a ValidationError keyed by the field that carried the referrer —
`referrer` in the dashboard and the owner API, `referral_code` for a booking with a code — and
nothing is written):

- both clients are the salon's; nobody refers themselves;
- no circle: if A referred B (directly or through others), B cannot be A's referrer;
- no farming: a client who already had a visit before the referral — an appointment, not
  cancelled, that started before the day of the referral in the salon's time zone — cannot be
  referred. A first visit on the day itself and bookings ahead are fine, so the owner can
  record who sent the new client when they come in;
- a client is referred at most once: one pending or credited referral at a time
  (`referral_one_active_per_client`). Setting another referrer is a change: the old referral
  ends — its points taken back from the old referrer with a ledger row of its own, before the
  new referrer is credited — and the day of the first referral still counts for the rule
  above. A booking with a code never changes an existing referral.

Crediting: one ledger row of kind `referral` (loyalty's `points_entry_add`) for the salon's
points per referral, while the salon's loyalty system is on. It happens once: the referral row
is locked and claimed (pending → awarded) in the ledger row's transaction, so double clicks,
retries and concurrent requests credit once. When (`ReferralSettings.award_on`):

- on recording: the owner's "yes" in the dashboard (`award=True` in the API), or at once for a
  booking through a referral link;
- after the first visit: when the new client's visit is marked completed (the booking event),
  or earlier by the owner's "yes".

If the appointment that credited the points (the booking of a link, or the completed visit)
turns into a no-show or is cancelled, the points are taken back and the referral is pending
again (credited at once if another visit since did take place). Taking back never drives a
balance below zero: points already spent are not taken (loyalty's `allow_partial`, recorded on
the reversal row). A reversal is a row of kind `referral` with the negative points, its
description saying why and `reverses` pointing at the bonus row (loyalty describes rows of kind
`reversal` as a visit that did not take place, which these are not). `referrals_reconcile` (a
beat task) makes up for booking events that were lost.

Writes that decide who referred whom lock the salon's settings row first, so two of them never
race past each other's checks (a circle A↔B by two requests at once, two referrers at once).
Lock order: settings row → referral row → points account.

The thank-you SMS (marketing; only with the setting on, a phone and the referrer's consent) is
recorded with the credit, in its transaction, keyed by the referral so it is sent once; the
notices module delivers it after the commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bookings.models import Appointment, Client, Salon
from loyalty.models import PointsEntry
from loyalty.selectors import loyalty_is_enabled
from loyalty.services.points import points_entry_add
from notices.registry import Channel
from notices.services import notice_send
from referrals.models import Referral, ReferralSettings
from referrals.notice_kinds import THANK_YOU
from referrals.selectors import (
    referral_active_for,
    referral_code_find,
    referral_settings_get,
)

logger = logging.getLogger(__name__)

# How far up "who referred the referrer" the circle check looks (chains are short; this only
# bounds the work).
MAX_CHAIN = 100


# --- Checks -----------------------------------------------------------------------------------


def _refusal(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _check_same_salon(*, salon: Salon, field: str, clients: tuple[Client, ...]) -> None:
    if any(client.salon_id != salon.pk for client in clients):
        raise _refusal(field, _("Choose a client of this salon."), "other_salon")


def _start_of_day(salon: Salon, moment: dt.datetime) -> dt.datetime:
    local = moment.astimezone(salon.tzinfo)
    return dt.datetime.combine(local.date(), dt.time.min, tzinfo=salon.tzinfo)


def had_visits_before(*, salon: Salon, client: Client, moment: dt.datetime) -> bool:
    """Did the client have an appointment (not cancelled) that started before the day of
    `moment` in the salon's time zone?"""
    return (
        Appointment.objects.for_salon(salon)
        .filter(client=client, starts_at__lt=_start_of_day(salon, moment))
        .exclude(status__in=Appointment.NOT_BOOKED_STATUSES)
        .exists()
    )


def refers_back(*, salon: Salon, referred: Client, referrer: Client) -> bool:
    """Is `referred` among the referrers of `referrer` (who referred them, who referred that
    one, …)? Then `referrer` being referred by … `referred` would close a circle."""
    seen: set[int] = set()
    current = referrer.pk
    for _step in range(MAX_CHAIN):
        parent = (
            Referral.objects.for_salon(salon)
            .filter(referred_id=current, status__in=Referral.ACTIVE_STATUSES)
            .values_list("referrer_id", flat=True)
            .first()
        )
        if parent is None or parent in seen:
            return False
        if parent == referred.pk:
            return True
        seen.add(parent)
        current = parent
    return False


def _check_rules(
    *,
    salon: Salon,
    referred: Client,
    referrer: Client,
    since: dt.datetime,
    field: str,
    public: bool,
) -> None:
    if referrer.pk == referred.pk:
        message = (
            _("This is your own referral code: it is for the people you invite.")
            if public
            else _("A client cannot refer themselves.")
        )
        raise _refusal(field, message, "self")
    if refers_back(salon=salon, referred=referred, referrer=referrer):
        message = (
            _("This referral code cannot be used: you brought its owner to the salon.")
            if public
            else _(
                "%(referred)s brought %(referrer)s to the salon, so %(referrer)s cannot be "
                "%(referred)s's referrer (a referral cannot go in a circle)."
            )
            % {"referred": referred.full_name, "referrer": referrer.full_name}
        )
        raise _refusal(field, message, "circular")
    if had_visits_before(salon=salon, client=referred, moment=since):
        message = (
            _("Referral codes are for new clients; you have visited the salon before.")
            if public
            else _(
                "%(referred)s already had appointments before, so they cannot be recorded as "
                "referred (referrals are for new clients)."
            )
            % {"referred": referred.full_name}
        )
        raise _refusal(field, message, "not_new")


def _check_loyalty(salon: Salon) -> None:
    if not loyalty_is_enabled(salon=salon):
        raise _refusal(
            "award",
            _(
                "The loyalty system is switched off, so no points can be added. The referral "
                "can be recorded without points."
            ),
            "loyalty_off",
        )


# --- Locks ------------------------------------------------------------------------------------


def _lock_salon(salon: Salon) -> ReferralSettings:
    """The salon's settings row, created with the defaults if missing, locked until the
    transaction ends: every write that decides who referred whom holds it."""
    row, _created = ReferralSettings.objects.select_for_update().get_or_create(salon=salon)
    return row


def _active_locked(salon: Salon, referred: Client) -> Referral | None:
    return (
        Referral.objects.for_salon(salon)
        .select_for_update()
        .filter(referred=referred, status__in=Referral.ACTIVE_STATUSES)
        .first()
    )


# --- Credit and take back ---------------------------------------------------------------------


def _in_salon_language(salon: Salon, text: Any, **params: Any) -> str:
    with translation.override(salon.default_language):
        return str(text) % params if params else str(text)


def _credit(
    *,
    salon: Salon,
    referral: Referral,
    program: ReferralSettings,
    actor: Any,
    appointment: Appointment | None,
) -> Referral:
    """Lock the referral, and credit it if it is pending (call inside a transaction, with
    loyalty on). Awarded already: returned as it is."""
    locked = (
        Referral.objects.for_salon(salon)
        .select_for_update(of=("self",))  # the referral's row, not its clients'
        .select_related("referrer", "referred")
        .get(pk=referral.pk)
    )
    if locked.status == Referral.Status.AWARDED:
        return locked
    if locked.status != Referral.Status.PENDING:
        raise _refusal(
            "referral",
            _("This referral has ended (%(status)s); record the referrer again.")
            % {"status": locked.get_status_display()},
            "ended",
        )
    description = _in_salon_language(
        salon,
        gettext_lazy("Referral bonus: %(name)s became a client"),
        name=locked.referred.first_name,
    )
    entry, account = points_entry_add(
        salon=salon,
        client=locked.referrer,
        kind=PointsEntry.Kind.REFERRAL,
        points=program.points,
        description=description,
        actor=actor,
    )
    locked.status = Referral.Status.AWARDED
    locked.points = program.points
    locked.points_entry = entry
    locked.awarded_at = timezone.now()
    locked.awarded_for = appointment
    locked.save(update_fields=["status", "points", "points_entry", "awarded_at", "awarded_for"])
    _thank(salon=salon, referral=locked, program=program, balance=account.balance)
    return locked


def _thank(*, salon: Salon, referral: Referral, program: ReferralSettings, balance: int) -> None:
    """Record the thank-you SMS (sent after the commit), if the salon sends it and the referrer
    agreed to marketing messages and has a phone. A bad number never stops the credit."""
    referrer = referral.referrer
    if not (program.send_sms and referrer.marketing_consent and referrer.phone):
        return
    try:
        notice_send(
            salon=salon,
            kind=THANK_YOU.key,
            channel=Channel.SMS,
            recipient=str(referrer.phone),
            context={
                "client": referrer,
                "new_client": {"first_name": referral.referred.first_name},
                "points": str(referral.points),
                "balance": str(balance),
            },
            client=referrer,
            dedupe_key=f"referral:{referral.pk}:thank-you",
        )
    except ValidationError as exc:
        logger.warning("referral %s: thank-you SMS not sent: %s", referral.pk, exc.messages)


def _end(*, salon: Salon, referral: Referral, actor: Any, reason: str) -> Referral:
    """End an active referral (locked by the caller): a credited one is reversed (points taken
    back, down to zero at most, with a ledger row of its own), a pending one cancelled."""
    now = timezone.now()
    if referral.status == Referral.Status.AWARDED:
        entry = referral.points_entry
        description = _in_salon_language(
            salon, gettext_lazy("Referral bonus taken back: %(reason)s"), reason=reason
        )
        reversal, _account = points_entry_add(
            salon=salon,
            client=referral.referrer,
            kind=PointsEntry.Kind.REFERRAL,
            points=-(referral.points or 0),
            description=description,
            actor=actor,
            allow_partial=True,
            reverses=entry,
        )
        referral.status = Referral.Status.REVERSED
        referral.reversal_entry = reversal if reversal.pk else None
    else:
        referral.status = Referral.Status.CANCELLED
    referral.ended_at = now
    referral.save(update_fields=["status", "reversal_entry", "ended_at"])
    return referral


# --- Owner: set, clear, credit ----------------------------------------------------------------


def referral_set(
    *,
    salon: Salon,
    referred: Client,
    referrer: Client,
    actor: Any,
    award: bool = False,
) -> Referral:
    """Record that `referrer` brought `referred` (the dashboard's "referred by", the API's
    POST …/referred-by/), and with `award` credit the bonus now. Setting the referrer it has
    changes nothing (and credits a pending referral with `award`); another referrer replaces
    the current one (see the module docstring). ValidationError on `referrer` for a refused
    referrer, on `award` while loyalty is off; nothing is written then."""
    _check_same_salon(salon=salon, field="referrer", clients=(referred, referrer))
    if referrer.pk == referred.pk:
        raise _refusal("referrer", _("A client cannot refer themselves."), "self")
    with transaction.atomic():
        program = _lock_salon(salon)
        current = _active_locked(salon, referred)
        if award:
            _check_loyalty(salon)
        if current is not None and current.referrer_id == referrer.pk:
            referral = current
        else:
            since = current.created_at if current is not None else timezone.now()
            _check_rules(
                salon=salon,
                referred=referred,
                referrer=referrer,
                since=since,
                field="referrer",
                public=False,
            )
            if current is not None:
                reason = _in_salon_language(
                    salon, gettext_lazy("the salon changed who referred the client")
                )
                _end(salon=salon, referral=current, actor=actor, reason=reason)
            referral = Referral.objects.create(
                salon=salon,
                referred=referred,
                referrer=referrer,
                source=Referral.Source.MANUAL,
                actor=actor if getattr(actor, "is_authenticated", False) else None,
            )
        if award:
            referral = _credit(
                salon=salon, referral=referral, program=program, actor=actor, appointment=None
            )
    return referral


def referral_set_check(*, salon: Salon, referred: Client, referrer: Client) -> Referral | None:
    """What `referral_set` would refuse, asked before it (the dashboard's question comes after
    this): the same ValidationError on `referrer`, and nothing written. Returns the client's
    current referral (None: not referred yet)."""
    _check_same_salon(salon=salon, field="referrer", clients=(referred, referrer))
    if referrer.pk == referred.pk:
        raise _refusal("referrer", _("A client cannot refer themselves."), "self")
    current = referral_active_for(salon=salon, referred=referred)
    if current is not None and current.referrer_id == referrer.pk:
        return current
    _check_rules(
        salon=salon,
        referred=referred,
        referrer=referrer,
        since=current.created_at if current is not None else timezone.now(),
        field="referrer",
        public=False,
    )
    return current


def referral_clear(*, salon: Salon, referred: Client, actor: Any) -> Referral | None:
    """The client was referred by nobody after all: the current referral ends (its points taken
    back). None when there was none (nothing to do)."""
    _check_same_salon(salon=salon, field="referred", clients=(referred,))
    with transaction.atomic():
        _lock_salon(salon)
        current = _active_locked(salon, referred)
        if current is None:
            return None
        reason = _in_salon_language(salon, gettext_lazy("the salon removed the referral"))
        return _end(salon=salon, referral=current, actor=actor, reason=reason)


def referral_award(
    *, salon: Salon, referral: Referral, actor: Any, appointment: Appointment | None = None
) -> Referral:
    """Credit a pending referral now (once: an awarded one is returned unchanged).
    ValidationError on `award` while loyalty is off, on `referral` when it has ended."""
    if referral.salon_id != salon.pk:
        raise ValueError("The referral belongs to another salon.")
    with transaction.atomic():
        _check_loyalty(salon)
        program = referral_settings_get(salon=salon)
        return _credit(
            salon=salon, referral=referral, program=program, actor=actor, appointment=appointment
        )


# --- Bookings through a referral link ---------------------------------------------------------


def referral_record_by_code(
    *, salon: Salon, referred: Client, code: str, appointment: Appointment | None = None
) -> Referral:
    """A booking carried the referrer's code (bookings' after-booking hook): record the
    referral, credited at once when the salon credits on recording (and loyalty is on). The
    same referrer again changes nothing. ValidationError on `referral_code` for an unknown code
    (another salon's codes are unknown here), one's own code, a client referred by someone
    else already, a client who visited before, or a circle."""
    _check_same_salon(salon=salon, field="referral_code", clients=(referred,))
    row = referral_code_find(salon=salon, code=code)
    if row is None:
        raise _refusal(
            "referral_code",
            _("This referral code is not valid at %(salon)s.") % {"salon": salon.name},
            "unknown_code",
        )
    referrer = row.client
    with transaction.atomic():
        program = _lock_salon(salon)
        current = _active_locked(salon, referred)
        if current is not None:
            if current.referrer_id == referrer.pk:
                return current
            raise _refusal(
                "referral_code",
                _("You were already referred to the salon by another client."),
                "already_referred",
            )
        _check_rules(
            salon=salon,
            referred=referred,
            referrer=referrer,
            since=timezone.now(),
            field="referral_code",
            public=True,
        )
        referral = Referral.objects.create(
            salon=salon, referred=referred, referrer=referrer, source=Referral.Source.LINK
        )
        if program.award_on == ReferralSettings.AwardOn.RECORDED and loyalty_is_enabled(
            salon=salon
        ):
            referral = _credit(
                salon=salon,
                referral=referral,
                program=program,
                actor=None,
                appointment=appointment,
            )
    return referral


# --- Visits (booking events) ------------------------------------------------------------------


def referral_award_for_visit(*, appointment_id: int) -> Referral | None:
    """The new client's visit was completed: credit their pending referral if the salon credits
    after the first visit and loyalty is on. Safe to call twice (once credited, nothing)."""
    appointment = (
        Appointment.objects.select_related("salon")
        .filter(pk=appointment_id, status=Appointment.Status.COMPLETED)
        .first()
    )
    if appointment is None:
        return None
    salon = appointment.salon
    program = referral_settings_get(salon=salon)
    if program.award_on != ReferralSettings.AwardOn.FIRST_VISIT:
        return None
    referral = (
        Referral.objects.for_salon(salon)
        .filter(referred_id=appointment.client_id, status=Referral.Status.PENDING)
        .first()
    )
    if referral is None or not loyalty_is_enabled(salon=salon):
        return None
    try:
        return referral_award(salon=salon, referral=referral, actor=None, appointment=appointment)
    except ValidationError:
        return None  # ended, or loyalty switched off, meanwhile


def referral_reverse_for_appointment(*, salon: Salon, appointment_id: int) -> Referral | None:
    """The appointment that credited a referral did not take place (cancelled, no-show): take
    the points back and make the referral pending again (a later visit or the owner credits it
    anew). Returns the new pending referral; None when nothing was credited for it."""
    with transaction.atomic():
        _lock_salon(salon)
        referral = (
            Referral.objects.for_salon(salon)
            .select_for_update(of=("self",))
            .select_related("referrer")
            .filter(awarded_for_id=appointment_id, status=Referral.Status.AWARDED)
            .first()
        )
        if referral is None:
            return None
        reason = _in_salon_language(salon, gettext_lazy("the visit did not take place"))
        _end(salon=salon, referral=referral, actor=None, reason=reason)
        reopened = Referral.objects.create(
            salon=salon,
            referred_id=referral.referred_id,
            referrer_id=referral.referrer_id,
            source=referral.source,
            actor_id=referral.actor_id,
            created_at=referral.created_at,
        )
        # Another visit of the new client that did take place earns it at once.
        program = referral_settings_get(salon=salon)
        visit = _completed_visit_since(salon, reopened)
        if (
            visit is not None
            and program.award_on == ReferralSettings.AwardOn.FIRST_VISIT
            and loyalty_is_enabled(salon=salon)
        ):
            return _credit(
                salon=salon, referral=reopened, program=program, actor=None, appointment=visit
            )
        return reopened


def _completed_visit_since(salon: Salon, referral: Referral) -> Appointment | None:
    """The new client's first visit marked completed since the referral was recorded."""
    return (
        Appointment.objects.for_salon(salon)
        .filter(
            client_id=referral.referred_id,
            status=Appointment.Status.COMPLETED,
            status_changed_at__gte=referral.created_at,
        )
        .order_by("status_changed_at", "pk")
        .first()
    )


# --- The safety net ---------------------------------------------------------------------------


def referrals_reconcile(*, batch_size: int = 500) -> int:
    """What the booking-event handlers do, for events that were lost (a process died between
    the status change and the handler): credit pending referrals whose new client completed a
    visit since (salons crediting after the first visit, loyalty on), and take back points
    credited for an appointment that was then cancelled or marked a no-show. Bounded per run,
    safe to run twice or concurrently (the services lock and re-check). Returns the number of
    corrections."""
    fixed = 0
    first_visit_salons = ReferralSettings.objects.filter(
        award_on=ReferralSettings.AwardOn.FIRST_VISIT
    ).values("salon_id")
    visited = Appointment.objects.filter(
        salon_id=OuterRef("salon_id"),
        client_id=OuterRef("referred_id"),
        status=Appointment.Status.COMPLETED,
        status_changed_at__gte=OuterRef("created_at"),
    )
    due = (
        Referral.objects.filter(status=Referral.Status.PENDING, salon_id__in=first_visit_salons)
        .filter(Exists(visited))
        .select_related("salon")
        .order_by("pk")[:batch_size]
    )
    for referral in due:
        salon = referral.salon
        visit = _completed_visit_since(salon, referral)
        if visit is None or not loyalty_is_enabled(salon=salon):
            continue
        try:
            referral_award(salon=salon, referral=referral, actor=None, appointment=visit)
        except ValidationError:
            continue
        fixed += 1
    not_taken_place = (
        Referral.objects.filter(
            status=Referral.Status.AWARDED,
            awarded_for__status__in=(Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW),
        )
        .select_related("salon")
        .order_by("pk")[:batch_size]
    )
    for referral in not_taken_place:
        if referral.awarded_for_id is None:
            continue
        if referral_reverse_for_appointment(
            salon=referral.salon, appointment_id=referral.awarded_for_id
        ):
            fixed += 1
    return fixed
