"""PostgreSQL: switching a segment off while a client books through its link. The segment's
row is locked by both, so a booking either commits with its segment recorded (and the switch
waits for it) or sees the link off and is refused — never a booking through a link that was
already off, never an appointment of a link without its record."""

from __future__ import annotations

import datetime as dt

import pytest

from bookings.checkout import ClientDetails, checkout_complete
from bookings.models import Appointment
from bookings.passcodes import PasscodeUnlocks
from bookings.services.booking import BookingRequest
from segments.models import Segment, SegmentBooking
from segments.selectors import segment_scope_for_token
from segments.services.segments import segment_set_active
from tests.concurrency import race

from .conftest import next_wednesday_at


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_switching_off_while_booking_through_the_link(vip):
    segment = vip["segment"]
    outcomes = []
    for round_ in range(4):
        # given an active link and a free time
        segment_set_active(segment=segment, is_active=True)
        scope = segment_scope_for_token(vip["salon"], segment.token)
        starts_at = next_wednesday_at(17) + dt.timedelta(days=7 * round_)

        def book(starts_at=starts_at, scope=scope, round_=round_) -> None:
            checkout_complete(
                salon=vip["salon"],
                request=BookingRequest(
                    location=vip["location"],
                    service=vip["vip_cut"],
                    starts_at=starts_at,
                    scope=scope,
                ),
                details=ClientDetails(
                    first_name="Kati",
                    last_name="",
                    email=f"kati{round_}@example.test",
                    phone="",
                ),
                payment_method="pay_at_salon",
                unlocks=PasscodeUnlocks().invited(),
                extras=dict(scope.extras),
                extras_strict=True,
            )

        def switch_off() -> None:
            segment_set_active(segment=segment, is_active=False)

        # when both happen at once
        results = race([book, switch_off])
        outcomes.append(results)

        # then the switch always succeeds; the booking is whole or not at all
        assert "ok" in results
        assert not any(r.startswith("error") for r in results), results
        assert Segment.objects.get(pk=segment.pk).is_active is False
        booked = Appointment.objects.filter(starts_at=starts_at)
        assert booked.count() == (1 if results == ["ok", "ok"] else 0)
        assert SegmentBooking.objects.filter(appointment__in=booked).count() == booked.count()
    assert Appointment.objects.count() == SegmentBooking.objects.count()
