"""Fixtures every test can use: two salons, their owners, a member without manage rights and a
stranger, so that tenant-isolation tests are one line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client as HttpClient

from tests.factories import MembershipFactory, SalonFactory, UserFactory

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…")
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(skip_pg)


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language: a request a test made (a page in Finnish)
    leaves its language active in the thread, which the next test must not inherit."""
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _clear_sms_outbox() -> None:
    from notices import sms

    sms.outbox.clear()


@pytest.fixture
def salon(db):
    return SalonFactory(slug="alpha", name="Alpha Hair")


@pytest.fixture
def other_salon(db):
    return SalonFactory(slug="beta", name="Beta Beauty")


@pytest.fixture
def owner(salon):
    user = UserFactory(email="owner@alpha.test")
    MembershipFactory(salon=salon, user=user, role="owner")
    return user


@pytest.fixture
def staff_user(salon):
    user = UserFactory(email="staff@alpha.test")
    MembershipFactory(salon=salon, user=user, role="staff")
    return user


@pytest.fixture
def other_owner(other_salon):
    user = UserFactory(email="owner@beta.test")
    MembershipFactory(salon=other_salon, user=user, role="owner")
    return user


@pytest.fixture
def stranger(db):
    return UserFactory(email="stranger@nowhere.test")


@pytest.fixture
def owner_client(owner) -> HttpClient:
    http = HttpClient()
    http.force_login(owner)
    return http


@pytest.fixture
def other_owner_client(other_owner) -> HttpClient:
    http = HttpClient()
    http.force_login(other_owner)
    return http


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def owner_api(owner):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(owner)
    return api
