"""Time held while the client pays online (issue 17): the checkout contract (hold_minutes,
apply's pay URL, summary, prepayment rules, policy extras), the held status in availability,
the booking service and the database constraints, and the hold services (confirm, release,
the sweep) — exercised with a payment method registered here, without the payments app."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client as HttpClient
from django.utils import timezone

from bookings.availability import availability_get
from bookings.checkout import (
    PaymentContext,
    PaymentMethod,
    payment_methods_available,
    register,
    register_prepayment_rule,
    unregister,
    unregister_prepayment_rule,
)
from bookings.events import BookingEvent
from bookings.models import Appointment, Service
from bookings.policy import cancellation_policy, register_policy_extra, unregister_policy_extra
from bookings.services.booking import (
    BookingRequest,
    DuplicateBooking,
    SlotTaken,
    appointment_book,
)
from bookings.services.holds import (
    appointment_hold_confirm,
    appointment_hold_release,
    appointments_release_expired_holds,
)
from bookings.signing import appointment_token
from bookings.tests.test_public_booking import GUEST, next_wednesday_at, pick_details
from tests.concurrency import race
from tests.factories import ClientFactory, SalonFactory

PAY_URL = "/pay/x/"


class TestCard(PaymentMethod):
    key = "test_card"
    label = "Test card"
    description = "Pay now by test card."
    position = 50
    satisfies_prepayment = True

    def hold_minutes(self, salon: Any, client: Any, service: Service) -> int | None:
        return 10

    def summary(self, salon: Any, service: Service, price: Decimal) -> str:
        return f"Pay {price} now by test card; the rest at the salon"

    def apply(self, appointment: Appointment, payment: PaymentContext) -> str | None:
        return PAY_URL


@pytest.fixture
def card():
    method = register(TestCard())
    yield method
    unregister(TestCard.key)


@pytest.fixture
def prepay_all():
    def rule(salon: Any, service: Service) -> bool:
        return True

    register_prepayment_rule(rule)
    yield rule
    unregister_prepayment_rule(rule)


@pytest.fixture
def events(monkeypatch):
    """The booking events published (and committed), as (event, appointment id, actor)."""
    published: list[tuple[str, int, str | None]] = []
    monkeypatch.setattr(
        "bookings.events._deliver_later",
        lambda event, appointment_id, actor: published.append(
            (str(event), appointment_id, str(actor) if actor else None)
        ),
    )
    return published


def _request(shop, starts_at: dt.datetime, staff=None) -> BookingRequest:
    return BookingRequest(
        location=shop["location"], service=shop["service"], starts_at=starts_at, staff=staff
    )


def _hold(shop, starts_at, *, client=None, staff=None, minutes: int = 10) -> Appointment:
    return appointment_book(
        salon=shop["salon"],
        request=_request(shop, starts_at, staff or shop["staff"][0]),
        client=client or ClientFactory(salon=shop["salon"]),
        hold_until=timezone.now() + dt.timedelta(minutes=minutes),
    )


def _expire(appointment: Appointment) -> None:
    Appointment.objects.filter(pk=appointment.pk).update(
        hold_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )


def _free_starts(shop, day: dt.date, staff) -> set[dt.datetime]:
    availability = availability_get(
        salon=shop["salon"],
        location=shop["location"],
        service=shop["service"],
        start=day,
        end=day,
        staff=staff,
    )
    return {slot.starts_at for slot in availability.slots}


def _api_book(http: HttpClient, shop, starts_at, *, method: str = "test_card", email=None):
    return http.post(
        "/api/v1/public/alpha/bookings/",
        {
            "location": shop["location"].pk,
            "service": shop["service"].pk,
            "staff": str(shop["staff"][0].pk),
            "starts_at": starts_at.isoformat(),
            "client": {"first_name": "Kati", "email": email or "kati@example.test"},
            "payment_method": method,
        },
        content_type="application/json",
    )


# --- the booking site ------------------------------------------------------------------------


def test_checkout_page_shows_the_summary_and_the_policy_extras(shop, card):
    # given
    def extra(salon: Any) -> str:
        return f"Online payments at {salon.name} are refunded in full."

    register_policy_extra(extra)
    try:
        http = HttpClient()
        pick_details(http, shop, next_wednesday_at(10))

        # when
        page = http.get("/s/alpha/checkout/").content.decode()
    finally:
        unregister_policy_extra(extra)

    # then
    assert "Test card" in page
    assert "Pay 40.00 now by test card; the rest at the salon" in page
    assert "Pay after your visit, at the salon." in page  # pay at the salon's default summary
    assert "Online payments at Alpha Hair are refunded in full." in page


def test_cancellation_policy_carries_the_extras_and_leaves_out_empty_ones(salon):
    def refund(s: Any) -> str:
        return "Refunded in full."

    def nothing(s: Any) -> str:
        return ""

    register_policy_extra(refund)
    register_policy_extra(nothing)
    try:
        policy = cancellation_policy(salon)
    finally:
        unregister_policy_extra(refund)
        unregister_policy_extra(nothing)
    assert policy.extras == ("Refunded in full.",)
    assert str(policy).endswith("\nRefunded in full.")
    assert cancellation_policy(salon).extras == ()


def test_checkout_holds_the_time_and_redirects_303_to_the_payment(
    shop, card, events, django_capture_on_commit_callbacks
):
    # given
    http = HttpClient()
    starts_at = next_wednesday_at(10)
    pick_details(http, shop, starts_at)
    before = timezone.now()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post("/s/alpha/checkout/", {"payment_method": "test_card"})

    # then: held for 10 minutes, sent to pay, no booking event (no notice) yet
    assert response.status_code == 303
    assert response["Location"] == PAY_URL
    appointment = Appointment.objects.get()
    assert appointment.status == Appointment.Status.HELD
    assert appointment.hold_expires_at is not None
    assert (
        before + dt.timedelta(minutes=10)
        <= appointment.hold_expires_at
        <= timezone.now() + dt.timedelta(minutes=10)
    )
    assert events == []


def test_checkout_with_pay_at_the_salon_still_books_at_once(shop, card):
    http = HttpClient()
    pick_details(http, shop, next_wednesday_at(10))

    response = http.post("/s/alpha/checkout/", {"payment_method": "pay_at_salon"})

    assert response.status_code == 302
    assert Appointment.objects.get().status == Appointment.Status.BOOKED


def test_a_prepayment_rule_hides_pay_at_the_salon_and_refuses_it(shop, card, prepay_all):
    # given
    http = HttpClient()
    pick_details(http, shop, next_wednesday_at(10))

    # when
    page = http.get("/s/alpha/checkout/").content.decode()
    refused = http.post("/s/alpha/checkout/", {"payment_method": "pay_at_salon"})

    # then
    assert 'value="test_card"' in page
    assert 'value="pay_at_salon"' not in page
    assert refused.status_code == 400
    assert not Appointment.objects.exists()
    methods = payment_methods_available(salon=shop["salon"], client=None, service=shop["service"])
    assert [m.key for m in methods] == ["test_card"]


def test_the_held_appointment_page_waits_for_payment_without_changes(shop):
    appointment = _hold(shop, next_wednesday_at(10))

    page = HttpClient().get(f"/s/alpha/a/{appointment_token(appointment)}/").content.decode()

    assert "Waiting for payment" in page
    assert "Cancel appointment" not in page
    assert "Reschedule" not in page


# --- the public API -------------------------------------------------------------------------


def test_api_answers_201_held_with_the_payment_url(
    shop, card, events, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = _api_book(HttpClient(), shop, next_wednesday_at(10))

    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "held"
    assert body["payment_url"] == f"http://testserver{PAY_URL}"
    appointment = Appointment.objects.get()
    assert dt.datetime.fromisoformat(body["hold_expires_at"]) == appointment.hold_expires_at
    assert events == []


def test_api_booking_paid_at_the_salon_has_no_payment_url(shop, card):
    response = _api_book(HttpClient(), shop, next_wednesday_at(10), method="pay_at_salon")

    assert response.status_code == 201
    assert response.json()["status"] == "booked"
    assert response.json()["payment_url"] == ""
    assert response.json()["hold_expires_at"] is None


def test_api_refuses_pay_at_the_salon_when_prepayment_is_required(shop, card, prepay_all):
    response = _api_book(HttpClient(), shop, next_wednesday_at(10), method="pay_at_salon")

    assert response.status_code == 400
    assert "payment_method" in response.json()
    assert not Appointment.objects.exists()


def test_api_lists_the_payment_methods_with_their_summary(shop, card, prepay_all):
    response = HttpClient().get(
        "/api/v1/public/alpha/payment-methods/",
        {"location": shop["location"].pk, "service": shop["service"].pk},
    )

    assert response.status_code == 200
    assert response.json() == [
        {
            "key": "test_card",
            "label": "Test card",
            "summary": "Pay 40.00 now by test card; the rest at the salon",
            "selected": True,
            "inputs": [],
        }
    ]


def test_api_payment_methods_of_another_salons_service_is_400(shop, card):
    SalonFactory(slug="gamma", name="Gamma")
    response = HttpClient().get(
        "/api/v1/public/gamma/payment-methods/",
        {"location": shop["location"].pk, "service": shop["service"].pk},
    )
    assert response.status_code in (400, 404)


def test_api_payment_methods_without_a_service_is_400_per_field(shop, card):
    response = HttpClient().get(
        "/api/v1/public/alpha/payment-methods/", {"location": shop["location"].pk}
    )

    assert response.status_code == 400
    assert "service" in response.json()


def test_schema_has_the_hold_fields(db, client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    out = schema["components"]["schemas"]["AppointmentOut"]["properties"]
    assert {"status", "hold_expires_at", "payment_url"} <= set(out)
    assert "/api/v1/public/{salon_slug}/payment-methods/" in schema["paths"]


def test_double_submission_while_held_is_the_duplicate_error(shop, card):
    http = HttpClient()
    starts_at = next_wednesday_at(10)
    assert _api_book(http, shop, starts_at).status_code == 201

    again = _api_book(http, shop, starts_at)

    assert again.status_code == 400
    assert again.json()["reason"] == "duplicate"
    assert Appointment.objects.count() == 1


# --- the embed widget -----------------------------------------------------------------------


def test_embed_shows_continue_to_payment_opening_the_whole_window(shop, card):
    # given: the embed's details form for a time
    from segments.embed import _state_sign

    starts_at = next_wednesday_at(10)
    state = _state_sign(
        {
            "location": shop["location"].pk,
            "service": shop["service"].pk,
            "staff": "any",
            "start": starts_at.isoformat(),
            "segment": "",
        }
    )

    # when
    response = HttpClient().post(
        "/s/alpha/embed/details/",
        {**GUEST, "state": state, "payment_method": "test_card"},
    )

    # then
    assert response.status_code == 200, response.content.decode()[:2000]
    page = response.content.decode()
    assert "Continue to payment" in page
    assert 'href="http://testserver/pay/x/" target="_top"' in page
    assert Appointment.objects.get().status == Appointment.Status.HELD


# --- availability and the booking service ---------------------------------------------------


def test_availability_hides_a_live_hold_and_offers_an_expired_one(shop):
    anna = shop["staff"][0]
    starts_at = next_wednesday_at(10)
    hold = _hold(shop, starts_at, staff=anna)

    assert starts_at not in _free_starts(shop, starts_at.date(), anna)
    later = availability_get(
        salon=shop["salon"],
        location=shop["location"],
        service=shop["service"],
        start=starts_at.date(),
        end=starts_at.date(),
        staff=anna,
        now=hold.hold_expires_at + dt.timedelta(seconds=1),
    )
    assert starts_at in {slot.starts_at for slot in later.slots}
    _expire(hold)
    assert starts_at in _free_starts(shop, starts_at.date(), anna)


def test_a_hold_is_not_a_booking_event(shop, events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _hold(shop, next_wednesday_at(10))
    assert events == []

    # while a booking is (the recorder works)
    with django_capture_on_commit_callbacks(execute=True):
        booked = appointment_book(
            salon=shop["salon"],
            request=_request(shop, next_wednesday_at(12)),
            client=ClientFactory(salon=shop["salon"]),
        )
    assert events == [(str(BookingEvent.CREATED), booked.pk, None)]


def test_a_booking_over_an_expired_hold_releases_it_and_succeeds(shop):
    # given an expired hold of Anna's 10:00
    anna = shop["staff"][0]
    starts_at = next_wednesday_at(10)
    hold = _hold(shop, starts_at, staff=anna)
    _expire(hold)

    # when another client books that time (on PostgreSQL: past the exclusion constraint)
    booked = appointment_book(
        salon=shop["salon"],
        request=_request(shop, starts_at, anna),
        client=ClientFactory(salon=shop["salon"]),
    )

    # then: booked; on PostgreSQL the hold was released on the way (its constraint had it);
    # SQLite leaves it to the sweep
    assert booked.status == Appointment.Status.BOOKED
    hold.refresh_from_db()
    if connection.vendor == "postgresql":
        assert hold.status == Appointment.Status.RELEASED
    else:
        assert hold.status == Appointment.Status.HELD
        assert appointments_release_expired_holds() == 1
    # and a payment arriving late cannot book it over the new booking
    with pytest.raises(SlotTaken):
        appointment_hold_confirm(salon=shop["salon"], appointment_id=hold.pk)
    assert Appointment.objects.filter(staff=anna, status="booked").count() == 1


def test_a_late_payment_of_a_lapsed_hold_over_a_new_booking_is_slot_taken(shop):
    # given: a lapsed hold still "held" and, over it, a booking (SQLite allows it; on
    # PostgreSQL the same happens after the booking service released the hold)
    anna = shop["staff"][0]
    starts_at = next_wednesday_at(10)
    hold = _hold(shop, starts_at, staff=anna)
    _expire(hold)
    appointment_book(
        salon=shop["salon"],
        request=_request(shop, starts_at, anna),
        client=ClientFactory(salon=shop["salon"]),
    )

    # when / then
    with pytest.raises(SlotTaken):
        appointment_hold_confirm(salon=shop["salon"], appointment_id=hold.pk)
    hold.refresh_from_db()
    assert hold.status != Appointment.Status.BOOKED


def test_the_same_client_books_again_over_their_own_expired_hold(shop):
    client = ClientFactory(salon=shop["salon"])
    starts_at = next_wednesday_at(10)
    hold = _hold(shop, starts_at, client=client)
    _expire(hold)

    booked = appointment_book(
        salon=shop["salon"], request=_request(shop, starts_at, shop["staff"][0]), client=client
    )

    assert booked.status == Appointment.Status.BOOKED
    hold.refresh_from_db()
    assert hold.status == Appointment.Status.RELEASED


def test_a_live_hold_refuses_another_booking_and_a_duplicate(shop):
    anna = shop["staff"][0]
    client = ClientFactory(salon=shop["salon"])
    starts_at = next_wednesday_at(10)
    _hold(shop, starts_at, client=client, staff=anna)

    with pytest.raises(SlotTaken):
        appointment_book(
            salon=shop["salon"],
            request=_request(shop, starts_at, anna),
            client=ClientFactory(salon=shop["salon"]),
        )
    with pytest.raises(DuplicateBooking):
        appointment_book(salon=shop["salon"], request=_request(shop, starts_at), client=client)


def test_an_owner_cannot_force_a_booking_over_a_live_hold(shop):
    anna = shop["staff"][0]
    starts_at = next_wednesday_at(10)
    _hold(shop, starts_at, staff=anna)

    with pytest.raises(SlotTaken):
        appointment_book(
            salon=shop["salon"],
            request=_request(shop, starts_at, anna),
            client=ClientFactory(salon=shop["salon"]),
            source=Appointment.Source.DASHBOARD,
            enforce_hours=False,
        )


# --- confirm, release, the sweep ------------------------------------------------------------


def test_confirm_books_the_hold_and_publishes_created_once(
    shop, events, django_capture_on_commit_callbacks
):
    hold = _hold(shop, next_wednesday_at(10))

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = appointment_hold_confirm(salon=shop["salon"], appointment_id=hold.pk)
        again = appointment_hold_confirm(salon=shop["salon"], appointment_id=hold.pk)

    assert confirmed.status == again.status == Appointment.Status.BOOKED
    hold.refresh_from_db()
    assert hold.status == Appointment.Status.BOOKED
    assert hold.hold_expires_at is None
    assert events == [(str(BookingEvent.CREATED), hold.pk, "client")]


def test_confirm_of_an_expired_hold_books_it(shop):
    hold = _hold(shop, next_wednesday_at(10))
    _expire(hold)

    confirmed = appointment_hold_confirm(salon=shop["salon"], appointment_id=hold.pk)

    assert confirmed.status == Appointment.Status.BOOKED


def test_confirm_of_a_released_hold_books_it_when_the_time_is_still_free(shop):
    hold = _hold(shop, next_wednesday_at(10))
    assert appointment_hold_release(salon=shop["salon"], appointment_id=hold.pk) is True

    confirmed = appointment_hold_confirm(salon=shop["salon"], appointment_id=hold.pk)

    assert confirmed.status == Appointment.Status.BOOKED


def test_confirm_of_a_released_hold_whose_time_was_taken_is_slot_taken(shop):
    # given: the hold was released and another client booked the time
    anna = shop["staff"][0]
    starts_at = next_wednesday_at(10)
    hold = _hold(shop, starts_at, staff=anna)
    appointment_hold_release(salon=shop["salon"], appointment_id=hold.pk)
    appointment_book(
        salon=shop["salon"],
        request=_request(shop, starts_at, anna),
        client=ClientFactory(salon=shop["salon"]),
    )

    # when / then: refused, and the caller's transaction is still usable
    with transaction.atomic():
        with pytest.raises(SlotTaken):
            appointment_hold_confirm(salon=shop["salon"], appointment_id=hold.pk)
        assert Appointment.objects.filter(pk=hold.pk).values_list("status", flat=True).get() == (
            Appointment.Status.RELEASED
        )


def test_confirm_refuses_a_cancelled_appointment_and_another_salons(shop, other_salon):
    starts_at = next_wednesday_at(10)
    booked = appointment_book(
        salon=shop["salon"],
        request=_request(shop, starts_at, shop["staff"][0]),
        client=ClientFactory(salon=shop["salon"]),
    )
    Appointment.objects.filter(pk=booked.pk).update(status=Appointment.Status.CANCELLED)

    with pytest.raises(ValueError):
        appointment_hold_confirm(salon=shop["salon"], appointment_id=booked.pk)
    with pytest.raises(Appointment.DoesNotExist):
        appointment_hold_confirm(salon=other_salon, appointment_id=booked.pk)


def test_release_is_once_and_only_for_a_hold(shop, other_salon):
    hold = _hold(shop, next_wednesday_at(10))

    assert appointment_hold_release(salon=other_salon, appointment_id=hold.pk) is False
    assert appointment_hold_release(salon=shop["salon"], appointment_id=hold.pk) is True
    assert appointment_hold_release(salon=shop["salon"], appointment_id=hold.pk) is False
    hold.refresh_from_db()
    assert hold.status == Appointment.Status.RELEASED
    assert starts_free(shop, hold)


def starts_free(shop, appointment: Appointment) -> bool:
    return appointment.starts_at in {
        s.astimezone(dt.UTC)
        for s in _free_starts(shop, appointment.starts_at.date(), appointment.staff)
    }


def test_the_sweep_releases_expired_holds_only(shop):
    expired = _hold(shop, next_wednesday_at(10))
    _expire(expired)
    live = _hold(shop, next_wednesday_at(12))

    assert appointments_release_expired_holds() == 1
    assert appointments_release_expired_holds() == 0
    expired.refresh_from_db()
    live.refresh_from_db()
    assert expired.status == Appointment.Status.RELEASED
    assert live.status == Appointment.Status.HELD


def test_the_sweep_task_runs_the_service(shop):
    from bookings.tasks import holds_release_expired

    hold = _hold(shop, next_wednesday_at(10))
    _expire(hold)

    assert holds_release_expired() == 1


def test_a_hold_needs_its_expiry_in_the_database(shop):
    from django.db import IntegrityError

    hold = _hold(shop, next_wednesday_at(10))
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.filter(pk=hold.pk).update(hold_expires_at=None)


# --- races (PostgreSQL) ---------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clients_holding_the_same_time_one_wins(shop):
    anna = shop["staff"][0]
    starts_at = next_wednesday_at(10)
    clients = [ClientFactory(salon=shop["salon"]) for _ in range(2)]

    def hold(client) -> Any:
        def run() -> None:
            try:
                _hold(shop, starts_at, client=client, staff=anna)
            except SlotTaken as exc:
                raise ValidationError("taken") from exc

        return run

    outcomes = race([hold(c) for c in clients])

    assert outcomes == ["ok", "refused"]
    assert Appointment.objects.filter(staff=anna, status="held").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_double_submission_of_a_held_checkout_books_once(shop):
    client = ClientFactory(salon=shop["salon"])
    starts_at = next_wednesday_at(10)

    def submit() -> None:
        try:
            _hold(shop, starts_at, client=client, staff=None)
        except SlotTaken as exc:  # the other staff member's time is not the point here
            raise ValidationError("taken") from exc

    outcomes = race([submit, submit])

    assert outcomes == ["ok", "refused"]
    assert Appointment.objects.filter(client=client).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clients_booking_over_one_expired_hold_one_wins(shop):
    anna = shop["staff"][0]
    starts_at = next_wednesday_at(10)
    expired = _hold(shop, starts_at, staff=anna)
    _expire(expired)
    clients = [ClientFactory(salon=shop["salon"]) for _ in range(2)]

    def book(client) -> Any:
        def run() -> None:
            try:
                appointment_book(
                    salon=shop["salon"], request=_request(shop, starts_at, anna), client=client
                )
            except SlotTaken as exc:
                raise ValidationError("taken") from exc

        return run

    outcomes = race([book(c) for c in clients])

    assert outcomes == ["ok", "refused"]
    assert Appointment.objects.filter(staff=anna, status="booked").count() == 1
    expired.refresh_from_db()
    assert expired.status == Appointment.Status.RELEASED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_exclusion_constraint_covers_holds(shop):
    from django.db import IntegrityError

    anna = shop["staff"][0]
    starts_at = next_wednesday_at(10)
    hold = _hold(shop, starts_at, staff=anna)
    assert connection.vendor == "postgresql"
    with pytest.raises(IntegrityError, match=Appointment.NO_OVERLAP_CONSTRAINT):
        Appointment.objects.create(
            salon=shop["salon"],
            location=shop["location"],
            staff=anna,
            service=shop["service"],
            client=ClientFactory(salon=shop["salon"]),
            starts_at=hold.starts_at,
            ends_at=hold.ends_at,
            block_starts_at=hold.block_starts_at,
            block_ends_at=hold.block_ends_at,
            source="dashboard",
            price=0,
        )


# --- the owner calendar ----------------------------------------------------------------------

CALENDAR = "/dashboard/alpha/calendar/"


def test_calendar_shows_a_live_hold_as_held_until_and_hides_lapsed_ones(shop, owner_client):
    # given: a live hold at 10:00, a lapsed one at 12:00, a released one at 14:00
    day = next_wednesday_at(10)
    live = _hold(shop, day, staff=shop["staff"][0])
    lapsed = _hold(shop, next_wednesday_at(12), staff=shop["staff"][0])
    _expire(lapsed)
    released = _hold(shop, next_wednesday_at(14), staff=shop["staff"][0])
    appointment_hold_release(salon=shop["salon"], appointment_id=released.pk)

    # when
    response = owner_client.get(
        CALENDAR,
        {"location": shop["location"].pk, "date": day.date().isoformat(), "view": "day"},
    )

    # then
    assert response.status_code == 200
    html = response.content.decode()
    until = timezone.localtime(live.hold_expires_at, shop["location"].tzinfo).strftime("%H:%M")
    assert f"Held for payment until {until}" in html
    assert "cal-status-held" in html
    shown = [
        block.item.pk
        for grid_day in response.context["grid"].days
        for column in grid_day.columns
        for block in column.appointments
    ]
    assert shown == [live.pk]
    assert f'data-move-url="{CALENDAR}appointments/{live.pk}/move/"' not in html


def test_the_panel_of_a_hold_offers_no_edit_actions(shop, owner_client):
    hold = _hold(shop, next_wednesday_at(10))

    html = owner_client.get(f"{CALENDAR}appointments/{hold.pk}/").content.decode()

    assert "Held for payment until" in html
    assert "Mark no-show" not in html
    assert "cal-move-form" not in html
