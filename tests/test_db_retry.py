"""A GET whose database connection was killed (pg_terminate_backend) is answered on a new
connection instead of a 500; a write is never retried (salonbook/db_retry.py)."""

from __future__ import annotations

import logging

import psycopg
import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client as HttpClient

from bookings.models import ServiceCategory
from tests.factories import LocationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _kill_the_apps_connection() -> int:
    """Terminate the server process of Django's current connection from another session."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        autocommit=True,
    ) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
    return pid


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.fixture
def owner_http(owner) -> HttpClient:
    http = HttpClient()
    http.force_login(owner)
    return http


def test_a_read_is_retried_once_on_a_new_connection(salon, owner_http, caplog):
    # given: a page that reads, and the connection the next request would use is killed
    LocationFactory(salon=salon, name="Old Town")
    assert owner_http.get("/api/v1/salons/alpha/locations/").status_code == 200
    killed = _kill_the_apps_connection()

    # when
    with caplog.at_level(logging.WARNING, logger="salonbook.db_retry"):
        response = owner_http.get("/api/v1/salons/alpha/locations/")

    # then
    assert response.status_code == 200
    assert "Old Town" in response.content.decode()
    assert "Database connection lost during GET /api/v1/salons/alpha/locations/" in caplog.text
    assert _backend_pid() != killed


def test_a_dashboard_page_is_retried_too(salon, owner_http):
    assert owner_http.get("/dashboard/alpha/locations/").status_code == 200
    _kill_the_apps_connection()

    assert owner_http.get("/dashboard/alpha/locations/").status_code == 200


def test_a_write_is_not_retried(salon, owner_http):
    # given
    assert owner_http.get("/api/v1/salons/alpha/locations/").status_code == 200
    _kill_the_apps_connection()

    # when / then: the error goes on to Django's 500, nothing is written twice
    with pytest.raises((OperationalError, InterfaceError)):
        owner_http.post(
            "/api/v1/salons/alpha/service-categories/",
            {"name": "Hair"},
            content_type="application/json",
        )
    connection.close()
    assert ServiceCategory.objects.count() == 0


def test_an_error_on_a_live_connection_is_not_retried(db):
    # given: a read that fails while the connection is fine (a statement time-out)
    from django.test import RequestFactory

    from salonbook.db_retry import _RetryLostConnection

    wrapper = _RetryLostConnection(RequestFactory().get("/"))
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 20")

    # when / then
    try:
        with (
            connection.execute_wrapper(wrapper),
            pytest.raises(OperationalError),
            connection.cursor() as cursor,
        ):
            cursor.execute("SELECT pg_sleep(1)")
        assert wrapper.retried is False
    finally:
        connection.close()


def test_a_read_after_a_kill_is_retried_once_only(db):
    from django.test import RequestFactory

    from salonbook.db_retry import _RetryLostConnection

    wrapper = _RetryLostConnection(RequestFactory().get("/"))
    with connection.execute_wrapper(wrapper):
        _kill_the_apps_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 41 + 1")
            assert cursor.fetchone() == (42,)
        assert wrapper.retried is True
        _kill_the_apps_connection()
        with pytest.raises((OperationalError, InterfaceError)), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    connection.close()


def test_the_wrapper_retries_a_read_once_and_never_a_write(db):
    from salonbook.db_retry import _is_read

    assert _is_read("SELECT 1") and _is_read("  (SELECT 1) UNION (SELECT 2)")
    assert _is_read("WITH x AS (SELECT 1) SELECT * FROM x")
    assert not _is_read('UPDATE "accounts_apitoken" SET "last_used_at" = now()')
    assert not _is_read("INSERT INTO t VALUES (1)")
    assert not _is_read("DELETE FROM t")
