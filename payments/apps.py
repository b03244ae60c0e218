from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        # bookings never imports payments: the online payment method, the cancellation
        # refunds and the hold expiry plug in here (payments/wiring.py).
        from . import wiring

        wiring.connect()

        from .dashboard.panels import register_panels  # the client page's panel (helper F)

        register_panels()
