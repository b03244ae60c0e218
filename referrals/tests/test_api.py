"""Owner API of referrals: settings, the list, top referrers, a client's referred-by. Members
read, owners write (staff 403), another salon's ids in URLs are 404, bad input a 400 with
nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from loyalty.models import LoyaltyProgram
from notices.models import NoticeTemplate
from referrals.models import Referral, ReferralSettings
from referrals.services.referrals import referral_set
from tests.factories import ClientFactory

from .helpers import referral_entries, written

BASE = "/api/v1/salons/alpha/referrals"
INVALID_PK = 'Invalid pk "{pk}" - object does not exist.'


@pytest.fixture
def staff_api(staff_user) -> APIClient:
    api = APIClient()
    api.force_authenticate(staff_user)
    return api


@pytest.fixture
def other_owner_api(other_owner) -> APIClient:
    api = APIClient()
    api.force_authenticate(other_owner)
    return api


def referred_by(client) -> str:
    return f"{BASE}/clients/{client.pk}/referred-by/"


# --- Settings -------------------------------------------------------------------------------


def test_settings_read_and_write(ref, owner_api):
    response = owner_api.get(f"{BASE}/settings/")
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("points", "award_on", "send_sms")} == {
        "points": 100,
        "award_on": "first_visit",
        "send_sms": True,
    }
    assert body["sms_text"].startswith("Hi {{ client.first_name }}, thank you for recommending")

    response = owner_api.put(
        f"{BASE}/settings/",
        {"points": 50, "award_on": "recorded", "send_sms": False, "sms_text": "Ty {{ points }}"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {
        "points": 50,
        "award_on": "recorded",
        "send_sms": False,
        "sms_text": "Ty {{ points }}",
    }
    # the text may be left out
    response = owner_api.put(
        f"{BASE}/settings/", {"points": 60, "award_on": "recorded", "send_sms": True}, format="json"
    )
    assert response.json()["sms_text"] == "Ty {{ points }}"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"points": 0}, "points"),
        ({"points": "many"}, "points"),
        ({"award_on": "never"}, "award_on"),
        ({"sms_text": "Hi {{ client.password }}"}, "sms_text"),
        ({"sms_text": "Hi {{ client.first_name "}, "sms_text"),
        ({"send_sms": "perhaps"}, "send_sms"),
    ],
)
def test_bad_settings_are_400_per_field_and_nothing_saved(ref, owner_api, body, field):
    before = (written(), NoticeTemplate.objects.count())
    response = owner_api.put(
        f"{BASE}/settings/",
        {"points": 70, "award_on": "recorded", "send_sms": True, **body},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert (written(), NoticeTemplate.objects.count()) == before
    assert ReferralSettings.objects.get(salon=ref["salon"]).points == 100


def test_staff_read_but_do_not_write(ref, staff_api):
    assert staff_api.get(f"{BASE}/settings/").status_code == 200
    assert staff_api.get(f"{BASE}/").status_code == 200
    before = written()
    put = {"points": 5, "award_on": "recorded", "send_sms": False}
    assert staff_api.put(f"{BASE}/settings/", put, format="json").status_code == 403
    body = {"referrer": ref["anna"].pk, "award": True}
    assert staff_api.post(referred_by(ref["liis"]), body, format="json").status_code == 403
    assert staff_api.delete(referred_by(ref["liis"])).status_code == 403
    assert written() == before


def test_strangers_and_other_salons_get_404_and_anonymous_401(ref, other_owner_api, api_client):
    for path in (
        f"{BASE}/settings/",
        f"{BASE}/",
        f"{BASE}/top-referrers/",
        referred_by(ref["liis"]),
    ):
        assert other_owner_api.get(path).status_code == 404
        assert api_client.get(path).status_code == 401


# --- Referred-by ----------------------------------------------------------------------------


def test_set_referred_by_with_award_and_repeat_it(ref, owner_api):
    # when (twice)
    body = {"referrer": ref["anna"].pk, "award": True}
    response = owner_api.post(referred_by(ref["liis"]), body, format="json")
    again = owner_api.post(referred_by(ref["liis"]), body, format="json")

    # then
    assert response.status_code == again.status_code == 200
    data = response.json()
    assert data["referred_by"]["referrer"] == {"id": ref["anna"].pk, "name": "Anna Tamm"}
    assert data["referred_by"]["referred"] == {"id": ref["liis"].pk, "name": "Liis Lepp"}
    assert (data["referred_by"]["status"], data["referred_by"]["points"]) == ("awarded", 100)
    assert data["referred_by"]["source"] == "manual"
    assert data["referral_code"] in data["referral_link"]
    assert data["referral_link"].endswith(f"/s/alpha/r/{data['referral_code']}/")
    assert referral_entries(ref["anna"]) == [100]
    assert Referral.objects.count() == 1


def test_get_referred_by_of_a_client_nobody_referred(ref, owner_api):
    response = owner_api.get(referred_by(ref["liis"]))
    assert response.status_code == 200
    assert response.json()["referred_by"] is None
    assert len(response.json()["referral_code"]) == 8


def test_change_and_delete_take_the_points_back(ref, owner_api):
    owner_api.post(
        referred_by(ref["liis"]), {"referrer": ref["anna"].pk, "award": True}, format="json"
    )
    response = owner_api.post(referred_by(ref["liis"]), {"referrer": ref["mari"].pk}, format="json")
    assert response.json()["referred_by"]["status"] == "pending"
    assert referral_entries(ref["anna"]) == [100, -100]

    assert owner_api.delete(referred_by(ref["liis"])).status_code == 204
    assert owner_api.delete(referred_by(ref["liis"])).status_code == 204
    assert owner_api.get(referred_by(ref["liis"])).json()["referred_by"] is None
    statuses = sorted(Referral.objects.values_list("status", flat=True))
    assert statuses == ["cancelled", "reversed"]


def test_refused_referrers_are_400_on_referrer_and_nothing_written(ref, owner_api, other_salon):
    # given Anna brought Liis; Vera visited before; a client of another salon
    referral_set(salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None)
    vera = ClientFactory(salon=ref["salon"], first_name="Vera", last_name="Vana")
    ref["appointment"](client=vera, ends_at=timezone.now() - dt.timedelta(days=4))
    foreign = ClientFactory(salon=other_salon)
    cases = [
        (ref["anna"], ref["anna"].pk, ["A client cannot refer themselves."]),
        (ref["mari"], foreign.pk, [INVALID_PK.format(pk=foreign.pk)]),
        (ref["mari"], 987654, [INVALID_PK.format(pk=987654)]),
        (ref["mari"], "abc", ["Incorrect type. Expected pk value, received str."]),
        (ref["mari"], None, ["This field may not be null."]),
        (
            vera,
            ref["anna"].pk,
            [
                "Vera Vana already had appointments before, so they cannot be recorded as "
                "referred (referrals are for new clients)."
            ],
        ),
        (
            ref["anna"],
            ref["liis"].pk,
            [
                "Anna Tamm brought Liis Lepp to the salon, so Liis Lepp cannot be Anna Tamm's "
                "referrer (a referral cannot go in a circle)."
            ],
        ),
    ]
    before = written()
    for client, referrer, messages in cases:
        # when
        response = owner_api.post(
            referred_by(client), {"referrer": referrer, "award": True}, format="json"
        )
        # then
        assert response.status_code == 400, (client, referrer)
        assert response.json() == {"referrer": messages}
    assert written() == before


def test_award_while_loyalty_is_off_is_400_on_award(ref, owner_api):
    LoyaltyProgram.objects.filter(salon=ref["salon"]).update(enabled=False)
    before = written()
    response = owner_api.post(
        referred_by(ref["liis"]), {"referrer": ref["anna"].pk, "award": True}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["award"]
    assert written() == before


def test_another_salons_client_in_the_url_is_404(ref, owner_api, other_salon):
    foreign = ClientFactory(salon=other_salon)
    before = written()
    assert owner_api.get(referred_by(foreign)).status_code == 404
    body = {"referrer": ref["anna"].pk}
    assert owner_api.post(referred_by(foreign), body, format="json").status_code == 404
    assert owner_api.delete(referred_by(foreign)).status_code == 404
    assert owner_api.get(f"{BASE}/clients/99999999999999999999/referred-by/").status_code == 404
    assert written() == before


# --- The list and top referrers -------------------------------------------------------------


def test_the_list_filters(ref, owner_api, other_salon):
    salon = ref["salon"]
    referral_set(salon=salon, referred=ref["liis"], referrer=ref["anna"], actor=None, award=True)
    referral_set(salon=salon, referred=ref["mari"], referrer=ref["anna"], actor=None)
    kati = ref["client"]
    old = referral_set(salon=salon, referred=kati, referrer=ref["liis"], actor=None)
    Referral.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=60))
    foreign = ClientFactory(salon=other_salon)
    Referral.objects.create(
        salon=other_salon,
        referred=foreign,
        referrer=ClientFactory(salon=other_salon),
        source="manual",
    )
    today = timezone.localdate(timezone.now(), salon.tzinfo)

    def names(**query) -> list[str]:
        response = owner_api.get(f"{BASE}/", query)
        assert response.status_code == 200, response.json()
        return [r["referred"]["name"] for r in response.json()["results"]]

    assert names() == ["Mari Maasikas", "Liis Lepp", kati.full_name]
    assert names(status="awarded") == ["Liis Lepp"]
    assert names(referrer=ref["liis"].pk) == [kati.full_name]
    assert names(referred=ref["mari"].pk) == ["Mari Maasikas"]
    assert names(start=(today - dt.timedelta(days=7)).isoformat()) == [
        "Mari Maasikas",
        "Liis Lepp",
    ]
    assert names(end=(today - dt.timedelta(days=30)).isoformat()) == [kati.full_name]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "nope"}, "status"),
        ({"source": "nope"}, "source"),
        ({"start": "2026-02-30"}, "start"),
        ({"start": "0001-01-01"}, "start"),
        ({"start": "2026-05-02", "end": "2026-05-01"}, "end"),
        ({"referrer": "abc"}, "referrer"),
    ],
)
def test_bad_filters_are_400(ref, owner_api, query, field):
    response = owner_api.get(f"{BASE}/", query)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_another_salons_client_as_a_filter_is_400_like_an_unknown_one(ref, owner_api, other_salon):
    foreign = ClientFactory(salon=other_salon)
    response = owner_api.get(f"{BASE}/", {"referrer": foreign.pk})
    assert response.status_code == 400
    assert response.json() == {"referrer": [INVALID_PK.format(pk=foreign.pk)]}


def test_top_referrers(ref, owner_api):
    salon = ref["salon"]
    for _ in range(2):
        referral_set(
            salon=salon,
            referred=ClientFactory(salon=salon),
            referrer=ref["mari"],
            actor=None,
            award=True,
        )
    referral_set(salon=salon, referred=ref["liis"], referrer=ref["anna"], actor=None)

    response = owner_api.get(f"{BASE}/top-referrers/", {"limit": 5})

    assert response.status_code == 200
    assert response.json() == [
        {"client": ref["mari"].pk, "name": "Mari Maasikas", "referrals": 2, "points": 200},
        {"client": ref["anna"].pk, "name": "Anna Tamm", "referrals": 1, "points": 0},
    ]
    assert owner_api.get(f"{BASE}/top-referrers/", {"limit": 0}).status_code == 400


def test_the_list_costs_the_same_queries_for_3_and_30_referrals(
    ref, owner_api, django_assert_max_num_queries
):
    salon = ref["salon"]

    def add(count: int) -> None:
        for _ in range(count):
            referral_set(
                salon=salon,
                referred=ClientFactory(salon=salon),
                referrer=ClientFactory(salon=salon),
                actor=None,
                award=True,
            )

    add(3)
    with CaptureQueriesContext(connection) as few:
        assert owner_api.get(f"{BASE}/").status_code == 200
    add(27)
    with django_assert_max_num_queries(len(few)):
        response = owner_api.get(f"{BASE}/", {"limit": 30})
    assert len(response.json()["results"]) == 30
    with django_assert_max_num_queries(len(few)):
        assert owner_api.get(f"{BASE}/top-referrers/").status_code == 200


def test_the_schema_lists_the_referral_endpoints_under_their_tag(db, client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()[
        "paths"
    ]
    expected = {
        "/api/v1/salons/{salon_slug}/referrals/": {"get"},
        "/api/v1/salons/{salon_slug}/referrals/settings/": {"get", "put"},
        "/api/v1/salons/{salon_slug}/referrals/top-referrers/": {"get"},
        "/api/v1/salons/{salon_slug}/referrals/clients/{client_id}/referred-by/": {
            "get",
            "post",
            "delete",
        },
    }
    for path, methods in expected.items():
        assert set(paths[path]) >= methods
        assert all(paths[path][m]["tags"] == ["referrals"] for m in methods)
    booking = "/api/v1/public/{salon_slug}/bookings/"
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    booking_in = schema["paths"][booking]["post"]["requestBody"]["content"]["application/json"]
    ref_name = booking_in["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "referral_code" in schema["components"]["schemas"][ref_name]["properties"]
