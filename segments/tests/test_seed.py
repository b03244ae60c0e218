"""`manage.py seed_demo_segments`: the issue's "Done when" in the demo salon."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from bookings.models import Appointment, Location, Salon, Service
from segments.models import Segment, SegmentBooking

API = "/api/v1/public/demo"


def test_demo_vip_segment_is_hidden_publicly_and_bookable_through_its_link(db, api_client):
    # given
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("seed_demo_segments", stdout=out)
    again = StringIO()
    call_command("seed_demo_segments", stdout=again)
    salon = Salon.objects.get(slug="demo")
    segment = Segment.objects.get(salon=salon, name="VIP")
    service = Service.objects.get(salon=salon, name="VIP signature cut")
    owner = segment.staff.get()
    location = Location.objects.get(salon=salon, name="Old Town")
    first = timezone.localdate() + dt.timedelta(days=2)
    window = {"start": first.isoformat(), "end": (first + dt.timedelta(days=13)).isoformat()}

    # when
    public_services = api_client.get(f"{API}/services/", {"location": location.pk}).json()
    public_slots = api_client.get(
        f"{API}/availability/", {"location": location.pk, "service": service.pk, **window}
    )
    slots = api_client.get(
        f"{API}/availability/",
        {"location": location.pk, "service": service.pk, "segment": segment.token, **window},
    ).json()["slots"]
    booked = api_client.post(
        f"{API}/bookings/",
        {
            "location": location.pk,
            "service": service.pk,
            "starts_at": slots[0]["starts_at"],
            "client": {"first_name": "Vera", "email": "vera@example.test"},
            "segment": segment.token,
        },
        format="json",
    )

    # then
    assert out.getvalue().count("\n") == 1 and f"/s/demo/link/{segment.token}/" in out.getvalue()
    assert "nothing new" in again.getvalue()
    assert Segment.objects.filter(salon=salon).count() == 1
    assert service.visibility == Service.Visibility.SEGMENTS
    assert (owner.name, owner.offered_online) == ("Liis Saar", False)
    assert "VIP signature cut" not in [s["name"] for s in public_services]
    assert public_slots.status_code == 400
    assert booked.status_code == 201, booked.json()
    appointment = Appointment.objects.get(pk=booked.json()["id"])
    assert (appointment.service, appointment.staff) == (service, owner)
    assert SegmentBooking.objects.get(appointment=appointment).segment == segment
