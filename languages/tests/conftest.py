from bookings.tests.conftest import shop  # noqa: F401  (the bookings tests' salon with a location)
