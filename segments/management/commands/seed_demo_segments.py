"""`manage.py seed_demo_segments`: the demo salon's "VIP" segment, run after `seed_demo`.

- "VIP signature cut" (90 min, 120 EUR), a service for segments only: hidden from the booking
  site, bookable through the segment's link.
- The owner, Liis Saar, as a staff member who is not offered online (linked to the owner's
  login), working at Old Town on Tuesdays and Thursdays 12:00–18:00.
- The "VIP" segment offering the VIP signature cut with the owner only. Its link is printed
  (one line), and is on the dashboard's Segments page.

Idempotent like the other demo commands: a second run creates nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from bookings.models import Location, Salon, Service, ServiceCategory, StaffMember, WorkingHours
from bookings.services.catalogue import service_create, staff_create, working_hours_create
from segments.models import Segment
from segments.services.segments import segment_create

SALON_SLUG = "demo"
OWNER_EMAIL = "owner@demo.salonbook.test"
OWNER_STAFF = "Liis Saar"
VIP_SERVICE = "VIP signature cut"
SEGMENT = "VIP"
LOCATION = "Old Town"
SHIFTS = ((1, "12:00", "18:00"), (3, "12:00", "18:00"))  # Tuesday, Thursday


class Command(BaseCommand):
    help = "Create the demo salon's VIP segment (after seed_demo)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        salon = Salon.objects.filter(slug=SALON_SLUG).first()
        if salon is None:
            raise CommandError("Run `manage.py seed_demo` first.")
        location = Location.objects.for_salon(salon).filter(name=LOCATION).first()
        if location is None:
            raise CommandError(f"The demo salon has no location {LOCATION!r}.")
        created: list[str] = []

        service = Service.objects.for_salon(salon).filter(name=VIP_SERVICE).first()
        if service is None:
            service = service_create(
                salon=salon,
                category=ServiceCategory.objects.for_salon(salon).filter(name="Hair").first(),
                name=VIP_SERVICE,
                description="A cut and styling with the salon's owner, for our VIP clients.",
                duration_minutes=90,
                price=Decimal("120.00"),
                buffer_after_minutes=15,
                visibility=Service.Visibility.SEGMENTS,
                color="#a16207",
            )
            created.append("service")

        owner = StaffMember.objects.for_salon(salon).filter(name=OWNER_STAFF).first()
        if owner is None:
            user = get_user_model().objects.filter(email__iexact=OWNER_EMAIL).first()
            taken = StaffMember.objects.for_salon(salon).filter(user=user).exists()
            owner = staff_create(
                salon=salon,
                user=None if taken else user,
                name=OWNER_STAFF,
                title="Owner",
                offered_online=False,
                color="#a16207",
                locations=[location],
                services=[service],
            )
            created.append("owner as staff")
        have = set(
            WorkingHours.objects.for_salon(salon)
            .filter(staff=owner)
            .values_list("weekday", "starts", "ends")
        )
        for weekday, starts, ends in SHIFTS:
            key = (weekday, dt.time.fromisoformat(starts), dt.time.fromisoformat(ends))
            if key not in have:
                working_hours_create(
                    staff=owner, location=location, weekday=weekday, starts=key[1], ends=key[2]
                )

        segment = Segment.objects.for_salon(salon).filter(name=SEGMENT).first()
        if segment is None:
            segment = segment_create(
                salon=salon,
                name=SEGMENT,
                description="Regulars who may book the owner.",
                services=[service],
                staff=[owner],
            )
            created.append("segment")

        link = reverse(
            "segments_public:link", kwargs={"salon_slug": salon.slug, "token": segment.token}
        )
        done = ", ".join(created) if created else "nothing new"
        self.stdout.write(f"Demo segment VIP: {done}. Its link: {link}")
