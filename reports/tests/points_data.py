"""The ledger the points report tests read: two locations, two services, two staff members and
three clients of the salon "alpha" (Europe/Tallinn), and one client of another salon, with rows
on both sides of the local month boundaries (UTC+2 in winter, UTC+3 from 29 March 2026).

Running balances, in the order the rows were written:

    Kati   Feb 20  earned   +50  Haircut · Anna · Old Town     50
           Mar 1   manual  +100  00:30 local (Feb 28 in UTC)  150
           Mar 15  redeemed -120  gift card "Voucher 20"       30
           Apr 1   earned   +40  Colour · Boris · Harbour      70
    Mari   Mar 10  earned   +50  Haircut · Boris · Old Town    50
           Mar 31  manual   -20  23:30 local                   30
           Apr 1   earned   +30  00:10 local (Mar 31 in UTC)   60
    Jaan   Feb 10  earned   +50  Haircut · Anna · Old Town     50
           Feb 12  reversal -50  the visit was a no-show         0

March (local days) is therefore 4 rows: earned +150, spent -140, net +10.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

from django.db import transaction

from bookings.models import Appointment, Salon
from loyalty.models import GiftCard, PointsEntry
from loyalty.services.points import points_entry_add
from loyalty.tests.conftest import make_appointment
from tests.factories import ClientFactory, LocationFactory, ServiceFactory, StaffMemberFactory

TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")
MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TALLINN)  # type: ignore[misc]


def add_row(
    salon: Salon, client: Any, points: int, at: dt.datetime, kind: str = "manual", **source: Any
) -> PointsEntry:
    """A ledger row written as the services write it (the cached balance moves with it)."""
    with transaction.atomic():
        entry, _account = points_entry_add(
            salon=salon,
            client=client,
            kind=kind,
            points=points,
            description=source.pop("description", "Correction"),
            created_at=at,
            **source,
        )
    return entry


def visit(salon: Salon, world: dict[str, Any], client: Any, **kwargs: Any) -> Appointment:
    params = {
        "salon": salon,
        "client": client,
        "service": world["haircut"],
        "staff": world["anna"],
        "location": world["old_town"],
    }
    params.update(kwargs)
    return make_appointment(**params)


def build_ledger(salon: Salon, other_salon: Salon, actor: Any = None) -> dict[str, Any]:
    old_town = LocationFactory(salon=salon, name="Old Town")
    harbour = LocationFactory(salon=salon, name="Harbour")
    haircut = ServiceFactory(salon=salon, name="Haircut", price=Decimal("35.00"))
    colour = ServiceFactory(salon=salon, name="Colour", price=Decimal("60.00"))
    anna = StaffMemberFactory(salon=salon, name="Anna", locations=[old_town, harbour])
    boris = StaffMemberFactory(salon=salon, name="Boris", locations=[old_town, harbour])
    kati = ClientFactory(salon=salon, first_name="Kati", last_name="Kask", email="kati@x.test")
    mari = ClientFactory(salon=salon, first_name="Mari", last_name="Maasikas", email="m@x.test")
    jaan = ClientFactory(salon=salon, first_name="Jaan", last_name="Tamm", email="jaan@x.test")
    world: dict[str, Any] = {
        "old_town": old_town,
        "harbour": harbour,
        "haircut": haircut,
        "colour": colour,
        "anna": anna,
        "boris": boris,
        "kati": kati,
        "mari": mari,
        "jaan": jaan,
    }
    card = GiftCard.objects.create(
        salon=salon,
        client=kati,
        code="ABCDEFGH1234",
        name="Voucher 20",
        initial_value=Decimal("20.00"),
        balance=Decimal("20.00"),
        currency="EUR",
        source=GiftCard.Source.POINTS,
    )
    earned = PointsEntry.Kind.EARNED
    rows = {
        "kati_feb": add_row(
            salon,
            kati,
            50,
            local(2026, 2, 20, 12),
            earned,
            appointment=visit(salon, world, kati, ends_at=local(2026, 2, 20, 11)),
        ),
        "kati_mar1": add_row(
            salon, kati, 100, local(2026, 3, 1, 0, 30), description="Welcome", actor=actor
        ),
        "kati_mar15": add_row(
            salon,
            kati,
            -120,
            local(2026, 3, 15, 12),
            PointsEntry.Kind.REDEEMED,
            gift_card=card,
        ),
        "kati_apr": add_row(
            salon,
            kati,
            40,
            local(2026, 4, 1, 12),
            earned,
            appointment=visit(
                salon,
                world,
                kati,
                service=colour,
                staff=boris,
                location=harbour,
                ends_at=local(2026, 4, 1, 11),
            ),
        ),
        "mari_mar10": add_row(
            salon,
            mari,
            50,
            local(2026, 3, 10, 12),
            earned,
            appointment=visit(salon, world, mari, staff=boris, ends_at=local(2026, 3, 10, 11)),
        ),
        "mari_mar31": add_row(salon, mari, -20, local(2026, 3, 31, 23, 30), description="Fix"),
        "mari_apr1": add_row(
            salon,
            mari,
            30,
            local(2026, 4, 1, 0, 10),
            earned,
            appointment=visit(salon, world, mari, ends_at=local(2026, 3, 31, 20)),
        ),
    }
    jaan_visit = visit(salon, world, jaan, ends_at=local(2026, 2, 10, 11))
    rows["jaan_feb"] = add_row(
        salon, jaan, 50, local(2026, 2, 10, 12), earned, appointment=jaan_visit
    )
    rows["jaan_rev"] = add_row(
        salon,
        jaan,
        -50,
        local(2026, 2, 12, 9),
        PointsEntry.Kind.REVERSAL,
        appointment=jaan_visit,
        reverses=rows["jaan_feb"],
        description="",
    )
    stranger = ClientFactory(salon=other_salon, first_name="Other", email="o@x.test")
    add_row(other_salon, stranger, 500, local(2026, 3, 5, 12), description="Elsewhere")
    world.update(rows)
    world["gift_card"] = card
    return world
