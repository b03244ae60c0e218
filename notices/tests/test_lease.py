"""Lost notices are re-sent about a minute later (the claim lease, NOTICE_LEASE_SECONDS, and a
30-second sweep), while a send still within its lease and a notice waiting for its backoff
retry are left alone."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from notices import services, sms
from notices.models import Notice
from notices.tests.test_delivery import _pending


def test_the_lease_outlives_one_attempt_and_a_lost_notice_goes_out_within_a_minute():
    assert settings.NOTICE_LEASE_SECONDS == 45
    assert max(settings.EMAIL_TIMEOUT, settings.SMS_TIMEOUT) < settings.NOTICE_LEASE_SECONDS
    from notices.tasks import notice_deliver

    assert notice_deliver.time_limit < settings.NOTICE_LEASE_SECONDS
    schedule = settings.CELERY_BEAT_SCHEDULE["notices-retry-stuck"]["schedule"]
    assert settings.NOTICE_LEASE_SECONDS + schedule <= 60


def test_a_notice_lost_a_minute_ago_is_resent_a_recent_claim_is_not(
    salon, django_capture_on_commit_callbacks
):
    # given
    now = timezone.now()
    died_mid_send = _pending(
        salon, status=Notice.Status.SENDING, claimed_at=now - dt.timedelta(seconds=75), attempts=1
    )
    never_queued = _pending(salon, created_at=now - dt.timedelta(seconds=75))
    still_sending = _pending(
        salon, status=Notice.Status.SENDING, claimed_at=now - dt.timedelta(seconds=20), attempts=1
    )
    waiting_backoff = _pending(
        salon, created_at=now - dt.timedelta(minutes=5),
        claimed_at=now - dt.timedelta(minutes=4), attempts=2,
    )  # fmt: skip

    # when
    with django_capture_on_commit_callbacks(execute=True):
        count = services.notices_requeue_stale()

    # then
    assert count == 2
    statuses = dict(Notice.objects.values_list("pk", "status"))
    assert statuses[died_mid_send.pk] == Notice.Status.SENT
    assert statuses[never_queued.pk] == Notice.Status.SENT
    assert statuses[still_sending.pk] == Notice.Status.SENDING
    assert statuses[waiting_backoff.pk] == Notice.Status.PENDING
    assert len(sms.outbox) == 2
