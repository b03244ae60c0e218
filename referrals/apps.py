from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        from bookings.checkout import register_booking_hook
        from bookings.client_events import subscribe_clients_merged
        from bookings.events import BookingEvent, subscribe

        from . import handlers, notice_kinds  # noqa: F401
        from .dashboard.panels import register_panels
        from .public.nav import register_nav

        register_booking_hook(handlers.on_booking)
        subscribe(BookingEvent.COMPLETED, handlers.on_appointment_completed)
        subscribe(BookingEvent.CANCELLED, handlers.on_appointment_not_taken_place)
        subscribe(BookingEvent.NO_SHOW, handlers.on_appointment_not_taken_place)
        subscribe_clients_merged(handlers.on_clients_merged)
        register_panels()
        register_nav()
