"""The notice editor's live preview: the text as typed, rendered with example values, per
channel; errors instead of a preview; owners and managers of the salon only."""

from __future__ import annotations

import pytest

from notices.models import NoticeTemplate

PREVIEW = "/dashboard/{slug}/notices/templates/booking_confirmation/{channel}/preview/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def preview(http, channel: str, slug: str = "alpha", **data: str):
    return http.post(PREVIEW.format(slug=slug, channel=channel), data, **HTMX)


def test_an_email_preview_renders_subject_and_body_with_example_values(salon, owner_client):
    response = preview(
        owner_client,
        "email",
        subject="{{ salon_name }}: see you, {{ client.first_name }}",
        body="Hello {{ client.first_name }}, your {{ service }} with {{ staff }}.",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Subject: Alpha Hair: see you, Anna" in html
    assert "Hello Anna, your Haircut with Mari." in html
    assert NoticeTemplate.objects.count() == 0  # nothing saved


def test_an_sms_preview_counts_characters_and_messages(salon, owner_client):
    response = preview(owner_client, "sms", body="x" * 150 + " {{ service }}")
    html = response.content.decode()
    assert "x" * 150 + " Haircut" in html
    assert "158 characters, 1 message." in html
    long = preview(owner_client, "sms", body="y" * 200).content.decode()
    assert "200 characters, 2 messages." in long


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Hi {{ nickname }}", "Unknown variable(s): nickname."),
        ("Hi {% if x %}", "Template tags and comments"),
    ],
)
def test_a_broken_text_shows_the_error_instead_of_a_preview(salon, owner_client, body, message):
    response = preview(owner_client, "sms", body=body)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "data-preview-body" not in response.content.decode()


def test_the_editor_page_asks_for_the_preview_as_you_type(salon, owner_client):
    html = owner_client.get(
        "/dashboard/alpha/notices/templates/booking_confirmation/sms/"
    ).content.decode()
    assert 'hx-post="/dashboard/alpha/notices/templates/booking_confirmation/sms/preview/"' in html
    assert 'id="notice-preview"' in html


def test_the_preview_is_for_the_salons_managers_only(salon, other_salon, owner_client, staff_user):
    assert preview(owner_client, "sms", slug="beta", body="x").status_code == 404
    assert (
        owner_client.post(
            "/dashboard/alpha/notices/templates/no_such_kind/sms/preview/", {"body": "x"}
        ).status_code
        == 404
    )
    assert (
        owner_client.post(
            "/dashboard/alpha/notices/templates/booking_confirmation/fax/preview/", {"body": "x"}
        ).status_code
        == 404
    )
    owner_client.force_login(staff_user)
    assert preview(owner_client, "sms", body="x").status_code == 403
