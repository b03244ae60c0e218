from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from notices import sms
from notices.models import Notice
from notices.services import (
    client_notice_channel,
    notice_send,
    notice_send_to_client,
    notice_template_save,
)
from tests.factories import ClientFactory


def test_send_email_records_the_notice_and_delivers_it_after_commit(
    salon, reminder_kind, django_capture_on_commit_callbacks
):
    # given
    client = ClientFactory(salon=salon, first_name="Anna", email="anna@example.test")

    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notice = notice_send(
            salon=salon,
            kind="test_reminder",
            channel="email",
            recipient="anna@example.test",
            context={"client": client, "starts_at": "1 March <10:00>"},
            client=client,
        )
        assert Notice.objects.get().status == Notice.Status.PENDING
        assert mail.outbox == []

    # then
    assert len(callbacks) == 1
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.last_error) == (Notice.Status.SENT, 1, "")
    assert notice.sent_at is not None
    assert (notice.salon_id, notice.client_id, notice.recipient) == (
        salon.pk,
        client.pk,
        "anna@example.test",
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna@example.test"]
    assert message.subject == "See you at Alpha Hair"
    assert message.body == "Hi Anna, see you on 1 March <10:00>."
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "<p>Hi Anna, see you on 1 March &lt;10:00&gt;.</p>" in html
    assert "<10:00>" not in html


def test_send_uses_the_salons_own_text(salon, reminder_kind, django_capture_on_commit_callbacks):
    # given
    notice_template_save(
        salon=salon, kind="test_reminder", channel="sms", subject="", body="Own {{ starts_at }}"
    )

    # when
    with django_capture_on_commit_callbacks(execute=True):
        notice_send(
            salon=salon,
            kind="test_reminder",
            channel="sms",
            recipient="+372 5123 4567",
            context={"starts_at": "Fri"},
        )

    # then
    assert sms.outbox == [sms.SmsMessage(to="+37251234567", body="Own Fri")]
    notice = Notice.objects.get()
    assert (notice.recipient, notice.subject, notice.body, notice.body_html, notice.status) == (
        "+37251234567",
        "",
        "Own Fri",
        "",
        Notice.Status.SENT,
    )


@pytest.mark.parametrize(
    ("channel", "recipient", "message"),
    [
        ("email", "not-an-email", "Enter a valid email address."),
        ("sms", "12", "Enter a valid phone number, e.g. +3725123456."),
        ("sms", "", "Enter a valid phone number, e.g. +3725123456."),
    ],
)
def test_send_rejects_a_bad_recipient_and_records_nothing(
    salon, channel, recipient, message, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as caught:
        notice_send(salon=salon, kind="test", channel=channel, recipient=recipient, context={})

    assert caught.value.message_dict == {"recipient": [message]}
    assert Notice.objects.count() == 0
    assert (mail.outbox, sms.outbox) == ([], [])


def test_send_of_an_unknown_kind_is_a_programming_error(salon):
    with pytest.raises(LookupError):
        notice_send(salon=salon, kind="nope", channel="email", recipient="a@b.test", context={})

    assert Notice.objects.count() == 0


def test_send_refuses_another_salons_client(salon, other_salon):
    client = ClientFactory(salon=other_salon)

    with pytest.raises(ValueError):
        notice_send(
            salon=salon,
            kind="test",
            channel="email",
            recipient="a@b.test",
            context={},
            client=client,
        )

    assert Notice.objects.count() == 0


def test_dedupe_key_makes_the_second_send_return_the_first_notice(
    salon, django_capture_on_commit_callbacks
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        first = notice_send(
            salon=salon,
            kind="test",
            channel="email",
            recipient="a@example.test",
            context={"recipient": "a"},
            dedupe_key="confirmation:42",
        )

    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = notice_send(
            salon=salon,
            kind="test",
            channel="email",
            recipient="a@example.test",
            context={"recipient": "a"},
            dedupe_key="confirmation:42",
        )

    # then
    assert second.pk == first.pk
    assert callbacks == []
    assert Notice.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_same_dedupe_key_in_another_salon_is_independent(salon, other_salon):
    for each in (salon, other_salon):
        notice_send(
            salon=each,
            kind="test",
            channel="email",
            recipient="a@example.test",
            context={},
            dedupe_key="k",
        )

    assert sorted(Notice.objects.values_list("salon__slug", flat=True)) == ["alpha", "beta"]


# --- Clients: consent and channel preference ------------------------------------------------


def test_marketing_kind_is_not_sent_without_consent(
    salon, marketing_kind, django_capture_on_commit_callbacks
):
    # given
    client = ClientFactory(salon=salon, marketing_consent=False, phone="+37251234567")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        result = notice_send_to_client(client=client, kind="test_points", context={"points": 5})

    # then
    assert result is None
    assert Notice.objects.count() == 0
    assert (mail.outbox, sms.outbox) == ([], [])


def test_marketing_kind_cannot_bypass_consent_through_notice_send(salon, marketing_kind):
    client = ClientFactory(salon=salon, marketing_consent=False)

    for kwargs in ({}, {"client": client}):
        with pytest.raises(ValidationError) as caught:
            notice_send(
                salon=salon,
                kind="test_points",
                channel="email",
                recipient="a@example.test",
                context={},
                **kwargs,
            )
        assert caught.value.code == "no_marketing_consent"
    assert Notice.objects.count() == 0


def test_marketing_kind_is_sent_with_consent(
    salon, marketing_kind, django_capture_on_commit_callbacks
):
    # given
    client = ClientFactory(salon=salon, marketing_consent=True, email="m@example.test")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        notice = notice_send_to_client(client=client, kind="test_points", context={"points": 5})

    # then
    assert notice is not None
    assert [(m.to, m.subject) for m in mail.outbox] == [(["m@example.test"], "You earned 5 points")]


@pytest.mark.parametrize(
    ("preferred", "email", "phone", "expected"),
    [
        ("email", "c@example.test", "+37251234567", "email"),
        ("sms", "c@example.test", "+37251234567", "sms"),
        ("sms", "c@example.test", "", "email"),
        ("email", "", "+37251234567", "sms"),
        ("email", "", "", None),
    ],
)
def test_client_channel_follows_preference_with_fallback(salon, preferred, email, phone, expected):
    client = ClientFactory(salon=salon, preferred_channel=preferred, email=email, phone=phone)

    assert client_notice_channel(client) == expected


def test_transactional_notice_goes_by_preferred_sms(
    salon, reminder_kind, django_capture_on_commit_callbacks
):
    # given
    client = ClientFactory(
        salon=salon,
        first_name="Anna",
        preferred_channel="sms",
        email="c@example.test",
        phone="+37251234567",
        marketing_consent=False,
    )

    # when
    with django_capture_on_commit_callbacks(execute=True):
        notice = notice_send_to_client(
            client=client, kind="test_reminder", context={"starts_at": "Mon 9:00"}
        )

    # then
    assert (notice.channel, notice.recipient, notice.client_id) == (
        "sms",
        "+37251234567",
        client.pk,
    )
    assert sms.outbox == [
        sms.SmsMessage(to="+37251234567", body="Alpha Hair: see you on Mon 9:00.")
    ]
    assert mail.outbox == []


def test_transactional_notice_falls_back_to_email_when_phone_is_missing(
    salon, reminder_kind, django_capture_on_commit_callbacks
):
    # given
    client = ClientFactory(
        salon=salon, first_name="Anna", preferred_channel="sms", email="c@example.test", phone=""
    )

    # when
    with django_capture_on_commit_callbacks(execute=True):
        notice = notice_send_to_client(client=client, kind="test_reminder", context={})

    # then
    assert (notice.channel, notice.recipient) == ("email", "c@example.test")
    assert [m.body for m in mail.outbox] == ["Hi Anna, see you on ."]
    assert sms.outbox == []


def test_client_without_any_address_gets_nothing(salon, reminder_kind):
    client = ClientFactory(salon=salon, email="", phone="")

    assert notice_send_to_client(client=client, kind="test_reminder") is None
    assert Notice.objects.count() == 0
