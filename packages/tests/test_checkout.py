"""The "package" way to pay at the checkout (packages/checkout.py): offered to the logged-in
holder only and chosen by default, refused for guests and for packages that cannot pay, and a
fixed number of queries however many packages and uses the client has."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from bookings.checkout import ClientDetails, checkout_complete, payment_methods_available
from bookings.models import Appointment
from bookings.passcodes import PasscodeUnlocks
from bookings.services.booking import BookingRequest
from bookings.tests.test_public_booking import details_url, next_wednesday_at
from packages.models import ClientPackage, PackageEntry
from packages.selectors import appointment_package_use
from packages.services.holdings import client_package_assign
from packages.services.usage import package_pay_appointment
from tests.factories import UserFactory

from .conftest import TALLINN, make_type, package_row_counts

CHECKOUT = "/s/alpha/checkout/"
KATI = {
    "first_name": "Kati",
    "last_name": "Karu",
    "email": "kati@example.test",
    "phone": "+372 5551 2345",
}


@pytest.fixture
def visits(pkg) -> ClientPackage:
    package_type = make_type(pkg["salon"], [pkg["service"]], visits=5)
    return client_package_assign(
        salon=pkg["salon"], client=pkg["client"], package_type=package_type, actor=None
    )


def to_checkout(http: HttpClient, pkg, starts_at: dt.datetime | None = None, **details: str):
    response = http.post(details_url(pkg, starts_at or next_wednesday_at(10)), {**KATI, **details})
    assert response.status_code == 302, response.content.decode()[:2000]


def checked_method(html: str) -> str | None:
    match = re.search(r'<input type="radio" name="payment_method" value="(\w+)"[^>]*checked', html)
    return match.group(1) if match else None


def offered(html: str) -> list[str]:
    return re.findall(r'<input type="radio" name="payment_method" value="(\w+)"', html)


# --- The page -------------------------------------------------------------------------------


def test_a_logged_in_holder_sees_the_package_chosen_by_default(pkg, visits, kati_http):
    # given
    to_checkout(kati_http, pkg)
    # when
    response = kati_http.get(CHECKOUT)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert offered(html) == ["package", "pay_at_salon"]
    assert checked_method(html) == "package"
    assert "My package" in html
    assert "Log in to pay with it" not in html


def test_booking_with_the_package_uses_a_visit(pkg, visits, kati_http):
    # given
    starts_at = next_wednesday_at(10)
    to_checkout(kati_http, pkg, starts_at)
    # when
    response = kati_http.post(CHECKOUT, {"payment_method": "package"})
    # then
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert (appointment.client, appointment.starts_at, appointment.source) == (
        pkg["client"],
        starts_at,
        "online",
    )
    use = appointment_package_use(salon=pkg["salon"], appointment_id=appointment.pk)
    assert (use.client_package, use.visits, use.actor) == (visits, -1, pkg["user"])
    visits.refresh_from_db()
    assert visits.visits_left == 4


def test_the_client_can_choose_to_pay_at_the_salon(pkg, visits, kati_http):
    to_checkout(kati_http, pkg)
    response = kati_http.post(CHECKOUT, {"payment_method": "pay_at_salon"})
    assert response.status_code == 302
    assert Appointment.objects.count() == 1
    visits.refresh_from_db()
    assert visits.visits_left == 5
    assert not PackageEntry.objects.filter(kind="used").exists()


def test_a_guest_is_told_to_log_in_and_not_offered_the_package(pkg, visits):
    # given a guest who types the holder's email
    guest = HttpClient()
    to_checkout(guest, pkg)
    # when
    html = guest.get(CHECKOUT).content.decode()
    # then
    assert offered(html) == ["pay_at_salon"]
    assert "Do you hold a package for this service? Log in to pay with it." in html
    assert "/accounts/login/?next=%2Fs%2Falpha%2Fcheckout%2F" in html


def test_a_guest_posting_the_package_anyway_is_refused_and_nothing_written(pkg, visits):
    guest = HttpClient()
    to_checkout(guest, pkg)
    before = (package_row_counts(), Appointment.objects.count())
    response = guest.post(CHECKOUT, {"payment_method": "package"})
    assert response.status_code == 400
    assert (package_row_counts(), Appointment.objects.count()) == before
    visits.refresh_from_db()
    assert visits.visits_left == 5


def test_no_hint_where_no_package_covers_the_service(pkg):
    guest = HttpClient()
    to_checkout(guest, pkg)
    assert "Log in to pay with it" not in guest.get(CHECKOUT).content.decode()


def test_a_logged_in_client_without_a_package_has_the_usual_choice(pkg, kati_http):
    to_checkout(kati_http, pkg)
    html = kati_http.get(CHECKOUT).content.decode()
    assert offered(html) == ["pay_at_salon"]
    assert checked_method(html) == "pay_at_salon"  # the only way: chosen, as before
    assert "Log in to pay with it" not in html


def test_a_package_expiring_before_the_booking_date_is_not_offered(pkg, kati_http):
    # given a package whose last day is the day before the booking
    starts_at = next_wednesday_at(10)
    client_package_assign(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=make_type(pkg["salon"], [pkg["service"]]),
        actor=None,
        expires_on=starts_at.date() - dt.timedelta(days=1),
    )
    to_checkout(kati_http, pkg, starts_at)
    html = kati_http.get(CHECKOUT).content.decode()
    assert offered(html) == ["pay_at_salon"]
    assert kati_http.post(CHECKOUT, {"payment_method": "package"}).status_code == 400
    assert Appointment.objects.count() == 0


def test_a_package_expiring_on_the_booking_date_is_offered(pkg, kati_http):
    starts_at = next_wednesday_at(10)
    client_package_assign(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=make_type(pkg["salon"], [pkg["service"]]),
        actor=None,
        expires_on=starts_at.date(),
    )
    to_checkout(kati_http, pkg, starts_at)
    assert checked_method(kati_http.get(CHECKOUT).content.decode()) == "package"


def test_a_package_used_up_between_the_page_and_the_post_refuses_the_booking(pkg, kati_http):
    # given one visit left when the page is shown
    held = client_package_assign(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=make_type(pkg["salon"], [pkg["service"]], visits=1),
        actor=None,
    )
    to_checkout(kati_http, pkg)
    assert checked_method(kati_http.get(CHECKOUT).content.decode()) == "package"
    # when another booking uses it first
    package_pay_appointment(appointment=pkg["appointment"]())
    before = (package_row_counts(), Appointment.objects.count())
    response = kati_http.post(CHECKOUT, {"payment_method": "package"})
    # then the booking is refused with the reason, and nothing is written
    assert response.status_code == 400
    # (the form no longer offers the package: the choice is not valid any more)
    assert "Select a valid choice." in response.content.decode()
    assert (package_row_counts(), Appointment.objects.count()) == before
    held.refresh_from_db()
    assert held.visits_left == 0


def test_apply_refuses_a_client_booked_by_someone_else(pkg, visits):
    # given the method's own check (a second line behind `account_only`): the appointment's
    # booker is not the client's account holder
    from django.core.exceptions import ValidationError

    from packages.services.usage import package_pay_appointment_online

    appointment = pkg["appointment"](source="online", created_by=UserFactory())
    with pytest.raises(ValidationError) as exc:
        package_pay_appointment_online(appointment=appointment)
    assert exc.value.message_dict == {
        "payment_method": ["Log in to your account to pay with your package."]
    }
    visits.refresh_from_db()
    assert visits.visits_left == 5


def test_someone_else_logged_in_typing_the_holders_email_cannot_use_the_package(pkg, visits):
    # given another account, logged in, with no client here, typing Kati's email
    other = UserFactory(email="other@example.test")
    http = HttpClient()
    http.force_login(other)
    to_checkout(http, pkg)
    html = http.get(CHECKOUT).content.decode()
    assert offered(html) == ["pay_at_salon"]
    response = http.post(CHECKOUT, {"payment_method": "package"})
    assert response.status_code == 400
    visits.refresh_from_db()
    assert visits.visits_left == 5


def test_the_methods_service_hides_account_only_methods_from_non_holders(pkg, visits):
    at = next_wednesday_at(10)
    kwargs = {"salon": pkg["salon"], "client": pkg["client"], "service": pkg["service"]}
    keys = lambda **more: [m.key for m in payment_methods_available(**kwargs, **more)]  # noqa: E731
    assert keys(starts_at=at, user=pkg["user"]) == ["package", "pay_at_salon"]
    assert keys(starts_at=at, user=None) == ["pay_at_salon"]
    assert keys(starts_at=at, user=UserFactory()) == ["pay_at_salon"]


def test_a_package_pays_a_service_that_requires_prepayment(pkg, visits):
    """The client paid the salon for the package already: where a service asks for a deposit
    (a prepayment rule says so), the package stays offered and pay at the salon goes."""
    from bookings.checkout import register_prepayment_rule, unregister_prepayment_rule

    def rule(salon, service):
        return True

    register_prepayment_rule(rule)
    try:
        at = next_wednesday_at(10)
        methods = payment_methods_available(
            salon=pkg["salon"],
            client=pkg["client"],
            service=pkg["service"],
            starts_at=at,
            user=pkg["user"],
        )
        assert [m.key for m in methods] == ["package"]
    finally:
        unregister_prepayment_rule(rule)


# --- The public API -------------------------------------------------------------------------


def test_the_public_api_books_with_the_package_for_the_logged_in_holder(pkg, visits):
    api = APIClient()
    api.force_login(pkg["user"])
    body = {
        "location": pkg["location"].pk,
        "service": pkg["service"].pk,
        "starts_at": next_wednesday_at(10).isoformat(),
        "client": {"first_name": "Kati", "email": "kati@example.test"},
        "payment_method": "package",
    }
    response = api.post("/api/v1/public/alpha/bookings/", body, format="json")
    assert response.status_code == 201, response.content
    visits.refresh_from_db()
    assert visits.visits_left == 4
    # and an anonymous caller naming the holder is refused, nothing written
    before = (package_row_counts(), Appointment.objects.count())
    body["starts_at"] = next_wednesday_at(12).isoformat()
    response = APIClient().post("/api/v1/public/alpha/bookings/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["payment_method"]
    assert (package_row_counts(), Appointment.objects.count()) == before


# --- Queries ----------------------------------------------------------------------------


def _queries_of_checkout(http: HttpClient, pkg, starts_at: dt.datetime) -> tuple[int, int]:
    """(queries of the checkout page, queries of its POST paying with the package)."""
    to_checkout(http, pkg, starts_at)
    with CaptureQueriesContext(connection) as page:
        assert checked_method(http.get(CHECKOUT).content.decode()) == "package"
    with CaptureQueriesContext(connection) as post:
        response = http.post(CHECKOUT, {"payment_method": "package"})
    assert response.status_code == 302
    return len(page), len(post)


def test_a_checkout_paid_by_a_package_costs_the_same_queries_with_many_packages_and_uses(
    pkg, kati_http, django_assert_max_num_queries
):
    # given one package and no uses
    client_package_assign(
        salon=pkg["salon"],
        client=pkg["client"],
        package_type=make_type(pkg["salon"], [pkg["service"]], visits=100),
        actor=None,
    )
    page, post = _queries_of_checkout(kati_http, pkg, next_wednesday_at(9))
    print(f"checkout page: {page} queries; POST paid by a package: {post} queries")

    # when the client holds 20 more packages of every kind and 30 uses
    for i in range(20):
        kind = ("visits", "credit", "time")[i % 3]
        extra = {"credit": "1000"} if kind == "credit" else {}
        client_package_assign(
            salon=pkg["salon"],
            client=pkg["client"],
            package_type=make_type(
                pkg["salon"], [pkg["service"]], name=f"P{i}", kind=kind, **extra
            ),
            actor=None,
        )
    today = timezone.localdate(timezone.now(), TALLINN)
    for i in range(30):
        start = dt.datetime.combine(today + dt.timedelta(days=20 + i), dt.time(15), tzinfo=TALLINN)
        package_pay_appointment(appointment=pkg["appointment"](starts_at=start))
    assert PackageEntry.objects.filter(kind="used").count() == 31

    # then the page and a booking paid by a package cost no more
    to_checkout(kati_http, pkg, next_wednesday_at(11))
    with django_assert_max_num_queries(page):
        kati_http.get(CHECKOUT)
    with django_assert_max_num_queries(post):
        response = kati_http.post(CHECKOUT, {"payment_method": "package"})
    assert response.status_code == 302
    assert PackageEntry.objects.filter(kind="used").count() == 32


def test_checkout_complete_with_a_package_writes_one_use(pkg, visits):
    appointment = checkout_complete(
        salon=pkg["salon"],
        request=BookingRequest(
            location=pkg["location"], service=pkg["service"], starts_at=next_wednesday_at(10)
        ),
        details=ClientDetails(first_name="Kati", last_name="", email="kati@example.test", phone=""),
        payment_method="package",
        unlocks=PasscodeUnlocks(),
        user=pkg["user"],
    )
    assert PackageEntry.objects.get(kind="used").appointment == appointment
    assert appointment.price == Decimal("40.00")
