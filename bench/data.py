"""Bulk data for the benchmarks: one big salon and many small ones in the same tables."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bookings.models import (
    Appointment,
    Client,
    Location,
    LocationHours,
    Salon,
    Service,
    StaffLocation,
    StaffMember,
    StaffService,
    WorkingHours,
)


@transaction.atomic
def make_salon(
    slug: str, *, staff_count: int, appointments: int, clients: int = 50, days_back: int = 200
) -> dict:
    """A salon with one location open 08–20 daily, staff working 09–17 daily, one 45-minute
    service (15 min buffer after) and `appointments` non-overlapping appointments spread over
    the past `days_back` days and the future."""
    salon = Salon.objects.create(
        slug=slug, name=slug.title(), min_notice_minutes=0, max_advance_days=365
    )
    location = Location.objects.create(salon=salon, name="Main", time_zone="Europe/Tallinn")
    LocationHours.objects.bulk_create(
        LocationHours(
            salon=salon, location=location, weekday=d, opens=dt.time(8), closes=dt.time(20)
        )
        for d in range(7)
    )
    service = Service.objects.create(
        salon=salon, name="Cut", duration_minutes=45, buffer_after_minutes=15, price=Decimal("30")
    )
    staff = StaffMember.objects.bulk_create(
        StaffMember(salon=salon, name=f"Staff {i}") for i in range(staff_count)
    )
    StaffLocation.objects.bulk_create(
        StaffLocation(salon=salon, staff=s, location=location) for s in staff
    )
    StaffService.objects.bulk_create(
        StaffService(salon=salon, staff=s, service=service) for s in staff
    )
    WorkingHours.objects.bulk_create(
        WorkingHours(
            salon=salon, staff=s, location=location, weekday=d, starts=dt.time(9), ends=dt.time(17)
        )
        for s in staff
        for d in range(7)
    )
    people = Client.objects.bulk_create(
        Client(salon=salon, first_name=f"Client {i}", email=f"c{i}@{slug}.test")
        for i in range(clients)
    )
    rows = []
    tz = location.tzinfo
    first_day = timezone.now().astimezone(tz).date() - dt.timedelta(days=days_back)
    per_staff = appointments // max(staff_count, 1)
    rng = random.Random(slug)
    # One client never holds the same service twice at one start (Appointment's
    # NO_DUPLICATE_CONSTRAINT): at most one row per (client, start).
    taken: set[tuple[int, dt.datetime]] = set()
    for s in staff if per_staff else ():
        made = 0
        day = first_day
        while made < per_staff:
            # up to 6 hourly appointments a day, leaving gaps so availability has work to do
            for hour in rng.sample(range(9, 17), 6):
                if made >= per_staff:
                    break
                start = dt.datetime.combine(day, dt.time(hour), tzinfo=tz)
                free = [p for p in people if (p.pk, start) not in taken]
                if not free:
                    continue
                person = rng.choice(free)
                taken.add((person.pk, start))
                rows.append(
                    Appointment(
                        salon=salon,
                        location=location,
                        staff=s,
                        service=service,
                        client=person,
                        starts_at=start,
                        ends_at=start + dt.timedelta(minutes=45),
                        block_starts_at=start,
                        block_ends_at=start + dt.timedelta(minutes=60),
                        source="dashboard",
                        price=service.price,
                    )
                )
                made += 1
            day += dt.timedelta(days=1)
    Appointment.objects.bulk_create(rows, batch_size=2000)
    return {"salon": salon, "location": location, "service": service, "staff": staff}


@transaction.atomic
def make_other_salons(count: int, *, prefix: str = "other", staff_count: int = 3) -> None:
    """`count` small salons in bulk (a few statements in all, not per salon): each with one
    location open 08–20, `staff_count` staff working 09–17 daily, one service, 10 clients and
    60 past appointments — the other tenants sharing the tables with the salon measured."""
    salons = Salon.objects.bulk_create(
        Salon(slug=f"{prefix}-{n}", name=f"Other {n}", min_notice_minutes=0, max_advance_days=365)
        for n in range(count)
    )
    locations = Location.objects.bulk_create(
        Location(salon=s, name="Main", time_zone="Europe/Tallinn") for s in salons
    )
    LocationHours.objects.bulk_create(
        (
            LocationHours(salon=s, location=loc, weekday=d, opens=dt.time(8), closes=dt.time(20))
            for s, loc in zip(salons, locations, strict=True)
            for d in range(7)
        ),
        batch_size=5000,
    )
    services = Service.objects.bulk_create(
        Service(
            salon=s, name="Cut", duration_minutes=45, buffer_after_minutes=15, price=Decimal("30")
        )
        for s in salons
    )
    staff = StaffMember.objects.bulk_create(
        (StaffMember(salon=s, name=f"Staff {i}") for s in salons for i in range(staff_count)),
        batch_size=5000,
    )
    staff_of = {s.pk: [m for m in staff if m.salon_id == s.pk] for s in salons}
    StaffLocation.objects.bulk_create(
        (
            StaffLocation(salon=s, staff=m, location=loc)
            for s, loc in zip(salons, locations, strict=True)
            for m in staff_of[s.pk]
        ),
        batch_size=5000,
    )
    StaffService.objects.bulk_create(
        (
            StaffService(salon=s, staff=m, service=svc)
            for s, svc in zip(salons, services, strict=True)
            for m in staff_of[s.pk]
        ),
        batch_size=5000,
    )
    WorkingHours.objects.bulk_create(
        (
            WorkingHours(
                salon=s, staff=m, location=loc, weekday=d, starts=dt.time(9), ends=dt.time(17)
            )
            for s, loc in zip(salons, locations, strict=True)
            for m in staff_of[s.pk]
            for d in range(7)
        ),
        batch_size=5000,
    )
    clients = Client.objects.bulk_create(
        (
            Client(salon=s, first_name=f"Client {i}", email=f"c{i}@{s.slug}.test")
            for s in salons
            for i in range(10)
        ),
        batch_size=5000,
    )
    clients_of = {s.pk: [c for c in clients if c.salon_id == s.pk] for s in salons}
    tz = locations[0].tzinfo if locations else dt.UTC
    today = timezone.now().astimezone(tz).date()
    rows = []
    for s, loc, svc in zip(salons, locations, services, strict=True):
        for n in range(60):
            member = staff_of[s.pk][n % staff_count]
            day = today - dt.timedelta(days=1 + n // staff_count)
            start = dt.datetime.combine(day, dt.time(9 + n % 8), tzinfo=tz)
            rows.append(
                Appointment(
                    salon=s,
                    location=loc,
                    staff=member,
                    service=svc,
                    client=clients_of[s.pk][n % 10],
                    starts_at=start,
                    ends_at=start + dt.timedelta(minutes=45),
                    block_starts_at=start,
                    block_ends_at=start + dt.timedelta(minutes=60),
                    source="dashboard",
                    price=svc.price,
                )
            )
    Appointment.objects.bulk_create(rows, batch_size=5000)
