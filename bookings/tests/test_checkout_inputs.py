"""Payment methods with inputs (bookings/checkout.py `PaymentInput`): the checkout page shows
them under their method, the page and the public API pass what the client typed (and the
client's IP) to `apply`, and what `apply` refuses is a 400 that writes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from rest_framework.test import APIClient

from bookings.checkout import (
    PaymentContext,
    PaymentInput,
    PaymentMethod,
    checkout_complete,
    register,
    unregister,
)
from bookings.models import Appointment, Client
from bookings.passcodes import PasscodeUnlocks
from bookings.tests.test_public_booking import next_wednesday_at, pick_details
from bookings.tests.test_public_units import DETAILS, request_for

GOOD_CODE = "GOOD-1234"
CHECKOUT = "/s/alpha/checkout/"
BOOKINGS_API = "/api/v1/public/alpha/bookings/"


class Voucher(PaymentMethod):
    """Throw-away method: accepts GOOD_CODE, refuses anything else on its input's field."""

    key = "test_voucher"
    label = "Pay with a test voucher"
    position = 5
    inputs = (
        PaymentInput("test_voucher_code", "Voucher code", help_text="Printed on the voucher"),
        PaymentInput("test_voucher_note", "Note", max_length=5),
    )

    def __init__(self) -> None:
        self.calls: list[tuple[int, dict[str, str], str]] = []

    def apply(self, appointment: Appointment, payment: PaymentContext) -> None:
        self.calls.append((appointment.pk, dict(payment.details), payment.client_ip))
        if payment.details["test_voucher_code"] != GOOD_CODE:
            raise ValidationError({"test_voucher_code": "This voucher code is not valid."})


@pytest.fixture
def voucher():
    method = register(Voucher())
    yield method
    unregister(method.key)


def to_checkout(http: HttpClient, shop) -> None:
    response = pick_details(http, shop, next_wednesday_at(10))
    assert response.status_code == 302


def api_body(shop, **extra: Any) -> dict[str, Any]:
    return {
        "location": shop["location"].pk,
        "service": shop["service"].pk,
        "starts_at": next_wednesday_at(10).isoformat(),
        "client": {"first_name": "Kati", "email": "kati@example.test"},
        **extra,
    }


# --- the service ------------------------------------------------------------------------


def test_apply_gets_exactly_the_methods_inputs_stripped_and_cut(shop, voucher):
    # when
    appointment = checkout_complete(
        salon=shop["salon"],
        request=request_for(shop, next_wednesday_at(10)),
        details=DETAILS,
        payment_method="test_voucher",
        unlocks=PasscodeUnlocks(),
        payment_details={
            "test_voucher_code": f"  {GOOD_CODE} ",
            "test_voucher_note": "far too long",
            "not_an_input": "dropped",
        },
        client_ip="10.1.2.3",
    )

    # then
    assert voucher.calls == [
        (
            appointment.pk,
            {"test_voucher_code": GOOD_CODE, "test_voucher_note": "far t"},
            "10.1.2.3",
        )
    ]


def test_inputs_not_given_reach_apply_as_empty_strings(shop, voucher):
    with pytest.raises(ValidationError):
        checkout_complete(
            salon=shop["salon"],
            request=request_for(shop, next_wednesday_at(10)),
            details=DETAILS,
            payment_method="test_voucher",
            unlocks=PasscodeUnlocks(),
        )
    assert voucher.calls[0][1:] == ({"test_voucher_code": "", "test_voucher_note": ""}, "")


def test_payment_context_details_are_read_only():
    payment = PaymentContext(details={"a": "1"})
    with pytest.raises(TypeError):
        payment.details["a"] = "2"  # type: ignore[index]


@pytest.mark.parametrize("name", ["payment_method", "csrfmiddlewaretoken", "Bad Name", ""])
def test_an_input_with_a_reserved_or_malformed_name_is_refused(name):
    class Bad(PaymentMethod):
        key = "test_bad"
        inputs = (PaymentInput(name, "Label"),)

    with pytest.raises(ValueError):
        register(Bad())
    unregister("test_bad")


def test_an_input_name_of_another_method_is_refused(voucher):
    class Copycat(PaymentMethod):
        key = "test_copycat"
        inputs = (PaymentInput("test_voucher_code", "Code"),)

    with pytest.raises(ValueError):
        register(Copycat())
    unregister("test_copycat")


# --- the checkout page ------------------------------------------------------------------


def test_the_page_shows_the_methods_inputs_under_its_choice(shop, voucher):
    # given
    http = HttpClient()
    to_checkout(http, shop)

    # when
    response = http.get(CHECKOUT)

    # then
    page = response.content.decode()
    assert response.status_code == 200
    choice = page.index('value="test_voucher"')
    field = page.index('name="test_voucher_code"')
    assert choice < field < page.index('value="pay_at_salon"')
    assert "Voucher code" in page
    assert "Printed on the voucher" in page
    tag = re.search(r'<input[^>]*name="test_voucher_code"[^>]*>', page)
    assert tag is not None
    assert 'maxlength="64"' in tag.group()
    assert "required" not in tag.group()
    assert re.search(r'<input[^>]*name="test_voucher_note"[^>]*maxlength="5"', page)


