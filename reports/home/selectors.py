"""Reads of the dashboard's home page: today's and tomorrow's appointments per staff member,
what changed since the member's last visit, and the figures of a period.

Every function takes the salon and reads only its rows. Days are the salon's days (its time
zone) for the figures; an appointment's own time and day are those of its location, as on
the calendar. A fixed number of queries each, however many rows."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from bookings.models import Appointment, Location, Salon, StaffMember
from bookings.selectors import appointment_list
from loyalty.models import PointsEntry
from packages.models import ClientPackage

NEWS_ROWS = 10
CENT = Decimal("0.01")
# Before a member's second visit there is no "last visit": news of the last day is shown.
FIRST_VISIT_LOOKBACK = dt.timedelta(days=1)
EARNED_KINDS = (PointsEntry.Kind.EARNED, PointsEntry.Kind.REFERRAL)
REDEEMED_KINDS = (PointsEntry.Kind.REDEEMED,)


def local_midnight(day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """The moment `day` begins in `tz` (right on DST days: zoneinfo resolves the offset)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=tz)


# --- Today and tomorrow -------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleRow:
    appointment: Appointment
    starts: dt.datetime  # in the location's time zone
    ends: dt.datetime


@dataclass
class StaffSchedule:
    staff: StaffMember
    rows: list[ScheduleRow] = field(default_factory=list)


@dataclass
class ScheduleDay:
    key: str  # "today" / "tomorrow"
    offset: int  # days after today
    date: dt.date  # the salon's date
    staff: list[StaffSchedule] = field(default_factory=list)
    locations: dict[int, tuple[Location, dt.date]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(member.rows) for member in self.staff)


def home_schedule(*, salon: Salon, now: dt.datetime) -> list[ScheduleDay]:
    """Today's and tomorrow's appointments (cancelled ones left out), per staff member by
    name and then by time. "Today" is the day at each appointment's location; the days'
    dates are the salon's. `locations` holds each location with appointments that day and
    its local date (for links to the calendar)."""
    salon_today = now.astimezone(salon.tzinfo).date()
    days = [
        ScheduleDay(key=key, offset=offset, date=salon_today + dt.timedelta(days=offset))
        for offset, key in enumerate(("today", "tomorrow"))
    ]
    # A day wide margin on both sides covers every time zone; the location's day decides.
    start = local_midnight(salon_today, salon.tzinfo) - dt.timedelta(days=1)
    appointments = (
        appointment_list(salon=salon, starts_from=start, starts_before=start + dt.timedelta(days=4))
        .exclude(status__in=Appointment.NOT_BOOKED_STATUSES)
        .order_by("staff__name", "staff_id", "starts_at", "pk")
    )
    members: dict[tuple[int, int], StaffSchedule] = {}
    for appointment in appointments:
        tz = appointment.location.tzinfo
        location_today = now.astimezone(tz).date()
        starts = appointment.starts_at.astimezone(tz)
        offset = (starts.date() - location_today).days
        if offset not in (0, 1):
            continue
        day = days[offset]
        key = (offset, appointment.staff_id)
        if key not in members:
            members[key] = StaffSchedule(staff=appointment.staff)
            day.staff.append(members[key])
        members[key].rows.append(_local_row(appointment))
        day.locations.setdefault(appointment.location_id, (appointment.location, starts.date()))
    return days


# --- New since the last visit -------------------------------------------------------------


@dataclass(frozen=True)
class HomeNews:
    since: dt.datetime
    first_visit: bool
    new_bookings: list[ScheduleRow]
    new_bookings_count: int
    cancellations: list[ScheduleRow]
    cancellations_count: int

    @property
    def new_bookings_more(self) -> int:
        return self.new_bookings_count - len(self.new_bookings)

    @property
    def cancellations_more(self) -> int:
        return self.cancellations_count - len(self.cancellations)


def _local_row(appointment: Appointment) -> ScheduleRow:
    tz = appointment.location.tzinfo
    return ScheduleRow(
        appointment=appointment,
        starts=appointment.starts_at.astimezone(tz),
        ends=appointment.ends_at.astimezone(tz),
    )


def _first_rows_and_count(qs: QuerySet[Appointment], limit: int) -> tuple[list[ScheduleRow], int]:
    """At most `limit` rows, and how many there are (no count query when they all fit)."""
    rows = list(qs[: limit + 1])
    count = len(rows) if len(rows) <= limit else qs.count()
    return [_local_row(appointment) for appointment in rows[:limit]], count


def home_news(
    *, salon: Salon, since: dt.datetime | None, now: dt.datetime, limit: int = NEWS_ROWS
) -> HomeNews:
    """Online bookings made and appointments cancelled in (since, now], newest first (at most
    `limit` of each, with their counts). Without `since` (a first visit): the last day."""
    first_visit = since is None
    start = now - FIRST_VISIT_LOOKBACK if since is None else since
    base = appointment_list(salon=salon)
    bookings = base.filter(
        source=Appointment.Source.ONLINE, created_at__gt=start, created_at__lte=now
    ).order_by("-created_at", "-pk")
    cancellations = base.filter(
        status=Appointment.Status.CANCELLED,
        status_changed_at__gt=start,
        status_changed_at__lte=now,
    ).order_by("-status_changed_at", "-pk")
    new_rows, new_count = _first_rows_and_count(bookings, limit)
    cancelled_rows, cancelled_count = _first_rows_and_count(cancellations, limit)
    return HomeNews(
        since=start,
        first_visit=first_visit,
        new_bookings=new_rows,
        new_bookings_count=new_count,
        cancellations=cancelled_rows,
        cancellations_count=cancelled_count,
    )


