"""The charts of the home page for a period, as a presentation model: each `Chart` has its
SVG (reports/home/charts.py) and the same figures as a table, for those who would rather
read than look (and for screen readers)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from bookings.models import Salon
from reports.home.charts import Number, Series, bar_chart_svg
from reports.home.selectors import (
    DayBookings,
    DayPackageSales,
    DayPoints,
    Period,
    bookings_per_day,
    group_by_week,
    package_sales_per_day,
    points_per_day,
)

# Longer periods show revenue per week: 90 daily bars of money are hard to read on a phone.
REVENUE_DAILY_UP_TO_DAYS = 31


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    caption: str
    svg: Any
    columns: list[str]
    rows: list[list[str]]


def _day_label(day: Any, period: Period) -> str:
    return formats.date_format(day, "D j" if period.days <= 7 else "j M")


def _money(value: Number, currency: str) -> str:
    return f"{formats.number_format(value, 2)} {currency}"


def _count(value: Number) -> str:
    return formats.number_format(value, 0)


def bookings_chart(days: list[DayBookings], period: Period) -> Chart:
    points = [(_day_label(row.day, period), row.bookings) for row in days]
    title = _("Bookings per day")
    svg = bar_chart_svg(
        chart_id="chart-bookings",
        title=title,
        description=_("Appointments per day, cancelled ones not counted."),
        series=[Series(name=_("Bookings"), points=points)],
        empty_text=_("No bookings in this period"),
        format_value=_count,
    )
    return Chart(
        key="bookings",
        title=title,
        caption=_("Appointments by the day they take place; cancelled ones are not counted."),
        svg=svg,
        columns=[_("Day"), _("Bookings")],
        rows=[[label, _count(value)] for label, value in points],
    )


def revenue_chart(days: list[DayBookings], period: Period, currency: str) -> Chart:
    if period.days <= REVENUE_DAILY_UP_TO_DAYS:
        title = _("Revenue booked per day (%(currency)s)") % {"currency": currency}
        points = [(_day_label(row.day, period), row.revenue) for row in days]
        first_column = _("Day")
    else:
        title = _("Revenue booked per week (%(currency)s)") % {"currency": currency}
        points = [
            (formats.date_format(first, "j M"), sum((r.revenue for r in rows), Decimal("0.00")))
            for first, rows in group_by_week(days)
        ]
        first_column = _("Week from")
    svg = bar_chart_svg(
        chart_id="chart-revenue",
        title=title,
        description=_("The prices of the appointments, cancelled ones not counted."),
        series=[Series(name=_("Revenue"), points=points)],
        empty_text=_("No revenue in this period"),
        format_value=lambda value: _money(value, currency),
        format_axis=_count,
    )
    return Chart(
        key="revenue",
        title=title,
        caption=_("The prices of booked, completed and no-show appointments (not cancelled)."),
        svg=svg,
        columns=[first_column, _("Revenue")],
        rows=[[label, _money(value, currency)] for label, value in points],
    )


def points_chart(days: list[DayPoints]) -> Chart:
    weeks = [
        (
            formats.date_format(first, "j M"),
            sum(r.earned for r in rows),
            sum(r.redeemed for r in rows),
        )
        for first, rows in group_by_week(days)
    ]
    title = _("Points earned and redeemed per week")
    earned, redeemed = _("Earned"), _("Redeemed")
    svg = bar_chart_svg(
        chart_id="chart-points",
        title=title,
        description=_("Loyalty points earned and redeemed per week."),
        series=[
            Series(name=earned, points=[(label, e) for label, e, _r in weeks]),
            Series(name=redeemed, points=[(label, r) for label, _e, r in weeks]),
        ],
        empty_text=_("No points earned or redeemed in this period"),
        format_value=_count,
    )
    return Chart(
        key="points",
        title=title,
        caption=_(
            "Earned: points for visits and referrals. Redeemed: points spent on gift cards. "
            "Manual adjustments and reversals are not counted."
        ),
        svg=svg,
        columns=[_("Week from"), earned, redeemed],
        rows=[[label, _count(e), _count(r)] for label, e, r in weeks],
    )


def package_sales_chart(days: list[DayPackageSales], currency: str) -> Chart:
    weeks = [
        (
            formats.date_format(first, "j M"),
            sum(r.sold for r in rows),
            sum((r.amount for r in rows), Decimal("0.00")),
        )
        for first, rows in group_by_week(days)
    ]
    title = _("Package sales per week")
    sold = _("Packages sold")
    svg = bar_chart_svg(
        chart_id="chart-packages",
        title=title,
        description=_("Packages sold per week (bought online and paid, or assigned)."),
        series=[Series(name=sold, points=[(label, count) for label, count, _a in weeks])],
        empty_text=_("No packages sold in this period"),
        format_value=_count,
    )
    return Chart(
        key="packages",
        title=title,
        caption=_(
            "Time passes, credit and visit packages paid in the week (bought online or "
            "assigned by the salon), with what they cost; purchases waiting for payment are "
            "not counted."
        ),
        svg=svg,
        columns=[
            _("Week from"),
            sold,
            _("Amount (%(currency)s)") % {"currency": currency},
        ],
        rows=[[label, _count(count), _money(amount, currency)] for label, count, amount in weeks],
    )


def home_figures(*, salon: Salon, period: Period) -> list[Chart]:
    """The period's charts: bookings, revenue, loyalty points, package sales (three
    queries)."""
    days = bookings_per_day(salon=salon, period=period)
    return [
        bookings_chart(days, period),
        revenue_chart(days, period, salon.currency),
        points_chart(points_per_day(salon=salon, period=period)),
        package_sales_chart(package_sales_per_day(salon=salon, period=period), salon.currency),
    ]
