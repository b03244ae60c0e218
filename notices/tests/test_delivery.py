from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from notices import services, sms
from notices.models import Notice
from notices.services import notice_retry, notice_send, notices_requeue_stale
from notices.tasks import MAX_RETRIES, notice_deliver
from notices.tasks import notices_requeue_stale as notices_requeue_stale_task


def _pending(salon, channel: str = "sms", recipient: str = "+37251234567", **fields) -> Notice:
    """A recorded notice whose delivery has not been enqueued (on-commit callbacks not run)."""
    notice = notice_send(salon=salon, kind="test", channel=channel, recipient=recipient, context={})
    if fields:
        Notice.objects.filter(pk=notice.pk).update(**fields)
        notice.refresh_from_db()
    return notice


def test_failing_backend_is_retried_then_left_failed_with_its_error(
    salon, settings, django_capture_on_commit_callbacks
):
    # given
    settings.SMS_BACKEND = "notices.tests.backends.FailingSmsBackend"

    # when: eager mode runs the retries at once
    with django_capture_on_commit_callbacks(execute=True):
        notice = notice_send(
            salon=salon, kind="test", channel="sms", recipient="+37251234567", context={}
        )

    # then
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.last_error, notice.sent_at) == (
        Notice.Status.FAILED,
        MAX_RETRIES + 1,
        "SmsDeliveryError: provider down",
        None,
    )
    assert sms.outbox == []


def test_failing_email_backend_records_the_error(
    salon, settings, django_capture_on_commit_callbacks
):
    # given
    settings.EMAIL_BACKEND = "notices.tests.backends.FailingEmailBackend"

    # when
    with django_capture_on_commit_callbacks(execute=True):
        notice = notice_send(
            salon=salon, kind="test", channel="email", recipient="a@example.test", context={}
        )

    # then
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.last_error) == (
        Notice.Status.FAILED,
        MAX_RETRIES + 1,
        "ConnectionRefusedError: smtp down",
    )


def test_permanent_failure_is_not_retried(salon, settings, django_capture_on_commit_callbacks):
    # given
    settings.SMS_BACKEND = "notices.tests.backends.RejectingSmsBackend"

    # when
    with django_capture_on_commit_callbacks(execute=True):
        notice = notice_send(
            salon=salon, kind="test", channel="sms", recipient="+37251234567", context={}
        )

    # then
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.last_error) == (
        Notice.Status.FAILED,
        1,
        "PermanentDeliveryError: number rejected",
    )


def test_a_failed_attempt_that_is_not_the_last_goes_back_to_pending(salon, settings):
    # given
    settings.SMS_BACKEND = "notices.tests.backends.FailingSmsBackend"
    notice = _pending(salon)

    # when
    with pytest.raises(services.NoticeDeliveryError):
        services.notice_deliver(notice_id=notice.pk, last_attempt=False)

    # then
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.last_error) == (
        Notice.Status.PENDING,
        1,
        "SmsDeliveryError: provider down",
    )


def test_delivering_the_same_notice_twice_sends_one_message(salon):
    # given
    notice = _pending(salon)

    # when: a duplicate task delivery (redelivered message, requeue, double enqueue)
    notice_deliver.delay(notice.pk)
    notice_deliver.delay(notice.pk)

    # then
    assert len(sms.outbox) == 1
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Notice.Status.SENT, 1)


def test_a_notice_being_sent_by_another_worker_is_not_claimed(salon):
    # given
    notice = _pending(salon, status=Notice.Status.SENDING)

    # when
    result = services.notice_deliver(notice_id=notice.pk, last_attempt=True)

    # then
    assert result is None
    assert sms.outbox == []
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Notice.Status.SENDING, 0)


def test_delivering_a_missing_notice_does_nothing(db):
    assert services.notice_deliver(notice_id=999_999, last_attempt=True) is None


def test_requeue_stale_redelivers_lost_and_stuck_notices_only(
    salon, django_capture_on_commit_callbacks
):
    # given
    long_ago = timezone.now() - dt.timedelta(minutes=30)
    lost = _pending(salon, created_at=long_ago)
    stuck = _pending(salon, status=Notice.Status.SENDING, claimed_at=long_ago, attempts=1)
    fresh = _pending(salon)
    waiting_retry = _pending(salon, created_at=long_ago, claimed_at=timezone.now(), attempts=1)
    sent = _pending(salon, status=Notice.Status.SENT, created_at=long_ago)
    exhausted = _pending(
        salon, status=Notice.Status.SENDING, claimed_at=long_ago, attempts=services.MAX_ATTEMPTS
    )

    # when
    with django_capture_on_commit_callbacks(execute=True):
        count = notices_requeue_stale()

    # then
    assert count == 2
    statuses = dict(Notice.objects.values_list("pk", "status"))
    assert statuses == {
        lost.pk: Notice.Status.SENT,
        stuck.pk: Notice.Status.SENT,
        fresh.pk: Notice.Status.PENDING,
        waiting_retry.pk: Notice.Status.PENDING,
        sent.pk: Notice.Status.SENT,
        exhausted.pk: Notice.Status.FAILED,
    }
    assert len(sms.outbox) == 2


def test_requeue_task_runs_the_sweep(salon, django_capture_on_commit_callbacks):
    # given
    _pending(salon, created_at=timezone.now() - dt.timedelta(hours=1))

    # when
    with django_capture_on_commit_callbacks(execute=True):
        result = notices_requeue_stale_task.delay()

    # then
    assert result.get() == 1
    assert len(sms.outbox) == 1


def test_retry_puts_a_failed_notice_back_and_delivers_it(salon, django_capture_on_commit_callbacks):
    # given
    notice = _pending(salon, status=Notice.Status.FAILED, attempts=6, last_error="boom")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        notice_retry(salon=salon, notice=notice)

    # then
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.last_error) == (Notice.Status.SENT, 7, "")
    assert len(sms.outbox) == 1


def test_retry_of_a_notice_that_is_not_failed_is_refused(salon):
    notice = _pending(salon, status=Notice.Status.SENT)

    with pytest.raises(ValidationError):
        notice_retry(salon=salon, notice=notice)

    notice.refresh_from_db()
    assert notice.status == Notice.Status.SENT
    assert mail.outbox == []


def test_a_broker_outage_at_enqueue_leaves_the_notice_pending_for_the_sweep(
    salon, django_capture_on_commit_callbacks
):
    # given: the broker refuses the message
    broker_down = mock.patch.object(
        notice_deliver, "apply_async", side_effect=ConnectionError("redis down")
    )

    # when
    with broker_down, django_capture_on_commit_callbacks(execute=True):
        notice = notice_send(
            salon=salon, kind="test", channel="sms", recipient="+37251234567", context={}
        )

    # then: no exception for the caller; recorded and waiting
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Notice.Status.PENDING, 0)
    assert sms.outbox == []
