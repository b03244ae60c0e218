"""What a user might type never gets a 500: every dashboard and public page, fetched and posted
with garbage (overflowing numbers, impossible dates, NUL bytes, very long text) on the demo
salon's real data, answers with a page, a form error, a 4xx or a redirect."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse

from bookings.models import Appointment, Client, Location, Salon, Service, StaffMember
from bookings.signing import appointment_token
from payments.services.orders import appointment_record_paid_at_salon

GARBAGE = [
    "",
    "-1",
    "99999999999999999999999999",
    "2026-02-30",
    "9999-12-31",
    "0001-01-01",
    "9999-12-31T10:00+01:00",
    "23:59:59.999999",
    "25:61",
    "abc",
    "\x00",
    "x" * 3000,
    "<script>alert(1)</script>",
    "١٢٣٤",
    "²",  # str.isdigit() says yes, int() says no
]
FIELDS = [
    "name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "notes",
    "price",
    "duration_minutes",
    "buffer_before_minutes",
    "buffer_after_minutes",
    "category",
    "color",
    "weekday",
    "starts",
    "ends",
    "opens",
    "closes",
    "date",
    "time",
    "location",
    "locations",
    "services",
    "staff",
    "service",
    "client",
    "starts_at",
    "ends_at",
    "status",
    "code",
    "booking_passcode",
    "booking_passcode_enabled",
    "slot_step_minutes",
    "min_notice_minutes",
    "max_advance_days",
    "cancellation_cutoff_hours",
    "reminder_hours_before",
    "time_zone",
    "payment_method",
    "marketing_consent",
    "preferred_channel",
    "q",
    "page",
    "view",
    "kind",
    "mode",
    "start_date",
    "end_date",
    "start_time",
    "end_time",
    "subject",
    "body",
    "recipient",
    "channel",
    "clients",
    "next",
    "reason",
    "position",
    "description",
    "all_day",
    "new_client",
    # payments (issue 17): record / refund / settings / a service's prepayment
    "amount",
    "appointment",
    "online_payments_enabled",
    "refund_policy",
    "hold_minutes",
    "prepayment",
]
QUERIES = [
    "date",
    "view",
    "location",
    "staff",
    "q",
    "page",
    "week",
    "start",
    "end",
    "cancelled",
    "next",
    # the payments list's filters
    "status",
    "provider",
    "kind",
    "date_from",
    "date_to",
    "client",
]


# Every field and query parameter at once set to a date far out of range (issue 13).
EXTREME_DATES = ["9999-12-31", "0001-01-01", "9999-12-31T10:00+01:00", "0001-01-01T00:00Z"]


def garbage_for(names: list[str], shift: int) -> dict[str, str]:
    return {name: GARBAGE[(i + shift) % len(GARBAGE)] for i, name in enumerate(names)}


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())
    salon = Salon.objects.get(slug="demo")
    location = Location.objects.for_salon(salon).first()
    appointment = Appointment.objects.for_salon(salon).first()
    owner = get_user_model().objects.get(email="owner@demo.salonbook.test")
    # an order for the payments pages: the booking recorded as paid at the salon
    order = appointment_record_paid_at_salon(
        salon=salon, appointment_id=appointment.pk, amount=None, actor=owner
    )
    return {
        "salon": salon,
        "location": location.pk,
        "staff": StaffMember.objects.for_salon(salon).first().pk,
        "service": Service.objects.for_salon(salon).first().pk,
        "client": Client.objects.for_salon(salon).first().pk,
        "appointment": appointment.pk,
        "token": appointment_token(appointment),
        "owner": owner,
        "order": order.pk,
        "order_reference": order.reference,
    }


def dashboard_urls(d: dict) -> list[str]:
    slug = d["salon"].slug
    names = {
        "home": {},
        "location_list": {},
        "location_create": {},
        "location_detail": {"pk": d["location"]},
        "location_edit": {"pk": d["location"]},
        "location_hours_add": {"pk": d["location"]},
        "location_closure_add": {"pk": d["location"]},
        "service_list": {},
        "service_create": {},
        "service_edit": {"pk": d["service"]},
        "category_create": {},
        "staff_list": {},
        "staff_create": {},
        "staff_detail": {"pk": d["staff"]},
        "staff_edit": {"pk": d["staff"]},
        "working_hours_add": {"pk": d["staff"]},
        "time_off_add": {"pk": d["staff"]},
        "client_list": {},
        "client_create": {},
        "client_detail": {"pk": d["client"]},
        "client_edit": {"pk": d["client"]},
        "notices": {},
        "notice_send_test": {},
        "notice_template_edit": {"kind": "booking_confirmation", "channel": "email"},
        "calendar": {},
        "appointment_create": {},
        "appointment_detail": {"pk": d["appointment"]},
        "appointment_move": {"pk": d["appointment"]},
        "appointment_status": {"pk": d["appointment"]},
        "online_booking": {},
        "online_booking_settings": {},
        "online_booking_location_passcode": {"pk": d["location"]},
        "online_booking_location_send": {"pk": d["location"]},
        "online_booking_staff_passcode": {"pk": d["staff"]},
        "online_booking_staff_send": {"pk": d["staff"]},
        "payments": {},
        "payment_record": {},
        "payment_settings": {},
        "payment_service_set": {"service_id": d["service"]},
        "payment_detail": {"pk": d["order"]},
        "payment_mark_paid": {"pk": d["order"]},
        "payment_cancel": {"pk": d["order"]},
        "payment_refund": {"pk": d["order"]},
    }
    return [
        reverse(f"dashboard:{name}", kwargs={"salon_slug": slug, **kwargs})
        for name, kwargs in names.items()
    ]


def public_urls(d: dict) -> list[str]:
    slug = d["salon"].slug
    loc, service, staff, token = d["location"], d["service"], d["staff"], d["token"]
    names = {
        "home": {},
        "services": {"location_id": loc},
        "location_unlock": {"location_id": loc},
        "staff_unlock": {"location_id": loc, "staff_id": staff},
        "staff": {"location_id": loc, "service_id": service},
        "times": {"location_id": loc, "service_id": service},
        "details": {"location_id": loc, "service_id": service},
        "checkout": {},
        "appointment": {"token": token},
        "appointment_ics": {"token": token},
        "appointment_reschedule": {"token": token},
    }
    reference = d["order_reference"]
    pay_pages = [
        reverse(f"payments_public:{name}", kwargs={"reference": reference})
        for name in ("pay", "done", "cancelled")
    ]
    return [
        *(
            reverse(f"public:{name}", kwargs={"salon_slug": slug, **kwargs})
            for name, kwargs in names.items()
        ),
        *pay_pages,
        "/pay/no-such-order/",
        "/payments/webhooks/stripe/",
        "/payments/webhooks/pay_at_salon/",
    ]


def assert_no_server_error(http: HttpClient, urls: list[str], rounds: int = 4) -> None:
    failures = []
    for url in urls:
        for shift in range(rounds):
            get = http.get(url, garbage_for(QUERIES, shift))
            post = http.post(url, garbage_for(FIELDS, shift))
            for method, response in (("GET", get), ("POST", post)):
                if response.status_code >= 500:
                    failures.append(f"{method} {url} (shift {shift}) → {response.status_code}")
        for value in EXTREME_DATES:
            get = http.get(url, dict.fromkeys(QUERIES, value))
            post = http.post(url, dict.fromkeys(FIELDS, value))
            for method, response in (("GET", get), ("POST", post)):
                if response.status_code >= 500:
                    failures.append(f"{method} {url} ({value}) → {response.status_code}")
    assert failures == []


def test_dashboard_pages_survive_garbage(demo):
    http = HttpClient(raise_request_exception=False)
    http.force_login(demo["owner"])
    assert_no_server_error(http, dashboard_urls(demo))


def test_public_pages_survive_garbage(demo):
    http = HttpClient(raise_request_exception=False)
    assert_no_server_error(http, public_urls(demo))
    # and once more as a visitor who got as far as the details step
    assert_no_server_error(http, public_urls(demo), rounds=2)


def test_api_client_search_with_nul_bytes_is_answered(owner_api, salon):
    # PostgreSQL refuses NUL in a query parameter; the selector drops it.
    response = owner_api.get(f"/api/v1/salons/{salon.slug}/clients/", {"search": "an\x00na"})
    assert response.status_code == 200


def test_pages_survive_extreme_dates_with_valid_ids(demo):
    # The date fields far out of range while everything else is valid, so the page gets as
    # far as using the date (issue 13; the API's cases are in bookings/tests/test_engine_edges.py).
    http = HttpClient(raise_request_exception=False)
    http.force_login(demo["owner"])
    ids = {name: demo[name] for name in ("location", "staff", "service", "client")}
    times = {"time": "10:00", "start_time": "10:00", "end_time": "11:00", "weekday": "1"}
    times |= {"opens": "09:00", "closes": "10:00", "starts": "09:00", "ends": "10:00"}
    failures = []
    for url in dashboard_urls(demo) + public_urls(demo):
        for value in EXTREME_DATES:
            query = {"date": value, "week": value, "start": value, "end": value, **ids}
            dates = ("date", "start_date", "end_date", "starts_at", "ends_at")
            form = {**dict.fromkeys(dates, value), **ids, **times}
            for method, response in (("GET", http.get(url, query)), ("POST", http.post(url, form))):
                if response.status_code >= 500:
                    failures.append(f"{method} {url} ({value}) → {response.status_code}")
    assert failures == []


def test_api_survives_extreme_dates(demo):
    # Issue 13: public availability, public booking, the owner's appointment list, booking
    # and time off, with dates far out of range: 400, never 500.
    http = HttpClient(raise_request_exception=False)
    http.force_login(demo["owner"])
    slug = demo["salon"].slug
    public, owner = f"/api/v1/public/{slug}", f"/api/v1/salons/{slug}"
    ids = {name: demo[name] for name in ("location", "service", "staff", "client")}
    failures = []
    for value in EXTREME_DATES:
        day = value[:10]
        gets = [
            (f"{public}/availability/", {**ids, "start": day, "end": day}),
            (f"{owner}/appointments/", {"start": day, "end": day}),
            (f"{owner}/appointments/", {"start": day}),
        ]
        posts = [
            (f"{public}/bookings/", {**ids, "starts_at": value, "client": {"first_name": "A"}}),
            (f"{owner}/appointments/", {**ids, "starts_at": value}),
            (f"{owner}/staff/{demo['staff']}/time-off/", {"starts_at": value, "ends_at": value}),
            (f"{owner}/appointments/{demo['appointment']}/", {"starts_at": value}),
        ]
        responses = [("GET", url, http.get(url, query)) for url, query in gets]
        for url, body in posts:
            method = "PATCH" if url.endswith(f"/{demo['appointment']}/") else "POST"
            send = http.patch if method == "PATCH" else http.post
            responses.append((method, url, send(url, body, content_type="application/json")))
        for method, url, response in responses:
            if response.status_code != 400:
                failures.append(f"{method} {url} ({value}) → {response.status_code}")
    assert failures == []
