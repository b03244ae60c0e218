"""`manage.py seed_demo`: a demo salon to click through, built with the write services.

Idempotent: every row is looked up by its natural key first and only created when missing, so
a second run creates nothing and changes nothing (a demo password changed since is kept too).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import user_create
from bookings import models as booking_models
from bookings.models import (
    Client,
    Location,
    LocationHours,
    Membership,
    Salon,
    Service,
    ServiceCategory,
    StaffMember,
    WorkingHours,
)
from bookings.services.catalogue import (
    location_create,
    location_hours_create,
    service_category_create,
    service_create,
    staff_create,
    working_hours_create,
)
from bookings.services.clients import client_create
from bookings.services.salons import membership_set, salon_create

SALON_SLUG = "demo"
OWNER_EMAIL = "owner@demo.salonbook.test"
OWNER_PASSWORD = "demo-owner-2026"

MON, TUE, WED, THU, FRI, SAT = range(6)


def _t(value: str) -> dt.time:
    return dt.time.fromisoformat(value)


LOCATIONS: list[dict[str, Any]] = [
    {
        "name": "Old Town",
        "address": "Vene 12",
        "city": "Tallinn",
        "postal_code": "10123",
        "country": "EE",
        "time_zone": "Europe/Tallinn",
        "phone": "+372 601 2345",
        "email": "oldtown@demo.salonbook.test",
        # weekday -> (opens, closes)
        "hours": {
            **dict.fromkeys((MON, TUE, WED, THU, FRI), ("09:00", "19:00")),
            SAT: ("10:00", "16:00"),
        },
    },
    {
        "name": "Kalamaja",
        "address": "Kalasadama 4",
        "city": "Tallinn",
        "postal_code": "10415",
        "country": "EE",
        "time_zone": "Europe/Tallinn",
        "phone": "+372 640 0000",
        "email": "kalamaja@demo.salonbook.test",
        "hours": {
            **dict.fromkeys((MON, TUE, WED, THU, FRI), ("10:00", "20:00")),
            SAT: ("10:00", "15:00"),
        },
    },
]

# category name -> services (name, minutes, price, buffer before, buffer after, colour)
CATALOGUE: list[tuple[str, list[tuple[str, int, str, int, int, str]]]] = [
    (
        "Hair",
        [
            ("Women's haircut", 60, "45.00", 0, 10, "#7c3aed"),
            ("Men's haircut", 30, "28.00", 0, 5, "#2563eb"),
            ("Blow-dry and styling", 45, "30.00", 0, 5, "#0891b2"),
            ("Full colour", 120, "95.00", 10, 15, "#db2777"),
            ("Balayage", 180, "160.00", 10, 15, "#be123c"),
        ],
    ),
    (
        "Nails",
        [
            ("Classic manicure", 45, "32.00", 0, 10, "#ea580c"),
            ("Gel manicure", 60, "42.00", 0, 10, "#d97706"),
            ("Spa pedicure", 60, "45.00", 0, 15, "#65a30d"),
        ],
    ),
    (
        "Face and brows",
        [
            ("Brow shaping and tint", 30, "25.00", 0, 5, "#0d9488"),
            ("Classic facial", 60, "55.00", 5, 10, "#4f46e5"),
        ],
    ),
]


@dataclass(frozen=True)
class StaffSeed:
    name: str
    title: str
    email: str
    phone: str
    color: str
    locations: tuple[str, ...]
    services: tuple[str, ...]
    # (location, weekday, starts, ends); shifts on one weekday never overlap
    shifts: tuple[tuple[str, int, str, str], ...] = field(default=())


HAIR = ("Women's haircut", "Men's haircut", "Blow-dry and styling", "Full colour", "Balayage")

STAFF: list[StaffSeed] = [
    StaffSeed(
        name="Kadri Tamm",
        title="Senior stylist",
        email="kadri.tamm@demo.salonbook.test",
        phone="+372 5123 4567",
        color="#7c3aed",
        locations=("Old Town",),
        services=HAIR,
        shifts=tuple(("Old Town", day, "09:00", "17:00") for day in (MON, TUE, WED, THU, FRI)),
    ),
    StaffSeed(
        name="Liis Kask",
        title="Nail and beauty technician",
        email="liis.kask@demo.salonbook.test",
        phone="+372 5234 5678",
        color="#ea580c",
        locations=("Old Town", "Kalamaja"),
        services=(
            "Classic manicure",
            "Gel manicure",
            "Spa pedicure",
            "Brow shaping and tint",
            "Classic facial",
        ),
        shifts=(
            ("Old Town", MON, "10:00", "18:00"),
            ("Kalamaja", TUE, "12:00", "20:00"),
            # a split day: mornings in the Old Town, afternoons in Kalamaja
            ("Old Town", WED, "09:00", "13:00"),
            ("Kalamaja", WED, "14:00", "19:00"),
            ("Kalamaja", THU, "12:00", "20:00"),
            ("Kalamaja", SAT, "10:00", "15:00"),
        ),
    ),
    StaffSeed(
        name="Mari Saar",
        title="Colourist",
        email="mari.saar@demo.salonbook.test",
        phone="+372 5612 3456",
        color="#db2777",
        locations=("Old Town", "Kalamaja"),
        services=("Women's haircut", "Blow-dry and styling", "Full colour", "Balayage"),
        shifts=(
            ("Kalamaja", MON, "10:00", "18:00"),
            ("Old Town", TUE, "11:00", "19:00"),
            ("Old Town", THU, "11:00", "19:00"),
            ("Kalamaja", FRI, "12:00", "20:00"),
            ("Old Town", SAT, "10:00", "16:00"),
        ),
    ),
    StaffSeed(
        name="Jaan Mets",
        title="Barber",
        email="jaan.mets@demo.salonbook.test",
        phone="+372 5301 2233",
        color="#2563eb",
        locations=("Kalamaja",),
        services=("Men's haircut", "Blow-dry and styling", "Brow shaping and tint"),
        shifts=(
            ("Kalamaja", TUE, "10:00", "18:00"),
            ("Kalamaja", WED, "10:00", "18:00"),
            ("Kalamaja", THU, "10:00", "18:00"),
            ("Kalamaja", FRI, "10:00", "18:00"),
            ("Kalamaja", SAT, "10:00", "15:00"),
        ),
    ),
]

# (first name, last name, phone, marketing consent, preferred channel)
CLIENTS: list[tuple[str, str, str, bool, str]] = [
    ("Mari", "Kask", "+372 5012 3456", True, "email"),
    ("Kristiina", "Ilves", "+372 5023 4567", False, "sms"),
    ("Triin", "Lepik", "+372 5034 5678", True, "sms"),
    ("Katrin", "Rebane", "+372 5045 6789", False, "email"),
    ("Piret", "Sepp", "+372 5056 7890", True, "email"),
    ("Anneli", "Kukk", "+372 5067 8901", False, "email"),
    ("Marju", "Põder", "+372 5078 9012", True, "sms"),
    ("Liina", "Mägi", "+372 5089 0123", False, "email"),
    ("Helen", "Pärn", "+372 5090 1234", True, "email"),
    ("Kaisa", "Oja", "+372 5101 2345", False, "sms"),
    ("Eha", "Jõgi", "+372 5112 3456", True, "email"),
    ("Tiina", "Vaher", "+372 5134 5678", False, "email"),
    ("Kertu", "Raud", "+372 5145 6789", True, "sms"),
    ("Signe", "Kõiv", "+372 5156 7890", False, "email"),
    ("Merike", "Laur", "+372 5167 8901", True, "email"),
    ("Andres", "Tamm", "+372 5178 9012", False, "sms"),
    ("Tõnu", "Saar", "+372 5189 0123", True, "email"),
    ("Rasmus", "Luik", "+372 5198 7654", False, "email"),
    ("Märt", "Kuusk", "+372 5201 2345", True, "sms"),
    ("Priit", "Org", "+372 5212 3456", False, "email"),
    ("Siim", "Nõmm", "+372 5223 4567", True, "email"),
    ("Karl", "Aavik", "+372 5245 6789", False, "sms"),
    ("Aino", "Virtanen", "+372 5256 7890", True, "email"),
    ("Elina", "Korhonen", "+372 5267 8901", False, "email"),
    ("Sanna", "Nieminen", "+372 5278 9012", True, "sms"),
    ("Ingrid", "Lindqvist", "+372 5289 0123", False, "email"),
    ("Astrid", "Johansson", "+372 5345 6789", True, "email"),
    ("Freja", "Nielsen", "+372 5356 7890", False, "sms"),
    ("Mikkel", "Hansen", "+372 5367 8901", True, "email"),
    ("Lars", "Eriksen", "+372 5378 9012", False, "email"),
]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def client_email(first_name: str, last_name: str) -> str:
    return f"{_ascii(first_name)}.{_ascii(last_name)}@example.com"


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, what: str, count: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + count


def seed_owner(report: SeedReport) -> User:
    existing = get_user_model().objects.filter(email__iexact=OWNER_EMAIL).first()
    if existing is None:
        report.add("owner account")
        return user_create(
            email=OWNER_EMAIL,
            password=OWNER_PASSWORD,
            first_name="Demo",
            last_name="Owner",
            email_verified=True,
        )
    address = EmailAddress.objects.filter(user=existing, email__iexact=OWNER_EMAIL).first()
    if address is None:
        # An account made with createsuperuser: give it the address allauth needs to log in.
        EmailAddress.objects.create(user=existing, email=OWNER_EMAIL, primary=True, verified=True)
        report.add("owner email address")
    elif not address.verified:
        report.notes.append(
            f"{OWNER_EMAIL} is not verified; logging in sends the verification email first."
        )
    if not existing.check_password(OWNER_PASSWORD):
        report.notes.append(
            f"{OWNER_EMAIL} already existed with another password; it was left unchanged."
        )
    return existing


def seed_salon(owner: User, report: SeedReport) -> Salon:
    salon = Salon.objects.filter(slug=SALON_SLUG).first()
    if salon is None:
        report.add("salon")
        salon = salon_create(
            owner=owner,
            slug=SALON_SLUG,
            name="Demo Salon",
            time_zone="Europe/Tallinn",
            currency="EUR",
            email="hello@demo.salonbook.test",
            phone="+372 601 2345",
        )
    if not Membership.objects.for_salon(salon).filter(user=owner).exists():
        report.add("owner membership")
        membership_set(salon=salon, user=owner, role=Membership.Role.OWNER)
    return salon


def seed_locations(salon: Salon, report: SeedReport) -> dict[str, Location]:
    locations: dict[str, Location] = {}
    for spec in LOCATIONS:
        data = {key: value for key, value in spec.items() if key != "hours"}
        location = Location.objects.for_salon(salon).filter(name=data["name"]).first()
        if location is None:
            location = location_create(salon=salon, **data)
            report.add("locations")
        existing = set(
            LocationHours.objects.for_salon(salon)
            .filter(location=location)
            .values_list("weekday", "opens", "closes")
        )
        for weekday, (opens, closes) in spec["hours"].items():
            if (weekday, _t(opens), _t(closes)) not in existing:
                location_hours_create(
                    location=location, weekday=weekday, opens=_t(opens), closes=_t(closes)
                )
                report.add("opening hours")
        locations[location.name] = location
    return locations


def seed_services(salon: Salon, report: SeedReport) -> dict[str, Service]:
    services: dict[str, Service] = {}
    for position, (category_name, items) in enumerate(CATALOGUE):
        category = ServiceCategory.objects.for_salon(salon).filter(name=category_name).first()
        if category is None:
            category = service_category_create(salon=salon, name=category_name, position=position)
            report.add("service categories")
        for name, minutes, price, before, after, color in items:
            service = Service.objects.for_salon(salon).filter(name=name).first()
            if service is None:
                service = service_create(
                    salon=salon,
                    category=category,
                    name=name,
                    duration_minutes=minutes,
                    price=Decimal(price),
                    buffer_before_minutes=before,
                    buffer_after_minutes=after,
                    color=color,
                )
                report.add("services")
            services[name] = service
    return services


def seed_staff(
    salon: Salon,
    locations: dict[str, Location],
    services: dict[str, Service],
    report: SeedReport,
) -> list[StaffMember]:
    members: list[StaffMember] = []
    for spec in STAFF:
        staff = StaffMember.objects.for_salon(salon).filter(name=spec.name).first()
        if staff is None:
            staff = staff_create(
                salon=salon,
                name=spec.name,
                title=spec.title,
                email=spec.email,
                phone=spec.phone,
                color=spec.color,
                locations=[locations[name] for name in spec.locations],
                services=[services[name] for name in spec.services],
            )
            report.add("staff")
        existing = set(
            WorkingHours.objects.for_salon(salon)
            .filter(staff=staff)
            .values_list("location__name", "weekday", "starts", "ends")
        )
        for location_name, weekday, starts, ends in spec.shifts:
            if (location_name, weekday, _t(starts), _t(ends)) in existing:
                continue
            working_hours_create(
                staff=staff,
                location=locations[location_name],
                weekday=weekday,
                starts=_t(starts),
                ends=_t(ends),
            )
            report.add("working hours")
        members.append(staff)
    return members


def seed_clients(salon: Salon, report: SeedReport) -> list[Client]:
    emails = [client_email(first, last) for first, last, *_ in CLIENTS]
    existing = {c.email: c for c in Client.objects.for_salon(salon).filter(email__in=emails)}
    clients: list[Client] = []
    for index, (first, last, phone, consent, channel) in enumerate(CLIENTS):
        email = client_email(first, last)
        client = existing.get(email)
        if client is None:
            client = client_create(
                salon=salon,
                first_name=first,
                last_name=last,
                email=email,
                phone=phone,
                marketing_consent=consent,
                preferred_channel=channel,
                notes="Prefers afternoon appointments." if index % 7 == 3 else "",
            )
            report.add("clients")
        clients.append(client)
    return clients


APPOINTMENT_DAYS = 7
APPOINTMENTS_PER_SHIFT = 2


def seed_appointments(salon: Salon, *, days: int = APPOINTMENT_DAYS) -> int:
    """Fill the coming week's calendar through the booking service; returns how many it booked.

    Does nothing while `bookings.models` has no `Appointment`, and nothing once the salon has
    any appointment (the calendar is the owner's from then on), so a second run books none.
    Every booking goes through `appointment_book` with the salon's hours enforced, so the
    demo never holds an appointment the product itself would refuse; the service publishes
    the usual "created" event, so each client also gets the booking confirmation.
    """
    if not hasattr(booking_models, "Appointment"):
        return 0
    # Imported here: this module must load (and seed the rest) in a tree without appointments.
    from bookings.services.booking import BookingRequest, SlotTaken, appointment_book

    appointment_model = booking_models.Appointment
    if appointment_model.objects.for_salon(salon).exists():
        return 0
    clients = list(Client.objects.for_salon(salon).order_by("pk"))
    staff_members = list(StaffMember.objects.for_salon(salon).filter(is_active=True).order_by("pk"))
    if not clients or not staff_members:
        return 0
    now = timezone.now()
    today = timezone.localdate(now, salon.tzinfo)
    created = 0
    # From today (what is left of it, so the owner's home page has a day to show) on.
    for offset in range(0, days + 1):
        day = today + dt.timedelta(days=offset)
        for staff in staff_members:
            services = list(staff.services.filter(is_active=True).order_by("pk"))
            shifts = (
                WorkingHours.objects.for_salon(salon)
                .filter(staff=staff, weekday=day.weekday())
                .select_related("location", "staff")
                .order_by("starts")
            )
            for shift in shifts if services else []:
                for pick in range(APPOINTMENTS_PER_SHIFT):
                    # rotate services and clients so the calendar looks like a real week
                    service = services[(offset + pick + staff.pk) % len(services)]
                    starts = [
                        t
                        for t in _free_starts_in_shift(salon, shift, service, day)
                        if t > now + dt.timedelta(minutes=30)
                    ]
                    if not starts:
                        continue
                    request = BookingRequest(
                        location=shift.location,
                        service=service,
                        starts_at=starts[len(starts) * pick // APPOINTMENTS_PER_SHIFT],
                        staff=staff,
                    )
                    try:
                        appointment_book(
                            salon=salon,
                            request=request,
                            client=clients[created % len(clients)],
                            source=appointment_model.Source.DASHBOARD,
                        )
                    except (ValidationError, SlotTaken):
                        continue
                    created += 1
    return created


def _free_starts_in_shift(
    salon: Salon, shift: WorkingHours, service: Service, day: dt.date
) -> list[dt.datetime]:
    """The start times the booking rules offer for `service` inside this shift on `day`."""
    from bookings.availability import availability_get

    availability = availability_get(
        salon=salon,
        location=shift.location,
        service=service,
        start=day,
        end=day,
        staff=shift.staff,
        online=False,
    )
    tz = shift.location.tzinfo
    return [
        slot.starts_at
        for slot in availability.slots
        if shift.starts <= slot.starts_at.astimezone(tz).time() < shift.ends
    ]


class Command(BaseCommand):
    help = "Create (once) the demo salon with locations, staff, services, clients and an owner."

    def handle(self, *args: Any, **options: Any) -> None:
        report = SeedReport()
        with transaction.atomic():
            owner = seed_owner(report)
            salon = seed_salon(owner, report)
            locations = seed_locations(salon, report)
            services = seed_services(salon, report)
            seed_staff(salon, locations, services, report)
            seed_clients(salon, report)
        # Appointments come last and on their own: the salon above stays usable even if the
        # booking rules refuse the demo calendar.
        try:
            with transaction.atomic():
                appointments = seed_appointments(salon)
        except Exception as exc:  # noqa: BLE001 - the demo must start; say what went wrong
            appointments = 0
            report.notes.append(f"Appointments were not seeded: {type(exc).__name__}: {exc}")
        if appointments:
            report.add("appointments", appointments)

        if report.created:
            summary = ", ".join(f"{count} {what}" for what, count in report.created.items())
            self.stdout.write(self.style.SUCCESS(f"Demo salon '{salon.slug}': created {summary}."))
        else:
            self.stdout.write(f"Demo salon '{salon.slug}' is already complete; nothing created.")
        if not hasattr(booking_models, "Appointment"):
            self.stdout.write(
                "Appointments: not seeded (the Appointment model does not exist yet)."
            )
        for note in report.notes:
            self.stdout.write(self.style.WARNING(note))
        self.stdout.write("")
        self.stdout.write("Log in to the demo dashboard with:")
        self.stdout.write(f"  email:    {OWNER_EMAIL}")
        self.stdout.write(f"  password: {OWNER_PASSWORD}")
