from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PackagesConfig(AppConfig):
    name = "packages"
    verbose_name = _("Packages")

    def ready(self) -> None:
        from bookings.checkout import register as register_payment_method
        from bookings.client_events import subscribe_clients_merged
        from bookings.events import BookingEvent, subscribe

        from . import handlers
        from .checkout import PackagePayment
        from .dashboard.panels import register_panels
        from .public.nav import register_nav
        from .services.online import register_fulfilment

        subscribe(BookingEvent.CREATED, handlers.on_appointment_created)
        subscribe(BookingEvent.CANCELLED, handlers.on_appointment_cancelled)
        subscribe(BookingEvent.RESCHEDULED, handlers.on_appointment_rescheduled)
        subscribe_clients_merged(handlers.on_clients_merged)
        register_payment_method(PackagePayment())
        register_panels()
        register_nav()
        # A package bought online becomes active when its order is paid (issue 17).
        register_fulfilment()