def test_the_posted_value_and_the_client_ip_reach_apply(shop, voucher):
    # given
    http = HttpClient(REMOTE_ADDR="10.9.8.7")
    to_checkout(http, shop)

    # when
    response = http.post(
        CHECKOUT, {"payment_method": "test_voucher", "test_voucher_code": f" {GOOD_CODE} "}
    )

    # then
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert voucher.calls == [
        (appointment.pk, {"test_voucher_code": GOOD_CODE, "test_voucher_note": ""}, "10.9.8.7")
    ]


def test_a_refusal_keyed_by_the_input_is_shown_at_the_field_and_writes_nothing(shop, voucher):
    # given
    http = HttpClient()
    to_checkout(http, shop)

    # when
    response = http.post(
        CHECKOUT, {"payment_method": "test_voucher", "test_voucher_code": "WRONG-42"}
    )

    # then
    page = response.content.decode()
    assert response.status_code == 400
    field_row = page[page.index('name="test_voucher_code"') :]
    field_row = field_row[: field_row.index("</div>")]
    assert "This voucher code is not valid." in field_row
    assert 'value="WRONG-42"' in page  # what was typed is kept
    assert 'role="alert"' not in page  # not listed above the form as well
    assert Appointment.objects.count() == 0
    assert Client.objects.count() == 0
    # and the pending booking is kept: the right code books
    response = http.post(
        CHECKOUT, {"payment_method": "test_voucher", "test_voucher_code": GOOD_CODE}
    )
    assert response.status_code == 302
    assert Appointment.objects.count() == 1


def test_a_refusal_not_keyed_by_an_input_is_shown_above_the_form(shop):
    class Broke(PaymentMethod):
        key = "test_broke"
        label = "Broke"

        def apply(self, appointment: Appointment, payment: PaymentContext) -> None:
            raise ValidationError({"payment_method": "No balance left."})

    register(Broke())
    try:
        http = HttpClient()
        to_checkout(http, shop)
        response = http.post(CHECKOUT, {"payment_method": "test_broke"})
    finally:
        unregister("test_broke")
    assert response.status_code == 400
    assert "No balance left." in response.content.decode()
    assert Appointment.objects.count() == 0


def test_an_input_longer_than_its_max_length_is_a_field_error(shop, voucher):
    http = HttpClient()
    to_checkout(http, shop)
    response = http.post(
        CHECKOUT,
        {
            "payment_method": "test_voucher",
            "test_voucher_code": GOOD_CODE,
            "test_voucher_note": "x" * 6,
        },
    )
    assert response.status_code == 400
    assert voucher.calls == []
    assert Appointment.objects.count() == 0


# --- the public API ---------------------------------------------------------------------


def test_api_passes_payment_details_and_the_client_ip(shop, voucher):
    # when
    response = APIClient(REMOTE_ADDR="10.4.4.4").post(
        BOOKINGS_API,
        api_body(
            shop,
            payment_method="test_voucher",
            payment_details={"test_voucher_code": GOOD_CODE, "other": "ignored"},
        ),
        format="json",
    )

    # then
    assert response.status_code == 201, response.content
    assert voucher.calls == [
        (
            response.json()["id"],
            {"test_voucher_code": GOOD_CODE, "test_voucher_note": ""},
            "10.4.4.4",
        )
    ]


def test_api_refusal_is_a_400_keyed_by_the_input_and_writes_nothing(shop, voucher):
    # when
    response = APIClient().post(
        BOOKINGS_API,
        api_body(
            shop, payment_method="test_voucher", payment_details={"test_voucher_code": "NOPE"}
        ),
        format="json",
    )

    # then
    assert response.status_code == 400
    assert response.json() == {"test_voucher_code": ["This voucher code is not valid."]}
    assert Appointment.objects.count() == 0
    assert Client.objects.count() == 0


@pytest.mark.parametrize(
    "details",
    [["a list"], {"test_voucher_code": "x" * 101}, {"test_voucher_code": {"nested": 1}}, "text"],
)
def test_api_malformed_payment_details_are_a_400(shop, voucher, details):
    response = APIClient().post(
        BOOKINGS_API,
        api_body(shop, payment_method="test_voucher", payment_details=details),
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["payment_details"]
    assert Appointment.objects.count() == 0


def test_api_without_payment_details_still_books_at_the_salon(shop):
    response = APIClient().post(BOOKINGS_API, api_body(shop), format="json")
    assert response.status_code == 201
