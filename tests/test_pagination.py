"""Huge `limit` / `offset` values are clamped, never a database overflow (a 500)."""

from __future__ import annotations

import pytest

from tests.factories import ClientFactory, StaffMemberFactory


@pytest.mark.parametrize("path", ["staff/", "clients/"])
@pytest.mark.parametrize(
    "query",
    [
        "limit=100071972251323139529840230673888051200",
        "offset=100071972251323139529840230673888051200",
        "limit=-5&offset=-9",
        "limit=abc&offset=xyz",
    ],
)
def test_absurd_pagination_is_clamped(owner_api, salon, path, query):
    # given
    StaffMemberFactory(salon=salon)
    ClientFactory(salon=salon)
    # when
    response = owner_api.get(f"/api/v1/salons/{salon.slug}/{path}?{query}")
    # then
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_limit_is_capped_at_200(owner_api, salon):
    from bookings.models import Client

    Client.objects.bulk_create(
        Client(salon=salon, first_name=f"C{n}", email=f"c{n}@example.test") for n in range(205)
    )
    response = owner_api.get(f"/api/v1/salons/{salon.slug}/clients/?limit=100000")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 200
