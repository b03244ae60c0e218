"""The owner's referral pages: settings, the list with the top referrers, and the client page's
panel ("referred by" search, the question about the points, removing, crediting). Owners write;
staff read (403 on writes); another salon's owner gets 404; garbage never a 500."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import tests.test_no_server_errors as garbage
from loyalty.models import LoyaltyProgram
from notices.models import Notice, NoticeTemplate
from referrals.models import Referral, ReferralSettings
from referrals.selectors import referral_code_of
from referrals.services.referrals import referral_set
from tests.factories import ClientFactory

from .helpers import referral_entries, written


def url(name: str, **kwargs) -> str:
    return reverse(f"dashboard:{name}", kwargs={"salon_slug": "alpha", **kwargs})


@pytest.fixture
def staff_http(staff_user) -> HttpClient:
    http = HttpClient()
    http.force_login(staff_user)
    return http


SETTINGS_POST = {
    "points": "150",
    "award_on": "recorded",
    "send_sms": "on",
    "sms_text": "Thanks {{ client.first_name }}: +{{ points }} for {{ new_client.first_name }}",
}


# --- Settings -------------------------------------------------------------------------------


def test_the_settings_page_shows_the_defaults_and_the_thank_you_text(salon, owner_client):
    response = owner_client.get(url("referrals"))
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"]["points"].value() == 100
    assert response.context["form"]["award_on"].value() == "first_visit"
    assert "thank you for recommending {{ salon_name }}" in page
    assert "{{ new_client.first_name }}" in page
    assert (
        reverse(
            "dashboard:notice_template_edit",
            kwargs={"salon_slug": "alpha", "kind": "referral_thank_you", "channel": "sms"},
        )
        in page
    )
    assert "The loyalty system is switched off" in page
    assert "<script>" not in page and "style=" not in page


def test_the_owner_saves_the_settings_and_the_text(ref, owner_client):
    response = owner_client.post(url("referrals"), SETTINGS_POST)

    assert response.status_code == 302
    row = ReferralSettings.objects.get(salon=ref["salon"])
    assert (row.points, row.award_on, row.send_sms) == (150, "recorded", True)
    template = NoticeTemplate.objects.get(kind="referral_thank_you", channel="sms")
    assert template.body == SETTINGS_POST["sms_text"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("points", "0"),
        ("points", "abc"),
        ("points", "99999999999999999999"),
        ("award_on", "never"),
        ("sms_text", "Hi {{ client.password }}"),
        ("sms_text", "{% if x %}"),
        ("sms_text", ""),
    ],
)
def test_bad_settings_are_form_errors_and_nothing_is_saved(ref, owner_client, field, value):
    before = (written(), NoticeTemplate.objects.count())
    response = owner_client.post(url("referrals"), {**SETTINGS_POST, field: value})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert (written(), NoticeTemplate.objects.count()) == before
    assert ReferralSettings.objects.get(salon=ref["salon"]).points == 100


def test_staff_read_the_settings_but_cannot_change_them(ref, staff_http):
    response = staff_http.get(url("referrals"))
    assert response.status_code == 200
    assert response.context["form"].fields["points"].disabled
    assert staff_http.post(url("referrals"), SETTINGS_POST).status_code == 403
    assert ReferralSettings.objects.get(salon=ref["salon"]).points == 100


def test_another_salons_owner_gets_404_everywhere(ref, other_owner_client):
    referral = referral_set(
        salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None
    )
    client_id = ref["liis"].pk
    for target in (
        url("referrals"),
        url("referral_list"),
        url("referral_referrer_search", client_id=client_id),
    ):
        assert other_owner_client.get(target).status_code == 404
    before = written()
    for target, data in (
        (url("referrals"), SETTINGS_POST),
        (url("referral_referred_by", client_id=client_id), {"referrer": ref["mari"].pk}),
        (url("referral_referred_by_clear", client_id=client_id), {}),
        (url("referral_award", pk=referral.pk), {}),
    ):
        assert other_owner_client.post(target, data).status_code == 404
    assert written() == before


# --- The client page's panel ----------------------------------------------------------------


def test_the_client_page_shows_who_referred_them_and_their_own_code_and_link(ref, owner_client):
    # given
    referral_set(salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None)

    # when
    response = owner_client.get(url("client_detail", pk=ref["liis"].pk))

    # then
    page = response.content.decode()
    code = referral_code_of(salon=ref["salon"], client=ref["liis"]).code
    assert response.status_code == 200
    assert 'id="referrals"' in page
    assert "Anna Tamm" in page and "Pending" in page
    assert code in page
    assert f"/s/alpha/r/{code}/" in page
    assert 'data-copy-target="referral-link-' in page
    assert "Add 100 referral points to Anna" in page
    assert url("referral_referrer_search", client_id=ref["liis"].pk) in page
    # and the referrer's page lists whom she brought
    page = owner_client.get(url("client_detail", pk=ref["anna"].pk)).content.decode()
    assert "Liis Lepp" in page


def test_staff_see_the_panel_without_the_forms(ref, staff_http):
    referral_set(salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None)
    page = staff_http.get(url("client_detail", pk=ref["liis"].pk)).content.decode()
    assert "Anna Tamm" in page
    assert "referrer-search" not in page
    assert "Remove “Referred by”" not in page


def test_the_search_finds_the_salons_clients_but_not_the_client_themselves(
    ref, owner_client, other_salon
):
    ClientFactory(salon=other_salon, first_name="Liisa", last_name="Other")
    ClientFactory(salon=ref["salon"], first_name="Liisu", last_name="Kask")
    target = url("referral_referrer_search", client_id=ref["liis"].pk)

    response = owner_client.get(target, {"q": "lii"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    names = [c.full_name for c in response.context["candidates"]]
    assert names == ["Liisu Kask"]
    assert "<html" not in response.content.decode()  # only the results
    # without JavaScript the same is a page
    page = owner_client.get(target, {"q": "lii"})
    assert "<html" in page.content.decode() and "Liisu Kask" in page.content.decode()


def test_choosing_the_referrer_asks_about_the_points_and_yes_credits_them(ref, owner_client):
    # given
    target = url("referral_referred_by", client_id=ref["liis"].pk)

    # when the owner picks Anna
    response = owner_client.post(target, {"referrer": ref["anna"].pk})

    # then the question, nothing written yet
    page = response.content.decode()
    assert response.status_code == 200
    assert "Add 100 referral points to Anna Tamm?" in page
    assert Referral.objects.count() == 0

    # when yes (twice: a double click)
    answer = {"referrer": ref["anna"].pk, "confirm": "on", "award": "yes"}
    response = owner_client.post(target, answer)
    owner_client.post(target, answer)

    # then
    assert response.status_code == 302
    assert response["Location"] == url("client_detail", pk=ref["liis"].pk)
    referral = Referral.objects.get()
    assert (referral.referrer, referral.status, referral.actor.email) == (
        ref["anna"],
        Referral.Status.AWARDED,
        "owner@alpha.test",
    )
    assert referral_entries(ref["anna"]) == [100]
    notice = Notice.objects.get()
    assert "Hi Anna" in notice.body and "Liis" in notice.body and "100" in notice.body


def test_no_records_the_referral_without_points(ref, owner_client):
    target = url("referral_referred_by", client_id=ref["liis"].pk)
    response = owner_client.post(
        target, {"referrer": ref["anna"].pk, "confirm": "on", "award": "no"}
    )
    assert response.status_code == 302
    assert Referral.objects.get().status == Referral.Status.PENDING
    assert referral_entries(ref["anna"]) == []


def test_without_loyalty_the_referral_is_recorded_without_the_question(ref, owner_client):
    LoyaltyProgram.objects.filter(salon=ref["salon"]).update(enabled=False)
    target = url("referral_referred_by", client_id=ref["liis"].pk)

    response = owner_client.post(target, {"referrer": ref["anna"].pk})

    assert response.status_code == 302
    assert Referral.objects.get().status == Referral.Status.PENDING
    page = owner_client.get(url("client_detail", pk=ref["liis"].pk)).content.decode()
    assert "Add 100 referral points" not in page


def test_changing_the_referrer_warns_that_the_points_are_taken_back(ref, owner_client):
    referral_set(
        salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None, award=True
    )
    target = url("referral_referred_by", client_id=ref["liis"].pk)

    page = owner_client.post(target, {"referrer": ref["mari"].pk}).content.decode()
    assert "the 100 points credited to Anna Tamm are taken back" in page

    owner_client.post(target, {"referrer": ref["mari"].pk, "confirm": "on", "award": "yes"})
    assert referral_entries(ref["anna"]) == [100, -100]
    assert referral_entries(ref["mari"]) == [100]


def test_refused_choices_show_on_the_client_page_and_write_nothing(ref, owner_client, other_salon):
    # given Anna brought Liis; Vera visited before; a client of another salon
    referral_set(salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None)
    vera = ClientFactory(salon=ref["salon"], first_name="Vera", last_name="Vana")
    ref["appointment"](client=vera, ends_at=timezone.now() - dt.timedelta(days=4))
    foreign = ClientFactory(salon=other_salon)
    cases = [
        (ref["anna"], ref["anna"].pk, "Choose a client of this salon from the search."),
        (ref["anna"], ref["liis"].pk, "a referral cannot go in a circle"),
        (vera, ref["anna"].pk, "already had appointments before"),
        (ref["mari"], foreign.pk, "Choose a client of this salon from the search."),
        (ref["mari"], 99999999, "Choose a client of this salon from the search."),
        (ref["mari"], "99999999999999999999999", "Choose a client of this salon from the search."),
        (ref["mari"], "abc", "Choose a client of this salon from the search."),
    ]
    before = written(codes=False)
    for client, referrer, message in cases:
        for extra in ({}, {"confirm": "on", "award": "yes"}):
            # when
            response = owner_client.post(
                url("referral_referred_by", client_id=client.pk), {"referrer": referrer, **extra}
            )
            # then the client page, with the message in the panel
            page = response.content.decode()
            assert response.status_code == 400, (client, referrer)
            assert message in page.replace("&#x27;", "'"), (client, referrer, message)
            assert 'id="referred-by-errors"' in page
    assert written(codes=False) == before


def test_removing_referred_by_takes_the_points_back(ref, owner_client):
    referral_set(
        salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None, award=True
    )
    response = owner_client.post(url("referral_referred_by_clear", client_id=ref["liis"].pk))
    assert response.status_code == 302
    assert referral_entries(ref["anna"]) == [100, -100]
    assert Referral.objects.get().status == Referral.Status.REVERSED


def test_crediting_a_pending_referral_from_the_panel_once(ref, owner_client):
    referral = referral_set(
        salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None
    )
    target = url("referral_award", pk=referral.pk)
    assert owner_client.post(target).status_code == 302
    assert owner_client.post(target, {"back": "list"})["Location"] == url("referral_list")
    assert referral_entries(ref["anna"]) == [100]


def test_staff_cannot_write(ref, staff_http):
    referral = referral_set(
        salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None
    )
    before = written()
    for target, data in (
        (url("referral_referred_by", client_id=ref["mari"].pk), {"referrer": ref["anna"].pk}),
        (
            url("referral_referred_by", client_id=ref["mari"].pk),
            {"referrer": ref["anna"].pk, "confirm": "on", "award": "yes"},
        ),
        (url("referral_referred_by_clear", client_id=ref["liis"].pk), {}),
        (url("referral_award", pk=referral.pk), {}),
    ):
        assert staff_http.post(target, data).status_code == 403
    assert (
        staff_http.get(url("referral_referrer_search", client_id=ref["liis"].pk)).status_code == 403
    )
    assert written() == before


def test_another_salons_ids_in_urls_are_404_for_the_owner(ref, owner_client, other_salon):
    foreign = ClientFactory(salon=other_salon)
    foreign_referral = Referral.objects.create(
        salon=other_salon,
        referred=foreign,
        referrer=ClientFactory(salon=other_salon),
        source=Referral.Source.MANUAL,
    )
    before = written()
    assert (
        owner_client.post(
            url("referral_referred_by", client_id=foreign.pk), {"referrer": ref["anna"].pk}
        ).status_code
        == 404
    )
    assert (
        owner_client.post(url("referral_referred_by_clear", client_id=foreign.pk)).status_code
        == 404
    )
    assert owner_client.post(url("referral_award", pk=foreign_referral.pk)).status_code == 404
    assert (
        owner_client.get(
            url("referral_referrer_search", client_id=foreign.pk), {"q": "a"}
        ).status_code
        == 404
    )
    assert written() == before


# --- The list and the top referrers ---------------------------------------------------------


def test_the_list_shows_referrals_and_the_top_referrers_of_the_period(ref, owner_client):
    # given Anna brought two, Mari one (credited), and one of Anna's is from last year
    salon = ref["salon"]
    new = [ClientFactory(salon=salon, first_name=f"New{i}") for i in range(3)]
    referral_set(salon=salon, referred=ref["liis"], referrer=ref["anna"], actor=None)
    referral_set(salon=salon, referred=new[0], referrer=ref["anna"], actor=None)
    old = referral_set(salon=salon, referred=new[1], referrer=ref["anna"], actor=None)
    Referral.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    referral_set(salon=salon, referred=new[2], referrer=ref["mari"], actor=None, award=True)
    today = timezone.localdate(timezone.now(), salon.tzinfo)

    # when
    response = owner_client.get(
        url("referral_list"), {"start": (today - dt.timedelta(days=29)).isoformat()}
    )

    # then
    assert response.status_code == 200
    top = [(t.full_name, t.referrals, t.points) for t in response.context["top"]]
    assert top == [("Anna Tamm", 2, 0), ("Mari Maasikas", 1, 100)]
    assert len(response.context["rows"]) == 3
    page = response.content.decode()
    assert "Points credited" in page and "Recorded by the salon" in page

    # filters: status and search
    rows = owner_client.get(url("referral_list"), {"status": "awarded"}).context["rows"]
    assert [r["referral"].referred.first_name for r in rows] == ["New2"]
    rows = owner_client.get(url("referral_list"), {"q": "liis"}).context["rows"]
    assert [r["referral"].referred.first_name for r in rows] == ["Liis"]


def test_staff_read_the_list(ref, staff_http):
    assert staff_http.get(url("referral_list")).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2026-02-30"},
        {"start": "0001-01-01", "end": "9999-12-31"},
        {"start": "2026-05-01", "end": "2026-01-01"},
        {"status": "nope", "source": "x" * 3000},
        {"q": "\x00", "page": "-1"},
        {"page": "99999999999999999999"},
    ],
)
def test_bad_filters_never_fail(ref, owner_client, query):
    response = owner_client.get(url("referral_list"), query)
    assert response.status_code == 200


def queries_for(http: HttpClient, target: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = http.get(target)
    assert response.status_code == 200
    return len(captured)


def add_referrals(salon, referrer, count: int) -> None:
    for i in range(count):
        referred = ClientFactory(salon=salon, first_name=f"New{i}{referrer.pk}")
        referral_set(salon=salon, referred=referred, referrer=referrer, actor=None, award=i % 2)


def test_the_list_and_the_panel_cost_the_same_queries_for_3_and_30_referrals(
    ref, owner_client, django_assert_max_num_queries
):
    # given 3 referrals by 3 referrers
    salon = ref["salon"]
    referrers = [ClientFactory(salon=salon) for _ in range(3)]
    for referrer in referrers:
        add_referrals(salon, referrer, 1)
    list_url = url("referral_list")
    panel_url = url("client_detail", pk=referrers[0].pk)
    few_list, few_panel = queries_for(owner_client, list_url), queries_for(owner_client, panel_url)

    # when 30 (10 each, one of them with 20)
    for referrer in referrers:
        add_referrals(salon, referrer, 9)
    add_referrals(salon, referrers[0], 10)

    # then
    with django_assert_max_num_queries(few_list):
        response = owner_client.get(list_url)
    assert len(response.context["rows"]) == 25  # a page
    with django_assert_max_num_queries(few_panel):
        response = owner_client.get(panel_url)
    assert re.search(r"20:\s", response.content.decode())


def test_no_page_fails_on_garbage(ref, owner_client, monkeypatch):
    referral = referral_set(
        salon=ref["salon"], referred=ref["liis"], referrer=ref["anna"], actor=None
    )
    owner_client.raise_request_exception = False
    targets = [
        url("referrals"),
        url("referral_list"),
        url("referral_award", pk=referral.pk),
        url("referral_referrer_search", client_id=ref["liis"].pk),
        url("referral_referred_by", client_id=ref["liis"].pk),
        url("referral_referred_by_clear", client_id=ref["liis"].pk),
    ]
    ours = ["points", "award_on", "send_sms", "sms_text", "referrer", "confirm", "award", "back"]
    monkeypatch.setattr(garbage, "FIELDS", [*garbage.FIELDS, *ours])
    monkeypatch.setattr(garbage, "QUERIES", [*garbage.QUERIES, "status", "source"])
    garbage.assert_no_server_error(owner_client, targets)
