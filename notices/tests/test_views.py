from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from notices import sms
from notices.models import Notice, NoticeTemplate
from notices.services import notice_send, notice_template_save
from tests.factories import ClientFactory


def _url(name: str, slug: str = "alpha", **kwargs) -> str:
    return reverse(f"dashboard:{name}", kwargs={"salon_slug": slug, **kwargs})


def _notice(salon, **fields) -> Notice:
    notice = notice_send(
        salon=salon, kind="test", channel="email", recipient="x@example.test", context={}
    )
    if fields:
        Notice.objects.filter(pk=notice.pk).update(**fields)
    return notice


def _routes(notice_pk: int, slug: str = "alpha") -> list[tuple[str, str]]:
    return [
        ("get", _url("notices", slug)),
        ("post", _url("notice_send_test", slug)),
        ("get", _url("notice_template_edit", slug, kind="test", channel="email")),
        ("post", _url("notice_template_edit", slug, kind="test", channel="email")),
        ("post", _url("notice_template_reset", slug, kind="test", channel="email")),
        ("get", _url("notice_detail", slug, pk=notice_pk)),
        ("post", _url("notice_retry", slug, pk=notice_pk)),
    ]


def test_another_salons_pages_are_404(owner_client, salon, other_salon):
    # given
    notice = _notice(other_salon, status=Notice.Status.FAILED)

    for method, url in _routes(notice.pk, slug="beta"):
        # when
        response = getattr(owner_client, method)(url, {"channel": "email", "body": "x"})

        # then
        assert response.status_code == 404, url
    assert Notice.objects.get().status == Notice.Status.FAILED
    assert NoticeTemplate.objects.count() == 0


def test_another_salons_notice_ids_are_404_under_my_salon(owner_client, salon, other_salon):
    # given
    notice = _notice(other_salon, status=Notice.Status.FAILED)

    for method, url in _routes(notice.pk)[-2:]:
        # when
        response = getattr(owner_client, method)(url)

        # then
        assert response.status_code == 404, url
    assert Notice.objects.get().status == Notice.Status.FAILED


def test_strangers_get_404_everywhere(stranger, salon):
    # given
    http = HttpClient()
    http.force_login(stranger)
    notice = _notice(salon)

    for method, url in _routes(notice.pk):
        assert getattr(http, method)(url).status_code == 404, url


def test_staff_without_manage_rights_are_refused(staff_user, salon):
    http = HttpClient()
    http.force_login(staff_user)
    notice = _notice(salon)

    for method, url in _routes(notice.pk):
        assert getattr(http, method)(url).status_code == 403, url


def test_anonymous_users_are_sent_to_log_in(client, salon):
    notice = _notice(salon)

    for method, url in _routes(notice.pk):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


@pytest.mark.parametrize(
    "url_kwargs",
    [{"kind": "nope", "channel": "email"}, {"kind": "test", "channel": "fax"}],
)
def test_unknown_kind_or_channel_is_404(owner_client, url_kwargs):
    assert owner_client.get(_url("notice_template_edit", **url_kwargs)).status_code == 404
    assert owner_client.post(_url("notice_template_reset", **url_kwargs)).status_code == 404


def test_overview_lists_kinds_and_recent_notices_in_bounded_queries(
    owner_client, salon, other_salon, django_assert_max_num_queries
):
    # given
    for n in range(15):
        client = ClientFactory(salon=salon, first_name=f"C{n}")
        notice_send(
            salon=salon,
            kind="test",
            channel="email",
            recipient=f"c{n}@example.test",
            context={},
            client=client,
        )
    _notice(other_salon, recipient="theirs@example.test")
    notice_template_save(salon=salon, kind="test", channel="sms", subject="", body="Mine")

    # when
    with django_assert_max_num_queries(5):
        response = owner_client.get(_url("notices"))

    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert len(response.context["notices"]) == 15
    assert "theirs@example.test" not in page
    assert "c14@example.test" in page
    assert "{{ salon_name }}" in page
    row = next(r for r in response.context["overview"] if r.kind.key == "test")
    assert [(c.channel, c.is_custom) for c in row.contents] == [("email", False), ("sms", True)]


def test_overview_filters_by_status(owner_client, salon):
    # given
    failed = _notice(salon, status=Notice.Status.FAILED, last_error="SMTP 550 no such user")
    _notice(salon, status=Notice.Status.SENT)

    # when
    response = owner_client.get(_url("notices"), {"status": "failed"})

    # then
    assert [n.pk for n in response.context["notices"]] == [failed.pk]
    assert "SMTP 550 no such user" in response.content.decode()


def test_overview_ignores_an_invalid_status_filter(owner_client, salon):
    _notice(salon)

    response = owner_client.get(_url("notices"), {"status": "bogus"})

    assert response.status_code == 200
    assert len(response.context["notices"]) == 1
    assert response.context["filter_form"].errors == {
        "status": ["Select a valid choice. bogus is not one of the available choices."]
    }


def test_edit_page_shows_the_default_text_and_variables(owner_client, salon):
    response = owner_client.get(_url("notice_template_edit", kind="test", channel="email"))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial == {
        "subject": "Test message from {{ salon_name }}",
        "body": (
            "Hello,\n\nthis is a test message from {{ salon_name }} to {{ recipient }}.\n"
            "If you can read it, notices reach you."
        ),
    }
    page = response.content.decode()
    assert "{{ recipient }}" in page
    assert "Address the test was sent to" in page


def test_sms_edit_page_has_no_subject(owner_client, salon):
    response = owner_client.get(_url("notice_template_edit", kind="test", channel="sms"))

    assert list(response.context["form"].fields) == ["body"]


