"""The per-user token limit holds under concurrent requests (the user row is locked while
counting; PostgreSQL)."""

from __future__ import annotations

import pytest

from accounts.models import ApiToken
from accounts.tokens import api_token_create
from tests.concurrency import race
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_token_requests_never_pass_the_limit(settings):
    # given: one slot left
    settings.API_TOKEN_MAX_PER_USER = 3
    user = UserFactory(email="race@alpha.test")
    api_token_create(user=user)
    api_token_create(user=user)

    # when: six requests at once
    outcomes = race([lambda: api_token_create(user=user) for _ in range(6)])

    # then
    assert outcomes == ["ok"] + ["refused"] * 5
    assert ApiToken.objects.filter(user=user).count() == 3
