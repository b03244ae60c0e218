"""The booking site's packages: the packages page (colour-coded, buy with "pay at the salon"
→ waiting for payment), "My packages", the top bar links only where the salon has packages,
and the public API (list, buy, mine)."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from rest_framework.test import APIClient

from packages.models import ClientPackage
from packages.services.holdings import client_package_assign, client_package_buy
from packages.services.types import package_type_create, package_type_set_active
from packages.services.usage import package_pay_appointment
from tests.factories import ServiceFactory, UserFactory

from .conftest import make_type, package_row_counts

PAGE = "/s/alpha/packages/"
MINE = "/s/alpha/my-packages/"
API = "/api/v1/public/alpha/packages/"


@pytest.fixture
def offers(pkg):
    return {
        "time": make_type(pkg["salon"], [pkg["service"]], kind="time", name="Month pass"),
        "credit": make_type(pkg["salon"], [pkg["service"]], kind="credit", name="Credit 100"),
        "visits": make_type(pkg["salon"], [pkg["service"]], name="Five visits"),
        "hidden": make_type(pkg["salon"], [pkg["service"]], name="Desk only", offered_online=False),
        "inactive": make_type(pkg["salon"], [pkg["service"]], name="Old", is_active=False),
    }


# --- The packages page --------------------------------------------------------------------


def test_a_visitor_sees_the_packages_sold_online_colour_coded(offers, client):
    response = client.get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    shown = re.findall(r'class="card package-offer (package-\w+)" id="package-type-(\d+)"', html)
    assert {(css, int(pk)) for css, pk in shown} == {
        ("package-time", offers["time"].pk),
        ("package-credit", offers["credit"].pk),
        ("package-visits", offers["visits"].pk),
    }
    assert "Desk only" not in html and "Old" not in html
    assert "Log in to buy a package" in html
    assert "Buy" not in re.sub(r"Log in to buy a package", "", html)


def test_a_logged_in_client_buys_a_package_to_pay_at_the_salon(pkg, offers, kati_http):
    page = kati_http.get(PAGE).content.decode()
    assert 'name="payment_method" value="pay_at_salon"' in page
    response = kati_http.post(
        f"/s/alpha/packages/{offers['visits'].pk}/buy/",
        {"payment_method": "pay_at_salon"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == MINE
    held = ClientPackage.objects.get()
    assert (held.client, held.status, held.source, held.created_by) == (
        pkg["client"],
        "pending",
        "purchase",
        pkg["user"],
    )
    html = response.content.decode()
    assert "Pay 150.00 EUR at the salon" in html
    assert "Waiting for payment" in html


def test_a_person_without_a_client_record_here_gets_one_when_buying(pkg, offers):
    user = UserFactory(email="new@example.test", first_name="Uus")
    http = HttpClient()
    http.force_login(user)
    http.post(f"/s/alpha/packages/{offers['visits'].pk}/buy/", {"payment_method": "pay_at_salon"})
    held = ClientPackage.objects.get()
    assert (held.client.user, held.client.email, held.client.first_name) == (
        user,
        "new@example.test",
        "Uus",
    )


@pytest.mark.parametrize(
    ("which", "method", "message"),
    [
        ("hidden", "pay_at_salon", "This package is not sold online at the moment."),
        ("inactive", "pay_at_salon", "This package is not sold online at the moment."),
        ("visits", "bitcoin", "Choose how you would like to pay."),
        ("visits", "", "Choose how you would like to pay."),
    ],
)
def test_a_refused_purchase_says_why_and_writes_nothing(
    pkg, offers, kati_http, which, method, message
):
    before = package_row_counts()
    response = kati_http.post(
        f"/s/alpha/packages/{offers[which].pk}/buy/", {"payment_method": method}, follow=True
    )
    assert message in response.content.decode()
    assert package_row_counts() == before


def test_buying_twice_while_waiting_for_payment_is_refused(pkg, offers, kati_http):
    url = f"/s/alpha/packages/{offers['visits'].pk}/buy/"
    kati_http.post(url, {"payment_method": "pay_at_salon"})
    response = kati_http.post(url, {"payment_method": "pay_at_salon"}, follow=True)
    assert "waiting for your payment at the salon" in response.content.decode()
    assert ClientPackage.objects.count() == 1


def test_buying_needs_a_log_in_and_another_salons_id_is_404(pkg, offers, kati_http, other_salon):
    url = f"/s/alpha/packages/{offers['visits'].pk}/buy/"
    response = HttpClient().post(url, {"payment_method": "pay_at_salon"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    foreign = make_type(other_salon, [ServiceFactory(salon=other_salon)])
    response = kati_http.post(
        f"/s/alpha/packages/{foreign.pk}/buy/", {"payment_method": "pay_at_salon"}
    )
    assert response.status_code == 404
    assert not ClientPackage.objects.exists()
    assert kati_http.get(url).status_code == 302  # a GET goes to the packages page


# --- My packages --------------------------------------------------------------------------


def test_my_packages_shows_what_is_left_and_the_bookings_it_paid(pkg, offers, kati_http):
    held = client_package_assign(
        salon=pkg["salon"], client=pkg["client"], package_type=offers["visits"], actor=None
    )
    package_pay_appointment(appointment=pkg["appointment"]())
    html = kati_http.get(MINE).content.decode()
    assert f'id="my-package-{held.pk}"' in html
    assert "4 of 5 visits left" in html
    assert "Paid: Haircut on" in html
    assert "package-visits" in html


def test_my_packages_shows_nothing_of_another_client(pkg, offers):
    client_package_assign(
        salon=pkg["salon"], client=pkg["client"], package_type=offers["visits"], actor=None
    )
    http = HttpClient()
    http.force_login(UserFactory(email="someone@example.test"))
    html = http.get(MINE).content.decode()
    assert "You have no packages at Alpha Hair." in html
    assert "Five visits" not in html


def test_my_packages_needs_a_log_in(pkg, client):
    response = client.get(MINE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- The top bar --------------------------------------------------------------------------


def test_the_top_bar_links_to_packages_where_the_salon_sells_them(pkg, offers, kati_http, client):
    assert 'href="/s/alpha/packages/"' in client.get("/s/alpha/", follow=True).content.decode()
    html = kati_http.get("/s/alpha/my/").content.decode()
    assert 'href="/s/alpha/packages/"' in html and 'href="/s/alpha/my-packages/"' in html


def test_no_package_links_where_the_salon_has_no_packages(pkg, kati_http):
    html = kati_http.get("/s/alpha/my/").content.decode()
    assert "/s/alpha/packages/" not in html and "/s/alpha/my-packages/" not in html


def test_a_new_package_shows_the_links_at_once_and_deactivating_hides_them(
    pkg, kati_http, django_capture_on_commit_callbacks
):
    assert "/s/alpha/packages/" not in kati_http.get("/s/alpha/my/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        package_type = package_type_create(
            salon=pkg["salon"],
            kind="visits",
            name="Five",
            price="100",
            visits=5,
            services=[pkg["service"]],
        )
    assert "/s/alpha/packages/" in kati_http.get("/s/alpha/my/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        package_type_set_active(package_type=package_type, active=False)
    html = kati_http.get("/s/alpha/my/").content.decode()
    assert "/s/alpha/packages/" not in html
    assert "/s/alpha/my-packages/" in html  # clients may hold its packages still


def test_the_top_bar_costs_no_query_once_cached(pkg, offers, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/s/alpha/", follow=True)  # fills the cache
    with CaptureQueriesContext(connection) as captured:
        client.get(PAGE)
    assert not any("packages_packagetype" in q["sql"] and "DISTINCT" in q["sql"] for q in captured)


def test_the_pages_have_no_inline_scripts_or_styles(pkg, offers, kati_http):
    client_package_assign(
        salon=pkg["salon"], client=pkg["client"], package_type=offers["visits"], actor=None
    )
    for target in (PAGE, MINE):
        html = kati_http.get(target).content.decode()
        assert "style=" not in html
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)


# --- The public API -----------------------------------------------------------------------


def test_the_api_lists_the_packages_sold_online(pkg, offers):
    response = APIClient().get(f"{API}package-types/")
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.json()}
    assert set(rows) == {"Month pass", "Credit 100", "Five visits"}
    assert rows["Five visits"] == {
        "id": offers["visits"].pk,
        "kind": "visits",
        "name": "Five visits",
        "description": "",
        "price": "150.00",
        "currency": "EUR",
        "credit": None,
        "visits": 5,
        "validity_count": None,
        "validity_unit": "",
        "services": [{"id": pkg["service"].pk, "name": "Haircut"}],
    }


def test_the_api_buys_and_lists_mine(pkg, offers):
    api = APIClient()
    api.force_authenticate(pkg["user"])
    response = api.post(f"{API}package-types/{offers['credit'].pk}/buy/", {}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["state"], body["credit_left"], body["kind"]) == ("pending", "100.00", "credit")
    assert [e["kind"] for e in body["entries"]] == ["issued"]
    mine = api.get(f"{API}mine/").json()
    assert [row["id"] for row in mine] == [body["id"]]


@pytest.mark.parametrize(
    ("which", "body", "field"),
    [
        ("hidden", {}, "package_type"),
        ("inactive", {}, "package_type"),
        ("visits", {"payment_method": "card"}, "payment_method"),
    ],
)
def test_the_api_refuses_bad_purchases_and_writes_nothing(pkg, offers, which, body, field):
    api = APIClient()
    api.force_authenticate(pkg["user"])
    before = package_row_counts()
    response = api.post(f"{API}package-types/{offers[which].pk}/buy/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert package_row_counts() == before


def test_the_api_needs_a_log_in_to_buy_and_404s_another_salons_id(pkg, offers, other_salon):
    assert APIClient().post(f"{API}package-types/{offers['visits'].pk}/buy/").status_code == 401
    assert APIClient().get(f"{API}mine/").status_code == 401
    api = APIClient()
    api.force_authenticate(pkg["user"])
    foreign = make_type(other_salon, [ServiceFactory(salon=other_salon)])
    assert api.post(f"{API}package-types/{foreign.pk}/buy/").status_code == 404
    assert not ClientPackage.objects.exists()


def test_the_api_shows_no_one_elses_packages(pkg, offers):
    client_package_buy(salon=pkg["salon"], client=pkg["client"], package_type=offers["visits"])
    api = APIClient()
    api.force_authenticate(UserFactory(email="x@example.test"))
    assert api.get(f"{API}mine/").json() == []


def test_package_pages_survive_garbage_on_the_demo_salon(db):
    import io

    from django.core.management import call_command

    from bookings.models import Salon, Service
    from tests.test_no_server_errors import FIELDS, assert_no_server_error, garbage_for

    call_command("seed_demo", stdout=io.StringIO())
    salon = Salon.objects.get(slug="demo")
    package_type = make_type(salon, [Service.objects.for_salon(salon).first()])
    urls = ["/s/demo/packages/", f"/s/demo/packages/{package_type.pk}/buy/", "/s/demo/my-packages/"]
    assert_no_server_error(HttpClient(raise_request_exception=False), urls)
    http = HttpClient(raise_request_exception=False)
    http.force_login(UserFactory(email="garbage@example.test"))
    assert_no_server_error(http, urls)
    failures = []
    for shift in range(4):
        for target in [f"{API.replace('alpha', 'demo')}package-types/{package_type.pk}/buy/"]:
            response = http.post(target, garbage_for([*FIELDS, "payment_method"], shift))
            if response.status_code >= 500:
                failures.append(f"POST {target} (shift {shift}) → {response.status_code}")
    assert failures == []
