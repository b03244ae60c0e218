"""The reports app's panels on the dashboard's home page (hook:
bookings/dashboard/extensions.py), in this order:

1. today's and tomorrow's appointments per staff member, with links to the calendar;
2. online bookings and cancellations since the member's last visit (viewing the page
   records the visit: reports/home/services.py);
3. the figures of a period chosen with `?period=7|30|90`: bookings per day, revenue booked,
   points earned vs redeemed per week, package sales per week (reports/home/figures.py).

Every member sees them (staff too, read-only: the panels offer no changes). Each reads only
the salon's rows, in a fixed number of queries. `register_panels()` is called once from
`ReportsConfig.ready()`; calling it again changes nothing."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from bookings.dashboard.calendar import calendar_url
from bookings.dashboard.extensions import HomePanel, register_home_panel
from bookings.models import Membership, Salon
from bookings.selectors import location_list
from reports.home import selectors
from reports.home.figures import home_figures
from reports.home.forms import PERIOD_CHOICES, PeriodForm
from reports.home.services import home_visit_record


def schedule_panel(request: HttpRequest, salon: Salon, membership: Membership) -> dict[str, Any]:
    days = selectors.home_schedule(salon=salon, now=timezone.now())
    calendar = reverse("dashboard:calendar", kwargs={"salon_slug": salon.slug})
    # Rows name their location only where the salon has more than one.
    several_locations = location_list(salon=salon, active_only=True).count() > 1
    return {
        "schedule_days": [
            {
                "day": day,
                "title": _("%(day)s, %(date)s")
                % {
                    "day": _("Today") if day.key == "today" else _("Tomorrow"),
                    "date": formats.date_format(day.date, "l j F"),
                },
                # The calendar of each location with appointments that day (its own date).
                "calendar_links": [
                    (location.name, calendar_url(salon.slug, location=location, day=local_date))
                    for location, local_date in day.locations.values()
                ]
                or [("", f"{calendar}?date={day.date.isoformat()}")],
            }
            for day in days
        ],
        "show_locations": several_locations,
    }


def news_panel(request: HttpRequest, salon: Salon, membership: Membership) -> dict[str, Any]:
    now = timezone.now()
    since = home_visit_record(salon=salon, membership=membership, now=now)
    return {"news": selectors.home_news(salon=salon, since=since, now=now)}


def figures_panel(request: HttpRequest, salon: Salon, membership: Membership) -> dict[str, Any]:
    form = PeriodForm(request.GET)
    days = form.period_days()
    today = timezone.now().astimezone(salon.tzinfo).date()
    period = selectors.Period.ending(today=today, days=days)
    return {
        "period_form": form,
        "period": period,
        "period_links": [
            {"days": value, "label": label, "current": value == days}
            for value, label in PERIOD_CHOICES
        ],
        "charts": home_figures(salon=salon, period=period),
    }


SCHEDULE_PANEL = HomePanel(
    key="reports_schedule",
    template_name="reports/home/_schedule.html",
    context=schedule_panel,
    position=10,
)
NEWS_PANEL = HomePanel(
    key="reports_news",
    template_name="reports/home/_news.html",
    context=news_panel,
    position=20,
)
FIGURES_PANEL = HomePanel(
    key="reports_figures",
    template_name="reports/home/_figures.html",
    context=figures_panel,
    position=30,
)


def register_panels() -> None:
    for panel in (SCHEDULE_PANEL, NEWS_PANEL, FIGURES_PANEL):
        register_home_panel(panel)
