"""`/healthz`: 200 while the database answers, 503 naming the failure when it does not."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError


@pytest.mark.django_db
def test_healthz_reports_ok_when_the_database_answers(client):
    # when
    response = client.get("/healthz")

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_and_names_the_error_when_the_database_fails(client):
    # given a database whose cursor cannot be opened
    with mock.patch("salonbook.views.connection") as connection:
        connection.cursor.side_effect = OperationalError("could not connect to server")

        # when
        response = client.get("/healthz")

    # then
    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": "error: OperationalError"}}
    assert "could not connect" not in response.content.decode()


@pytest.mark.django_db
def test_healthz_is_503_when_the_query_itself_fails(client):
    # given a cursor that opens but whose query fails
    with mock.patch("salonbook.views.connection") as connection:
        cursor = connection.cursor.return_value.__enter__.return_value
        cursor.execute.side_effect = OperationalError("server closed the connection")

        # when
        response = client.get("/healthz")

    # then
    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": "error: OperationalError"}}


@pytest.mark.django_db
def test_healthz_refuses_post(client):
    # when
    response = client.post("/healthz")

    # then
    assert response.status_code == 405
