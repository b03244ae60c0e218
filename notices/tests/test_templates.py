from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils.translation import gettext_lazy as _

from notices.checks import check_notice_kinds
from notices.models import NoticeTemplate
from notices.registry import NoticeKind, kind_get, kind_list, register, unregister
from notices.selectors import notice_content_get, notice_kind_overview
from notices.services import notice_template_reset, notice_template_save


def test_every_registered_kind_has_valid_default_texts():
    assert {kind.key for kind in kind_list()} >= {"test"}
    assert check_notice_kinds() == []


def test_system_check_reports_a_kind_whose_default_uses_an_undeclared_variable():
    # given
    register(
        NoticeKind(
            key="broken_kind",
            label=_("Broken"),
            marketing=False,
            email_subject=_("Hello {{ nobody }}"),
            email_body=_("Body"),
            sms_body=_("Body"),
        )
    )
    try:
        # when
        errors = check_notice_kinds()
    finally:
        unregister("broken_kind")

    # then
    assert [(e.id, e.msg) for e in errors] == [
        (
            "notices.E001",
            "broken_kind: Unknown variable(s): nobody. Use only the variables listed for this "
            "notice.",
        )
    ]


def test_manage_py_check_passes():
    call_command("check")


def test_test_kind_is_registered_as_transactional():
    kind = kind_get("test")

    assert kind.marketing is False
    assert sorted(kind.variable_names) == ["recipient", "salon_name"]


def test_registering_another_kind_under_a_taken_key_fails(reminder_kind):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        register(
            NoticeKind(
                key="test_reminder",
                label=_("Other"),
                marketing=True,
                email_subject=_("x"),
                email_body=_("x"),
                sms_body=_("x"),
            )
        )
    assert kind_get("test_reminder") is reminder_kind


def test_without_a_salon_template_the_registry_default_is_used(salon, reminder_kind):
    # when
    content = notice_content_get(salon=salon, kind=reminder_kind, channel="email")

    # then
    assert (content.subject, content.body, content.is_custom) == (
        "See you at {{ salon_name }}",
        "Hi {{ client.first_name }}, see you on {{ starts_at }}.",
        False,
    )


def test_save_creates_then_updates_the_salon_template(salon, reminder_kind):
    # when
    first = notice_template_save(
        salon=salon,
        kind="test_reminder",
        channel="email",
        subject=" Soon ",
        body="A {{ starts_at }}",
    )
    second = notice_template_save(
        salon=salon,
        kind="test_reminder",
        channel="email",
        subject="Tomorrow at {{ salon_name }}",
        body="Dear {{ client.first_name }}",
    )

    # then
    assert first.pk == second.pk
    saved = NoticeTemplate.objects.get()
    assert (saved.salon_id, saved.kind, saved.channel, saved.subject, saved.body) == (
        salon.pk,
        "test_reminder",
        "email",
        "Tomorrow at {{ salon_name }}",
        "Dear {{ client.first_name }}",
    )


def test_sms_template_has_no_subject(salon, reminder_kind):
    template = notice_template_save(
        salon=salon, kind="test_reminder", channel="sms", subject="ignored", body="{{ starts_at }}"
    )

    assert (template.subject, template.body) == ("", "{{ starts_at }}")


@pytest.mark.parametrize(
    ("channel", "subject", "body", "expected"),
    [
        (
            "email",
            "Hi {{ client.email }}",
            "{{ starts_at }}",
            {
                "subject": [
                    "Unknown variable(s): client.email. Use only the variables listed for this "
                    "notice."
                ]
            },
        ),
        (
            "email",
            "Hi",
            "{% load static %}",
            {"body": ["Template tags and comments (“{%”) are not allowed."]},
        ),
        ("email", "", "Body", {"subject": ["An email needs a subject."]}),
        ("email", "Line\nbreak", "Body", {"subject": ["The subject must be a single line."]}),
        ("sms", "", "   ", {"body": ["The text may not be empty."]}),
        (
            "sms",
            "",
            "x" * 1601,
            {"body": ["Ensure this text has at most 1600 characters (it has 1601)."]},
        ),
        (
            "email",
            "x" * 201,
            "Body",
            {"subject": ["Ensure this text has at most 200 characters (it has 201)."]},
        ),
    ],
)
def test_save_rejects_bad_text_and_writes_nothing(
    salon, reminder_kind, channel, subject, body, expected
):
    # when
    with pytest.raises(ValidationError) as caught:
        notice_template_save(
            salon=salon, kind="test_reminder", channel=channel, subject=subject, body=body
        )

    # then
    assert caught.value.message_dict == expected
    assert NoticeTemplate.objects.count() == 0


def test_save_rejected_change_keeps_the_previous_text(salon, reminder_kind):
    # given
    notice_template_save(salon=salon, kind="test_reminder", channel="sms", subject="", body="Old")

    # when
    with pytest.raises(ValidationError):
        notice_template_save(
            salon=salon, kind="test_reminder", channel="sms", subject="", body="{{ bad }}"
        )

    # then
    assert list(NoticeTemplate.objects.values_list("body", flat=True)) == ["Old"]


@pytest.mark.parametrize(
    ("kind", "channel", "expected"),
    [
        ("nope", "email", {"kind": ["Unknown notice kind."]}),
        ("test", "fax", {"channel": ["Unknown channel."]}),
    ],
)
def test_save_rejects_unknown_kind_or_channel(salon, kind, channel, expected):
    with pytest.raises(ValidationError) as caught:
        notice_template_save(salon=salon, kind=kind, channel=channel, subject="S", body="B")

    assert caught.value.message_dict == expected
    assert NoticeTemplate.objects.count() == 0


def test_another_salons_template_is_never_used(salon, other_salon, reminder_kind):
    # given
    notice_template_save(
        salon=other_salon, kind="test_reminder", channel="email", subject="Beta", body="Beta body"
    )

    # when
    content = notice_content_get(salon=salon, kind=reminder_kind, channel="email")
    overview = {row.kind.key: row for row in notice_kind_overview(salon=salon)}

    # then
    assert (content.subject, content.is_custom) == ("See you at {{ salon_name }}", False)
    assert [c.is_custom for c in overview["test_reminder"].contents] == [False, False]


def test_reset_returns_to_the_default_for_this_salon_only(salon, other_salon, reminder_kind):
    # given
    for each in (salon, other_salon):
        notice_template_save(
            salon=each, kind="test_reminder", channel="sms", subject="", body="Mine"
        )

    # when
    notice_template_reset(salon=salon, kind="test_reminder", channel="sms")

    # then
    assert list(NoticeTemplate.objects.values_list("salon__slug", flat=True)) == ["beta"]
