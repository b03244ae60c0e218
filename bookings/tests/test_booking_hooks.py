"""After-booking hooks (bookings/checkout.py) and the booking site's remembered extras
(bookings/public/extensions.py), tried with a throw-away hook: it sees the booking, the client,
the extras and whether the client is new; strict, its refusal refuses the booking; not strict
(the site), its writes are undone and the booking stands."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.test import RequestFactory

from bookings.checkout import (
    booking_extras_clean,
    checkout_complete,
    register_booking_hook,
    unregister_booking_hook,
)
from bookings.models import Appointment, Client
from bookings.passcodes import PasscodeUnlocks
from bookings.public.extensions import (
    booking_extra_remember,
    booking_extras,
    booking_extras_forget,
)
from bookings.tests.test_public_booking import next_wednesday_at, pick_details
from bookings.tests.test_public_units import DETAILS, request_for
from tests.factories import ClientFactory


class Recorder:
    """Notes each call; writes a note on the client; refuses the extra `promo` = "bad"."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int, dict[str, str], bool]] = []

    def __call__(
        self, appointment: Appointment, client: Client, extras: Mapping[str, str], is_new: bool
    ) -> None:
        self.calls.append((appointment.pk, client.pk, dict(extras), is_new))
        Client.objects.filter(pk=client.pk).update(notes="touched by the hook")
        if extras.get("promo") == "bad":
            raise ValidationError({"promo": "Unknown promo."})


@pytest.fixture
def hook() -> Iterator[Recorder]:
    recorder = Recorder()
    register_booking_hook(recorder)
    yield recorder
    unregister_booking_hook(recorder)


def book(shop, **kwargs: Any) -> Appointment:
    return checkout_complete(
        salon=shop["salon"],
        request=request_for(shop, next_wednesday_at(10)),
        details=DETAILS,
        payment_method="pay_at_salon",
        unlocks=PasscodeUnlocks(),
        **kwargs,
    )


def test_the_hook_gets_the_booking_the_client_the_cleaned_extras_and_is_new(shop, hook):
    appointment = book(
        shop, extras={"promo": "  good ", "Bad Name": "x", "long": "y" * 500, "num": 5}
    )
    assert hook.calls == [
        (appointment.pk, appointment.client_id, {"promo": "good", "long": "y" * 200}, True)
    ]
    # an existing client is not new
    book_again = checkout_complete(
        salon=shop["salon"],
        request=request_for(shop, next_wednesday_at(12)),
        details=DETAILS,
        payment_method="pay_at_salon",
        unlocks=PasscodeUnlocks(),
    )
    assert hook.calls[-1] == (book_again.pk, appointment.client_id, {}, False)


def test_strict_a_refusal_refuses_the_booking_and_nothing_is_written(shop, hook):
    with pytest.raises(ValidationError) as exc:
        book(shop, extras={"promo": "bad"}, extras_strict=True)
    assert exc.value.message_dict == {"promo": ["Unknown promo."]}
    assert Appointment.objects.count() == 0
    assert Client.objects.count() == 0


def test_not_strict_the_refusal_is_undone_and_the_booking_stands(shop, hook):
    existing = ClientFactory(salon=shop["salon"], email="kati@example.test", notes="")
    appointment = book(shop, extras={"promo": "bad"}, extras_strict=False)
    assert appointment.pk and appointment.client_id == existing.pk
    existing.refresh_from_db()
    assert existing.notes == ""  # the hook's write was rolled back with its refusal


def test_the_site_passes_what_a_page_remembered_and_forgets_it_after_booking(shop, hook):
    # given a page remembered a value for this salon
    http = HttpClient()
    session = http.session
    session[f"public_booking_extras:{shop['salon'].pk}"] = {"promo": "bad"}
    session.save()

    # when the visitor books
    pick_details(http, shop, next_wednesday_at(10))
    response = http.post("/s/alpha/checkout/", {"payment_method": "pay_at_salon"})

    # then the hook saw it, its refusal did not stop the booking, and it is forgotten
    assert response.status_code == 302
    assert hook.calls[0][2] == {"promo": "bad"}
    assert Appointment.objects.count() == 1
    assert f"public_booking_extras:{shop['salon'].pk}" not in http.session


def test_remembered_extras_are_per_salon_and_cleaned(shop, other_salon):
    request = RequestFactory().get("/")
    request.session = {}  # type: ignore[assignment]
    booking_extra_remember(request, salon=shop["salon"], name="promo", value="ABC")
    assert booking_extras(request, salon=shop["salon"]) == {"promo": "ABC"}
    assert booking_extras(request, salon=other_salon) == {}
    with pytest.raises(ValueError):
        booking_extra_remember(request, salon=shop["salon"], name="Bad Name", value="x")
    request.session[f"public_booking_extras:{other_salon.pk}"] = ["not", "a", "dict"]
    assert booking_extras(request, salon=other_salon) == {}
    booking_extras_forget(request, salon=shop["salon"])
    assert booking_extras(request, salon=shop["salon"]) == {}


def test_extras_clean_drops_what_is_not_a_named_text():
    assert booking_extras_clean({"ok": " v ", "": "x", "9x": "x", "n": None}) == {"ok": "v"}
    assert booking_extras_clean(None) == {}
