"""The confirmation page and managing an appointment by its signed link; "my appointments"."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core import signing
from django.test import Client as HttpClient
from django.utils import timezone

from bookings.models import Appointment
from bookings.services.booking import BookingRequest, appointment_book
from bookings.signing import SALT, appointment_token
from tests.factories import (
    ClientFactory,
    LocationFactory,
    ServiceFactory,
    StaffMemberFactory,
    UserFactory,
)

TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")


def next_wednesday_at(hour: int, minute: int = 0, weeks: int = 0) -> dt.datetime:
    today = dt.datetime.now(TALLINN).date()
    days = (2 - today.weekday()) % 7 or 7
    day = today + dt.timedelta(days=days + 7 * weeks)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TALLINN)


def book(shop, starts_at: dt.datetime, staff=None, client=None) -> Appointment:
    return appointment_book(
        salon=shop["salon"],
        request=BookingRequest(
            location=shop["location"],
            service=shop["service"],
            starts_at=starts_at,
            staff=staff or shop["staff"][0],
        ),
        client=client or ClientFactory(salon=shop["salon"]),
    )


def manage_url(appointment: Appointment, suffix: str = "") -> str:
    return f"/s/{appointment.salon.slug}/a/{appointment_token(appointment)}/{suffix}"


def soon_at_quarter(hours: int) -> dt.datetime:
    """A start on the 15-minute grid about `hours` from now (inside Anna's 09–17 shift is not
    needed: these appointments are booked by the owner)."""
    start = timezone.now() + dt.timedelta(hours=hours)
    return start.replace(minute=(start.minute // 15) * 15, second=0, microsecond=0)


def owner_book(shop, starts_at: dt.datetime) -> Appointment:
    return appointment_book(
        salon=shop["salon"],
        request=BookingRequest(
            location=shop["location"],
            service=shop["service"],
            starts_at=starts_at,
            staff=shop["staff"][0],
        ),
        client=ClientFactory(salon=shop["salon"]),
        source="dashboard",
        enforce_hours=False,
    )


# --- confirmation -----------------------------------------------------------------------


def test_confirmation_shows_the_local_time_with_the_zone_named(shop):
    # given: 10:00 in Tallinn is 08:00 UTC in winter, 07:00 in summer
    appointment = book(shop, next_wednesday_at(10))

    # when
    response = HttpClient().get(manage_url(appointment))

    # then
    page = response.content.decode()
    day = appointment.starts_at.astimezone(TALLINN)
    assert response.status_code == 200
    assert f"{day:%A} {day.day} {day:%B %Y}, 10:00–11:00" in page
    assert "Europe/Tallinn" in page
    assert "08:00" not in page
    assert "07:00" not in page
    assert "Haircut" in page
    assert "Anna" in page
    assert "Old Town" in page
    assert "€40.00" in page
    assert manage_url(appointment, "calendar.ics") in page
    assert manage_url(appointment, "cancel/") in page
    assert manage_url(appointment, "reschedule/") in page


def test_ics_has_the_appointment_in_utc(shop):
    # given
    appointment = book(shop, next_wednesday_at(10))

    # when
    response = HttpClient().get(manage_url(appointment, "calendar.ics"))

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.endswith("\r\n")
    lines = body.split("\r\n")[:-1]
    fields = dict(line.split(":", 1) for line in lines)
    utc = appointment.starts_at.astimezone(dt.UTC)
    assert fields["DTSTART"] == utc.strftime("%Y%m%dT%H%M%SZ")
    assert fields["DTEND"] == (utc + dt.timedelta(hours=1)).strftime("%Y%m%dT%H%M%SZ")
    assert fields["UID"] == f"appointment-{appointment.pk}-salon-{appointment.salon_id}@salonbook"
    assert fields["SUMMARY"] == "Haircut · Alpha Hair"
    assert fields["LOCATION"] == "Old Town"
    assert fields["DTSTAMP"].endswith("Z")
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"


# --- tokens -----------------------------------------------------------------------------


def test_tampered_garbage_and_other_salon_tokens_are_404(shop, other_salon):
    # given
    appointment = book(shop, next_wednesday_at(10))
    token = appointment_token(appointment)
    tampered = signing.dumps({"a": appointment.pk + 1, "s": appointment.salon_id}, salt="other")
    forged = token.replace(token.split(":")[0], signing.b64_encode(b'{"a":999,"s":1}').decode())
    beta_location = LocationFactory(salon=other_salon)
    beta_service = ServiceFactory(salon=other_salon)
    beta_staff = StaffMemberFactory(
        salon=other_salon, locations=[beta_location], services=[beta_service]
    )
    beta = Appointment.objects.create(
        salon=other_salon,
        location=beta_location,
        service=beta_service,
        staff=beta_staff,
        client=ClientFactory(salon=other_salon),
        starts_at=next_wednesday_at(10),
        ends_at=next_wednesday_at(11),
        block_starts_at=next_wednesday_at(10),
        block_ends_at=next_wednesday_at(11),
        source="dashboard",
        price=1,
    )
    beta_token = appointment_token(beta)
    wrong_salon = signing.Signer(salt=SALT).sign_object({"a": beta.pk, "s": shop["salon"].pk})
    http = HttpClient()

    # when / then
    for bad in (token[:-2] + "xx", tampered, forged, "nonsense", beta_token):
        for suffix in ("", "calendar.ics", "reschedule/"):
            assert http.get(f"/s/alpha/a/{bad}/{suffix}").status_code == 404, (bad, suffix)
        assert http.post(f"/s/alpha/a/{bad}/cancel/").status_code == 404
    # a token signed for alpha naming beta's appointment finds nothing in alpha
    assert http.get(f"/s/alpha/a/{wrong_salon}/").status_code == 404
    # alpha's token on beta's site
    assert http.get(f"/s/beta/a/{token}/").status_code == 404
    assert http.post(f"/s/beta/a/{token}/cancel/").status_code == 404
    appointment.refresh_from_db()
    beta.refresh_from_db()
    assert appointment.status == "booked"
    assert beta.status == "booked"


# --- cancel -----------------------------------------------------------------------------


def test_cancel_before_the_cutoff_works(shop):
    # given
    appointment = book(shop, next_wednesday_at(10, weeks=1))

    # when
    response = HttpClient().post(manage_url(appointment, "cancel/"), follow=True)

    # then
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    assert response.redirect_chain == [(manage_url(appointment), 302)]
    page = response.content.decode()
    assert "Your appointment is cancelled." in page
    assert manage_url(appointment, "cancel/") not in page


def test_cancel_after_the_cutoff_is_refused_with_the_reason(shop):
    # given: the salon's cutoff is 24 hours; the appointment is in about 5 hours
    appointment = owner_book(shop, soon_at_quarter(5))

    # when
    shown = HttpClient().get(manage_url(appointment))
    response = HttpClient().post(manage_url(appointment, "cancel/"))

    # then
    reason = "Online changes are possible until 24 hours before the appointment."
    assert reason in shown.content.decode()
    assert manage_url(appointment, "cancel/") not in shown.content.decode()
    assert response.status_code == 400
    assert reason in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == "booked"


def test_cancelled_appointment_cannot_be_cancelled_or_moved_again(shop):
    # given
    appointment = book(shop, next_wednesday_at(10, weeks=1))
    HttpClient().post(manage_url(appointment, "cancel/"))

    # when
    again = HttpClient().post(manage_url(appointment, "cancel/"))
    move = HttpClient().post(
        manage_url(appointment, "reschedule/"),
        {"start": next_wednesday_at(12, weeks=1).isoformat()},
    )

    # then
    assert again.status_code == 400
    assert "This appointment is Cancelled." in again.content.decode()
    assert move.status_code == 400
    appointment.refresh_from_db()
    assert appointment.starts_at == next_wednesday_at(10, weeks=1)


# --- reschedule -------------------------------------------------------------------------


def test_reschedule_shows_free_times_and_moves_the_appointment(shop):
    # given
    appointment = book(shop, next_wednesday_at(10, weeks=1))
    new_start = next_wednesday_at(14, weeks=1)
    http = HttpClient()

    # when
    picker = http.get(
        manage_url(appointment, "reschedule/"), {"date": new_start.date().isoformat()}
    )
    response = http.post(manage_url(appointment, "reschedule/"), {"start": new_start.isoformat()})

    # then
    assert picker.status_code == 200
    assert f'value="{new_start.isoformat()}"' in picker.content.decode()
    assert "Europe/Tallinn" in picker.content.decode()
    assert response.status_code == 302
    assert response["Location"] == manage_url(appointment)
    appointment.refresh_from_db()
    assert appointment.starts_at == new_start
    assert appointment.ends_at == new_start + dt.timedelta(hours=1)
    assert appointment.staff == shop["staff"][0]
    assert Appointment.objects.count() == 1


def test_reschedule_to_a_taken_time_is_409_and_changes_nothing(shop):
    # given
    anna = shop["staff"][0]
    appointment = book(shop, next_wednesday_at(10, weeks=1), staff=anna)
    book(shop, next_wednesday_at(14, weeks=1), staff=anna)

    # when
    response = HttpClient().post(
        manage_url(appointment, "reschedule/"),
        {"start": next_wednesday_at(14, weeks=1).isoformat()},
    )

    # then
    assert response.status_code == 409
    assert "This time was just taken" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.starts_at == next_wednesday_at(10, weeks=1)


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("garbage", "That is not a valid time."),
        ("2000-01-05T10:00:00+02:00", "This time is in the past."),
    ],
)
def test_reschedule_with_a_bad_time_is_400(shop, start, message):
    # given
    appointment = book(shop, next_wednesday_at(10, weeks=1))

    # when
    response = HttpClient().post(manage_url(appointment, "reschedule/"), {"start": start})

    # then
    assert response.status_code == 400
    assert message in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.starts_at == next_wednesday_at(10, weeks=1)


def test_reschedule_after_the_cutoff_is_refused(shop):
    # given
    starts_at = soon_at_quarter(5)
    appointment = owner_book(shop, starts_at)

    # when
    shown = HttpClient().get(manage_url(appointment, "reschedule/"))
    posted = HttpClient().post(
        manage_url(appointment, "reschedule/"),
        {"start": next_wednesday_at(14, weeks=1).isoformat()},
    )

    # then
    assert shown.status_code == 400
    assert posted.status_code == 400
    assert "Online changes are possible until 24 hours" in posted.content.decode()
    appointment.refresh_from_db()
    assert appointment.starts_at == starts_at


# --- my appointments --------------------------------------------------------------------


def test_my_appointments_needs_login(shop):
    # when
    response = HttpClient().get("/s/alpha/my/")

    # then
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/s/alpha/my/"


def test_my_appointments_lists_the_linked_clients_upcoming_and_past(shop):
    # given
    user = UserFactory(email="liis@example.test")
    me = ClientFactory(salon=shop["salon"], user=user)
    upcoming = book(shop, next_wednesday_at(10, weeks=1), client=me)
    cancelled = book(shop, next_wednesday_at(12, weeks=1), client=me)
    HttpClient().post(manage_url(cancelled, "cancel/"))
    someone_elses = book(shop, next_wednesday_at(14, weeks=1))
    http = HttpClient()
    http.force_login(user)

    # when
    response = http.get("/s/alpha/my/")

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert manage_url(upcoming) in page
    assert manage_url(cancelled) in page
    assert manage_url(someone_elses) not in page
    assert page.index(manage_url(upcoming)) < page.index("Past and cancelled")
    assert page.index(manage_url(cancelled)) > page.index("Past and cancelled")


def test_my_appointments_of_a_user_without_a_client_is_empty(shop):
    # given
    http = HttpClient()
    http.force_login(UserFactory(email="nobody@example.test"))
    book(shop, next_wednesday_at(10, weeks=1))

    # when
    response = http.get("/s/alpha/my/")

    # then
    assert response.status_code == 200
    assert "You have no upcoming appointments here." in response.content.decode()


def test_my_appointments_in_another_salon_shows_nothing_from_this_one(shop, other_salon):
    # given
    user = UserFactory(email="liis@example.test")
    me = ClientFactory(salon=shop["salon"], user=user)
    appointment = book(shop, next_wednesday_at(10, weeks=1), client=me)
    http = HttpClient()
    http.force_login(user)

    # when
    response = http.get("/s/beta/my/")

    # then
    assert response.status_code == 200
    assert appointment_token(appointment) not in response.content.decode()
