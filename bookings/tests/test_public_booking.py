"""The public booking flow at /s/<slug>/: browsing, picking a time, details, checkout."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import Client as HttpClient

from bookings.models import Appointment, Client
from bookings.services.booking import BookingRequest, appointment_book
from bookings.signing import appointment_from_token
from tests.factories import (
    ClientFactory,
    LocationFactory,
    LocationHoursFactory,
    ServiceCategoryFactory,
    ServiceFactory,
    StaffMemberFactory,
    UserFactory,
    WorkingHoursFactory,
)

TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")
GUEST = {
    "first_name": "Kati",
    "last_name": "Karu",
    "email": "Kati@Example.test",
    "phone": "+372 5551 2345",
    "notes": "Short, please",
}


def next_wednesday_at(hour: int, minute: int = 0) -> dt.datetime:
    today = dt.datetime.now(TALLINN).date()
    days = (2 - today.weekday()) % 7 or 7
    day = today + dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TALLINN)


def base(shop) -> str:
    return f"/s/alpha/l/{shop['location'].pk}/s/{shop['service'].pk}"


def details_url(shop, starts_at: dt.datetime, staff: str | int = "any") -> str:
    return f"{base(shop)}/details/?" + urlencode({"staff": staff, "start": starts_at.isoformat()})


def times_url(shop, **params: object) -> str:
    return f"{base(shop)}/time/?" + urlencode(params)


def pick_details(http: HttpClient, shop, starts_at: dt.datetime, staff: str | int = "any"):
    return http.post(details_url(shop, starts_at, staff), GUEST)


# --- the happy path ---------------------------------------------------------------------


def test_guest_books_through_every_step(shop):
    # given
    http = HttpClient()
    location = shop["location"]
    starts_at = next_wednesday_at(10)

    # when / then: the salon with one location goes straight to its services
    response = http.get("/s/alpha/")
    assert response.status_code == 302
    assert response["Location"] == f"/s/alpha/l/{location.pk}/"

    response = http.get(f"/s/alpha/l/{location.pk}/")
    assert response.status_code == 200
    assert "Haircut" in response.content.decode()
    assert "€40.00" in response.content.decode()
    assert "60 min" in response.content.decode()

    response = http.get(f"{base(shop)}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("Any available") < page.index("Anna") < page.index("Mari")

    response = http.get(times_url(shop, staff="any", date=starts_at.date().isoformat()))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Europe/Tallinn" in page
    assert ">10:00<" in page
    assert ">09:00<" in page
    assert ">16:00<" in page
    assert ">16:15<" not in page  # 60 minutes do not fit before 17:00

    response = http.get(details_url(shop, starts_at))
    assert response.status_code == 200
    assert 'name="marketing_consent"' in response.content.decode()
    assert "checked" not in response.content.decode().split('name="marketing_consent"')[1][:40]

    response = pick_details(http, shop, starts_at)
    assert response.status_code == 302
    assert response["Location"] == "/s/alpha/checkout/"
    assert Appointment.objects.count() == 0  # nothing is written before the last step

    response = http.get("/s/alpha/checkout/")
    assert response.status_code == 200
    assert "Pay at the salon" in response.content.decode()

    response = http.post("/s/alpha/checkout/", {"payment_method": "pay_at_salon"})

    # then
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    client = Client.objects.get()
    token = response["Location"].removeprefix("/s/alpha/a/").removesuffix("/")
    assert appointment_from_token(shop["salon"], token) == appointment
    assert appointment.client == client
    assert appointment.starts_at == starts_at
    assert appointment.source == "online"
    assert appointment.status == "booked"
    assert appointment.price == Decimal("40.00")
    assert appointment.notes == "Short, please"
    assert appointment.staff == shop["staff"][0]
    assert (client.first_name, client.last_name, client.email) == (
        "Kati",
        "Karu",
        "kati@example.test",
    )
    assert str(client.phone) == "+37255512345"
    assert client.marketing_consent is False
    assert client.marketing_consent_at is None
    assert client.user is None
    assert f"public_booking:{shop['salon'].pk}" not in http.session


def test_ticked_consent_is_recorded_with_its_time(shop):
    # given
    http = HttpClient()
    starts_at = next_wednesday_at(11)
    http.post(details_url(shop, starts_at), {**GUEST, "marketing_consent": "on"})

    # when
    http.post("/s/alpha/checkout/", {"payment_method": "pay_at_salon"})

    # then
    client = Client.objects.get()
    assert client.marketing_consent is True
    assert client.marketing_consent_at is not None


def test_returning_guest_is_found_by_email_and_owner_data_is_kept(shop):
    # given
    existing = ClientFactory(
        salon=shop["salon"], first_name="Katrin", last_name="", email="kati@example.test"
    )
    http = HttpClient()
    http.post(details_url(shop, next_wednesday_at(12)), GUEST)

    # when
    http.post("/s/alpha/checkout/", {"payment_method": "pay_at_salon"})

    # then
    existing.refresh_from_db()
    assert Client.objects.count() == 1
    assert Appointment.objects.get().client == existing
    assert existing.first_name == "Katrin"  # not overwritten
    assert existing.last_name == "Karu"  # was blank, filled
    assert str(existing.phone) == "+37255512345"


def test_choosing_a_staff_member_books_that_staff_member(shop):
    # given
    http = HttpClient()
    mari = shop["staff"][1]
    pick_details(http, shop, next_wednesday_at(10), staff=mari.pk)

    # when
    http.post("/s/alpha/checkout/", {"payment_method": "pay_at_salon"})

    # then
    assert Appointment.objects.get().staff == mari


# --- logged-in clients and required login -----------------------------------------------


def verified_user(email: str, **names: str):
    user = UserFactory(email=email, **names)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def test_logged_in_client_gets_details_prefilled_and_booking_linked(shop):
    # given
    user = verified_user("liis@example.test")
    linked = ClientFactory(
        salon=shop["salon"],
        user=user,
        first_name="Liis",
        last_name="Lepp",
        email="liis@example.test",
        phone="+37255500011",
    )
    http = HttpClient()
    http.force_login(user)
    starts_at = next_wednesday_at(10)

    # when
    page = http.get(details_url(shop, starts_at)).content.decode()
    http.post(
        details_url(shop, starts_at),
        {
            "first_name": "Liis",
            "last_name": "Lepp",
            "email": "liis@example.test",
            "phone": "+37255500011",
        },
    )
    http.post("/s/alpha/checkout/", {"payment_method": "pay_at_salon"})

    # then
    assert 'value="Liis"' in page
    assert 'value="Lepp"' in page
    assert 'value="liis@example.test"' in page
    assert Client.objects.count() == 1
    appointment = Appointment.objects.get()
    assert appointment.client == linked
    assert appointment.created_by == user


def test_logged_in_user_without_a_client_gets_the_account_email_and_a_linked_client(shop):
    # given
    user = verified_user("new@example.test", first_name="Uus", last_name="Kasutaja")
    http = HttpClient()
    http.force_login(user)
    starts_at = next_wednesday_at(10)

    # when
    page = http.get(details_url(shop, starts_at)).content.decode()
    http.post(
        details_url(shop, starts_at),
        {
            "first_name": "Uus",
            "last_name": "Kasutaja",
            "email": "new@example.test",
            "phone": "+37255500022",
        },
    )
    http.post("/s/alpha/checkout/", {"payment_method": "pay_at_salon"})

    # then
    assert 'value="new@example.test"' in page
    assert 'value="Uus"' in page
    client = Client.objects.get()
    assert client.user == user
    assert Appointment.objects.get().client == client


def test_logged_in_user_cannot_book_as_another_accounts_client(shop):
    # given
    other = verified_user("other@example.test")
    ClientFactory(salon=shop["salon"], user=other, email="other@example.test")
    me = verified_user("me@example.test")
    http = HttpClient()
    http.force_login(me)
    http.post(details_url(shop, next_wednesday_at(10)), {**GUEST, "email": "other@example.test"})

    # when
    response = http.post("/s/alpha/checkout/", {"payment_method": "pay_at_salon"})

    # then
    assert response.status_code == 400
    assert "belongs to another account" in response.content.decode()
    assert Appointment.objects.count() == 0
    assert Client.objects.count() == 1


def test_salon_requiring_login_sends_guests_to_log_in(shop):
    # given
    salon = shop["salon"]
    salon.require_login_to_book = True
    salon.save()
    http = HttpClient()
    url = details_url(shop, next_wednesday_at(10))

    # when
    details = http.get(url)
    posted = http.post(url, GUEST)
    checkout = http.get("/s/alpha/checkout/")
    times = http.get(times_url(shop, staff="any"))

    # then
    assert details.status_code == 302
    assert details["Location"] == "/accounts/login/?" + urlencode({"next": url}, safe="/")
    assert posted.status_code == 302
    assert posted["Location"].startswith("/accounts/login/?next=")
    assert checkout["Location"] == "/accounts/login/?next=/s/alpha/checkout/"
    assert times.status_code == 200  # browsing needs no account
    assert Client.objects.count() == 0


def test_salon_requiring_login_lets_a_logged_in_client_book(shop):
    # given
    salon = shop["salon"]
    salon.require_login_to_book = True
    salon.save()
    user = verified_user("kati@example.test")
    http = HttpClient()
    http.force_login(user)

    # when
    details = http.post(details_url(shop, next_wednesday_at(10)), GUEST)
    checkout = http.post("/s/alpha/checkout/", {"payment_method": "pay_at_salon"})

    # then
    assert details.status_code == 302
    assert checkout.status_code == 302
    assert Appointment.objects.get().client.user == user


# --- browsing: what is offered ----------------------------------------------------------


def test_unknown_salon_is_404(db):
    assert HttpClient().get("/s/nobody/").status_code == 404


def test_several_locations_are_listed_and_inactive_ones_are_not(shop):
    # given
    LocationFactory(salon=shop["salon"], name="Harbour")
    LocationFactory(salon=shop["salon"], name="Closed Branch", is_active=False)

    # when
    response = HttpClient().get("/s/alpha/")

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "Old Town" in page
    assert "Harbour" in page
    assert "Closed Branch" not in page


def test_services_page_lists_only_services_bookable_at_the_location(shop):
    # given
    salon, location = shop["salon"], shop["location"]
    anna = shop["staff"][0]
    colour = ServiceCategoryFactory(salon=salon, name="Colour", position=1)
    ServiceFactory(salon=salon, name="Hidden Offline", online_bookable=False)
    ServiceFactory(salon=salon, name="Retired", is_active=False)
    nobody = ServiceFactory(salon=salon, name="Nobody Performs")
    assert nobody
    elsewhere = ServiceFactory(salon=salon, name="Only Elsewhere")
    harbour = LocationFactory(salon=salon, name="Harbour")
    StaffMemberFactory(salon=salon, name="Harbour Hanna", locations=[harbour], services=[elsewhere])
    offline = ServiceFactory(salon=salon, name="Offline Staff Only")
    StaffMemberFactory(
        salon=salon, name="Off", offered_online=False, locations=[location], services=[offline]
    )
    highlights = ServiceFactory(
        salon=salon, name="Highlights", category=colour, duration_minutes=90, price="85.50"
    )
    anna.services.add(highlights, through_defaults={"salon_id": salon.pk})

    # when
    response = HttpClient().get(f"/s/alpha/l/{location.pk}/")

    # then
    page = response.content.decode()
    assert response.status_code == 200
    for absent in (
        "Hidden Offline",
        "Retired",
        "Nobody Performs",
        "Only Elsewhere",
        "Offline Staff Only",
    ):
        assert absent not in page
    assert page.index("Colour") < page.index("Highlights") < page.index("Haircut")
    assert "90 min" in page
    assert "€85.50" in page


def test_staff_page_lists_only_staff_offered_online_at_the_location(shop):
    # given
    salon, location, service = shop["salon"], shop["location"], shop["service"]
    StaffMemberFactory(
        salon=salon,
        name="Private Piret",
        offered_online=False,
        locations=[location],
        services=[service],
    )
    StaffMemberFactory(
        salon=salon, name="Former Frida", is_active=False, locations=[location], services=[service]
    )
    StaffMemberFactory(
        salon=salon,
        name="Harbour Hanna",
        locations=[LocationFactory(salon=salon, name="Harbour")],
        services=[service],
    )

    # when
    page = HttpClient().get(f"{base(shop)}/").content.decode()

    # then
    assert "Anna" in page
    assert "Mari" in page
    for absent in ("Private Piret", "Former Frida", "Harbour Hanna"):
        assert absent not in page


def test_times_of_a_chosen_staff_member_skip_their_appointments(shop):
    # given
    anna = shop["staff"][0]
    starts_at = next_wednesday_at(10)
    appointment_book(
        salon=shop["salon"],
        request=BookingRequest(
            location=shop["location"], service=shop["service"], starts_at=starts_at, staff=anna
        ),
        client=ClientFactory(salon=shop["salon"]),
    )

    # when
    anna_page = HttpClient().get(times_url(shop, staff=anna.pk, date=starts_at.date().isoformat()))
    any_page = HttpClient().get(times_url(shop, staff="any", date=starts_at.date().isoformat()))

    # then
    assert ">10:00<" not in anna_page.content.decode()
    assert ">11:15<" in anna_page.content.decode()
    assert ">10:00<" in any_page.content.decode()  # Mari is free


def test_times_page_swaps_only_the_picker_for_htmx(shop):
    # given
    day = next_wednesday_at(10).date()

    # when
    response = HttpClient().get(
        times_url(shop, staff="any", date=day.isoformat()), HTTP_HX_REQUEST="true"
    )

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="picker"')
    assert "<html" not in page
    assert "HX-Request" in response["Vary"]


def test_htmx_picker_shows_a_bad_date_message_with_status_200(shop):
    # when
    response = HttpClient().get(times_url(shop, staff="any", date="nope"), HTTP_HX_REQUEST="true")

    # then
    assert response.status_code == 200
    assert "That is not a valid date." in response.content.decode()


def test_week_strip_is_bounded_by_today_and_max_advance(shop):
    # given
    salon = shop["salon"]
    salon.max_advance_days = 3
    salon.save()
    now = dt.datetime.now(TALLINN)
    today, last = now.date(), (now + dt.timedelta(days=3)).date()
    sunday = today + dt.timedelta(days=6 - today.weekday())
    http = HttpClient()

    # when
    page = http.get(times_url(shop, staff="any")).content.decode()
    last_day = http.get(times_url(shop, staff="any", date=last.isoformat()))
    beyond = http.get(times_url(shop, staff="any", date=(last + dt.timedelta(days=1)).isoformat()))

    # then
    assert "Previous week" not in page
    assert ("Next week" in page) == (last > sunday)
    assert last_day.status_code == 200
    assert beyond.status_code == 400


def test_later_weeks_link_back(shop):
    # given
    later = dt.datetime.now(TALLINN).date() + dt.timedelta(days=14)

    # when
    page = HttpClient().get(times_url(shop, staff="any", date=later.isoformat())).content.decode()

    # then
    assert "Previous week" in page
    assert "Next week" in page


def test_times_are_shown_in_the_location_time_zone(shop):
    # given: a second location far from Tallinn
    salon, service = shop["salon"], shop["service"]
    anna = shop["staff"][0]
    ny = LocationFactory(salon=salon, name="Manhattan", time_zone="America/New_York")
    for weekday in range(7):
        LocationHoursFactory(location=ny, weekday=weekday, opens=dt.time(8), closes=dt.time(20))
        WorkingHoursFactory(
            staff=anna, location=ny, weekday=weekday, starts=dt.time(9), ends=dt.time(12)
        )
    anna.locations.add(ny, through_defaults={"salon_id": salon.pk})
    day = next_wednesday_at(10).date()

    # when
    page = (
        HttpClient()
        .get(
            f"/s/alpha/l/{ny.pk}/s/{service.pk}/time/?"
            + urlencode({"staff": "any", "date": day.isoformat()})
        )
        .content.decode()
    )

    # then
    assert "America/New_York" in page
    assert ">09:00<" in page
    assert ">11:00<" in page
    assert ">11:15<" not in page


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date": "2026-13-45"}, "That is not a valid date."),
        ({"date": "yesterday"}, "That is not a valid date."),
        ({"date": "2000-01-03"}, "That day is in the past."),
        ({"date": "2999-01-01"}, "Bookings open at most 365 days ahead."),
    ],
)
def test_bad_dates_get_a_message(shop, params, message):
    # when
    response = HttpClient().get(times_url(shop, staff="any", **params))

    # then
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize(
    ("start", "status", "message"),
    [
        ("tomorrow at ten", 400, "That is not a valid time."),
        ("", 400, "Choose a time."),
        ("2000-01-05T10:00:00+02:00", 400, "That time is in the past."),
        ("2999-01-05T10:00:00+02:00", 400, "Bookings open at most 365 days ahead."),
    ],
)
def test_bad_start_times_get_a_message_and_write_nothing(shop, start, status, message):
    # given
    url = f"{base(shop)}/details/?" + urlencode({"staff": "any", "start": start})
    http = HttpClient()

    # when
    shown = http.get(url)
    posted = http.post(url, GUEST)

    # then
    assert shown.status_code == status
    assert message in shown.content.decode()
    assert posted.status_code == status
    assert f"public_booking:{shop['salon'].pk}" not in http.session
    assert Client.objects.count() == 0


@pytest.mark.parametrize(
    ("hour_minute", "message"),
    [
        ((3, 0), "This time is outside the opening and working hours."),
        ((10, 7), "Bookings start only at the times offered; choose one of them."),
        ((16, 30), "This time is outside the opening and working hours."),
    ],
)
def test_times_not_offered_are_refused(shop, hour_minute, message):
    # given: at night, off the 15-minute grid, too late to fit 60 minutes before 17:00
    starts_at = next_wednesday_at(*hour_minute)
    http = HttpClient()

    # when
    shown = http.get(details_url(shop, starts_at))
    posted = http.post(details_url(shop, starts_at), GUEST)

    # then: never a slot, so a 400 that says why (issue 13; a taken slot stays a 409)
    assert shown.status_code == 400
    assert message in shown.content.decode()
    assert posted.status_code == 400
    assert f"public_booking:{shop['salon'].pk}" not in http.session


def test_start_time_with_an_unencoded_plus_is_understood(shop):
    # given: "+02:00" typed into a link arrives as " 02:00"
    starts_at = next_wednesday_at(10)
    raw = starts_at.isoformat()
    url = f"{base(shop)}/details/?staff=any&start={raw}"

    # when
    response = HttpClient().get(url)

    # then
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("email", "not-an-email", "Enter a valid email address."),
        ("phone", "12", "Enter a valid phone number"),
        ("first_name", "", "This field is required."),
    ],
)
def test_bad_details_get_form_errors_and_nothing_is_kept(shop, field, value, error):
    # given
    http = HttpClient()

    # when
    response = http.post(details_url(shop, next_wednesday_at(10)), {**GUEST, field: value})

    # then
    assert response.status_code == 400
    assert error in response.content.decode()
    assert f"public_booking:{shop['salon'].pk}" not in http.session
    assert Client.objects.count() == 0


def test_checkout_without_a_pending_booking_starts_again(shop):
    # when
    response = HttpClient().post(
        "/s/alpha/checkout/", {"payment_method": "pay_at_salon"}, follow=True
    )

    # then
    assert response.redirect_chain[0] == ("/s/alpha/", 302)
    assert "Please start again." in response.content.decode()
    assert Appointment.objects.count() == 0


def test_unknown_payment_method_is_refused(shop):
    # given
    http = HttpClient()
    pick_details(http, shop, next_wednesday_at(10))

    # when
    response = http.post("/s/alpha/checkout/", {"payment_method": "free_lunch"})

    # then
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert Appointment.objects.count() == 0
    assert Client.objects.count() == 0


def test_checkout_revalidates_what_changed_since_the_details_step(shop):
    # given: the service stops being bookable online after the client picked it
    http = HttpClient()
    pick_details(http, shop, next_wednesday_at(10))
    service = shop["service"]
    service.online_bookable = False
    service.save()

    # when
    response = http.post("/s/alpha/checkout/", {"payment_method": "pay_at_salon"}, follow=True)

    # then
    assert response.redirect_chain[0] == ("/s/alpha/", 302)
    assert "no longer valid" in response.content.decode()
    assert Appointment.objects.count() == 0
    assert Client.objects.count() == 0


def test_slot_taken_between_picking_and_checkout_is_409_with_next_times(shop):
    # given
    http = HttpClient()
    anna = shop["staff"][0]
    starts_at = next_wednesday_at(10)
    pick_details(http, shop, starts_at, staff=anna.pk)
    someone = ClientFactory(salon=shop["salon"], email="someone@example.test")
    taken = appointment_book(
        salon=shop["salon"],
        request=BookingRequest(
            location=shop["location"], service=shop["service"], starts_at=starts_at, staff=anna
        ),
        client=someone,
    )

    # when
    response = http.post("/s/alpha/checkout/", {"payment_method": "pay_at_salon"})

    # then
    page = response.content.decode()
    assert response.status_code == 409
    assert "This time was just taken" in page
    next_start = next_wednesday_at(11, 15)
    assert details_url(shop, next_start, anna.pk).replace("&", "&amp;") in page
    assert ">" + next_start.strftime("%a %-d %b, %H:%M") + "<" in page
    assert list(Appointment.objects.all()) == [taken]
    assert list(Client.objects.all()) == [someone]


# --- tenant isolation -------------------------------------------------------------------


@pytest.fixture
def beta_shop(other_salon):
    location = LocationFactory(salon=other_salon, name="Beta Place")
    service = ServiceFactory(salon=other_salon, name="Beta Cut")
    staff = StaffMemberFactory(
        salon=other_salon, name="Beta Bea", locations=[location], services=[service]
    )
    return {"location": location, "service": service, "staff": staff}


def test_other_salons_ids_are_404_on_every_step(shop, beta_shop):
    # given
    http = HttpClient()
    loc, svc, staff = shop["location"].pk, shop["service"].pk, shop["staff"][0].pk
    b_loc, b_svc, b_staff = (beta_shop[k].pk for k in ("location", "service", "staff"))
    start = urlencode({"start": next_wednesday_at(10).isoformat()})
    urls = [
        f"/s/alpha/l/{b_loc}/",
        f"/s/alpha/l/{b_loc}/s/{svc}/",
        f"/s/alpha/l/{loc}/s/{b_svc}/",
        f"/s/alpha/l/{loc}/s/{b_svc}/time/",
        f"/s/alpha/l/{loc}/s/{svc}/time/?staff={b_staff}",
        f"/s/alpha/l/{b_loc}/s/{b_svc}/time/?staff={b_staff}",
        f"/s/alpha/l/{loc}/s/{svc}/details/?staff={b_staff}&{start}",
        f"/s/alpha/l/{loc}/s/{b_svc}/details/?staff={staff}&{start}",
        f"/s/beta/l/{loc}/",
        f"/s/beta/l/{b_loc}/s/{svc}/",
    ]

    # when / then
    for url in urls:
        assert http.get(url).status_code == 404, url
    assert (
        http.post(f"/s/alpha/l/{loc}/s/{svc}/details/?staff={b_staff}&{start}", GUEST).status_code
        == 404
    )
    assert Client.objects.count() == 0


@pytest.mark.parametrize("staff_param", ["999999", "abc", "-1"])
def test_unknown_staff_in_query_is_404(shop, staff_param):
    assert HttpClient().get(times_url(shop, staff=staff_param)).status_code == 404


def test_staff_who_does_not_perform_the_service_is_404(shop):
    # given
    other_service = ServiceFactory(salon=shop["salon"], name="Massage")
    masseur = StaffMemberFactory(
        salon=shop["salon"], name="Mait", locations=[shop["location"]], services=[other_service]
    )

    # when
    times = HttpClient().get(times_url(shop, staff=masseur.pk))
    details = HttpClient().post(details_url(shop, next_wednesday_at(10), masseur.pk), GUEST)

    # then
    assert times.status_code == 404
    assert details.status_code == 404
    assert Client.objects.count() == 0


def test_inactive_location_is_404(shop):
    # given
    location = shop["location"]
    location.is_active = False
    location.save()

    # when / then
    assert HttpClient().get(f"/s/alpha/l/{location.pk}/").status_code == 404


# --- language ---------------------------------------------------------------------------


def test_salon_default_language_is_used(shop):
    # given
    salon = shop["salon"]
    salon.default_language = "de"
    salon.save()

    # when
    response = HttpClient().get(f"/s/alpha/l/{shop['location'].pk}/", HTTP_ACCEPT_LANGUAGE="en")

    # then
    assert response["Content-Language"] == "de"
    assert '<html lang="de">' in response.content.decode()


def test_visitors_language_cookie_wins_over_the_salon_default(shop):
    # given
    salon = shop["salon"]
    salon.default_language = "de"
    salon.save()
    http = HttpClient()
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = "et"

    # when
    response = http.get(f"/s/alpha/l/{shop['location'].pk}/")

    # then
    assert response["Content-Language"] == "et"


def test_unknown_language_cookie_falls_back_to_the_salon_default(shop):
    # given
    salon = shop["salon"]
    salon.default_language = "fi"
    salon.save()
    http = HttpClient()
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"

    # when
    response = http.get("/s/alpha/")

    # then
    assert response["Content-Language"] == "fi"


# --- query counts -----------------------------------------------------------------------


def add_appointments(shop, count: int, first_day: dt.date) -> None:
    """`count` short appointments spread over the week from `first_day` (test data, written
    in bulk: the booking rules are not what is measured here)."""
    # A client per staff member: one client never holds the same service twice at one start
    # (issue 13, Appointment.NO_DUPLICATE_CONSTRAINT).
    clients = [ClientFactory(salon=shop["salon"]) for _ in shop["staff"]]
    rows = []
    for n in range(count):
        staff = shop["staff"][n % 2]
        day = first_day + dt.timedelta(days=(n // 2) % 7)
        minute = (n // 14) * 5
        starts = dt.datetime.combine(day, dt.time(9), tzinfo=TALLINN) + dt.timedelta(minutes=minute)
        rows.append(
            Appointment(
                salon=shop["salon"],
                location=shop["location"],
                staff=staff,
                service=shop["service"],
                client=clients[n % 2],
                starts_at=starts,
                ends_at=starts + dt.timedelta(minutes=5),
                block_starts_at=starts,
                block_ends_at=starts + dt.timedelta(minutes=5),
                source="dashboard",
                price=Decimal("1.00"),
            )
        )
    Appointment.objects.bulk_create(rows)


@pytest.mark.parametrize("count", [10, 200])
def test_services_and_times_pages_query_count_does_not_grow(
    shop, count, django_assert_max_num_queries
):
    # given
    day = next_wednesday_at(10).date()
    add_appointments(shop, count, day - dt.timedelta(days=day.weekday()))
    ServiceFactory(
        salon=shop["salon"], name="Beard", category=ServiceCategoryFactory(salon=shop["salon"])
    )
    http = HttpClient()
    # Feature apps' top-bar links keep a per-salon flag in the cache (one query on a cold
    # cache, e.g. loyalty/public/nav.py); count a page as visitors get it.
    http.get(f"/s/alpha/l/{shop['location'].pk}/")

    # when / then (the services page: 4, plus the location's opening hours and closed days)
    with django_assert_max_num_queries(6):
        assert http.get(f"/s/alpha/l/{shop['location'].pk}/").status_code == 200
    with django_assert_max_num_queries(8):
        assert http.get(times_url(shop, staff="any", date=day.isoformat())).status_code == 200
    with django_assert_max_num_queries(8):
        anna = shop["staff"][0].pk
        assert http.get(times_url(shop, staff=anna, date=day.isoformat())).status_code == 200
