"""Booking passcodes in the public API (bookings/api/public.py): a locked location or staff
member is refused (403) unless unlocked in the session or the request carries the code;
wrong codes answer like missing ones and are throttled (429); the owner API is not locked."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.test import Client as HttpClient

from bookings.models import Appointment, Client
from bookings.passcodes import SESSION_KEY, location_passcode_set, staff_passcode_set
from bookings.services.booking import BookingRequest, appointment_book
from bookings.signing import appointment_token
from bookings.tests.test_api_public import (
    BASE,
    add_appointments,
    booking_body,
    counts,
    post,
)
from bookings.tests.test_booking_service import next_wednesday_at
from tests.factories import (
    ClientFactory,
    LocationFactory,
    LocationHoursFactory,
    ServiceFactory,
    StaffMemberFactory,
    WorkingHoursFactory,
)

CODE = "8305"
THROTTLED = {
    "detail": "Too many wrong codes. Please wait 15 minutes and try again.",
    "code": "passcode_throttled",
}


def location_refused(name: str = "Old Town") -> dict[str, str]:
    return {
        "detail": f"Online booking at {name} needs a passcode from the salon.",
        "code": "passcode_required",
        "target": "location",
    }


def staff_refused(name: str) -> dict[str, str]:
    return {
        "detail": f"Booking with {name} needs their passcode.",
        "code": "passcode_required",
        "target": "staff",
    }


@pytest.fixture
def http() -> HttpClient:
    return HttpClient()


@pytest.fixture
def locked(shop) -> dict[str, Any]:
    shop["location"] = location_passcode_set(location=shop["location"], enabled=True, code=CODE)
    return shop


@pytest.fixture
def anna_locked(shop) -> dict[str, Any]:
    shop["staff"][0] = staff_passcode_set(staff=shop["staff"][0], code="4711")
    return shop


def services(http: HttpClient, shop: dict[str, Any], **extra: Any):
    return http.get(f"{BASE}/services/", {"location": shop["location"].pk}, **extra)


def staff_list(http: HttpClient, shop: dict[str, Any], params: dict | None = None, **extra):
    query = {"location": shop["location"].pk, "service": shop["service"].pk, **(params or {})}
    return http.get(f"{BASE}/staff/", query, **extra)


def book(http: HttpClient, shop: dict[str, Any], hour: int = 10, **body: Any):
    return post(http, "bookings/", booking_body(shop, next_wednesday_at(hour), **body))


def book_with_headers(http: HttpClient, shop: dict[str, Any], headers: dict, **body: Any):
    return http.post(
        f"{BASE}/bookings/",
        booking_body(shop, next_wednesday_at(10), **body),
        content_type="application/json",
        headers=headers,
    )


def availability(http: HttpClient, shop: dict[str, Any], headers: dict | None = None, **params):
    day = next_wednesday_at(9).date().isoformat()
    query = {
        "location": shop["location"].pk,
        "service": shop["service"].pk,
        "start": day,
        "end": day,
        **params,
    }
    return http.get(f"{BASE}/availability/", query, headers=headers or {})


def unlock(http: HttpClient, **body: Any):
    return post(http, "unlock/", body)


def slot_staff(response: Any) -> set[int]:
    return {sid for slot in response.json()["slots"] for sid in slot["staff"]}


# --- a locked location --------------------------------------------------------------------


def test_every_endpoint_of_a_locked_location_refuses_without_the_code(locked, http):
    # when
    responses = {
        "services": services(http, locked),
        "staff": staff_list(http, locked),
        "availability": availability(http, locked, staff="any"),
        "availability of one": availability(http, locked, staff=locked["staff"][0].pk),
        "booking": book(http, locked),
    }

    # then
    for name, response in responses.items():
        assert response.status_code == 403, name
        assert response.json() == location_refused(), name
    assert counts() == (0, 0)


def test_the_location_list_shows_the_lock_and_nothing_else(locked, http):
    # given
    LocationFactory(salon=locked["salon"], name="Harbour")

    # when
    response = http.get(f"{BASE}/locations/")

    # then
    assert response.status_code == 200
    assert {(row["name"], row["locked"]) for row in response.json()} == {
        ("Old Town", True),
        ("Harbour", False),
    }
    assert CODE not in response.content.decode()
    assert all("passcode" not in key for row in response.json() for key in row)


def test_the_code_in_the_header_opens_every_endpoint(locked, http):
    # given
    header = {"X-Booking-Passcode": CODE}

    # when
    responses = {
        "services": services(http, locked, headers=header),
        "staff": staff_list(http, locked, headers=header),
        "availability": availability(http, locked, staff="any", headers=header),
    }
    booked = book_with_headers(http, locked, header)

    # then
    for name, response in responses.items():
        assert response.status_code == 200, name
    assert [s["name"] for s in responses["services"].json()] == ["Haircut"]
    assert slot_staff(responses["availability"]) == {s.pk for s in locked["staff"]}
    assert booked.status_code == 201
    assert counts() == (1, 1)
    assert SESSION_KEY not in http.session  # a code sent with a request is not remembered
    assert services(http, locked).status_code == 403


def test_the_code_as_query_parameter_or_body_field_opens_too(locked, http):
    # when
    listed = http.get(f"{BASE}/services/", {"location": locked["location"].pk, "passcode": CODE})
    slots = availability(http, locked, staff="any", passcode=CODE)
    booked = book(http, locked, passcode=CODE)

    # then
    assert listed.status_code == 200
    assert slots.status_code == 200 and slots.json()["slots"]
    assert booked.status_code == 201
    assert Appointment.objects.get().source == "online"


@pytest.mark.parametrize("code", ["8304", "0000", "83055", "830", "abcd", "8305" * 20, " "])
def test_a_wrong_code_answers_exactly_like_a_missing_one(locked, http, code):
    # given
    missing = services(http, locked)

    # when
    wrong = services(http, locked, headers={"X-Booking-Passcode": code})
    wrong_booking = book(http, locked, passcode=code)

    # then
    assert (wrong.status_code, wrong.content) == (missing.status_code, missing.content)
    assert (wrong_booking.status_code, wrong_booking.content) == (403, missing.content)
    assert counts() == (0, 0)


def test_wrong_codes_of_any_closeness_get_the_same_bytes(locked):
    # when
    answers = {
        code: availability(HttpClient(), locked, staff="any", passcode=code)
        for code in ("8304", "0000", "83055")
    }

    # then
    assert {(r.status_code, r.content) for r in answers.values()} == {
        (403, answers["8304"].content)
    }
    assert answers["8304"].json() == location_refused()


def test_unlocking_in_the_session_opens_every_endpoint(locked, http):
    # when
    response = unlock(http, location=locked["location"].pk, code=CODE)

    # then
    assert response.status_code == 200
    assert response.json() == {"target": "location", "id": locked["location"].pk}
    assert http.session[SESSION_KEY] == {f"location:{locked['location'].pk}": 1}
    assert services(http, locked).status_code == 200
    assert availability(http, locked, staff="any").status_code == 200
    assert book(http, locked).status_code == 201
    assert [row["locked"] for row in http.get(f"{BASE}/locations/").json()] == [False]


def test_changing_or_switching_off_the_code_ends_session_unlocks(locked, http):
    # given
    unlock(http, location=locked["location"].pk, code=CODE)

    # when / then
    location_passcode_set(location=locked["location"], enabled=True, code="58201")
    assert services(http, locked).status_code == 403
    assert services(http, locked, headers={"X-Booking-Passcode": CODE}).status_code == 403
    assert services(http, locked, headers={"X-Booking-Passcode": "58201"}).status_code == 200

    location_passcode_set(location=locked["location"], enabled=False)
    assert services(HttpClient(), locked).status_code == 200
    assert book(HttpClient(), locked).status_code == 201


# --- throttling ---------------------------------------------------------------------------


def test_wrong_codes_in_requests_are_throttled_at_the_limit(locked, settings):
    # given
    settings.PASSCODE_MAX_FAILURES_PER_IP = 5
    guesser = HttpClient(REMOTE_ADDR="10.0.0.7")
    for guess in ("0000", "1111", "2222", "3333", "4444"):
        response = services(guesser, locked, headers={"X-Booking-Passcode": guess})
        assert response.status_code == 403

    # when
    right_header = services(guesser, locked, headers={"X-Booking-Passcode": CODE})
    right_unlock = unlock(guesser, location=locked["location"].pk, code=CODE)
    booking = book(guesser, locked, passcode=CODE)

    # then
    for response in (right_header, right_unlock, booking):
        assert response.status_code == 429
        assert response.json() == THROTTLED
    assert counts() == (0, 0)
    assert SESSION_KEY not in guesser.session
    # another address is not affected
    other = services(
        HttpClient(REMOTE_ADDR="10.0.0.8"), locked, headers={"X-Booking-Passcode": CODE}
    )
    assert other.status_code == 200


def test_strangers_guessing_from_many_addresses_cannot_lock_the_location(locked, settings):
    # given: the attack of issue 14 — 50 wrong codes from 50 addresses
    settings.PASSCODE_MAX_FAILURES_PER_TARGET = 20
    statuses = [
        services(
            HttpClient(REMOTE_ADDR=f"198.51.100.{n + 1}"),
            locked,
            headers={"X-Booking-Passcode": "0000"},
        ).status_code
        for n in range(50)
    ]
    assert statuses[:20] == [403] * 20  # looked at and wrong
    assert 429 in statuses[20:]  # then slowed down
    slowed = services(
        HttpClient(REMOTE_ADDR="198.51.100.99"), locked, headers={"X-Booking-Passcode": CODE}
    )
    assert slowed.status_code == 429
    assert 1 <= int(slowed["Retry-After"]) <= settings.PASSCODE_TARGET_MAX_DELAY_SECONDS
    assert "second" in slowed.json()["detail"]

    # when: a client with the right code waits as told
    time.sleep(int(slowed["Retry-After"]) + 0.1)
    response = services(
        HttpClient(REMOTE_ADDR="192.0.2.10"), locked, headers={"X-Booking-Passcode": CODE}
    )

    # then
    assert response.status_code == 200


def test_the_api_throttle_resets_after_the_cool_down(locked, settings):
    # given
    settings.PASSCODE_MAX_FAILURES_PER_IP = 5
    settings.PASSCODE_WINDOW_SECONDS = 1
    guesser = HttpClient(REMOTE_ADDR="10.0.0.7")
    for guess in ("0000", "1111", "2222", "3333", "4444"):
        unlock(guesser, location=locked["location"].pk, code=guess)
    assert unlock(guesser, location=locked["location"].pk, code=CODE).status_code == 429

    # when
    time.sleep(1.2)
    response = unlock(guesser, location=locked["location"].pk, code=CODE)

    # then
    assert response.status_code == 200
    assert services(guesser, locked).status_code == 200


def test_no_code_sent_is_not_counted_as_a_guess(locked, settings):
    # given
    settings.PASSCODE_MAX_FAILURES_PER_IP = 2
    visitor = HttpClient(REMOTE_ADDR="10.0.0.7")

    # when
    for _ in range(5):
        services(visitor, locked)

    # then
    assert services(visitor, locked, headers={"X-Booking-Passcode": CODE}).status_code == 200


# --- staff with a personal code -------------------------------------------------------------


def test_a_locked_staff_member_is_listed_as_locked(anna_locked, http):
    # given
    anna, mari = anna_locked["staff"]

    # when
    response = staff_list(http, anna_locked)
    with_code = staff_list(http, anna_locked, headers={"X-Staff-Passcode": "4711"})

    # then
    assert response.status_code == 200
    assert response.json() == [
        {"id": anna.pk, "name": "Anna", "title": "", "locked": True},
        {"id": mari.pk, "name": "Mari", "title": "", "locked": False},
    ]
    assert [row["locked"] for row in with_code.json()] == [False, False]
    assert "4711" not in response.content.decode()


def test_asking_for_a_locked_staff_member_needs_their_code(anna_locked, http):
    # given
    anna = anna_locked["staff"][0]

    # when
    slots = availability(http, anna_locked, staff=anna.pk)
    booking = book(http, anna_locked, staff=anna.pk)
    wrong = availability(http, anna_locked, staff=anna.pk, headers={"X-Staff-Passcode": "4712"})

    # then
    for response in (slots, booking, wrong):
        assert response.status_code == 403
        assert response.json() == staff_refused("Anna")
    assert counts() == (0, 0)


def test_the_staff_code_in_header_or_field_books_them(anna_locked, http):
    # given
    anna = anna_locked["staff"][0]

    # when
    slots = availability(http, anna_locked, staff=anna.pk, headers={"X-Staff-Passcode": "4711"})
    by_query = availability(http, anna_locked, staff=anna.pk, staff_passcode="4711")
    booked = book(http, anna_locked, staff=anna.pk, staff_passcode="4711")

    # then
    assert slots.status_code == by_query.status_code == 200
    assert slot_staff(slots) == {anna.pk}
    assert booked.status_code == 201
    assert Appointment.objects.get().staff == anna


def test_any_staff_leaves_out_locked_staff_unless_their_code_is_given(anna_locked, http):
    # given
    anna, mari = anna_locked["staff"]

    # when
    without = availability(http, anna_locked, staff="any")
    with_code = availability(http, anna_locked, staff="any", headers={"X-Staff-Passcode": "4711"})
    wrong_code = availability(http, anna_locked, staff="any", staff_passcode="0000")

    # then
    assert without.status_code == with_code.status_code == wrong_code.status_code == 200
    assert slot_staff(without) == {mari.pk}
    assert slot_staff(with_code) == {anna.pk, mari.pk}
    assert wrong_code.content == without.content


def test_booking_any_staff_never_assigns_a_locked_one(anna_locked, http):
    # given
    mari = anna_locked["staff"][1]

    # when: three clients (one client's identical second booking is a duplicate, issue 13)
    def client(n: int) -> dict[str, str]:
        return {"first_name": f"Client {n}", "email": f"client{n}@example.test"}

    first = book(http, anna_locked, staff="any", client=client(1))
    second = book(http, anna_locked, staff="any", client=client(2))
    third = book(http, anna_locked, staff="any", staff_passcode="4711", client=client(3))

    # then
    assert first.status_code == 201
    assert Appointment.objects.order_by("pk").first().staff == mari
    assert second.status_code == 409
    assert third.status_code == 201
    assert [a.staff for a in Appointment.objects.order_by("pk")] == anna_locked["staff"][::-1]


def test_a_staff_code_with_any_counts_as_a_guess_only_when_it_matches_nobody(anna_locked, settings):
    # given
    settings.PASSCODE_MAX_FAILURES_PER_IP = 2
    mari = staff_passcode_set(staff=anna_locked["staff"][1], code="9052")
    visitor = HttpClient(REMOTE_ADDR="10.0.0.7")

    # when: Anna's code many times (it never counts against Mari), then two wrong codes
    for _ in range(4):
        assert availability(visitor, anna_locked, staff="any", staff_passcode="4711").json()[
            "slots"
        ]
    for guess in ("0000", "1111"):
        availability(visitor, anna_locked, staff="any", staff_passcode=guess)
    throttled = availability(visitor, anna_locked, staff="any", staff_passcode="4711")

    # then
    assert throttled.status_code == 429
    assert throttled.json() == THROTTLED
    assert (
        availability(visitor, anna_locked, staff=mari.pk, staff_passcode="9052").status_code == 429
    )


def test_a_staff_code_unlocks_only_that_staff_member(anna_locked, http):
    # given
    anna, mari = anna_locked["staff"]
    staff_passcode_set(staff=mari, code="9052")

    # when
    unlocked = unlock(http, staff=anna.pk, code="4711")
    wrong = unlock(http, staff=mari.pk, code="4711")

    # then
    assert unlocked.status_code == 200
    assert unlocked.json() == {"target": "staff", "id": anna.pk}
    assert wrong.status_code == 403
    assert wrong.json() == staff_refused("Mari")
    assert availability(http, anna_locked, staff=anna.pk).status_code == 200
    assert availability(http, anna_locked, staff=mari.pk).status_code == 403
    assert slot_staff(availability(http, anna_locked, staff="any")) == {anna.pk}


def test_a_staff_of_a_locked_location_is_not_unlocked_before_the_location(locked, http):
    # given
    anna = staff_passcode_set(staff=locked["staff"][0], code="4711")

    # when
    before = unlock(http, staff=anna.pk, code="4711")
    unlock(http, location=locked["location"].pk, code=CODE)
    after = unlock(http, staff=anna.pk, code="4711")

    # then
    assert before.status_code == 400
    assert before.json() == {"staff": ["Select a valid choice."]}
    assert after.status_code == 200


# --- the unlock endpoint --------------------------------------------------------------------


@pytest.mark.parametrize(
    "body,errors",
    [
        ({"code": CODE}, {"non_field_errors": ["Give either a location or a staff member."]}),
        ({"location": "x", "code": CODE}, {"location": ["A valid integer is required."]}),
        ({"location": 999999, "code": CODE}, {"location": ["Select a valid choice."]}),
        ({"staff": 999999, "code": CODE}, {"staff": ["Select a valid choice."]}),
        ({"location": 1}, {"code": ["This field is required."]}),
    ],
)
def test_bad_unlock_requests_are_400(locked, http, body, errors):
    # given
    if body.get("location") == 1:
        body["location"] = locked["location"].pk

    # when
    response = unlock(http, **body)

    # then
    assert response.status_code == 400
    assert response.json() == errors
    assert SESSION_KEY not in http.session


def test_both_a_location_and_a_staff_member_is_400(locked, http):
    # when
    response = unlock(http, location=locked["location"].pk, staff=locked["staff"][0].pk, code=CODE)

    # then
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Give either a location or a staff member."]}


def test_unlocking_an_open_location_is_a_no_op(shop, http):
    # when
    response = unlock(http, location=shop["location"].pk, code="0000")

    # then
    assert response.status_code == 200
    assert SESSION_KEY not in http.session


def test_a_wrong_unlock_is_403_and_stores_nothing(locked, http):
    # when
    response = unlock(http, location=locked["location"].pk, code="8304")

    # then
    assert response.status_code == 403
    assert response.json() == location_refused()
    assert SESSION_KEY not in http.session


def test_unlock_only_answers_post(locked, http):
    # when
    response = http.get(f"{BASE}/unlock/")

    # then
    assert response.status_code == 405


# --- query counts -------------------------------------------------------------------------


@pytest.mark.parametrize("appointments", [10, 300])
@pytest.mark.parametrize("lock", ["open", "header"])
def test_availability_query_count_does_not_grow_with_a_passcode(
    shop, http, appointments, lock, django_assert_max_num_queries
):
    # given
    headers = {}
    if lock == "header":
        location_passcode_set(location=shop["location"], enabled=True, code=CODE)
        headers = {"X-Booking-Passcode": CODE}
    first_day = next_wednesday_at(9).date() - dt.timedelta(days=2)
    add_appointments(shop, appointments, first_day)
    week = {"start": first_day.isoformat(), "end": (first_day + dt.timedelta(days=6)).isoformat()}

    # when / then: salon, location, service, working hours, opening hours, busy times
    with django_assert_max_num_queries(6):
        response = availability(http, shop, staff="any", headers=headers, **week)
    assert response.status_code == 200
    assert response.json()["slots"]


def test_availability_query_count_when_unlocked_in_the_session(
    locked, http, django_assert_max_num_queries
):
    # given
    unlock(http, location=locked["location"].pk, code=CODE)

    # when / then: the six, and the session the cookie names
    with django_assert_max_num_queries(7):
        response = availability(http, locked, staff="any")
    assert response.status_code == 200


# --- not locked -----------------------------------------------------------------------------


def test_the_owner_api_books_a_locked_location_and_staff_member(locked, owner_api):
    # given
    anna = staff_passcode_set(staff=locked["staff"][0], code="4711")
    client = ClientFactory(salon=locked["salon"])

    # when
    response = owner_api.post(
        "/api/v1/salons/alpha/appointments/",
        {
            "location": locked["location"].pk,
            "service": locked["service"].pk,
            "staff": anna.pk,
            "client": client.pk,
            "starts_at": next_wednesday_at(10).isoformat(),
        },
        format="json",
    )

    # then
    assert response.status_code == 201
    assert Appointment.objects.get().source == "api"


def test_an_existing_booking_is_managed_by_its_token_without_a_code(locked, http):
    # given
    appointment = appointment_book(
        salon=locked["salon"],
        request=BookingRequest(
            location=locked["location"],
            service=locked["service"],
            starts_at=next_wednesday_at(10),
            staff=locked["staff"][0],
        ),
        client=ClientFactory(salon=locked["salon"]),
    )
    token = appointment_token(appointment)

    # when
    shown = http.get(f"{BASE}/bookings/{token}/")
    moved = post(
        http, f"bookings/{token}/reschedule/", {"starts_at": next_wednesday_at(12).isoformat()}
    )
    cancelled = post(http, f"bookings/{token}/cancel/")

    # then
    assert (shown.status_code, moved.status_code, cancelled.status_code) == (200, 200, 200)
    assert cancelled.json()["status"] == "cancelled"


def test_another_salon_is_not_affected(locked, other_salon, http):
    # given: beta's location, open; alpha's session unlock and code mean nothing there
    location = LocationFactory(salon=other_salon, name="Beta Place")
    service = ServiceFactory(salon=other_salon)
    member = StaffMemberFactory(salon=other_salon, locations=[location], services=[service])
    WorkingHoursFactory(staff=member, location=location, weekday=2)
    LocationHoursFactory(location=location, weekday=2)
    beta_locked = location_passcode_set(
        location=LocationFactory(salon=other_salon, name="Beta Locked"), enabled=True, code=CODE
    )
    unlock(http, location=locked["location"].pk, code=CODE)

    # when
    open_beta = http.get("/api/v1/public/beta/services/", {"location": location.pk})
    locked_beta = http.get("/api/v1/public/beta/services/", {"location": beta_locked.pk})
    cross = post(http, "unlock/", {"location": beta_locked.pk, "code": CODE})

    # then
    assert open_beta.status_code == 200
    assert locked_beta.status_code == 403
    assert locked_beta.json() == location_refused("Beta Locked")
    assert cross.status_code == 400
    assert cross.json() == {"location": ["Select a valid choice."]}
    assert Client.objects.count() == 0
