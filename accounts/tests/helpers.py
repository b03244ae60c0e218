"""Shared steps of the allauth flow tests: sign up, read the mail, confirm, audit a page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.core import mail
from django.http import HttpResponse
from django.test import Client as HttpClient

PASSWORD = "Lilac-Harbour-2031"
CONFIRM_URL = re.compile(r"https?://testserver(/accounts/confirm-email/[^/\s]+/)")


def sign_up(http: HttpClient, email: str, password: str = PASSWORD) -> HttpResponse:
    return http.post(
        "/accounts/signup/", {"email": email, "password1": password, "password2": password}
    )


def confirmation_path(email: str) -> str:
    """The confirmation link of the last verification email sent to `email`."""
    sent = [message for message in mail.outbox if message.to == [email]]
    assert sent, f"no email to {email}"
    match = CONFIRM_URL.search(sent[-1].body)
    assert match, sent[-1].body
    return match.group(1)


def log_in(http: HttpClient, email: str, password: str = PASSWORD) -> HttpResponse:
    return http.post("/accounts/login/", {"login": email, "password": password})


class _CspAudit(HTMLParser):
    def __init__(self, nonce: str | None) -> None:
        super().__init__()
        self.nonce = nonce
        self.violations: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if "style" in attributes:
            self.violations.append(f"<{tag} style=…>")
        for name in attributes:
            if name.startswith("on"):
                self.violations.append(f"<{tag} {name}=…>")
        if tag == "a" and (attributes.get("href") or "").lower().startswith("javascript:"):
            self.violations.append("<a href=javascript:…>")
        if tag == "script":
            self.scripts += 1
            src = attributes.get("src") or ""
            same_host = src.startswith("/") and not src.startswith("//")
            if src and not same_host:
                self.violations.append(f"<script src={src}> from another host")
            if not src and (self.nonce is None or attributes.get("nonce") != self.nonce):
                self.violations.append("<script> without the response's nonce")
        if tag == "style" and (self.nonce is None or attributes.get("nonce") != self.nonce):
            self.violations.append("<style> without the response's nonce")
        if tag == "link" and attributes.get("rel") == "stylesheet":
            href = attributes.get("href") or ""
            if not href.startswith("/") or href.startswith("//"):
                self.violations.append(f"<link stylesheet {href}> from another host")


def csp_violations(response: HttpResponse) -> list[str]:
    """What in the page the Content-Security-Policy would block (an empty list: nothing)."""
    policy = response["Content-Security-Policy"]
    match = re.search(r"script-src 'self' 'nonce-([^']+)'", policy)
    audit = _CspAudit(match.group(1) if match else None)
    audit.feed(response.content.decode())
    return audit.violations
