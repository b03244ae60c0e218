"""Online booking → Preferences in the dashboard: booking settings, location and staff
passcodes, sharing a code and sending it to chosen clients; who may open which route."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from bookings.models import Location, Salon, StaffMember
from bookings.services.passcode_sharing import passcode_send_to_clients, passcode_share_text
from bookings.services.salons import BOOKING_SETTINGS_FIELDS, salon_booking_settings_update
from notices.models import Notice
from tests.factories import ClientFactory, LocationFactory, StaffMemberFactory

GOOD_SETTINGS = {
    "slot_step_minutes": "30",
    "min_notice_minutes": "60",
    "max_advance_days": "120",
    "cancellation_cutoff_hours": "12",
    "reminder_hours_before": "6",
    "require_login_to_book": "on",
    "cancellation_policy": "Late cancellations are charged 50%.",
}


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"dashboard:{name}", kwargs={"salon_slug": "alpha", **kwargs})


def page_url(anchor: str = "") -> str:
    return url("online_booking") + (f"#{anchor}" if anchor else "")


def settings_state(salon: Salon) -> dict[str, Any]:
    return Salon.objects.filter(pk=salon.pk).values(*BOOKING_SETTINGS_FIELDS).get()


def location_state() -> list[tuple[Any, ...]]:
    return list(
        Location.objects.order_by("pk").values_list(
            "pk", "booking_passcode_enabled", "booking_passcode", "booking_passcode_version"
        )
    )


def staff_state() -> list[tuple[Any, ...]]:
    return list(
        StaffMember.objects.order_by("pk").values_list(
            "pk", "booking_passcode", "booking_passcode_version"
        )
    )


def message_texts(response: Any) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def staff_client(staff_user) -> HttpClient:
    http = HttpClient()
    http.force_login(staff_user)
    return http


@pytest.fixture
def location(salon) -> Location:
    return LocationFactory(salon=salon, name="Old Town")


@pytest.fixture
def locked_location(salon) -> Location:
    return LocationFactory(
        salon=salon, name="Old Town", booking_passcode_enabled=True, booking_passcode="4821"
    )


@pytest.fixture
def stylist(salon) -> StaffMember:
    return StaffMemberFactory(salon=salon, name="Mari")


# --- The page -----------------------------------------------------------------------------


def test_page_shows_settings_codes_and_share_texts(owner_client, salon, locked_location, settings):
    # given
    settings.SITE_URL = "https://book.example.com"
    StaffMemberFactory(salon=salon, name="Mari", booking_passcode="7395")
    StaffMemberFactory(salon=salon, name="Anna")

    # when
    response = owner_client.get(url("online_booking"))

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["settings_form"]["slot_step_minutes"].value() == 15
    rows = response.context["location_rows"]
    assert [(r["object"].name, r["active"], r["weakness"]) for r in rows] == [
        ("Old Town", True, None)
    ]
    assert rows[0]["share_text"] == (
        "Online booking at Alpha Hair, Old Town needs a code. "
        "Open https://book.example.com/s/alpha/ and enter the code 4821."
    )
    staff_rows = response.context["staff_rows"]
    assert [(r["object"].name, r["active"]) for r in staff_rows] == [
        ("Anna", False),
        ("Mari", True),
    ]
    assert '<code id="location-' in html
    assert f'data-copy-target="location-{locked_location.pk}-share"' in html
    assert url("online_booking_location_send", pk=locked_location.pk) in html
    assert "static/js/copy.js" in html


def test_page_warns_next_to_a_weak_active_code(owner_client, salon):
    # given
    LocationFactory(salon=salon, booking_passcode_enabled=True, booking_passcode="1111")

    # when
    response = owner_client.get(url("online_booking"))

    # then
    assert response.context["location_rows"][0]["weakness"] == (
        "All digits are the same; such codes are guessed first."
    )
    assert "All digits are the same; such codes are guessed first." in response.content.decode()


def test_page_has_no_inline_scripts_or_styles(owner_client, salon, locked_location):
    # given
    StaffMemberFactory(salon=salon, booking_passcode="7395")
    ClientFactory(salon=salon)

    # when
    pages = [
        owner_client.get(url("online_booking")),
        owner_client.get(url("online_booking_location_send", pk=locked_location.pk)),
    ]

    # then
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert 'style="' not in html
        assert "<style" not in html
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
        assert re.findall(r"\son[a-z]+=", html) == []


def test_page_queries_do_not_grow_with_rows(owner_client, salon, django_assert_max_num_queries):
    # given
    for n in range(8):
        LocationFactory(salon=salon, booking_passcode_enabled=True, booking_passcode=f"48{n}19")
        StaffMemberFactory(salon=salon, booking_passcode=f"73{n}51")

    # when
    with django_assert_max_num_queries(8):
        response = owner_client.get(url("online_booking"))

    # then
    assert len(response.context["location_rows"]) == 8
    assert len(response.context["staff_rows"]) == 8


# --- Booking settings ---------------------------------------------------------------------


def test_owner_saves_the_booking_settings(owner_client, salon):
    # when
    response = owner_client.post(url("online_booking_settings"), GOOD_SETTINGS)

    # then
    assert response.status_code == 302
    assert response["Location"] == page_url("settings")
    assert settings_state(salon) == {
        "slot_step_minutes": 30,
        "min_notice_minutes": 60,
        "max_advance_days": 120,
        "cancellation_cutoff_hours": 12,
        "reminder_hours_before": 6,
        "require_login_to_book": True,
        "cancellation_policy": "Late cancellations are charged 50%.",
    }
    assert message_texts(response) == [("success", "Booking settings saved.")]


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("slot_step_minutes", "-5", "Ensure this value is greater than or equal to 0."),
        ("slot_step_minutes", "3", "Ensure this value is greater than or equal to 5."),
        ("slot_step_minutes", "241", "Ensure this value is less than or equal to 240."),
        ("min_notice_minutes", "-1", "Ensure this value is greater than or equal to 0."),
        ("max_advance_days", "0", "Ensure this value is greater than or equal to 1."),
        ("max_advance_days", "731", "Ensure this value is less than or equal to 730."),
        ("cancellation_cutoff_hours", "721", "Ensure this value is less than or equal to 720."),
        ("reminder_hours_before", "337", "Ensure this value is less than or equal to 336."),
        ("reminder_hours_before", "99999999999", "Ensure this value is less than or equal to 336."),
        ("slot_step_minutes", "abc", "Enter a whole number."),
        ("max_advance_days", "", "This field is required."),
    ],
)
def test_bad_booking_settings_are_form_errors(owner_client, salon, field, value, error):
    # given
    before = settings_state(salon)

    # when
    response = owner_client.post(url("online_booking_settings"), {**GOOD_SETTINGS, field: value})

    # then
    assert response.status_code == 200
    assert response.context["settings_form"].errors == {field: [error]}
    assert settings_state(salon) == before


def test_owner_changes_the_salons_language_on_the_settings_form(owner_client, salon):
    # when
    response = owner_client.post(
        url("online_booking_settings"), {**GOOD_SETTINGS, "default_language": "et"}
    )

    # then
    assert response.status_code == 302
    salon.refresh_from_db()
    assert salon.default_language == "et"
    page = owner_client.get(url("online_booking"))
    assert page.context["settings_form"]["default_language"].value() == "et"


def test_settings_form_without_a_language_keeps_the_salons(owner_client, salon):
    salon.default_language = "da"
    salon.save(update_fields=["default_language"])
    response = owner_client.post(url("online_booking_settings"), GOOD_SETTINGS)
    assert response.status_code == 302
    salon.refresh_from_db()
    assert salon.default_language == "da"


def test_unknown_language_is_a_form_error(owner_client, salon):
    before = (salon.default_language, settings_state(salon))
    response = owner_client.post(
        url("online_booking_settings"), {**GOOD_SETTINGS, "default_language": "xx"}
    )
    assert response.status_code == 200
    assert list(response.context["settings_form"].errors) == ["default_language"]
    salon.refresh_from_db()
    assert (salon.default_language, settings_state(salon)) == before


def test_staff_cannot_change_the_salons_language(staff_client, salon):
    before = salon.default_language
    response = staff_client.post(
        url("online_booking_settings"), {**GOOD_SETTINGS, "default_language": "ro"}
    )
    assert response.status_code == 403
    salon.refresh_from_db()
    assert salon.default_language == before


def test_settings_form_page_shows_the_saved_values_after_an_error(owner_client, salon):
    # when
    response = owner_client.post(
        url("online_booking_settings"), {**GOOD_SETTINGS, "max_advance_days": "0"}
    )

    # then: the salon itself was not changed in memory by the failed form
    assert response.context["salon"].max_advance_days == 90
    assert response.context["settings_form"]["max_advance_days"].value() == "0"


def test_get_on_a_form_route_goes_back_to_the_page(owner_client, salon, location):
    # when
    responses = [
        owner_client.get(url("online_booking_settings")),
        owner_client.get(url("online_booking_location_passcode", pk=location.pk)),
    ]

    # then
    assert [(r.status_code, r["Location"]) for r in responses] == [
        (302, page_url()),
        (302, page_url(f"location-{location.pk}")),
    ]


# --- Location passcodes -------------------------------------------------------------------


def location_post(location: Location, **data: str) -> dict[str, str]:
    return {f"location-{location.pk}-{key}": value for key, value in data.items()}


def test_owner_switches_a_location_passcode_on(owner_client, location):
    # when
    response = owner_client.post(
        url("online_booking_location_passcode", pk=location.pk),
        location_post(location, enabled="on", code=" 4821 "),
    )

    # then
    location.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == page_url(f"location-{location.pk}")
    assert location.passcode_active is True
    assert (location.booking_passcode, location.booking_passcode_version) == ("4821", 1)
    assert message_texts(response) == [
        ("success", "The online booking passcode of Old Town is on.")
    ]


def test_owner_changes_a_location_code_and_the_version_moves_on(owner_client, locked_location):
    # when
    owner_client.post(
        url("online_booking_location_passcode", pk=locked_location.pk),
        location_post(locked_location, enabled="on", code="590317"),
    )

    # then
    locked_location.refresh_from_db()
    assert (locked_location.booking_passcode, locked_location.booking_passcode_version) == (
        "590317",
        1,
    )


def test_owner_switches_a_location_passcode_off(owner_client, locked_location):
    # when
    response = owner_client.post(
        url("online_booking_location_passcode", pk=locked_location.pk),
        location_post(locked_location, code="4821"),
    )

    # then
    locked_location.refresh_from_db()
    assert locked_location.passcode_active is False
    assert locked_location.booking_passcode_enabled is False
    assert locked_location.booking_passcode_version == 1
    assert message_texts(response) == [
        ("success", "The online booking passcode of Old Town is off.")
    ]


def test_weak_location_code_is_saved_with_a_warning(owner_client, location):
    # when
    response = owner_client.post(
        url("online_booking_location_passcode", pk=location.pk),
        location_post(location, enabled="on", code="1234"),
        follow=True,
    )

    # then
    location.refresh_from_db()
    assert (location.passcode_active, location.booking_passcode) == (True, "1234")
    assert message_texts(response) == [
        ("success", "The online booking passcode of Old Town is on."),
        (
            "warning",
            "The code of Old Town was saved, but it is easy to guess. The digits run in "
            "order; such codes are guessed first.",
        ),
    ]
    assert "was saved, but it is easy to guess." in response.content.decode()


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("123", "A passcode is 4 to 6 digits."),
        ("1234567", "A passcode is 4 to 6 digits."),
        ("12a4", "A passcode is 4 to 6 digits."),
        ("12 34", "A passcode is 4 to 6 digits."),
        ("١٢٣٤", "A passcode is 4 to 6 digits."),
        ("", "Enter a code of 4 to 6 digits to switch the passcode on."),
    ],
)
def test_bad_location_codes_are_form_errors(owner_client, locked_location, code, error):
    # given
    before = location_state()

    # when
    response = owner_client.post(
        url("online_booking_location_passcode", pk=locked_location.pk),
        location_post(locked_location, enabled="on", code=code),
    )

    # then
    assert response.status_code == 200
    bound = response.context["location_rows"][0]["form"]
    assert bound.is_bound is True
    assert bound.errors == {"code": [error]}
    assert location_state() == before


def test_a_bad_code_with_the_passcode_off_is_a_form_error_too(owner_client, location):
    # given
    before = location_state()

    # when
    response = owner_client.post(
        url("online_booking_location_passcode", pk=location.pk),
        location_post(location, code="12a4"),
    )

    # then
    assert response.context["location_rows"][0]["form"].errors == {
        "code": ["A passcode is 4 to 6 digits."]
    }
    assert location_state() == before


def test_an_error_on_one_location_leaves_the_other_forms_unbound(owner_client, salon):
    # given
    first = LocationFactory(salon=salon, name="A")
    LocationFactory(salon=salon, name="B")

    # when
    response = owner_client.post(
        url("online_booking_location_passcode", pk=first.pk),
        location_post(first, enabled="on", code="12"),
    )

    # then
    assert [row["form"].is_bound for row in response.context["location_rows"]] == [True, False]


# --- Staff passcodes ----------------------------------------------------------------------


def staff_post(staff: StaffMember, **data: str) -> dict[str, str]:
    return {f"staff-{staff.pk}-{key}": value for key, value in data.items()}


def test_owner_gives_a_staff_member_a_code(owner_client, stylist):
    # when
    response = owner_client.post(
        url("online_booking_staff_passcode", pk=stylist.pk), staff_post(stylist, code="7395")
    )

    # then
    stylist.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == page_url(f"staff-{stylist.pk}")
    assert (stylist.booking_passcode, stylist.booking_passcode_version) == ("7395", 1)
    assert message_texts(response) == [("success", "The personal code of Mari is saved.")]


def test_weak_staff_code_is_saved_with_a_warning(owner_client, stylist):
    # when
    response = owner_client.post(
        url("online_booking_staff_passcode", pk=stylist.pk), staff_post(stylist, code="2024")
    )

    # then
    stylist.refresh_from_db()
    assert stylist.booking_passcode == "2024"
    assert message_texts(response)[1] == (
        "warning",
        "The code of Mari was saved, but it is easy to guess. The code looks like a year; "
        "such codes are guessed early.",
    )


@pytest.mark.parametrize("data", [{"code": ""}, {"code": "7395", "remove": "1"}])
def test_owner_removes_a_staff_code(owner_client, salon, data):
    # given
    stylist = StaffMemberFactory(salon=salon, name="Mari", booking_passcode="7395")

    # when
    response = owner_client.post(
        url("online_booking_staff_passcode", pk=stylist.pk), staff_post(stylist, **data)
    )

    # then
    stylist.refresh_from_db()
    assert (stylist.booking_passcode, stylist.booking_passcode_version) == ("", 1)
    assert message_texts(response) == [("success", "Mari has no personal code now.")]


@pytest.mark.parametrize("code", ["123", "1234567", "12a4"])
def test_bad_staff_codes_are_form_errors(owner_client, salon, code):
    # given
    stylist = StaffMemberFactory(salon=salon, booking_passcode="7395")
    before = staff_state()

    # when
    response = owner_client.post(
        url("online_booking_staff_passcode", pk=stylist.pk), staff_post(stylist, code=code)
    )

    # then
    assert response.status_code == 200
    assert response.context["staff_rows"][0]["form"].errors == {
        "code": ["A passcode is 4 to 6 digits."]
    }
    assert staff_state() == before


# --- Share text ---------------------------------------------------------------------------


def test_share_texts_contain_the_code_and_the_booking_link(salon, settings):
    # given
    settings.SITE_URL = "https://book.example.com"
    location = LocationFactory(
        salon=salon, name="Old Town", booking_passcode_enabled=True, booking_passcode="4821"
    )
    stylist = StaffMemberFactory(salon=salon, name="Mari", booking_passcode="7395")
    unlocked = LocationFactory(salon=salon, name="Harbour")

    # when
    texts = [passcode_share_text(salon=salon, target=t) for t in (location, stylist, unlocked)]

    # then
    assert texts == [
        "Online booking at Alpha Hair, Old Town needs a code. "
        "Open https://book.example.com/s/alpha/ and enter the code 4821.",
        "To book Mari at Alpha Hair online, open https://book.example.com/s/alpha/ and enter "
        "the code 7395 when you choose Mari.",
        "",
    ]


def test_share_text_refuses_another_salons_target(salon, other_salon):
    # given
    foreign = LocationFactory(
        salon=other_salon, booking_passcode_enabled=True, booking_passcode="4821"
    )

    # when / then
    with pytest.raises(ValueError):
        passcode_share_text(salon=salon, target=foreign)


# --- Sending a code to clients ------------------------------------------------------------


def notices_state() -> list[tuple[Any, ...]]:
    return list(
        Notice.objects.order_by("pk").values_list("kind", "client_id", "channel", "recipient")
    )


def test_owner_sends_the_location_code_to_chosen_clients(
    owner_client, salon, locked_location, settings, django_capture_on_commit_callbacks
):
    # given
    settings.SITE_URL = "https://book.example.com"
    anna = ClientFactory(salon=salon, first_name="Anna", email="anna@example.test")
    mari = ClientFactory(
        salon=salon, first_name="Mari", email="", phone="+37251234567", preferred_channel="sms"
    )
    nobody = ClientFactory(salon=salon, first_name="Ghost", email="", phone="")
    not_chosen = ClientFactory(salon=salon, email="other@example.test")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            url("online_booking_location_send", pk=locked_location.pk),
            {"clients": [anna.pk, mari.pk, nobody.pk], "channel": "preference"},
        )

    # then
    assert response.status_code == 302
    assert response["Location"] == page_url(f"location-{locked_location.pk}")
    assert notices_state() == [
        ("booking_passcode", anna.pk, "email", "anna@example.test"),
        ("booking_passcode", mari.pk, "sms", "+37251234567"),
    ]
    assert not Notice.objects.filter(client=not_chosen).exists()
    email = Notice.objects.get(client=anna)
    assert email.subject == "Your code for online booking at Alpha Hair"
    assert "Hi Anna," in email.body
    assert "https://book.example.com/s/alpha/" in email.body
    assert "4821" in email.body
    assert "Old Town" in email.body
    assert Notice.objects.get(client=mari).body == (
        "Alpha Hair: to book at Old Town online, open https://book.example.com/s/alpha/ "
        "and enter the code 4821"
    )
    assert message_texts(response) == [
        ("success", "The code is on its way to 2 clients."),
        ("warning", "1 client was skipped: no email address or phone number to send to."),
    ]


def test_owner_sends_a_staff_code_by_email_only(owner_client, salon):
    # given
    stylist = StaffMemberFactory(salon=salon, name="Mari", booking_passcode="7395")
    anna = ClientFactory(salon=salon, first_name="Anna", email="anna@example.test")
    sms_only = ClientFactory(salon=salon, email="", phone="+37251234567", preferred_channel="sms")

    # when
    response = owner_client.post(
        url("online_booking_staff_send", pk=stylist.pk),
        {"clients": [anna.pk, sms_only.pk], "channel": "email"},
    )

    # then
    assert response.status_code == 302
    assert notices_state() == [("booking_staff_passcode", anna.pk, "email", "anna@example.test")]
    body = Notice.objects.get().body
    assert "to book Mari at Alpha Hair online" in body
    assert "7395" in body
    assert message_texts(response)[1][0] == "warning"


def test_sending_to_another_salons_client_is_a_form_error(
    owner_client, salon, other_salon, locked_location
):
    # given
    mine = ClientFactory(salon=salon)
    theirs = ClientFactory(salon=other_salon)

    # when
    response = owner_client.post(
        url("online_booking_location_send", pk=locked_location.pk),
        {"clients": [mine.pk, theirs.pk], "channel": "preference"},
    )

    # then
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "clients": [f"Select a valid choice. {theirs.pk} is not one of the available choices."]
    }
    assert Notice.objects.count() == 0


@pytest.mark.parametrize(
    ("clients", "channel", "errors"),
    [
        ([], "preference", {"clients": ["Choose at least one client."]}),
        (["abc"], "preference", {"clients": ["“abc” is not a valid value."]}),
        (
            [str(10**30)],
            "preference",
            {"clients": [f"Select a valid choice. {10**30} is not one of the available choices."]},
        ),
        (
            ["mine"],
            "pigeon",
            {"channel": ["Select a valid choice. pigeon is not one of the available choices."]},
        ),
    ],
)
def test_bad_send_input_is_a_form_error(
    owner_client, salon, locked_location, clients, channel, errors
):
    # given
    mine = ClientFactory(salon=salon)
    chosen = [mine.pk if value == "mine" else value for value in clients]

    # when
    response = owner_client.post(
        url("online_booking_location_send", pk=locked_location.pk),
        {"clients": chosen, "channel": channel},
    )

    # then
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert Notice.objects.count() == 0


def test_too_many_clients_at_once_is_a_form_error(
    owner_client, salon, locked_location, monkeypatch
):
    # given
    from bookings.dashboard import online_booking_forms

    monkeypatch.setattr(online_booking_forms, "MAX_RECIPIENTS", 2)
    clients = [ClientFactory(salon=salon) for _ in range(3)]

    # when
    response = owner_client.post(
        url("online_booking_location_send", pk=locked_location.pk),
        {"clients": [c.pk for c in clients], "channel": "preference"},
    )

    # then
    assert response.context["form"].errors == {"clients": ["Choose at most 2 clients at a time."]}
    assert Notice.objects.count() == 0


def test_nothing_is_sent_for_a_location_without_an_active_code(owner_client, salon, location):
    # given
    client = ClientFactory(salon=salon)

    # when
    page = owner_client.get(url("online_booking_location_send", pk=location.pk))
    response = owner_client.post(
        url("online_booking_location_send", pk=location.pk),
        {"clients": [client.pk], "channel": "preference"},
    )

    # then
    assert page.context["active"] is False
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "__all__": ["There is no active code to send. Switch the code on first."]
    }
    assert Notice.objects.count() == 0


def test_send_page_searches_the_salons_clients(owner_client, salon, other_salon, locked_location):
    # given
    anna = ClientFactory(salon=salon, first_name="Anna", last_name="Kask")
    ClientFactory(salon=salon, first_name="Mari", last_name="Tamm")
    ClientFactory(salon=other_salon, first_name="Anna", last_name="Beta")

    # when
    response = owner_client.get(
        url("online_booking_location_send", pk=locked_location.pk), {"q": "anna"}
    )

    # then
    assert [c.pk for c in response.context["clients"]] == [anna.pk]
    assert response.context["more_clients"] is False


def test_send_page_keeps_the_chosen_clients_ticked_after_an_error(
    owner_client, salon, locked_location
):
    # given
    anna = ClientFactory(salon=salon)

    # when
    response = owner_client.post(
        url("online_booking_location_send", pk=locked_location.pk),
        {"clients": [anna.pk], "channel": "pigeon"},
    )

    # then
    assert response.context["chosen"] == {str(anna.pk)}
    assert f'value="{anna.pk}" checked' in response.content.decode()


def test_send_page_queries_do_not_grow_with_clients(
    owner_client, salon, locked_location, django_assert_max_num_queries
):
    # given
    for _ in range(20):
        ClientFactory(salon=salon)

    # when
    with django_assert_max_num_queries(7):
        response = owner_client.get(url("online_booking_location_send", pk=locked_location.pk))

    # then
    assert len(response.context["clients"]) == 20


# --- Who may open what --------------------------------------------------------------------

# (url name, object in the URL or None, methods, a POST that would write if allowed)
ROUTES: list[tuple[str, str | None, list[str], dict[str, Any]]] = [
    ("online_booking", None, ["get"], {}),
    ("online_booking_settings", None, ["get", "post"], GOOD_SETTINGS),
    ("online_booking_location_passcode", "location", ["get", "post"], {"enabled": "on"}),
    ("online_booking_location_send", "location", ["get", "post"], {"channel": "preference"}),
    ("online_booking_staff_passcode", "staff", ["get", "post"], {"code": "9157"}),
    ("online_booking_staff_send", "staff", ["get", "post"], {"channel": "preference"}),
]
ROUTES_WITH_IDS = [route for route in ROUTES if route[1]]


def route_id(route: tuple[Any, ...]) -> str:
    return route[0]


def make_world(salon: Salon) -> dict[str, Any]:
    return {
        "location": LocationFactory(
            salon=salon, booking_passcode_enabled=True, booking_passcode="4821"
        ),
        "staff": StaffMemberFactory(salon=salon, booking_passcode="7395"),
        "client": ClientFactory(salon=salon),
    }


def route_request(
    http: HttpClient, route: tuple[Any, ...], world: dict[str, Any], slug: str = "alpha"
) -> list[Any]:
    name, obj, methods, payload = route
    kwargs = {"pk": world[obj].pk} if obj else {}
    target = reverse(f"dashboard:{name}", kwargs={"salon_slug": slug, **kwargs})
    prefix = f"{obj}-{world[obj].pk}-" if name.endswith("_passcode") else ""
    data = {prefix + key: value for key, value in payload.items()}
    if name.endswith("_send"):
        data["clients"] = [world["client"].pk]
    return [getattr(http, method)(target, data) for method in methods]


def db_state() -> dict[str, Any]:
    return {
        "salons": list(Salon.objects.order_by("pk").values()),
        "locations": location_state(),
        "staff": staff_state(),
        "notices": notices_state(),
    }


@pytest.fixture
def alpha_world(salon) -> dict[str, Any]:
    return make_world(salon)


@pytest.fixture
def beta_world(other_salon) -> dict[str, Any]:
    return make_world(other_salon)


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_anonymous_is_sent_to_login(client, alpha_world, route):
    # given
    before = db_state()

    # when
    responses = route_request(client, route, alpha_world)

    # then
    assert [r.status_code for r in responses] == [302] * len(responses)
    assert all(r["Location"].startswith("/accounts/login/") for r in responses)
    assert db_state() == before


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_stranger_gets_404(client, stranger, alpha_world, route):
    # given
    client.force_login(stranger)
    before = db_state()

    # when
    responses = route_request(client, route, alpha_world)

    # then
    assert [r.status_code for r in responses] == [404] * len(responses)
    assert db_state() == before


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_other_salon_owner_gets_404(other_owner_client, alpha_world, beta_world, route):
    # given
    before = db_state()

    # when
    responses = route_request(other_owner_client, route, alpha_world)

    # then
    assert [r.status_code for r in responses] == [404] * len(responses)
    assert db_state() == before


@pytest.mark.parametrize("route", ROUTES_WITH_IDS, ids=route_id)
def test_owner_gets_404_for_another_salons_ids(owner_client, alpha_world, beta_world, route):
    # given
    before = db_state()

    # when
    responses = route_request(owner_client, route, beta_world)

    # then
    assert [r.status_code for r in responses] == [404] * len(responses)
    assert db_state() == before


@pytest.mark.parametrize("route", ROUTES_WITH_IDS, ids=route_id)
def test_ids_too_large_for_the_database_are_404(owner_client, alpha_world, route):
    # given
    name, _obj, methods, payload = route
    target = reverse(f"dashboard:{name}", kwargs={"salon_slug": "alpha", "pk": 10**30})
    before = db_state()

    # when
    responses = [getattr(owner_client, m)(target, payload) for m in methods]

    # then
    assert [r.status_code for r in responses] == [404] * len(responses)
    assert db_state() == before


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_staff_role_gets_403(staff_client, alpha_world, route):
    # given
    before = db_state()

    # when
    responses = route_request(staff_client, route, alpha_world)

    # then
    assert [r.status_code for r in responses] == [403] * len(responses)
    assert db_state() == before


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_owner_can_open_every_route(owner_client, alpha_world, route):
    # when
    response = route_request(owner_client, route[:2] + (["get"], {}), alpha_world)[0]

    # then
    assert response.status_code in (200, 302)


def test_navigation_links_the_page(owner_client, salon):
    # when
    response = owner_client.get(url("online_booking"))

    # then
    nav = {item["label"]: item for item in response.context["dashboard_nav"]}
    assert nav["Online booking"] == {
        "url": "/dashboard/alpha/online-booking/",
        "label": nav["Online booking"]["label"],
        "disabled": False,
        "active": True,
    }


# --- Services used by the page -------------------------------------------------------------


def test_booking_settings_service_validates_and_writes_nothing_on_error(salon):
    # given
    before = settings_state(salon)

    # when
    with pytest.raises(ValidationError) as caught:
        salon_booking_settings_update(salon=salon, slot_step_minutes=30, max_advance_days=0)

    # then
    assert caught.value.message_dict == {
        "max_advance_days": ["Ensure this value is greater than or equal to 1."]
    }
    assert settings_state(salon) == before


def test_booking_settings_service_refuses_other_fields(salon):
    # when / then
    with pytest.raises(ValueError):
        salon_booking_settings_update(salon=salon, name="Renamed")
    assert Salon.objects.get(pk=salon.pk).name == "Alpha Hair"


def test_send_service_refuses_another_salons_client(salon, other_salon, locked_location):
    # given
    theirs = ClientFactory(salon=other_salon)

    # when / then
    with pytest.raises(ValueError):
        passcode_send_to_clients(salon=salon, target=locked_location, clients=[theirs])
    assert Notice.objects.count() == 0
