"""End-to-end tests: Playwright (sync API) driving Debian's Chromium against pytest-django's
live server.

- The browser is /usr/bin/chromium (`apt-get install chromium`, see scripts/ci-browser); it is
  never downloaded with `playwright install`. Without it the tests are skipped on a developer
  machine and fail in CI (the CI environment variable is set).
- One browser for the package (`browser`); every test gets fresh contexts (`pages.new()`), so no
  cookies or storage leak between tests. A failing test leaves a screenshot of each of its pages
  in var/browser-failures/.
- Playwright's sync API keeps an asyncio loop running in the main thread while the browser is
  up, so Django would refuse ORM calls from the test (SynchronousOnlyOperation).
  DJANGO_ALLOW_ASYNC_UNSAFE is set only while this package's browser is running, and the
  browser is closed after the package's last test, so other tests are unaffected.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from tests.factories import (
    LocationFactory,
    LocationHoursFactory,
    ServiceFactory,
    StaffMemberFactory,
    WorkingHoursFactory,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FAILURES_DIR = Path(__file__).resolve().parents[2] / "var" / "browser-failures"
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
# Playwright waits at most this long for an element or a page (ms): fail fast, not at 30 s.
TIMEOUT_MS = 10_000
CSP_MARKERS = ("Content Security Policy", "Refused to")

REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item, so fixtures can tell whether the test failed."""
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = (
            f"Chromium is not installed at {CHROMIUM}: run `bash scripts/ci-browser` "
            "(apt-get install chromium) to run the browser tests"
        )
        if in_ci():
            pytest.fail(f"{reason}. In CI the browser tests must run.", pytrace=False)
        pytest.skip(reason)
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


class Pages:
    """Fresh browser contexts for one test, with what their consoles reported."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[BrowserContext] = []
        self.pages: list[Page] = []
        self.csp_violations: list[str] = []
        self.js_errors: list[str] = []

    def new(self, *, cookies: list[dict[str, Any]] | None = None) -> Page:
        # The browser's own zone is far from the salon's: pages must show the salon's zone.
        context = self.browser.new_context(
            base_url=self.base_url, locale="en-GB", timezone_id="America/New_York"
        )
        context.set_default_timeout(TIMEOUT_MS)
        if cookies:
            context.add_cookies(cookies)  # type: ignore[arg-type]
        page = context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.js_errors.append(str(exc)))
        self.contexts.append(context)
        self.pages.append(page)
        return page

    def _console(self, message: ConsoleMessage) -> None:
        if any(marker in message.text for marker in CSP_MARKERS):
            self.csp_violations.append(message.text)

    def logged_in(self, user: Any) -> Page:
        """A page whose context carries a session of `user` (Django's force_login)."""
        http = HttpClient()
        http.force_login(user)
        cookie = http.cookies[settings.SESSION_COOKIE_NAME]
        return self.new(
            cookies=[
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": cookie.value,
                    "url": self.base_url,
                    "httpOnly": True,
                    "sameSite": "Lax",
                }
            ]
        )

    def screenshot_all(self, test_name: str) -> list[Path]:
        FAILURES_DIR.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", test_name)
        saved = []
        for number, page in enumerate(self.pages, start=1):
            if page.is_closed():
                continue
            path = FAILURES_DIR / f"{stem}-{number}.png"
            try:
                page.screenshot(path=str(path), full_page=True)
            except Exception:  # a screenshot must never hide the real failure
                continue
            saved.append(path)
        return saved

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser: Browser, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Pages]:
    opened = Pages(browser, live_server.url)
    yield opened
    reports = request.node.stash.get(REPORTS, {})
    if any(report.failed for report in reports.values()):
        for path in opened.screenshot_all(request.node.name):
            print(f"browser screenshot: {path}")  # shown with the failure's captured output
    opened.close()


@pytest.fixture
def page(pages: Pages) -> Page:
    return pages.new()


@pytest.fixture
def shop(salon: Any, transactional_db: None) -> dict[str, Any]:
    """Salon alpha with one location in Europe/Tallinn open 08–20 every day, a 60-minute
    Haircut and two stylists (Anna, Mari) working 08–20 every day; bookable right away (no
    minimum notice), so there are free times whenever the tests run."""
    salon.slot_step_minutes = 15
    salon.min_notice_minutes = 0
    salon.max_advance_days = 60
    salon.default_language = "en"
    salon.save()
    location = LocationFactory(salon=salon, name="Old Town", time_zone="Europe/Tallinn")
    service = ServiceFactory(salon=salon, name="Haircut", duration_minutes=60)
    staff = [
        StaffMemberFactory(salon=salon, name=name, locations=[location], services=[service])
        for name in ("Anna", "Mari")
    ]
    for weekday in range(7):
        LocationHoursFactory(
            location=location, weekday=weekday, opens=dt.time(8), closes=dt.time(20)
        )
        for member in staff:
            WorkingHoursFactory(
                staff=member,
                location=location,
                weekday=weekday,
                starts=dt.time(8),
                ends=dt.time(20),
            )
    return {"salon": salon, "location": location, "service": service, "staff": staff}