def test_edit_saves_the_salons_text(owner_client, salon):
    # when
    response = owner_client.post(
        _url("notice_template_edit", kind="test", channel="email"),
        {"subject": "Hi from {{ salon_name }}", "body": "Testing {{ recipient }}"},
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == _url("notices")
    template = NoticeTemplate.objects.get()
    assert (
        template.salon_id,
        template.kind,
        template.channel,
        template.subject,
        template.body,
    ) == (
        salon.pk,
        "test",
        "email",
        "Hi from {{ salon_name }}",
        "Testing {{ recipient }}",
    )


@pytest.mark.parametrize(
    ("channel", "data", "errors"),
    [
        (
            "email",
            {"subject": "Hi {{ client.first_name }}", "body": "ok"},
            {
                "subject": [
                    "Unknown variable(s): client.first_name. Use only the variables listed for "
                    "this notice."
                ]
            },
        ),
        (
            "email",
            {"subject": "Hi", "body": "{% load static %}{{ recipient }}"},
            {"body": ["Template tags and comments (“{%”) are not allowed."]},
        ),
        (
            "email",
            {"subject": "Hi", "body": "{{ recipient|upper }}"},
            {
                "body": [
                    "“{{ recipient|upper }}” is not a valid placeholder. Write a variable name "
                    "from the list between double braces, for example {{ salon_name }}; filters "
                    "and tags are not supported."
                ]
            },
        ),
        (
            "sms",
            {"body": "x" * 1601},
            {"body": ["Ensure this value has at most 1600 characters (it has 1601)."]},
        ),
        (
            "email",
            {"subject": "s" * 201, "body": "ok"},
            {"subject": ["Ensure this value has at most 200 characters (it has 201)."]},
        ),
        (
            "email",
            {"subject": "", "body": ""},
            {"subject": ["This field is required."], "body": ["This field is required."]},
        ),
    ],
)
def test_edit_with_bad_input_shows_form_errors_and_saves_nothing(
    owner_client, salon, channel, data, errors
):
    # when
    response = owner_client.post(_url("notice_template_edit", kind="test", channel=channel), data)

    # then
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert NoticeTemplate.objects.count() == 0


def test_reset_deletes_the_salons_text(owner_client, salon, other_salon):
    # given
    for each in (salon, other_salon):
        notice_template_save(salon=each, kind="test", channel="sms", subject="", body="Mine")

    # when
    response = owner_client.post(_url("notice_template_reset", kind="test", channel="sms"))

    # then
    assert response.status_code == 302
    assert list(NoticeTemplate.objects.values_list("salon__slug", flat=True)) == ["beta"]


def test_send_test_email_goes_to_me(owner_client, salon, owner, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(_url("notice_send_test"), {"channel": "email"})

    # then
    assert response.status_code == 302
    notice = Notice.objects.get()
    assert (notice.kind, notice.channel, notice.recipient, notice.status) == (
        "test",
        "email",
        "owner@alpha.test",
        Notice.Status.SENT,
    )
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["owner@alpha.test"], "Test message from Alpha Hair")
    ]


def test_send_test_sms_uses_the_salons_text(
    owner_client, salon, django_capture_on_commit_callbacks
):
    # given
    notice_template_save(
        salon=salon, kind="test", channel="sms", subject="", body="{{ salon_name }} test"
    )

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            _url("notice_send_test"), {"channel": "sms", "phone": "+372 5123 4567"}
        )

    # then
    assert response.status_code == 302
    assert sms.outbox == [sms.SmsMessage(to="+37251234567", body="Alpha Hair test")]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"channel": "sms", "phone": ""},
            {"phone": ["Enter the phone number to send the test SMS to."]},
        ),
        (
            {"channel": "sms", "phone": "123"},
            {"phone": ["Enter a valid phone number, e.g. +3725123456."]},
        ),
        (
            {"channel": "fax"},
            {"channel": ["Select a valid choice. fax is not one of the available choices."]},
        ),
    ],
)
def test_send_test_with_bad_input_shows_form_errors(owner_client, salon, data, errors):
    response = owner_client.post(_url("notice_send_test"), data)

    assert response.status_code == 200
    assert response.context["test_form"].errors == errors
    assert Notice.objects.count() == 0
    assert sms.outbox == []


def test_detail_shows_the_notice(owner_client, salon):
    notice = _notice(salon, status=Notice.Status.FAILED, last_error="SMTP 550", attempts=6)

    response = owner_client.get(_url("notice_detail", pk=notice.pk))

    assert response.status_code == 200
    page = response.content.decode()
    assert "SMTP 550" in page
    assert "Test message from Alpha Hair" in page
    assert _url("notice_retry", pk=notice.pk) in page


def test_retry_from_the_dashboard_delivers_a_failed_notice(
    owner_client, salon, django_capture_on_commit_callbacks
):
    # given
    notice = _notice(salon, status=Notice.Status.FAILED, last_error="SMTP 421")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(_url("notice_retry", pk=notice.pk))

    # then
    assert response.status_code == 302
    notice.refresh_from_db()
    assert (notice.status, notice.last_error) == (Notice.Status.SENT, "")
    assert len(mail.outbox) == 1


def test_retry_of_a_sent_notice_changes_nothing(owner_client, salon):
    notice = _notice(salon, status=Notice.Status.SENT)

    response = owner_client.post(_url("notice_retry", pk=notice.pk), follow=True)

    assert [str(m) for m in response.context["messages"]] == ["Only failed notices can be retried."]
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SENT
    assert mail.outbox == []
