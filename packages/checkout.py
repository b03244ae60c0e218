"""The "package" way to pay at the booking's last step (bookings/checkout.py).

Offered only to a logged-in client booking as their own client record (`account_only`), when
one of their packages can pay this booking — paid, covering the service, valid on the
booking's date, with something left (packages/services/usage.py) — and then chosen by default
(`selected_by_default`); the client can choose another way. A guest is told to log in when an
active package of the salon covers the service. The package is taken in the booking's
transaction: if a concurrent booking used it up meanwhile, the booking is refused and nothing
is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bookings.checkout import PaymentContext, PaymentMethod
from bookings.models import Appointment, Client, Salon, Service
from packages.selectors import package_types_cover_service, usable_packages
from packages.services.holdings import salon_today
from packages.services.usage import package_pay_appointment_online


class PackagePayment(PaymentMethod):
    key = "package"
    label = gettext_lazy("My package")
    description = gettext_lazy("A package you hold pays for this booking.")
    position = 20
    account_only = True
    selected_by_default = True
    # The client paid the salon for the package already: a service that asks for a deposit
    # or prepayment can be booked with it (payments' prepayment rule keeps it offered).
    satisfies_prepayment = True

    def is_available(self, salon: Salon, client: Client | None, service: Service) -> bool:
        # Without the booking's date: a package that can pay this service today.
        return self._usable(salon, client, service, salon_today(salon))

    def is_available_at(
        self, salon: Salon, client: Client | None, service: Service, starts_at: Any
    ) -> bool:
        if not isinstance(starts_at, dt.datetime):
            return self.is_available(salon, client, service)
        return self._usable(salon, client, service, starts_at.astimezone(salon.tzinfo).date())

    def _usable(self, salon: Salon, client: Client | None, service: Service, day: dt.date) -> bool:
        if client is None or service.price <= 0:
            return False
        return usable_packages(salon=salon, client=client, service=service, on=day).exists()

    def login_hint(self, salon: Salon, service: Service) -> str:
        if service.price <= 0 or not package_types_cover_service(salon=salon, service=service):
            return ""
        return _("Do you hold a package for this service? Log in to pay with it.")

    def apply(self, appointment: Appointment, payment: PaymentContext) -> None:
        package_pay_appointment_online(appointment=appointment)
