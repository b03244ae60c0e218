"""Statements per request on the hot paths (issue 15), whatever the data: public availability
in at most 4 queries, a public booking in at most 15 SQL statements — savepoints and their
releases included (inside a test's transaction the request's BEGIN/COMMIT are a SAVEPOINT and
a RELEASE) — with the confirmation notice rendered and stored by the worker, after the commit,
not in the request."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from bookings.models import Appointment, Client, TimeOff
from bookings.tests.test_booking_service import next_wednesday_at
from notices.models import Notice
from tests.factories import ClientFactory, SalonFactory

AVAILABILITY_MAX_QUERIES = 4
BOOKING_MAX_STATEMENTS = 15


def _fill(shop: dict[str, Any], per_staff: int, first_day: dt.date) -> None:
    """`per_staff` past and future appointments per staff member, plus some time off."""
    rows = []
    for member in shop["staff"]:
        client = ClientFactory(salon=shop["salon"])
        for n in range(per_staff):
            day = first_day + dt.timedelta(days=n // 4 - per_staff // 8)
            starts = dt.datetime.combine(day, dt.time(9 + 2 * (n % 4)), tzinfo=dt.UTC)
            rows.append(
                Appointment(
                    salon=shop["salon"],
                    location=shop["location"],
                    staff=member,
                    service=shop["service"],
                    client=client,
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(minutes=30),
                    block_starts_at=starts,
                    block_ends_at=starts + dt.timedelta(minutes=30),
                    source="dashboard",
                    price=Decimal("1.00"),
                )
            )
        TimeOff.objects.create(
            salon=shop["salon"],
            staff=member,
            starts_at=dt.datetime.combine(first_day, dt.time(12), tzinfo=dt.UTC),
            ends_at=dt.datetime.combine(first_day, dt.time(13), tzinfo=dt.UTC),
        )
    Appointment.objects.bulk_create(rows)


def _other_salons(count: int) -> None:
    for n in range(count):
        SalonFactory(slug=f"noise-{n}", name=f"Noise {n}")


@pytest.mark.parametrize(("per_staff", "others"), [(0, 0), (40, 3), (400, 10)])
@pytest.mark.parametrize("days", [1, 7, 31])
def test_public_availability_takes_at_most_4_queries(
    shop, per_staff, others, days, django_assert_max_num_queries
):
    # given
    first_day = next_wednesday_at(9).date()
    _fill(shop, per_staff, first_day)
    _other_salons(others)
    http = HttpClient()
    query = {
        "location": shop["location"].pk,
        "service": shop["service"].pk,
        "start": first_day.isoformat(),
        "end": (first_day + dt.timedelta(days=days - 1)).isoformat(),
        "staff": "any",
    }

    # when / then: the salon with the location, the service, the staff with their working
    # hours, and opening hours + closed days + appointments + time off in one UNION
    with django_assert_max_num_queries(AVAILABILITY_MAX_QUERIES):
        response = http.get("/api/v1/public/alpha/availability/", query)
    assert response.status_code == 200
    assert response.json()["slots"]


AVAILABILITY_WARM_QUERIES = 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("staff", ["any", "first"])
@pytest.mark.parametrize("days", [1, 31])
def test_public_availability_from_the_cache_takes_1_query(shop, staff, days, settings):
    # given: a busy salon and the availability cache on (PostgreSQL, outside a transaction)
    from bookings.availability_cache import local_memo_clear

    settings.AVAILABILITY_CACHE_SECONDS = 60
    local_memo_clear()
    first_day = next_wednesday_at(9).date()
    _fill(shop, 40, first_day)
    _other_salons(3)
    query = {
        "location": shop["location"].pk,
        "service": shop["service"].pk,
        "start": first_day.isoformat(),
        "end": (first_day + dt.timedelta(days=days - 1)).isoformat(),
        "staff": "any" if staff == "any" else str(shop["staff"][0].pk),
    }
    http = HttpClient()
    cold: list[str] = []
    warm: list[str] = []

    def recorder(seen: list[str]) -> Any:
        def record(execute, sql, params, many, context):  # noqa: ANN001
            seen.append(sql)
            return execute(sql, params, many, context)

        return record

    with connection.execute_wrapper(recorder(cold)):
        first = http.get("/api/v1/public/alpha/availability/", query)
    # when asked again
    with connection.execute_wrapper(recorder(warm)):
        again = http.get("/api/v1/public/alpha/availability/", query)
    # then: the cold request within the bound, the warm one reads only the salon's version
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert len(cold) <= AVAILABILITY_MAX_QUERIES, cold
    assert len(warm) == AVAILABILITY_WARM_QUERIES, warm
    local_memo_clear()


def test_public_availability_of_an_unknown_salon_is_still_404(db):
    response = HttpClient().get(
        "/api/v1/public/nobody/availability/",
        {"location": 1, "service": 1, "start": "2030-01-01", "end": "2030-01-01"},
    )
    assert response.status_code == 404


def test_public_availability_of_a_location_of_another_salon_is_400(shop):
    # given: a salon whose slug is asked for, and the shop's location (of another salon)
    SalonFactory(slug="gamma", name="Gamma")
    day = next_wednesday_at(9).date().isoformat()

    # when
    response = HttpClient().get(
        "/api/v1/public/gamma/availability/",
        {"location": shop["location"].pk, "service": shop["service"].pk, "start": day, "end": day},
    )

    # then
    assert response.status_code == 400
    assert "location" in response.json()


def _book(http: HttpClient, shop: dict[str, Any], starts_at: dt.datetime, email: str, staff: Any):
    return http.post(
        "/api/v1/public/alpha/bookings/",
        {
            "location": shop["location"].pk,
            "service": shop["service"].pk,
            "staff": staff,
            "starts_at": starts_at.isoformat(),
            "client": {"first_name": "Kati", "email": email},
        },
        content_type="application/json",
    )


@pytest.mark.parametrize("returning", [False, True])
@pytest.mark.parametrize("any_staff", [False, True])
def test_public_booking_takes_at_most_15_statements_and_leaves_the_notice_to_the_worker(
    shop, returning, any_staff, django_capture_on_commit_callbacks
):
    # given: a busy salon; a returning client or a new one
    first_day = next_wednesday_at(9).date()
    _fill(shop, 200, first_day - dt.timedelta(days=30))
    if returning:
        Client.objects.create(salon=shop["salon"], first_name="Kati", email="kati@example.test")
    http = HttpClient()
    staff = "any" if any_staff else str(shop["staff"][0].pk)

    # when
    with (
        django_capture_on_commit_callbacks() as callbacks,
        CaptureQueriesContext(connection) as statements,
    ):
        response = _book(http, shop, next_wednesday_at(10), "kati@example.test", staff)

    # then: few statements, none of them about the notice
    assert response.status_code == 201, response.content
    sql = [q["sql"] for q in statements]
    # SQLite (the zero-setup default) inserts the appointment in a savepoint: 2 more.
    limit = BOOKING_MAX_STATEMENTS + (0 if connection.vendor == "postgresql" else 2)
    assert len(sql) <= limit, "\n".join(sql)
    assert not [s for s in sql if "notices_" in s], "the request touched the notices"
    assert Notice.objects.count() == 0

    # and: after the commit the worker renders and stores the confirmation, once
    for callback in callbacks:
        callback()
    notice = Notice.objects.get()
    assert (notice.kind, notice.recipient) == ("booking_confirmation", "kati@example.test")
    assert "Haircut" in notice.body


@pytest.mark.parametrize("broker_up", [True, False])
def test_booking_events_are_delivered_by_the_worker_unless_the_broker_is_down(
    shop, monkeypatch, broker_up, django_capture_on_commit_callbacks
):
    # given: a broker that takes the message (or can't), and a handler that records its calls
    from bookings.events import BookingEvent, subscribe, unsubscribe
    from salonbook import tasks_publish

    queued: list[tuple] = []

    def fake_publish(task, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        queued.append((task.name, args))
        return broker_up

    monkeypatch.setattr(tasks_publish, "publish", fake_publish)
    seen: list[int] = []
    subscribe(BookingEvent.CREATED, seen.append)
    try:
        # when
        with django_capture_on_commit_callbacks(execute=True):
            response = _book(HttpClient(), shop, next_wednesday_at(10), "kati@example.test", "any")
    finally:
        unsubscribe(BookingEvent.CREATED, seen.append)

    # then: the request queued the event; it ran the handlers itself only without a broker
    assert response.status_code == 201
    appointment_id = response.json()["id"]
    assert queued[0] == ("bookings.tasks.booking_event_deliver", ("created", appointment_id, None))
    assert seen == ([] if broker_up else [appointment_id])
    assert Notice.objects.count() == (0 if broker_up else 1)
