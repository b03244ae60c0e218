"""`manage.py seed_demo_staff`: a staff login for the demo salon, run after `seed_demo`.

Kadri Tamm, the demo salon's first stylist, gets an account (staff@demo.salonbook.test /
demo-staff-2026) with the staff role, so "My day" and what staff see can be tried. Idempotent
like the other demo commands: a second run creates nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.services import user_create
from bookings.models import Membership, Salon, StaffMember
from bookings.services.salons import membership_set

SALON_SLUG = "demo"
STAFF_NAME = "Kadri Tamm"
STAFF_EMAIL = "staff@demo.salonbook.test"
STAFF_PASSWORD = "demo-staff-2026"


class Command(BaseCommand):
    help = "Give the demo salon's first stylist a staff login (after seed_demo)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        salon = Salon.objects.filter(slug=SALON_SLUG).first()
        if salon is None:
            raise CommandError("Run `manage.py seed_demo` first.")
        staff = StaffMember.objects.for_salon(salon).filter(name=STAFF_NAME).first()
        if staff is None:
            raise CommandError(f"The demo salon has no staff member {STAFF_NAME!r}.")
        created = []
        user = get_user_model().objects.filter(email__iexact=STAFF_EMAIL).first()
        if user is None:
            user = user_create(
                email=STAFF_EMAIL,
                password=STAFF_PASSWORD,
                first_name="Kadri",
                last_name="Tamm",
                email_verified=True,
            )
            created.append("staff account")
        if staff.user_id is None:
            staff.user = user
            staff.save(update_fields=["user"])
            created.append("link to Kadri Tamm")
        if not Membership.objects.for_salon(salon).filter(user=user).exists():
            membership_set(salon=salon, user=user, role=Membership.Role.STAFF)
            created.append("staff membership")
        done = ", ".join(created) if created else "nothing new"
        self.stdout.write(f"Demo staff: {done}.")
        self.stdout.write("Log in as the demo stylist (sees “My day”) with:")
        self.stdout.write(f"  email:    {STAFF_EMAIL}")
        self.stdout.write(f"  password: {STAFF_PASSWORD}")
