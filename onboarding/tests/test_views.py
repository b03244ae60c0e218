"""The wizard's pages: each step with good and bad input, skipping and resuming, and
isolation (another person's wizard is a 404)."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from bookings.models import Location, LocationHours, Salon, Service, StaffMember
from onboarding.models import SalonSetup
from onboarding.services import salon_setup_start
from tests.factories import MembershipFactory, SalonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(email="anna@example.test", first_name="Anna", last_name="Kask")


@pytest.fixture
def http(user) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


@pytest.fixture
def started(user) -> Salon:
    return salon_setup_start(owner=user, name="Studio Anna", slug="studio-anna", country="EE")


def _url(name: str, salon: Salon, **kwargs) -> str:
    return reverse(f"onboarding:{name}", kwargs={"salon_slug": salon.slug, **kwargs})


def _hours_post(**overrides) -> dict[str, str]:
    data = {"hours-TOTAL_FORMS": "7", "hours-INITIAL_FORMS": "0"}
    for day in range(7):
        data[f"hours-{day}-weekday"] = str(day)
        data[f"hours-{day}-opens"] = "09:00"
        data[f"hours-{day}-closes"] = "18:00"
        if day < 5:
            data[f"hours-{day}-is_open"] = "on"
    data.update(overrides)
    return data


def test_home_page_offers_create_your_salon(client, db):
    response = client.get("/")
    assert reverse("onboarding:start").encode() in response.content


def test_start_sends_a_visitor_to_sign_up_first(client, db):
    response = client.get(reverse("onboarding:start"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_signup')}?next=/start/"


def test_start_page_prefills_from_the_language(http):
    response = http.get(reverse("onboarding:start"), HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["country"] == "DK"
    assert form.initial["currency"] == "DKK"


def test_start_creates_the_salon_and_goes_to_the_location_step(http, user):
    # when
    response = http.post(
        reverse("onboarding:start"),
        {"name": "Studio Anna", "slug": "", "country": "RO", "time_zone": "", "currency": ""},
    )

    # then
    salon = Salon.objects.get(slug="studio-anna")
    assert response.status_code == 302
    assert response["Location"] == _url("location", salon)
    assert (salon.time_zone, salon.currency, salon.default_language) == (
        "Europe/Bucharest",
        "RON",
        "ro",
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"slug": "api"}, "slug"),
        ({"slug": "taken"}, "slug"),
        ({"time_zone": "Europe/Atlantis"}, "time_zone"),
        ({"currency": "ABC"}, "currency"),
    ],
)
def test_start_shows_errors_and_writes_nothing(http, data, field):
    # given
    SalonFactory(slug="taken")
    post = {"name": "Studio Anna", "slug": "studio-anna", "country": "EE", **data}

    # when
    response = http.post(reverse("onboarding:start"), post)

    # then
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert list(Salon.objects.values_list("slug", flat=True)) == ["taken"]
    assert not SalonSetup.objects.exists()


def test_location_step_prefills_weekdays_9_to_18(http, started):
    response = http.get(_url("location", started))
    initial = [form.initial for form in response.context["hours"]]
    assert [row["is_open"] for row in initial] == [True] * 5 + [False] * 2
    assert str(initial[0]["opens"]) == "09:00:00"
    assert str(initial[0]["closes"]) == "18:00:00"


def test_location_step_saves_and_goes_on(http, started):
    response = http.post(
        _url("location", started), {"name": "Old Town", "city": "Tallinn", **_hours_post()}
    )
    assert response.status_code == 302
    assert response["Location"] == _url("services", started)
    location = Location.objects.for_salon(started).get()
    assert location.opening_hours.count() == 5


def test_location_step_with_closing_before_opening_writes_nothing(http, started):
    response = http.post(
        _url("location", started),
        {"name": "Old Town", **_hours_post(**{"hours-0-closes": "08:00"})},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Location.objects.for_salon(started).exists()
    assert not LocationHours.objects.for_salon(started).exists()


def test_services_step_lists_the_starter_services_in_the_salons_language(http, started):
    response = http.get(_url("services", started), {"kind": "nails"})
    names = [form.initial["name"] for form in response.context["rows"].forms[:4]]
    assert names[0] == "Klassikaline maniküür"


def _services_post(rows: list[tuple[str, str, str, bool]]) -> dict[str, str]:
    data = {
        "kind": "hair",
        "services-TOTAL_FORMS": str(len(rows)),
        "services-INITIAL_FORMS": "0",
    }
    for number, (name, minutes, price, include) in enumerate(rows):
        data[f"services-{number}-name"] = name
        data[f"services-{number}-duration_minutes"] = minutes
        data[f"services-{number}-price"] = price
        if include:
            data[f"services-{number}-include"] = "on"
    return data


def test_services_step_saves_the_ticked_rows(http, started):
    response = http.post(
        _url("services", started),
        _services_post([("Cut", "30", "20", True), ("Colour", "90", "60", False)]),
    )
    assert response.status_code == 302
    assert list(Service.objects.for_salon(started).values_list("name", flat=True)) == ["Cut"]


def test_services_step_with_a_missing_price_writes_nothing(http, started):
    response = http.post(
        _url("services", started),
        _services_post([("Cut", "30", "20", True), ("Colour", "90", "", True)]),
    )
    assert response.status_code == 200
    assert not Service.objects.for_salon(started).exists()


def test_staff_step_prefills_the_owner_and_saves(http, started, user):
    assert http.get(_url("staff", started)).context["form"].initial["owner_name"] == "Anna Kask"
    response = http.post(
        _url("staff", started), {"owner_name": "Anna", "other_names": "Mari\n\nJaan\n"}
    )
    assert response.status_code == 302
    # the steps before were neither done nor skipped: the wizard goes back to them
    assert response["Location"] == _url("location", started)
    assert sorted(StaffMember.objects.for_salon(started).values_list("name", flat=True)) == [
        "Anna",
        "Jaan",
        "Mari",
    ]


def test_skip_and_resume(http, started):
    # when the location is skipped
    response = http.post(_url("skip", started, step="location"))

    # then the wizard goes on to services, and resuming lands there too
    assert response["Location"] == _url("services", started)
    assert http.get(_url("resume", started))["Location"] == _url("services", started)

    # when services and staff are skipped as well
    http.post(_url("skip", started, step="services"))
    http.post(_url("skip", started, step="staff"))

    # then the last page offers the skipped steps again
    live = http.get(_url("live", started))
    assert [s["url"] for s in live.context["open_steps"]] == [
        _url("location", started),
        _url("services", started),
        _url("staff", started),
    ]


def test_unknown_step_cannot_be_skipped(http, started):
    assert http.post(_url("skip", started, step="nope")).status_code == 404


def test_home_resumes_an_unfinished_wizard(http, started):
    response = http.get("/")
    assert response["Location"] == _url("resume", started)


def test_live_page_has_link_share_text_and_qr(http, started):
    # when
    page = http.get(_url("live", started))
    qr = http.get(_url("qr", started))

    # then
    link = "http://testserver/s/studio-anna/"
    assert page.context["link"] == link
    assert link in page.context["share_text"]
    assert qr.status_code == 200
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr.content.startswith(b"<svg")


@pytest.mark.parametrize("name", ["resume", "location", "services", "staff", "live", "qr"])
def test_another_user_gets_404(started, name):
    # given a stranger, and a staff member of the salon (not a manager)
    stranger = HttpClient()
    stranger.force_login(UserFactory())
    staff = UserFactory()
    MembershipFactory(salon=started, user=staff, role="staff")
    staff_http = HttpClient()
    staff_http.force_login(staff)

    # then
    assert stranger.get(_url(name, started)).status_code == 404
    assert staff_http.get(_url(name, started)).status_code == 404


def test_another_user_cannot_write_to_someone_elses_wizard(started):
    stranger = HttpClient()
    stranger.force_login(UserFactory())
    assert stranger.post(_url("staff", started), {"owner_name": "Eve"}).status_code == 404
    assert stranger.post(_url("skip", started, step="location")).status_code == 404
    assert not StaffMember.objects.for_salon(started).exists()
    assert SalonSetup.objects.for_salon(started).get().steps_skipped == []


def test_a_salon_made_without_the_wizard_has_no_wizard(owner_client, salon):
    assert owner_client.get(_url("live", salon)).status_code == 404


def test_dashboard_header_switches_between_the_users_salons(
    owner_client, owner, salon, django_assert_max_num_queries
):
    # given a second and third salon of the same owner
    for slug in ("gamma", "delta"):
        MembershipFactory(salon=SalonFactory(slug=slug, name=slug.title()), user=owner)
    switcher = reverse("dashboard:salon_switcher", kwargs={"salon_slug": "alpha"})

    # when the menu is opened (htmx loads its list)
    with django_assert_max_num_queries(10) as counted:
        response = owner_client.get(switcher, HTTP_HX_REQUEST="true")
    queries_with_three = len(counted)
    MembershipFactory(salon=SalonFactory(slug="epsilon", name="Epsilon"), user=owner)
    with django_assert_max_num_queries(queries_with_three):
        owner_client.get(switcher, HTTP_HX_REQUEST="true")

    # then it lists every salon of the user, and offers to create another
    html = response.content.decode()
    for slug in ("alpha", "gamma", "delta"):
        assert f'href="/dashboard/{slug}/"' in html
    assert 'href="/start/"' in html
    assert "<html" not in html


def test_dashboard_pages_load_the_switcher_lazily(owner_client, salon):
    html = owner_client.get(reverse("dashboard:home", kwargs={"salon_slug": "alpha"})).content
    assert b'hx-get="/dashboard/alpha/salons/"' in html
    assert b'class="salon-switcher"' in html


def test_switcher_of_a_salon_one_is_not_in_is_404(other_owner_client, salon):
    switcher = reverse("dashboard:salon_switcher", kwargs={"salon_slug": "alpha"})
    assert other_owner_client.get(switcher).status_code == 404
