"""Sign-up with mandatory email verification: a verification mail, no login before it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client as HttpClient

from .helpers import PASSWORD, confirmation_path, log_in, sign_up

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_signup_sends_a_verification_email_and_does_not_log_in():
    # given
    http = HttpClient()

    # when
    response = sign_up(http, "Kati.Kuusk@Example.com")

    # then
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["kati.kuusk@example.com"]
    assert confirmation_path("kati.kuusk@example.com").startswith("/accounts/confirm-email/")
    user = get_user_model().objects.get()
    assert user.email == "kati.kuusk@example.com"
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == (user.email, False, True)
    assert "_auth_user_id" not in http.session


@pytest.mark.django_db
def test_unverified_account_cannot_log_in():
    # given
    sign_up(HttpClient(), "kati@example.com")
    mail.outbox.clear()
    http = HttpClient()

    # when
    response = log_in(http, "kati@example.com")

    # then
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in http.session
    # the verification mail was sent moments ago; allauth waits before sending another
    assert mail.outbox == []


@pytest.mark.django_db
def test_confirming_the_email_verifies_it_and_logs_in():
    # given
    http = HttpClient()
    sign_up(http, "kati@example.com")
    path = confirmation_path("kati@example.com")

    # when
    page = http.get(path)
    response = http.post(path)

    # then
    assert page.status_code == 200
    assert response.status_code == 302
    address = EmailAddress.objects.get(email="kati@example.com")
    assert (address.verified, address.primary) == (True, True)
    assert http.session["_auth_user_id"] == str(address.user_id)


@pytest.mark.django_db
def test_a_wrong_confirmation_key_verifies_nothing():
    # given
    http = HttpClient()
    sign_up(http, "kati@example.com")

    # when
    response = http.post("/accounts/confirm-email/not-a-real-key/")

    # then
    assert response.status_code == 404
    assert EmailAddress.objects.get(email="kati@example.com").verified is False


@pytest.mark.django_db
def test_verified_account_logs_in_with_email_and_password():
    # given
    http = HttpClient()
    sign_up(http, "kati@example.com")
    http.post(confirmation_path("kati@example.com"))
    http.logout()

    # when
    response = log_in(http, "KATI@example.com", PASSWORD)

    # then
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert http.session["_auth_user_id"] == str(get_user_model().objects.get().pk)


def test_development_settings_print_email_to_the_console():
    # given the development settings without any EMAIL_URL
    env = {k: v for k, v in os.environ.items() if k not in {"EMAIL_URL", "DATABASE_URL"}}
    env["DJANGO_SETTINGS_MODULE"] = "salonbook.settings.local"

    # when
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.EMAIL_BACKEND); print(settings.ACCOUNT_EMAIL_VERIFICATION)",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    # then
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.core.mail.backends.console.EmailBackend", "mandatory"]
