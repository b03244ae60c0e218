"""Reads of client segments, always within one salon."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.db.models.functions import TruncMonth

from bookings.booking_scope import BookingScope
from bookings.models import Appointment, Salon, Service, StaffMember
from bookings.selectors import tenant_get

from .models import EmbedSettings, Segment, SegmentBooking, SegmentService, SegmentStaff

SCOPE_EXTRA = "segment"  # the after-booking extra that carries the link's token


def segment_list(*, salon: Salon) -> QuerySet[Segment]:
    """The salon's segments with their services and staff (three queries in all)."""
    return (
        Segment.objects.for_salon(salon)
        .prefetch_related(
            Prefetch(
                "service_links",
                queryset=SegmentService.objects.for_salon(salon)
                .select_related("service")
                .order_by("service__name", "service_id"),
            ),
            Prefetch(
                "staff_links",
                queryset=SegmentStaff.objects.for_salon(salon)
                .select_related("staff")
                .order_by("staff__name", "staff_id"),
            ),
        )
        .annotate(booking_count=Count("bookings", distinct=True))
        .order_by("name", "pk")
    )


def segment_get(*, salon: Salon, pk: Any) -> Segment:
    """One of the salon's segments (404 for a missing one or another salon's)."""
    return tenant_get(Segment, salon=salon, pk=pk, queryset=segment_list(salon=salon))


def segment_services_of(segment: Segment) -> list[Service]:
    return [link.service for link in segment.service_links.all()]


def segment_staff_of(segment: Segment) -> list[StaffMember]:
    return [link.staff for link in segment.staff_links.all()]


def segment_service_choices(*, salon: Salon) -> QuerySet[Service]:
    """What a segment may offer: the salon's active services bookable online."""
    return (
        Service.objects.for_salon(salon)
        .filter(is_active=True, online_bookable=True)
        .order_by("name", "pk")
    )


def segment_staff_choices(*, salon: Salon) -> QuerySet[StaffMember]:
    """Whom a segment's bookings may go to: the salon's active staff, offered online or not."""
    return StaffMember.objects.for_salon(salon).filter(is_active=True).order_by("name", "pk")


def segment_scope(segment: Segment) -> BookingScope:
    """What the segment's link opens (bookings/booking_scope.py). Reads the segment's links
    (prefetched by `segment_list`)."""
    staff_ids = frozenset(link.staff_id for link in segment.staff_links.all())
    return BookingScope(
        token=segment.token,
        label=segment.name,
        service_ids=frozenset(link.service_id for link in segment.service_links.all()),
        staff_ids=staff_ids or None,
        extras={SCOPE_EXTRA: segment.token},
    )


def segment_for_token(*, salon: Salon, token: str) -> Segment | None:
    """The active segment whose link this is; None for an unknown, regenerated or
    deactivated link."""
    if not token:
        return None
    return segment_list(salon=salon).filter(token=token, is_active=True).first()


def segment_scope_for_token(salon: Salon, token: str) -> BookingScope | None:
    """The booking scope provider's `resolve` (registered in apps.py)."""
    segment = segment_for_token(salon=salon, token=token)
    return segment_scope(segment) if segment is not None else None


def segment_scope_for_booking(appointment: Appointment) -> BookingScope | None:
    """The scope of the segment an appointment was booked through, whatever the link's state
    now: a client who holds the booking may move it with the segment's staff."""
    record = (
        SegmentBooking.objects.for_salon(appointment.salon_id)
        .filter(appointment=appointment)
        .only("segment_id")
        .first()
    )
    if record is None:
        return None
    segment = segment_list(salon=appointment.salon_id).filter(pk=record.segment_id).first()
    return segment_scope(segment) if segment is not None else None


@dataclass(frozen=True)
class MonthFigures:
    month: dt.date  # the first day of the month (the salon's time zone)
    count: int  # bookings through the link that were not cancelled
    value: Decimal  # their price
    cancelled: int


def segment_month_figures(
    *, salon: Salon, segment: Segment, months: int = 12
) -> list[MonthFigures]:
    """Bookings through the segment's link per month of the appointment (the salon's time
    zone), latest first, at most `months` months that have bookings. One query."""
    rows = (
        SegmentBooking.objects.for_salon(salon)
        .filter(segment=segment)
        .annotate(month=TruncMonth("appointment__starts_at", tzinfo=salon.tzinfo))
        .values("month", "appointment__status")
        .annotate(count=Count("pk"), value=Sum("appointment__price"))
        .order_by()
    )
    by_month: dict[dt.date, dict[str, Any]] = {}
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        figures = by_month.setdefault(month, {"count": 0, "value": Decimal("0"), "cancelled": 0})
        status = row["appointment__status"]
        if status == Appointment.Status.CANCELLED:
            figures["cancelled"] += row["count"]
        elif status in Appointment.NOT_BOOKED_STATUSES:
            continue  # held for payment, or never paid: not a booking (issue 17)
        else:
            figures["count"] += row["count"]
            figures["value"] += row["value"] or Decimal("0")
    ordered = sorted(by_month.items(), reverse=True)[:months]
    # Money to the cent whatever the database's sum gives back (SQLite: 180, not 180.00).
    return [
        MonthFigures(
            month=month,
            count=figures["count"],
            value=Decimal(figures["value"]).quantize(Decimal("0.01")),
            cancelled=figures["cancelled"],
        )
        for month, figures in ordered
    ]


def embed_settings_get(*, salon: Salon) -> EmbedSettings:
    """The salon's embed settings (unsaved defaults when it has none)."""
    found = EmbedSettings.objects.for_salon(salon).first()
    return found if found is not None else EmbedSettings(salon=salon)


def embed_origins(text: str) -> list[str]:
    """The origins listed in an embed domains field (one a line; stored already cleaned)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
