"""Reads of the referrals app. Every function takes the salon; lists come with what their pages
and serializers show (no query per row)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse

from bookings.models import Client, Salon
from bookings.selectors import client_list
from referrals.codes import code_is_well_formed, code_normalize
from referrals.models import Referral, ReferralCode, ReferralSettings

TOP_REFERRERS = 10
MAX_SEARCH_LENGTH = 64
# A period's days lie within these years: others are typing mistakes (and far ones overflow in
# time zone arithmetic).
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)


def referral_settings_get(*, salon: Salon) -> ReferralSettings:
    """The salon's settings; an unsaved row with the defaults if they were never saved."""
    row = ReferralSettings.objects.for_salon(salon).first()
    return row if row is not None else ReferralSettings(salon=salon)


def referral_code_of(*, salon: Salon, client: Client) -> ReferralCode | None:
    return ReferralCode.objects.for_salon(salon).filter(client=client).first()


def referral_code_find(*, salon: Salon, code: str) -> ReferralCode | None:
    """The salon's code as typed or carried by a link (another salon's code is unknown here)."""
    normalized = code_normalize(code)
    if not code_is_well_formed(normalized):
        return None
    return (
        ReferralCode.objects.for_salon(salon)
        .select_related("client")
        .filter(code=normalized)
        .first()
    )


def referral_link(*, salon: Salon, code: str) -> str:
    """The absolute link a client shares (SITE_URL, like the links in notices)."""
    path = reverse("referrals_public:landing", kwargs={"salon_slug": salon.slug, "code": code})
    return settings.SITE_URL + path


def referral_active_for(*, salon: Salon, referred: Client) -> Referral | None:
    """Who referred the client now (a pending or awarded referral), or None."""
    return (
        Referral.objects.for_salon(salon)
        .filter(referred=referred, status__in=Referral.ACTIVE_STATUSES)
        .select_related("referrer", "referred", "points_entry")
        .first()
    )


def referral_list(
    *,
    salon: Salon,
    status: str = "",
    source: str = "",
    referrer: Client | None = None,
    referred: Client | None = None,
    created_from: dt.datetime | None = None,
    created_before: dt.datetime | None = None,
    search: str = "",
) -> QuerySet[Referral]:
    """The salon's referrals, newest first. `search`: each word must match the first name,
    last name or email of the referrer or of the new client."""
    qs = Referral.objects.for_salon(salon).select_related("referrer", "referred", "actor")
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if referrer is not None:
        qs = qs.filter(referrer=referrer)
    if referred is not None:
        qs = qs.filter(referred=referred)
    if created_from is not None:
        qs = qs.filter(created_at__gte=created_from)
    if created_before is not None:
        qs = qs.filter(created_at__lt=created_before)
    search = (search or "").replace("\x00", "").strip()[:MAX_SEARCH_LENGTH]
    for term in search.split()[:5]:
        qs = qs.filter(
            Q(referrer__first_name__icontains=term)
            | Q(referrer__last_name__icontains=term)
            | Q(referrer__email__icontains=term)
            | Q(referred__first_name__icontains=term)
            | Q(referred__last_name__icontains=term)
            | Q(referred__email__icontains=term)
        )
    return qs.order_by("-created_at", "-id")


def referrals_made_by(*, salon: Salon, referrer: Client) -> QuerySet[Referral]:
    """The clients this client brought (active referrals), newest first."""
    return (
        Referral.objects.for_salon(salon)
        .filter(referrer=referrer, status__in=Referral.ACTIVE_STATUSES)
        .select_related("referred")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class TopReferrer:
    client_id: int
    first_name: str
    last_name: str
    referrals: int
    points: int

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def top_referrers(
    *,
    salon: Salon,
    created_from: dt.datetime | None = None,
    created_before: dt.datetime | None = None,
    limit: int = TOP_REFERRERS,
) -> list[TopReferrer]:
    """The clients who brought the most new clients in [created_from, created_before), with the
    bonus points those referrals credited; pending and credited referrals count, ended ones
    (cancelled, taken back) do not. One query."""
    qs = Referral.objects.for_salon(salon).filter(status__in=Referral.ACTIVE_STATUSES)
    if created_from is not None:
        qs = qs.filter(created_at__gte=created_from)
    if created_before is not None:
        qs = qs.filter(created_at__lt=created_before)
    rows = (
        qs.values("referrer_id", "referrer__first_name", "referrer__last_name")
        .annotate(
            referrals=Count("id"),
            points=Sum("points", filter=Q(status=Referral.Status.AWARDED)),
        )
        .order_by("-referrals", "-points", "referrer__last_name", "referrer_id")[: max(1, limit)]
    )
    return [
        TopReferrer(
            client_id=row["referrer_id"],
            first_name=row["referrer__first_name"],
            last_name=row["referrer__last_name"],
            referrals=row["referrals"],
            points=int(row["points"] or 0),
        )
        for row in rows
    ]


def referrer_candidates(*, salon: Salon, referred: Client, search: str) -> QuerySet[Client]:
    """Clients the owner may pick as "referred by" for `referred`: the salon's clients matching
    the search (name, email or phone), without the client themselves."""
    return client_list(salon=salon, search=search).exclude(pk=referred.pk)


def local_day_bounds(
    *, salon: Salon, start: dt.date | None, end: dt.date | None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """[start of `start`, start of the day after `end`) in the salon's time zone."""
    tz = salon.tzinfo

    def midnight(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tzinfo=tz)

    if end is not None and end >= dt.date.max - dt.timedelta(days=1):
        end = None  # no end (the day after the last date does not exist)
    return (
        midnight(start) if start is not None else None,
        midnight(end + dt.timedelta(days=1)) if end is not None else None,
    )


def referral_row(referral: Referral) -> dict[str, Any]:
    """A referral as lists show it."""
    return {
        "referral": referral,
        "status_label": referral.get_status_display(),
        "source_label": referral.get_source_display(),
    }
