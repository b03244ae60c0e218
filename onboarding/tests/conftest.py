"""The booking tests' `shop` (a location, a service and two staff working every day)."""

from bookings.tests.conftest import shop  # noqa: F401
