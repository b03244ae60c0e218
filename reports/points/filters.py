"""What the points report can be filtered and sorted by. The dashboard's form and the API's
query serializer both parse their input into one `PointsReportFilters`, and check the dates with
the same rule (`date_range_errors`), so the page, the files and the API select alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from bookings.models import Client, Location, Service, StaffMember

# Far-off years overflow once turned into UTC; they are typing mistakes anyway.
MIN_YEAR, MAX_YEAR = 1900, 2999
MAX_SEARCH_LENGTH = 100

# sort key -> the ordering, ascending; "-key" is the same ordering descending. Every ordering
# ends with the row id, so pages never overlap or skip a row.
SORT_FIELDS: dict[str, tuple[str, ...]] = {
    "date": ("created_at", "id"),
    "client": ("client__last_name", "client__first_name", "client_id", "created_at", "id"),
    "points": ("points", "created_at", "id"),
}
DEFAULT_SORT = "-date"
SORT_CHOICES = [
    ("-date", gettext_lazy("Newest first")),
    ("date", gettext_lazy("Oldest first")),
    ("client", gettext_lazy("Client, A to Z")),
    ("-client", gettext_lazy("Client, Z to A")),
    ("-points", gettext_lazy("Most points first")),
    ("points", gettext_lazy("Fewest points first")),
]
SORT_VALUES = [value for value, _label in SORT_CHOICES]


@dataclass(frozen=True)
class PointsReportFilters:
    """Days are inclusive local days of the salon's time zone. `client` is one client;
    `search` matches clients by name, email or phone (each word); both may be given."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    client: Client | None = None
    search: str = ""
    kind: str = ""
    staff: StaffMember | None = None
    service: Service | None = None
    location: Location | None = None
    sort: str = DEFAULT_SORT

    def ordering(self) -> list[str]:
        sort = self.sort if self.sort in SORT_VALUES else DEFAULT_SORT
        fields = SORT_FIELDS[sort.lstrip("-")]
        return [f"-{name}" for name in fields] if sort.startswith("-") else list(fields)


def clean_search(value: str | None) -> str:
    # PostgreSQL refuses NUL characters in a query parameter (a 500); nobody types them.
    return " ".join((value or "").replace("\x00", "").split())


def date_year_error(day: dt.date | None) -> str | None:
    if day is not None and not MIN_YEAR <= day.year <= MAX_YEAR:
        return _("Enter a date between the years %(min)s and %(max)s.") % {
            "min": MIN_YEAR,
            "max": MAX_YEAR,
        }
    return None


def date_range_errors(date_from: dt.date | None, date_to: dt.date | None) -> dict[str, str]:
    """Messages per field: a year out of range, or an end before the start."""
    errors = {
        name: message
        for name, day in (("date_from", date_from), ("date_to", date_to))
        if (message := date_year_error(day))
    }
    if not errors and date_from and date_to and date_to < date_from:
        errors["date_to"] = _("The end date cannot be before the start date.")
    return errors


def local_day_bounds(
    date_from: dt.date | None, date_to: dt.date | None, tz: dt.tzinfo
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """[start, end) in aware datetimes: from the start of the first local day to the start of
    the day after the last (so a DST day is as long as it really is)."""
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz) if date_from else None
    end = (
        dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        if date_to
        else None
    )
    return start, end
