from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from .home.panels import register_panels

        # Today's appointments, what is new since the last visit and the period's charts on
        # the dashboard's home page (hook: bookings/dashboard/extensions.py).
        register_panels()