# --- Figures of a period ------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The last `days` days of the salon, today included."""

    days: int
    first: dt.date
    last: dt.date

    @classmethod
    def ending(cls, *, today: dt.date, days: int) -> Period:
        return cls(days=days, first=today - dt.timedelta(days=days - 1), last=today)

    def dates(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=i) for i in range(self.days)]

    def bounds(self, tz: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) of the period as moments."""
        return local_midnight(self.first, tz), local_midnight(self.last + dt.timedelta(days=1), tz)


@dataclass(frozen=True)
class DayBookings:
    day: dt.date
    bookings: int
    revenue: Decimal


def bookings_per_day(*, salon: Salon, period: Period) -> list[DayBookings]:
    """Per day of the period (the salon's days, by when the appointment starts): how many
    appointments and the sum of their prices; cancelled appointments are not counted."""
    tz = salon.tzinfo
    start, end = period.bounds(tz)
    rows = (
        Appointment.objects.for_salon(salon)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(status__in=Appointment.NOT_BOOKED_STATUSES)
        .annotate(day=TruncDate("starts_at", tzinfo=tz))
        .values("day")
        .annotate(bookings=Count("pk"), revenue=Sum("price"))
        .order_by("day")
    )
    by_day = {row["day"]: row for row in rows}
    result = []
    for day in period.dates():
        row = by_day.get(day)
        result.append(
            DayBookings(
                day=day,
                bookings=row["bookings"] if row else 0,
                revenue=Decimal(row["revenue"] or 0).quantize(CENT) if row else Decimal("0.00"),
            )
        )
    return result


@dataclass(frozen=True)
class DayPoints:
    day: dt.date
    earned: int
    redeemed: int


def points_per_day(*, salon: Salon, period: Period) -> list[DayPoints]:
    """Per day of the period (the salon's days): points earned (visits and referral bonuses)
    and points redeemed (spent on gift cards, as a positive number). Manual adjustments and
    reversals are in neither."""
    tz = salon.tzinfo
    start, end = period.bounds(tz)
    rows = (
        PointsEntry.objects.for_salon(salon)
        .filter(created_at__gte=start, created_at__lt=end, kind__in=EARNED_KINDS + REDEEMED_KINDS)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(
            earned=Sum("points", filter=Q(kind__in=EARNED_KINDS)),
            redeemed=Sum("points", filter=Q(kind__in=REDEEMED_KINDS)),
        )
        .order_by("day")
    )
    by_day = {row["day"]: row for row in rows}
    result = []
    for day in period.dates():
        row = by_day.get(day) or {}
        result.append(
            DayPoints(
                day=day, earned=int(row.get("earned") or 0), redeemed=-int(row.get("redeemed") or 0)
            )
        )
    return result


@dataclass(frozen=True)
class DayPackageSales:
    day: dt.date
    sold: int
    amount: Decimal


def package_sales_per_day(*, salon: Salon, period: Period) -> list[DayPackageSales]:
    """Per day of the period (the salon's days, by when the package was paid): packages sold
    (bought online and paid, or assigned by the salon) and the sum of their prices. Purchases
    still waiting for payment are not sales yet."""
    tz = salon.tzinfo
    start, end = period.bounds(tz)
    rows = (
        ClientPackage.objects.for_salon(salon)
        .filter(status=ClientPackage.Status.ACTIVE, paid_at__gte=start, paid_at__lt=end)
        .annotate(day=TruncDate("paid_at", tzinfo=tz))
        .values("day")
        .annotate(sold=Count("pk"), amount=Sum("price"))
        .order_by("day")
    )
    by_day = {row["day"]: row for row in rows}
    result = []
    for day in period.dates():
        row = by_day.get(day) or {}
        result.append(
            DayPackageSales(
                day=day,
                sold=int(row.get("sold") or 0),
                amount=Decimal(row.get("amount") or 0).quantize(CENT),
            )
        )
    return result


def week_start(day: dt.date) -> dt.date:
    """The Monday of `day`'s week."""
    return day - dt.timedelta(days=day.weekday())


def group_by_week[T](rows: list[T], *, day_of: str = "day") -> list[tuple[dt.date, list[T]]]:
    """Consecutive days grouped by week (Monday to Sunday); each group is keyed by its first
    day in `rows` (so a period that starts on a Thursday has a first week from Thursday)."""
    groups: list[tuple[dt.date, list[T]]] = []
    current: dt.date | None = None
    for row in rows:
        day = getattr(row, day_of)
        if current is None or week_start(day) != current:
            current = week_start(day)
            groups.append((day, []))
        groups[-1][1].append(row)
    return groups
