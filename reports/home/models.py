"""When a member of a salon last looked at the dashboard's home page, so that the page can
show what is new since then (online bookings, cancellations)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from bookings.models import Membership, TenantModel


class HomeVisit(TenantModel):
    """One row per membership. A *visit* is a run of page views less than `VISIT_GAP` apart
    (reports/home/services.py); `news_since` is where "new since your last visit" starts for
    the current visit: the last view of the visit before it (empty before a second visit)."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    last_seen_at = models.DateTimeField(_("last seen at"))
    news_since = models.DateTimeField(_("new since"), null=True, blank=True)

    class Meta:
        verbose_name = _("home page visit")
        verbose_name_plural = _("home page visits")
        constraints = [
            models.UniqueConstraint(
                fields=["salon", "membership"], name="reports_home_visit_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"home of membership {self.membership_id}: {self.last_seen_at:%Y-%m-%d %H:%M}"
