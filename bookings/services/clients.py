"""Client writes: create and update (refusing a second record for a phone or e-mail the salon
already has), the online booking's find-or-create, linking records to accounts, and merging
duplicates that exist already.

Duplicates. A client's e-mail is unique per salon in the database (`client_unique_salon_email`,
stored lower-case). A phone number is not: salons already hold records that share one (two
"Walk In"s, a family sharing a phone), so a unique constraint could not be added without
merging them first, and an online booking by a second person with the family's phone must
still go through. So the rule lives here: `client_create` / `client_update` refuse a phone (or
e-mail) another client of the salon has, with `DuplicateClient` carrying the matches so the
owner is offered the existing record; concurrent creations of one phone are serialized by a
transaction-scoped advisory lock on (salon, phone) on PostgreSQL (SQLite serializes writers
anyway). Online bookings pass `allow_duplicate_phone=True` (the e-mail identifies the person
there; the owner merges later). Records that already share a phone are merged with
`clients_merge`.
"""

from __future__ import annotations

import zlib
from typing import Any

import phonenumbers
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, ProtectedError, Q, RestrictedError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from bookings.client_events import ClientsMerge, clients_merged_publish
from bookings.models import Appointment, Client, Salon

from .common import _unique_errors_on_fields, validate_row

MAX_NOTES = 4000

CLIENT_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "notes",
    "marketing_consent",
    "preferred_channel",
    "preferred_language",
]


def _verified_user_for(email: str) -> Any | None:
    from allauth.account.models import EmailAddress

    if not email:
        return None
    address = (
        EmailAddress.objects.filter(email__iexact=email, verified=True)
        .select_related("user")
        .first()
    )
    return address.user if address else None


def _apply(client: Client, data: dict[str, Any]) -> None:
    was_consenting = client.marketing_consent
    for name in CLIENT_FIELDS:
        if name in data:
            setattr(client, name, data[name])
    client.email = (client.email or "").strip().lower()
    if client.marketing_consent and not was_consenting:
        client.marketing_consent_at = timezone.now()
    elif not client.marketing_consent:
        client.marketing_consent_at = None


# --- Duplicates ---------------------------------------------------------------------------


