"""Writes of the home page: recording a member's view of it.

A *visit* is a run of views of the home page less than `VISIT_GAP` apart. Reloading the page
or choosing another period during a visit keeps the same "new since your last visit" window;
the first view after a pause of `VISIT_GAP` or more starts a new visit whose window begins
at the last view of the previous one."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings.models import Membership, Salon
from reports.home.models import HomeVisit

VISIT_GAP = dt.timedelta(minutes=30)


def home_visit_record(
    *, salon: Salon, membership: Membership, now: dt.datetime | None = None
) -> dt.datetime | None:
    """Record a view of the home page by `membership` at `now` and return where "new since
    your last visit" starts (None on the member's first visit)."""
    if membership.salon_id != salon.pk:
        raise ValueError("The membership belongs to another salon.")
    now = now or timezone.now()
    try:
        with transaction.atomic():
            visit = (
                HomeVisit.objects.for_salon(salon)
                .select_for_update()
                .filter(membership=membership)
                .first()
            )
            if visit is None:
                HomeVisit.objects.create(
                    salon=salon, membership=membership, last_seen_at=now, news_since=None
                )
                return None
            if now - visit.last_seen_at >= VISIT_GAP:
                visit.news_since = visit.last_seen_at
            visit.last_seen_at = max(now, visit.last_seen_at)
            visit.save(update_fields=["last_seen_at", "news_since"])
            return visit.news_since
    except IntegrityError:
        # Two first views at once: the other one created the row; this view changes nothing.
        visit = HomeVisit.objects.for_salon(salon).get(membership=membership)
        return visit.news_since
