"""allauth's pages render inside the site layout and obey the Content-Security-Policy."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from accounts.services import user_create

from .helpers import PASSWORD, confirmation_path, csp_violations, sign_up

ANONYMOUS_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/confirm-email/",
]
ACCOUNT_PAGES = ["/accounts/email/", "/accounts/password/change/", "/accounts/logout/"]


def _assert_site_layout(html: str) -> None:
    assert '<header class="topbar">' in html
    assert '<a class="brand" href="/">SalonBook</a>' in html
    assert '<link rel="stylesheet" href="/static/css/app.css">' in html
    assert 'action="/i18n/setlang/"' in html
    assert html.count("<html") == 1
    assert html.count("<body") == 1


@pytest.mark.django_db
@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_anonymous_account_pages_use_the_site_layout_and_satisfy_the_csp(path):
    # when
    response = HttpClient().get(path)

    # then
    assert response.status_code == 200
    html = response.content.decode()
    _assert_site_layout(html)
    assert csp_violations(response) == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", ACCOUNT_PAGES)
def test_logged_in_account_pages_use_the_site_layout_and_satisfy_the_csp(path):
    # given
    user = user_create(email="kati@example.com", password=PASSWORD, email_verified=True)
    http = HttpClient()
    http.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    # when
    response = http.get(path)

    # then
    assert response.status_code == 200
    _assert_site_layout(response.content.decode())
    assert csp_violations(response) == []


@pytest.mark.django_db
def test_email_management_scripts_carry_the_nonce():
    # given
    user = user_create(email="kati@example.com", password=PASSWORD, email_verified=True)
    http = HttpClient()
    http.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    # when
    response = http.get("/accounts/email/")

    # then allauth's own scripts are there, from this host and with the response's nonce
    html = response.content.decode()
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'src="/static/account/js/account.js" nonce="{nonce}"' in html
    assert f'src="/static/account/js/onload.js" nonce="{nonce}"' in html
    assert csp_violations(response) == []


@pytest.mark.django_db
def test_email_confirmation_page_uses_the_site_layout_and_satisfies_the_csp():
    # given
    http = HttpClient()
    sign_up(http, "kati@example.com")

    # when
    response = http.get(confirmation_path("kati@example.com"))

    # then
    assert response.status_code == 200
    html = response.content.decode()
    _assert_site_layout(html)
    assert "kati@example.com" in html
    assert csp_violations(response) == []


@pytest.mark.django_db
def test_signup_errors_render_inside_the_layout():
    # when
    response = sign_up(HttpClient(), "not-an-email")

    # then
    assert response.status_code == 200
    _assert_site_layout(response.content.decode())
    assert "Enter a valid email address." in response.content.decode()
    assert csp_violations(response) == []


@pytest.mark.django_db
def test_the_csp_audit_catches_an_inline_script():
    # given a page like the login page, with an inline script added
    response = HttpClient().get("/accounts/login/")
    response.content = response.content.replace(
        b"</body>", b'<script>alert(1)</script><p style="color:red"></p></body>'
    )

    # when
    violations = csp_violations(response)

    # then
    assert violations == ["<script> without the response's nonce", "<p style=…>"]


@pytest.mark.django_db
def test_account_pages_are_translated_with_the_language_cookie():
    # given
    http = HttpClient()
    http.cookies["django_language"] = "de"

    # when
    response = http.get("/accounts/login/")

    # then
    assert response["Content-Language"] == "de"
    assert '<html lang="de">' in response.content.decode()
    assert "Anmelden" in response.content.decode()
