"""Writes of client segments: create, edit, regenerate the link, (de)activate; the salon's
embed settings; recording a booking made through a link (the after-booking hook).

Each is one transaction and validates before writing: a segment offers at least one service;
its services and staff are the salon's own (another salon's id is refused as an invalid
choice, nothing is written). A segment's row is locked while its link changes or a booking
through it is recorded, so a booking never records a link that was regenerated or switched
off before it committed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Appointment, Client, Salon, Service, StaffMember
from bookings.services.common import model_update

from ..models import EmbedSettings, Segment, SegmentBooking, SegmentService, SegmentStaff, new_token
from ..selectors import SCOPE_EXTRA

SEGMENT_FIELDS = ["name", "description", "is_active", "embed_domains"]
MAX_EMBED_DOMAINS = 20


def embed_domains_clean(text: str | None, *, field: str = "embed_domains") -> str:
    """One origin a line (`https://example.com`, `http://localhost:8080`), normalized;
    duplicates dropped. Raises ValidationError on `field` for anything else."""
    origins: list[str] = []
    for raw in (text or "").splitlines():
        line = raw.strip().rstrip("/")
        if not line:
            continue
        parts = urlsplit(line)
        try:
            port = parts.port
        except ValueError:
            port = -1
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.path
            or parts.query
            or parts.fragment
            or parts.username
            or port == -1
            or any(c in line for c in " ;,'\"*")
        ):
            raise ValidationError(
                {
                    field: _(
                        "“%(value)s” is not a website address. Write one address a line, "
                        "like https://example.com."
                    )
                    % {"value": line[:100]}
                }
            )
        origin = f"{parts.scheme}://{parts.hostname}" + (f":{port}" if port else "")
        if origin not in origins:
            origins.append(origin)
    if len(origins) > MAX_EMBED_DOMAINS:
        raise ValidationError(
            {field: _("List at most %(count)d websites.") % {"count": MAX_EMBED_DOMAINS}}
        )
    return "\n".join(origins)


def _salon_rows[T: (Service, StaffMember)](
    salon: Salon, model: type[T], items: Iterable[Any], field: str
) -> list[T]:
    """The salon's active rows for the given rows or ids; another salon's, inactive or
    unknown ones are refused on `field`."""
    ids: list[int] = []
    for item in items:
        value = getattr(item, "pk", item)
        try:
            ids.append(int(value))
        except (TypeError, ValueError) as exc:
            raise ValidationError({field: _("Select a valid choice.")}) from exc
    wanted = set(ids)
    rows = list(model.objects.for_salon(salon).filter(pk__in=wanted, is_active=True))
    if len(rows) != len(wanted):
        raise ValidationError({field: _("Select a valid choice.")})
    if model is Service and any(not row.online_bookable for row in rows):
        raise ValidationError(
            {field: _("A segment offers only services bookable online; switch it on first.")}
        )
    return sorted(rows, key=lambda row: row.pk)


def _set_links(segment: Segment, services: list[Service], staff: list[StaffMember]) -> None:
    salon_id = segment.salon_id
    SegmentService.objects.for_salon(salon_id).filter(segment=segment).exclude(
        service__in=services
    ).delete()
    have = set(
        SegmentService.objects.for_salon(salon_id)
        .filter(segment=segment)
        .values_list("service_id", flat=True)
    )
    SegmentService.objects.bulk_create(
        [
            SegmentService(salon_id=salon_id, segment=segment, service=service)
            for service in services
            if service.pk not in have
        ]
    )
    SegmentStaff.objects.for_salon(salon_id).filter(segment=segment).exclude(
        staff__in=staff
    ).delete()
    have = set(
        SegmentStaff.objects.for_salon(salon_id)
        .filter(segment=segment)
        .values_list("staff_id", flat=True)
    )
    SegmentStaff.objects.bulk_create(
        [
            SegmentStaff(salon_id=salon_id, segment=segment, staff=member)
            for member in staff
            if member.pk not in have
        ]
    )


def _clean_input(
    salon: Salon, services: Iterable[Any] | None, staff: Iterable[Any] | None
) -> tuple[list[Service], list[StaffMember]]:
    service_rows = _salon_rows(salon, Service, services or [], "services")
    if not service_rows:
        raise ValidationError({"services": _("Choose at least one service for the segment.")})
    staff_rows = _salon_rows(salon, StaffMember, staff or [], "staff")
    return service_rows, staff_rows


@transaction.atomic
def segment_create(
    *,
    salon: Salon,
    name: str,
    services: Iterable[Any],
    staff: Iterable[Any] | None = None,
    description: str = "",
    is_active: bool = True,
    embed_domains: str = "",
) -> Segment:
    """A new segment with its services (at least one) and staff (none: the public staff)."""
    service_rows, staff_rows = _clean_input(salon, services, staff)
    segment = model_update(
        instance=Segment(salon=salon),
        data={
            "name": (name or "").strip(),
            "description": (description or "").strip(),
            "is_active": is_active,
            "embed_domains": embed_domains_clean(embed_domains),
        },
        fields=SEGMENT_FIELDS,
    )
    _set_links(segment, service_rows, staff_rows)
    return segment


@transaction.atomic
def segment_update(
    *,
    segment: Segment,
    services: Iterable[Any] | None = None,
    staff: Iterable[Any] | None = None,
    **data: Any,
) -> Segment:
    """Change a segment's fields (those given); `services`/`staff` given replace the lists."""
    segment = Segment.objects.select_for_update().get(pk=segment.pk)
    salon = segment.salon
    current_services = list(
        SegmentService.objects.for_salon(salon)
        .filter(segment=segment)
        .values_list("service_id", flat=True)
    )
    current_staff = list(
        SegmentStaff.objects.for_salon(salon)
        .filter(segment=segment)
        .values_list("staff_id", flat=True)
    )
    service_rows, staff_rows = _clean_input(
        salon,
        current_services if services is None else services,
        current_staff if staff is None else staff,
    )
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
    if "description" in data:
        data["description"] = (data["description"] or "").strip()
    if "embed_domains" in data:
        data["embed_domains"] = embed_domains_clean(data["embed_domains"])
    segment = model_update(instance=segment, data=data, fields=SEGMENT_FIELDS)
    _set_links(segment, service_rows, staff_rows)
    return segment


