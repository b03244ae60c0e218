"""How payments plugs into bookings (checkout methods, booking events). Filled in by the
payments core; `connect()` runs once from `PaymentsConfig.ready()`."""

from __future__ import annotations


def connect() -> None:
    return None
