"""How long a package is valid, in the salon's calendar.

- A package is valid from the day it is assigned or bought (`starts_on`, the salon's local
  date) through its last day (`expires_on`, inclusive); no `expires_on`: no expiry.
- N days: the first day and N−1 more (10 days from 1 March: through 10 March).
- N months or years: through the day before the same day N months (12·N) later, so one month
  from 15 March is through 14 April; when that month has no such day (one month from 31
  January) the package runs through the month's last day (28 or 29 February).
- Validity is judged on the appointment's date in its location's time zone, not on the day it
  is booked: a package valid through 31 May covers a booking made on 20 May for 31 May, and
  does not cover one made on 20 May for 1 June.
"""

from __future__ import annotations

import calendar
import datetime as dt

from bookings.models import Appointment

from .models import ValidityUnit


def _months_later_minus_a_day(start: dt.date, months: int) -> dt.date:
    year, month_index = divmod(start.month - 1 + months, 12)
    year += start.year
    month = month_index + 1
    last_day = calendar.monthrange(year, month)[1]
    if start.day > last_day:
        return dt.date(year, month, last_day)
    return dt.date(year, month, start.day) - dt.timedelta(days=1)


def validity_end(start: dt.date, count: int | None, unit: str) -> dt.date | None:
    """The last valid day of a package starting on `start`; None without a validity."""
    if not count:
        return None
    if unit == ValidityUnit.DAYS:
        return start + dt.timedelta(days=count - 1)
    if unit == ValidityUnit.MONTHS:
        return _months_later_minus_a_day(start, count)
    if unit == ValidityUnit.YEARS:
        return _months_later_minus_a_day(start, 12 * count)
    raise ValueError(f"Unknown validity unit {unit!r}")


def appointment_day(appointment: Appointment) -> dt.date:
    """The appointment's date where it takes place (what validity is judged on)."""
    return appointment.starts_at.astimezone(appointment.location.tzinfo).date()


def local_day(moment: dt.datetime, tz: dt.tzinfo) -> dt.date:
    return moment.astimezone(tz).date()