@transaction.atomic
def segment_link_regenerate(*, segment: Segment) -> Segment:
    """A new link for the segment; the old one opens nothing from this commit on."""
    segment = Segment.objects.select_for_update().get(pk=segment.pk)
    segment.token = new_token()
    segment.token_created_at = timezone.now()
    segment.save(update_fields=["token", "token_created_at", "updated_at"])
    return segment


@transaction.atomic
def segment_set_active(*, segment: Segment, is_active: bool) -> Segment:
    """Switch the segment's link off (or on again, with the same link)."""
    segment = Segment.objects.select_for_update().get(pk=segment.pk)
    if segment.is_active != is_active:
        segment.is_active = is_active
        segment.save(update_fields=["is_active", "updated_at"])
    return segment


@transaction.atomic
def embed_settings_update(*, salon: Salon, embed_domains: str) -> EmbedSettings:
    settings_row, _created = EmbedSettings.objects.select_for_update().get_or_create(salon=salon)
    settings_row.embed_domains = embed_domains_clean(embed_domains)
    settings_row.save(update_fields=["embed_domains"])
    return settings_row


def segment_booking_record(
    appointment: Appointment, client: Client, extras: Mapping[str, str], is_new_client: bool
) -> None:
    """The after-booking hook (bookings/checkout.py): a booking whose extras carry a link's
    token records its segment. The segment's row is locked, so the link cannot be switched
    off or regenerated between this check and the booking's commit; a link that opens nothing
    any more refuses the booking (API) or is left out (site; bookings/checkout.py)."""
    token = extras.get(SCOPE_EXTRA, "")
    if not token:
        return
    segment = (
        Segment.objects.for_salon(appointment.salon_id)
        .select_for_update()
        .filter(token=token, is_active=True)
        .first()
    )
    if segment is None:
        raise ValidationError({SCOPE_EXTRA: _("This link is no longer valid.")})
    if (
        not SegmentService.objects.for_salon(appointment.salon_id)
        .filter(segment=segment, service_id=appointment.service_id)
        .exists()
    ):
        raise ValidationError({SCOPE_EXTRA: _("This service is not offered through this link.")})
    SegmentBooking.objects.create(
        salon_id=appointment.salon_id, segment=segment, appointment=appointment
    )
