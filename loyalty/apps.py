from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "loyalty"
    verbose_name = _("Loyalty")

    def ready(self) -> None:
        from bookings.checkout import register as register_payment_method
        from bookings.client_events import subscribe_clients_merged
        from bookings.events import BookingEvent, subscribe

        from . import handlers, notice_kinds  # noqa: F401
        from .checkout import GiftCardPayment, register_fulfilment_listener
        from .dashboard.panels import register_panels
        from .public.nav import register_nav
        from .services.gift_cards import register_fulfilment

        subscribe(BookingEvent.CREATED, handlers.on_appointment_created)
        subscribe(BookingEvent.CANCELLED, handlers.on_appointment_cancelled)
        subscribe(BookingEvent.NO_SHOW, handlers.on_appointment_no_show)
        subscribe_clients_merged(handlers.on_clients_merged)
        register_payment_method(GiftCardPayment())
        register_nav()
        register_panels()
        # A gift card bought online is issued when its order is paid (issue 17).
        register_fulfilment()
        # A gift card's part of a booking whose online rest was not paid goes back to the card.
        register_fulfilment_listener()
