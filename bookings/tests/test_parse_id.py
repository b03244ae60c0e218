"""`bookings.validators.parse_id`: ids from what a visitor sent, never an exception."""

from __future__ import annotations

import pytest

from bookings.validators import MAX_ID, parse_id


@pytest.mark.parametrize(
    "value, expected",
    [
        ("42", 42),
        (" 7 ", 7),
        (5, 5),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("99999999999999999999999999", None),
        ("²", None),
        ("١٢٣", None),
        ("-1", None),
        ("1.0", None),
        ("", None),
        (None, None),
        ("abc", None),
        ("\x00", None),
    ],
)
def test_parse_id(value, expected):
    assert parse_id(value) == expected
