"""Refunds: amounts bounded by what was paid, provider failures visible and retried with the
same idempotency key, the refund policy on a client's cancellation, the salon's cancellation,
and the whole road: held booking → signed paid webhook → booked → client cancels → refund at
the (fake) provider in minor units."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient

from bookings.events import Actor, acting_as
from bookings.models import Appointment
from bookings.services.booking import appointment_set_status
from bookings.services.self_service import appointment_cancel_by_client
from notices.models import Notice
from payments.models import Order, Payment, PaymentSettings, Prepayment, Refund, RefundPolicy
from payments.services.orders import appointment_record_paid_at_salon
from payments.services.refunds import (
    refund_create,
    refunds_for_cancelled_appointment,
    refunds_retry,
)
from payments.services.settings import service_payment_set
from payments.tests.conftest import book_online, open_session, order_of, post_event, session_event


@pytest.fixture
def paid(online_shop, django_capture_on_commit_callbacks):
    online_shop["salon"].cancellation_cutoff_hours = 0
    online_shop["salon"].save()
    appointment = book_online(online_shop)
    order = order_of(appointment)
    payment = open_session(HttpClient(), order)
    with django_capture_on_commit_callbacks(execute=True):
        post_event(HttpClient(), session_event(payment))
    order.refresh_from_db()
    appointment.refresh_from_db()
    assert order.status == Order.Status.PAID and appointment.status == "booked"
    return {"shop": online_shop, "salon": online_shop["salon"], "order": order,
            "appointment": appointment, "payment": payment}  # fmt: skip


def test_end_to_end_paid_booking_cancelled_by_the_client_is_refunded(
    paid, fake_stripe, django_capture_on_commit_callbacks
):
    assert Notice.objects.filter(kind="booking_confirmation").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel_by_client(appointment=paid["appointment"])
    refund = Refund.objects.get()
    assert (refund.amount, refund.reason, refund.status) == (
        Decimal("40.00"), Refund.Reason.CLIENT_CANCELLED, Refund.Status.SUCCEEDED,
    )  # fmt: skip
    calls = fake_stripe.posts("/v1/refunds")
    assert len(calls) == 1
    assert calls[0]["params"]["amount"] == "4000"
    assert calls[0]["params"]["payment_intent"] == "pi_test_1"
    assert (
        calls[0]["key"]
        == refund.idempotency_key
        == f"cancel-{paid['order'].pk}-{paid['payment'].pk}"
    )
    paid["order"].refresh_from_db()
    assert paid["order"].status == Order.Status.REFUNDED
    assert paid["order"].amount_refunded == Decimal("40.00")


def test_the_cancel_handler_running_twice_refunds_once(
    paid, fake_stripe, django_capture_on_commit_callbacks
):
    Appointment.objects.filter(pk=paid["appointment"].pk).update(status="cancelled")
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            refunds_for_cancelled_appointment(
                salon=paid["salon"], appointment_id=paid["appointment"].pk, by_client=True
            )
    assert Refund.objects.count() == 1
    assert len(fake_stripe.posts("/v1/refunds")) == 1


def _policy(salon, policy: str) -> None:
    PaymentSettings.objects.filter(salon=salon).update(refund_policy=policy)


def test_policy_none_refunds_nothing(paid):
    _policy(paid["salon"], RefundPolicy.NONE)
    Appointment.objects.filter(pk=paid["appointment"].pk).update(status="cancelled")
    refunds_for_cancelled_appointment(
        salon=paid["salon"], appointment_id=paid["appointment"].pk, by_client=True
    )
    assert not Refund.objects.exists()


def test_policy_deposit_kept_full_prepayment_without_deposit_rule_is_refunded_in_full(paid):
    _policy(paid["salon"], RefundPolicy.DEPOSIT_KEPT)
    Appointment.objects.filter(pk=paid["appointment"].pk).update(status="cancelled")
    refunds_for_cancelled_appointment(
        salon=paid["salon"], appointment_id=paid["appointment"].pk, by_client=True
    )
    assert Refund.objects.get().amount == Decimal("40.00")


def test_policy_deposit_kept_full_prepayment_keeps_the_services_deposit(paid):
    _policy(paid["salon"], RefundPolicy.DEPOSIT_KEPT)
    service_payment_set(salon=paid["salon"], service=paid["shop"]["service"],
                        prepayment=Prepayment.DEPOSIT_FIXED, amount=Decimal("15"))  # fmt: skip
    Appointment.objects.filter(pk=paid["appointment"].pk).update(status="cancelled")
    for _ in range(2):  # idempotent
        refunds_for_cancelled_appointment(
            salon=paid["salon"], appointment_id=paid["appointment"].pk, by_client=True
        )
    assert Refund.objects.get().amount == Decimal("25.00")


def test_policy_deposit_kept_a_deposit_order_is_not_refunded(online_shop):
    salon = online_shop["salon"]
    _policy(salon, RefundPolicy.DEPOSIT_KEPT)
    service_payment_set(salon=salon, service=online_shop["service"],
                        prepayment=Prepayment.DEPOSIT_PERCENT, amount=Decimal("50"))  # fmt: skip
    appointment = book_online(online_shop)
    payment = open_session(HttpClient(), order_of(appointment))
    post_event(HttpClient(), session_event(payment))
    Appointment.objects.filter(pk=appointment.pk).update(status="cancelled")
    refunds_for_cancelled_appointment(salon=salon, appointment_id=appointment.pk, by_client=True)
    assert not Refund.objects.exists()
    # but the salon cancelling refunds the deposit
    refunds_for_cancelled_appointment(salon=salon, appointment_id=appointment.pk, by_client=False)
    refund = Refund.objects.get()
    assert (refund.amount, refund.reason) == (Decimal("20.00"), Refund.Reason.SALON)


def test_cancelled_by_the_salon_is_refunded_in_full_whatever_the_policy(
    paid, django_capture_on_commit_callbacks
):
    _policy(paid["salon"], RefundPolicy.NONE)
    with django_capture_on_commit_callbacks(execute=True), acting_as(Actor.SALON):
        appointment_set_status(appointment=paid["appointment"], status="cancelled")
    refund = Refund.objects.get()
    assert (refund.amount, refund.reason) == (Decimal("40.00"), Refund.Reason.SALON)


def test_partial_refunds_never_exceed_what_was_paid(paid):
    salon, order_id = paid["salon"], paid["order"].pk
    refund_create(salon=salon, order_id=order_id, amount=Decimal("15"), actor=None)
    paid["order"].refresh_from_db()
    assert paid["order"].status == Order.Status.PARTLY_REFUNDED
    with pytest.raises(ValidationError) as exc:
        refund_create(salon=salon, order_id=order_id, amount=Decimal("25.01"), actor=None)
    assert "amount" in exc.value.message_dict
    for bad in (Decimal("0"), Decimal("-1"), "abc", Decimal("NaN")):
        with pytest.raises(ValidationError) as exc:
            refund_create(salon=salon, order_id=order_id, amount=bad, actor=None)  # type: ignore[arg-type]
        assert "amount" in exc.value.message_dict
    refunds = refund_create(salon=salon, order_id=order_id, amount=None, actor=None)
    assert [r.amount for r in refunds] == [Decimal("25.00")]
    with pytest.raises(ValidationError):
        refund_create(salon=salon, order_id=order_id, amount=None, actor=None)
    payment = Payment.objects.get()
    assert payment.amount_refunded == payment.amount == Decimal("40.00")


def test_another_salons_order_is_not_found(paid, other_salon):
    with pytest.raises(Order.DoesNotExist):
        refund_create(salon=other_salon, order_id=paid["order"].pk, amount=None, actor=None)


def test_an_unpaid_order_cannot_be_refunded(online_shop):
    order = order_of(book_online(online_shop))
    with pytest.raises(ValidationError) as exc:
        refund_create(salon=online_shop["salon"], order_id=order.pk, amount=None, actor=None)
    assert "order" in exc.value.message_dict


def test_a_provider_failure_is_visible_and_the_sweep_retries_with_the_same_key(
    paid, fake_stripe, django_capture_on_commit_callbacks
):
    fake_stripe.fail_refunds = True
    with django_capture_on_commit_callbacks(execute=True):
        refund_create(salon=paid["salon"], order_id=paid["order"].pk, amount=None, actor=None)
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.FAILED
    assert refund.attempts == 1 and "could not be refunded" in refund.last_error
    fake_stripe.fail_refunds = False
    assert refunds_retry(older_than_seconds=0) == 1
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED
    keys = {c["key"] for c in fake_stripe.posts("/v1/refunds")}
    assert keys == {refund.idempotency_key}
    # nothing more to retry
    assert refunds_retry(older_than_seconds=0) == 0


def test_paid_at_salon_record_and_its_refund_are_only_recorded(shop, owner, fake_stripe):
    from bookings.services.booking import BookingRequest, appointment_book
    from bookings.tests.test_public_booking import next_wednesday_at
    from tests.factories import ClientFactory

    salon = shop["salon"]
    appointment = appointment_book(
        salon=salon,
        request=BookingRequest(location=shop["location"], service=shop["service"],
                               starts_at=next_wednesday_at(10)),
        client=ClientFactory(salon=salon),
        source=Appointment.Source.ONLINE,
    )  # fmt: skip
    order = appointment_record_paid_at_salon(
        salon=salon, appointment_id=appointment.pk, amount=None, actor=owner
    )
    assert (order.status, order.total, order.provider) == ("paid", Decimal("40.00"), "pay_at_salon")
    with pytest.raises(ValidationError):
        appointment_record_paid_at_salon(
            salon=salon, appointment_id=appointment.pk, amount=None, actor=owner
        )
    refunds = refund_create(salon=salon, order_id=order.pk, amount=Decimal("10"), actor=owner)
    assert refunds[0].status == Refund.Status.SUCCEEDED
    assert not fake_stripe.posts("/v1/refunds")
    order.refresh_from_db()
    assert order.status == Order.Status.PARTLY_REFUNDED


def test_paid_at_salon_after_a_deposit_online_records_the_rest(online_shop, owner):
    salon = online_shop["salon"]
    service_payment_set(salon=salon, service=online_shop["service"],
                        prepayment=Prepayment.DEPOSIT_FIXED, amount=Decimal("10"))  # fmt: skip
    appointment = book_online(online_shop)
    payment = open_session(HttpClient(), order_of(appointment))
    post_event(HttpClient(), session_event(payment))
    with pytest.raises(ValidationError) as exc:
        appointment_record_paid_at_salon(
            salon=salon, appointment_id=appointment.pk, amount=Decimal("-5"), actor=owner
        )
    assert "amount" in exc.value.message_dict
    order = appointment_record_paid_at_salon(
        salon=salon, appointment_id=appointment.pk, amount=None, actor=owner
    )
    assert order.total == Decimal("30.00")
