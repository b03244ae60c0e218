"""Reads of the setup wizard."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cache
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from bookings.models import Appointment, Membership, Salon, StaffMember
from bookings.selectors import membership_get_for_user

from .models import SalonSetup


def setup_get_for_user(*, user: Any, salon_slug: str) -> SalonSetup:
    """The wizard of a salon the user owns or manages; 404 alike for a salon that does not
    exist, one the user is not in or only works in, and one created without the wizard."""
    membership = membership_get_for_user(user=user, salon_slug=salon_slug)
    if not membership.can_manage:
        raise Http404("No salon matches the given query.")
    setup = SalonSetup.objects.for_salon(membership.salon).first()
    if setup is None:
        raise Http404("No salon matches the given query.")
    setup.salon = membership.salon
    return setup


def setup_list_unfinished_for_user(*, user: Any) -> list[SalonSetup]:
    """Wizards the user may resume (owner or manager, a step neither done nor skipped)."""
    if not user.is_authenticated:
        return []
    managed = Membership.objects.filter(
        user=user, role__in=(Membership.Role.OWNER, Membership.Role.MANAGER)
    ).values("salon")
    setups: QuerySet[SalonSetup] = SalonSetup.objects.filter(salon__in=managed).select_related(
        "salon"
    )
    return [setup for setup in setups if setup.next_step is not None]


@cache
def time_zone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def my_day_staff_get(*, salon: Salon, user: Any) -> StaffMember | None:
    """The staff member the account is linked to in this salon, if any."""
    return StaffMember.objects.for_salon(salon).filter(user=user).first()


def my_day_appointments(*, salon: Salon, staff: StaffMember, day: dt.date) -> QuerySet[Appointment]:
    """The staff member's appointments starting on `day` (the salon's calendar day), cancelled
    ones left out, in time order, with what the page shows (one query)."""
    tz = salon.tzinfo
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return (
        Appointment.objects.for_salon(salon)
        .filter(staff=staff, starts_at__gte=start, starts_at__lt=end)
        .exclude(status__in=Appointment.NOT_BOOKED_STATUSES)
        .select_related("client", "service", "location")
        .order_by("starts_at", "pk")
    )
