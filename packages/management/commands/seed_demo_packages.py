"""`manage.py seed_demo_packages`: the demo salon's packages, run after `seed_demo` (and
`seed_demo_loyalty`, which creates the demo client's account).

- One package of each kind: a monthly blow-dry pass (time pass), a credit package for any
  service, and a visit package of ten visits for any service.
- The visit package assigned to the demo client Mari Kask (mari.kask@example.com) "for
  existing bookings too": her upcoming appointments are paid by it at once, and her next
  booking on the booking site (logged in as her) chooses it at the last step.

Idempotent like the other demo commands: a second run creates nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bookings.models import Client, Salon, Service
from packages.models import ClientPackage, PackageEntry, PackageKind, PackageType
from packages.services.holdings import client_package_assign
from packages.services.types import package_type_create

SALON_SLUG = "demo"
CLIENT_EMAIL = "mari.kask@example.com"
VISIT_PACKAGE = "10 visits, any treatment"

PACKAGE_TYPES: list[dict[str, Any]] = [
    {
        "kind": PackageKind.TIME,
        "name": "Blow-dry pass, one month",
        "description": "Blow-dry and styling as often as you like for a month.",
        "price": Decimal("99.00"),
        "validity_count": 1,
        "validity_unit": "months",
        "services": ["Blow-dry and styling"],
    },
    {
        "kind": PackageKind.CREDIT,
        "name": "Beauty credit 200 EUR",
        "description": "200 EUR to spend on any treatment, for the price of 180.",
        "price": Decimal("180.00"),
        "credit": Decimal("200.00"),
        "validity_count": 1,
        "validity_unit": "years",
        "services": None,  # every active service
    },
    {
        "kind": PackageKind.VISITS,
        "name": VISIT_PACKAGE,
        "description": "Ten visits for the price of nine, for any treatment.",
        "price": Decimal("380.00"),
        "visits": 10,
        "validity_count": 6,
        "validity_unit": "months",
        "services": None,
    },
]


def seed_types(salon: Salon) -> int:
    created = 0
    active = Service.objects.for_salon(salon).filter(is_active=True).order_by("pk")
    for data in PACKAGE_TYPES:
        if PackageType.objects.for_salon(salon).filter(name=data["name"]).exists():
            continue
        values = dict(data)
        names = values.pop("services")
        services = list(active if names is None else active.filter(name__in=names))
        if not services:
            continue
        package_type_create(salon=salon, services=services, **values)
        created += 1
    return created


def seed_assignment(salon: Salon) -> tuple[ClientPackage | None, int]:
    """The visit package for Mari, for her booked appointments too (once)."""
    client = Client.objects.for_salon(salon).filter(email__iexact=CLIENT_EMAIL).first()
    package_type = PackageType.objects.for_salon(salon).filter(name=VISIT_PACKAGE).first()
    if client is None or package_type is None:
        return None, 0
    if (
        ClientPackage.objects.for_salon(salon)
        .filter(client=client, package_type=package_type)
        .exists()
    ):
        return None, 0
    held = client_package_assign(
        salon=salon,
        client=client,
        package_type=package_type,
        actor=None,
        apply_to_existing=True,
    )
    paid = PackageEntry.objects.for_salon(salon).filter(
        client_package=held, kind=PackageEntry.Kind.USED
    )
    return held, paid.count()


class Command(BaseCommand):
    help = "Add a package of each kind to the demo salon and give the demo client a visit package."

    def handle(self, *args: Any, **options: Any) -> None:
        salon = Salon.objects.filter(slug=SALON_SLUG).first()
        if salon is None:
            raise CommandError("Run `manage.py seed_demo` first.")
        with transaction.atomic():
            types = seed_types(salon)
            held, paid = seed_assignment(salon)
        parts = []
        if types:
            parts.append(f"{types} packages (one of each kind)")
        if held is not None:
            parts.append(
                f"“{held.name}” for {CLIENT_EMAIL}, paying {paid} of her booked appointments"
            )
        self.stdout.write(
            self.style.SUCCESS("Demo packages: " + "; ".join(parts) + ".")
            if parts
            else "Demo packages are already complete; nothing created."
        )