def normalized_phone(value: Any) -> str:
    """A phone as stored (E.164, "+3725551234"), from a PhoneNumber or typed text (local
    numbers in the default region); "" when it is not a valid number."""
    if not value:
        return ""
    if isinstance(value, phonenumbers.PhoneNumber):
        number = value
    else:
        try:
            number = phonenumbers.parse(str(value), settings.PHONENUMBER_DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def client_find_duplicates(
    *, salon: Salon | int, email: str = "", phone: Any = "", exclude_pk: int | None = None
) -> list[Client]:
    """The salon's clients with this e-mail (any case) or this phone (normalised), at most 5,
    e-mail matches first. One query."""
    email = (email or "").strip().lower()
    phone = normalized_phone(phone)
    condition = Q()
    if email:
        condition |= Q(email__iexact=email)
    if phone:
        condition |= Q(phone=phone)
    if not condition:
        return []
    qs = Client.objects.for_salon(salon).filter(condition)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    matches = list(qs.order_by("pk")[:5])
    return sorted(matches, key=lambda c: (not (email and c.email.lower() == email), c.pk))


class DuplicateClient(ValidationError):
    """The phone or e-mail belongs to another client of the salon (`matches`): use that client
    (or merge) instead of creating a second record. A form or the API shows it on the field
    (400, `reason` "duplicate_client")."""

    def __init__(self, matches: list[Client], *, email: str, phone: str) -> None:
        self.matches = matches
        first = matches[0]
        name = first.full_name
        errors: dict[str, ValidationError] = {}
        if email and first.email.lower() == email:
            errors["email"] = ValidationError(
                _("%(name)s already has this e-mail address.") % {"name": name},
                code="duplicate_client",
            )
        phone_match = next((c for c in matches if phone and str(c.phone) == phone), None)
        if phone_match is not None:
            errors["phone"] = ValidationError(
                _("%(name)s already has this phone number.") % {"name": phone_match.full_name},
                code="duplicate_client",
            )
        super().__init__(errors)
        self.api_reason = "duplicate_client"


def _lock_contact(salon: Salon, phone: str) -> None:
    """Serialize the creation of clients with one phone in one salon (PostgreSQL). The e-mail
    needs no lock: its unique constraint makes the second insert fail."""
    if not phone or connection.vendor != "postgresql":
        return
    key = zlib.crc32(f"client-phone:{salon.pk}:{phone}".encode()) - 2**31
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _refuse_duplicates(client: Client, *, allow_duplicate_phone: bool) -> None:
    phone = normalized_phone(client.phone)
    if not allow_duplicate_phone:
        _lock_contact(client.salon, phone)
    matches = client_find_duplicates(
        salon=client.salon_id,
        email=client.email,
        phone="" if allow_duplicate_phone else phone,
        exclude_pk=client.pk,
    )
    if matches:
        raise DuplicateClient(matches, email=client.email, phone=phone)


@transaction.atomic
def client_create(*, salon: Salon, allow_duplicate_phone: bool = False, **data: Any) -> Client:
    """A new client of the salon. Refuses (`DuplicateClient`) an e-mail or phone another
    client has; `allow_duplicate_phone` is for online bookings only (see the module doc)."""
    client = Client(salon=salon)
    _apply(client, data)
    client.user = _verified_user_for(client.email)
    _refuse_duplicates(client, allow_duplicate_phone=allow_duplicate_phone)
    validate_row(client)
    client.save()
    return client


@transaction.atomic
def client_update(*, client: Client, **data: Any) -> Client:
    old_email, old_phone = client.email, normalized_phone(client.phone)
    _apply(client, data)
    if client.email != old_email:
        # A changed address is no longer proof that the account holder is this client.
        client.user = _verified_user_for(client.email)
    if client.email != old_email or normalized_phone(client.phone) != old_phone:
        # Only a changed contact is checked: records that already share a phone stay
        # editable until they are merged.
        _refuse_duplicates(
            client, allow_duplicate_phone=normalized_phone(client.phone) == old_phone
        )
    validate_row(client)
    client.save()
    return client


@transaction.atomic
def clients_link_to_user(*, user: Any, email: str) -> int:
    """Link every salon's client records having this (verified) email to the account.

    Whatever was assigned to those records (packages, points, gift cards) hangs off the
    client row, so it becomes the account holder's at once. Returns how many were linked.
    """
    User = get_user_model()
    if not isinstance(user, User) or not email:
        return 0
    return (
        Client.objects.filter(email__iexact=email.strip(), user__isnull=True)
        .exclude(salon__in=Client.objects.filter(user=user).values("salon"))
        .update(user=user)
    )


BOOKING_FILLABLE_FIELDS = ("first_name", "last_name", "email", "phone")


def client_find_for_booking(*, salon: Salon, user: Any, email: str) -> Client | None:
    """The salon's client a booking belongs to: the account's linked client, else the client
    with this email (case-insensitive). None when the booking will create a new client."""
    qs = Client.objects.for_salon(salon)
    if user is not None and getattr(user, "is_authenticated", False):
        linked = qs.filter(user=user).first()
        if linked is not None:
            return linked
    email = (email or "").strip()
    if not email:
        return None
    return qs.filter(email__iexact=email).order_by("pk").first()


_LOOK_UP: Any = object()


def client_for_booking(
    *,
    salon: Salon,
    user: Any,
    first_name: str,
    last_name: str,
    email: str,
    phone: Any,
    marketing_consent: bool,
    language: str = "",
    found: Client | None = _LOOK_UP,
    savepoint: bool = True,
) -> Client:
    """The client of an online booking, found or created (see `_client_for_booking`).

    `found`: what `client_find_for_booking(salon, user, email)` gave the caller a moment ago
    in the same transaction (not looked up again). `savepoint=False`: inside the caller's
    transaction, which fails as a whole on an error (the online checkout; issue 15)."""
    with transaction.atomic(savepoint=savepoint):
        return _client_for_booking(
            salon=salon,
            user=user,
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=phone,
            marketing_consent=marketing_consent,
            language=language,
            found=found,
        )


def _client_create_online(*, salon: Salon, **data: Any) -> Client:
    """`client_create` for an online booking whose e-mail no client of the salon has (just
    looked up): the same row, its fields validated, in fewer statements (issue 15). A phone
    another client has is allowed online, and the e-mail's uniqueness is left to the database
    (`client_unique_salon_email`: the caller's savepoint turns a concurrent twin into a
    lookup)."""
    client = Client(salon=salon)
    _apply(client, data)
    client.user = _verified_user_for(client.email)
    try:
        client.full_clean(
            exclude=["salon", "user"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        raise _unique_errors_on_fields(client, exc) from None
    client.save(force_insert=True)
    return client


def _client_for_booking(
    *,
    salon: Salon,
    user: Any,
    first_name: str,
    last_name: str,
    email: str,
    phone: Any,
    marketing_consent: bool,
    language: str,
    found: Client | None,
) -> Client:
    """The client of an online booking, found or created.

    `language` is the language they booked in: it becomes their preferred language (their
    notices and reminders use it); "" or an unknown code changes nothing.

    An existing client (linked to the account, or with this email) keeps what the salon
    recorded: only blank fields are filled from the booking form. Marketing consent is only
    ever given here (with its timestamp), never withdrawn by an unticked box. A logged-in
    person whose account has no client in this salon yet is linked to the one they book as,
    unless that client already belongs to another account.
    """
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    email = (email or "").strip().lower()
    other_account = ValidationError(
        {
            "email": _(
                "This email address belongs to another account. Log in with it, or use your "
                "own address."
            )
        }
    )
    if found is _LOOK_UP:
        found = client_find_for_booking(salon=salon, user=user, email=email)
    client = found
    if client is None:
        if authenticated and _verified_user_for(email) not in (None, user):
            raise other_account
        try:
            with transaction.atomic():
                client = _client_create_online(
                    salon=salon,
                    first_name=first_name,
                    last_name=last_name,
                    email=email,
                    phone=phone or "",
                    marketing_consent=bool(marketing_consent),
                    preferred_language=_language_or_blank(language),
                )
        except (IntegrityError, ValidationError):
            # A concurrent booking may have created this email's client a moment ago: use it.
            client = client_find_for_booking(salon=salon, user=None, email=email)
            if client is None:
                raise
            return client
        if authenticated and client.user_id is None:
            client.user = user
            validate_row(client)
            client.save(update_fields=["user", "updated_at"])
        return client

    if authenticated and client.user_id not in (None, user.pk):
        raise other_account
    changed: list[str] = []
    values = {"first_name": first_name, "last_name": last_name, "email": email, "phone": phone}
    for name in BOOKING_FILLABLE_FIELDS:
        if getattr(client, name) or not values[name]:
            continue
        if name == "email" and Client.objects.for_salon(salon).filter(email__iexact=email).exists():
            continue  # another client of the salon has it; the owner sorts that out
        setattr(client, name, values[name])
        changed.append(name)
    if _language_or_blank(language) and client.preferred_language != language:
        client.preferred_language = language
        changed.append("preferred_language")
    if marketing_consent and not client.marketing_consent:
        client.marketing_consent = True
        client.marketing_consent_at = timezone.now()
        changed += ["marketing_consent", "marketing_consent_at"]
    # Only the address the account holder proved is theirs links an existing record (and with
    # it whatever the salon assigned to it).
    if (
        authenticated
        and client.user_id is None
        and _verified_user_for(client.email) == user
        and not Client.objects.for_salon(salon).filter(user=user).exists()
    ):
        client.user = user
        changed.append("user")
    if changed:
        validate_row(client)
        try:
            client.save(update_fields=[*changed, "updated_at"])
        except Client.NotUpdated as exc:  # merged into another record since it was found
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
            ) from exc
    return client


def _language_or_blank(language: str) -> str:
    return language if language in dict(settings.LANGUAGES) else ""


def client_language_remember(*, client: Client, language: str) -> bool:
    """Store the language a client chose on the booking site (when they manage a booking) as
    their preferred language; True if it changed. Unknown codes are ignored."""
    language = _language_or_blank(language)
    if not language or client.preferred_language == language:
        return False
    Client.objects.for_salon(client.salon_id).filter(pk=client.pk).update(
        preferred_language=language, updated_at=timezone.now()
    )
    client.preferred_language = language
    return True


# --- Merging duplicates -------------------------------------------------------------------


def _merge_refusal(message: Any) -> ValidationError:
    return ValidationError({"merged": ValidationError(message, code="merge_refused")})


def _clashing_appointments(salon: Salon, kept: Client, merged: Client) -> list[Appointment]:
    """Active appointments of `merged` that `kept` holds too (same service and start): moving
    them would make a duplicate booking (`Appointment.NO_DUPLICATE_CONSTRAINT`)."""
    same = (
        Appointment.objects.for_salon(salon)
        .active()
        .filter(client=kept, service=OuterRef("service"), starts_at=OuterRef("starts_at"))
    )
    return list(
        Appointment.objects.for_salon(salon)
        .active()
        .filter(client=merged)
        .filter(Exists(same))
        .select_related("service", "location")[:3]
    )


def _fill_blanks(kept: Client, merged: Client) -> None:
    """What the kept record lacks, it takes from the duplicate; what it has, it keeps."""
    for name in ("last_name", "phone", "preferred_language"):
        if not getattr(kept, name, "x") and getattr(merged, name, ""):
            setattr(kept, name, getattr(merged, name))
    if not kept.email and merged.email:
        kept.email = merged.email
    if merged.notes and merged.notes.strip() not in kept.notes:
        joined = f"{kept.notes.rstrip()}\n\n{merged.notes.strip()}" if kept.notes else merged.notes
        kept.notes = joined[:MAX_NOTES]
    if merged.marketing_consent and not kept.marketing_consent:
        # The same person agreed on the other record; that agreement (and its date) stands.
        kept.marketing_consent = True
        kept.marketing_consent_at = merged.marketing_consent_at or timezone.now()
    if kept.user_id is None and merged.user_id is not None:
        kept.user_id = merged.user_id


@transaction.atomic
def clients_merge(*, salon: Salon, kept: Client, merged: Client, actor: Any = None) -> Client:
    """Fold the duplicate `merged` into `kept`: its appointments, notices and (through the
    `clients_merged` hook, bookings/client_events.py) the feature apps' rows move to `kept`,
    blank fields of `kept` are filled from it, and the duplicate is deleted — one transaction,
    both rows locked in pk order, so two merges of the same pair (either way round) or a
    merge racing an edit never interleave; the second one finds the duplicate gone and is
    refused. Refused (ValidationError on `merged`, nothing written) when the two are the same
    record, linked to two different accounts, or both hold the same booking."""
    if kept.pk == merged.pk:
        raise _merge_refusal(_("Choose two different clients."))
    if kept.salon_id != salon.pk or merged.salon_id != salon.pk:
        raise _merge_refusal(_("Select a valid choice."))
    # FOR NO KEY UPDATE: merges (and bookings, which lock the client FOR UPDATE) wait for
    # each other, but a ledger row inserted meanwhile (its foreign key takes KEY SHARE on the
    # client) does not — it would otherwise deadlock with the merge waiting for its ledger's
    # lock. The delete at the end waits for such writers to finish.
    # The duplicate's appointments are locked first: a move (appointment_reschedule) locks
    # its appointment, then the client; taking the clients first would deadlock with it.
    # NO KEY, like the UPDATE below: rows referencing an appointment (ledgers) still insert.
    list(
        Appointment.objects.for_salon(salon)
        .filter(client_id=merged.pk)
        .select_for_update(no_key=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    locked = {
        client.pk: client
        for client in Client.objects.for_salon(salon)
        .select_for_update(no_key=True)
        .filter(pk__in=[kept.pk, merged.pk])
        .order_by("pk")
    }
    if len(locked) != 2:
        raise _merge_refusal(_("One of these clients no longer exists (merged meanwhile?)."))
    kept, merged = locked[kept.pk], locked[merged.pk]
    if kept.user_id and merged.user_id and kept.user_id != merged.user_id:
        raise _merge_refusal(
            _(
                "Both records are linked to different accounts: they may be two people. "
                "They cannot be merged."
            )
        )
    clashes = _clashing_appointments(salon, kept, merged)
    if clashes:
        when = ", ".join(
            f"{a.service.name} {date_format(a.starts_at.astimezone(a.location.tzinfo), 'j M H:i')}"
            for a in clashes
        )
        raise _merge_refusal(
            _("Both records hold the same booking (%(when)s); cancel one of them first.")
            % {"when": when}
        )

    now = timezone.now()
    Appointment.objects.for_salon(salon).filter(client=merged).update(client=kept, updated_at=now)
    _move_notices(salon, kept, merged)
    clients_merged_publish(ClientsMerge(salon=salon, kept=kept, merged=merged, actor=actor))

    _fill_blanks(kept, merged)
    try:
        merged.delete()
    except (ProtectedError, RestrictedError) as exc:
        blocking = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", ())
        names = sorted({str(obj._meta.verbose_name) for obj in blocking})
        raise _merge_refusal(
            _("Records of the duplicate could not be moved (%(what)s).")
            % {"what": ", ".join(names)}
        ) from exc
    validate_row(kept)
    kept.save()
    return kept


def _move_notices(salon: Salon, kept: Client, merged: Client) -> None:
    from notices.models import Notice

    Notice.objects.filter(salon=salon, client=merged).update(client=kept)


def client_duplicates_of(*, salon: Salon, client: Client) -> list[Client]:
    """Other clients of the salon sharing this client's e-mail (any case) or phone: the merge
    candidates the client page offers."""
    return client_find_duplicates(
        salon=salon, email=client.email, phone=client.phone, exclude_pk=client.pk
    )
