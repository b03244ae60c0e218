"""Duplicate clients: refused when created (service, dashboard, API), and merged when they
exist already — appointments, notices and the feature apps' ledgers move through the
`clients_merged` hook (bookings/client_events.py), in one transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from bookings.client_events import (
    clients_merged_handlers,
    subscribe_clients_merged,
    unsubscribe_clients_merged,
)
from bookings.models import Appointment, Client
from bookings.services.clients import (
    DuplicateClient,
    client_create,
    client_for_booking,
    client_update,
    clients_merge,
)
from loyalty.models import GiftCard, PointsAccount, PointsEntry
from loyalty.services.points import points_entry_add
from notices.models import Notice
from packages.models import ClientPackage
from packages.tests.conftest import make_type
from referrals.models import Referral, ReferralCode
from referrals.services.referrals import referral_set
from tests.concurrency import race
from tests.factories import ClientFactory, MembershipFactory, UserFactory

NOW = timezone.now().replace(microsecond=0)


def appointment(shop: dict[str, Any], client: Client, starts_at: dt.datetime, **extra: Any):
    """A row written directly (the booking rules are not what is tested here)."""
    values = {
        "salon": shop["salon"],
        "location": shop["location"],
        "staff": shop["staff"][0],
        "service": shop["service"],
        "client": client,
        "starts_at": starts_at,
        "ends_at": starts_at + dt.timedelta(hours=1),
        "block_starts_at": starts_at,
        "block_ends_at": starts_at + dt.timedelta(hours=1),
        "source": Appointment.Source.DASHBOARD,
        "price": Decimal("40.00"),
    }
    values.update(extra)
    return Appointment.objects.create(**values)


def add_points(salon, client: Client, points: int) -> None:
    with transaction.atomic():
        points_entry_add(salon=salon, client=client, kind=PointsEntry.Kind.MANUAL, points=points)


def pair(salon, **merged_fields: Any) -> tuple[Client, Client]:
    """Two records of one person: Kati (kept) and "Walk In" with the same phone (merged)."""
    kept = ClientFactory(
        salon=salon, first_name="Kati", last_name="Kask", email="kati@example.test", phone=""
    )
    merged = ClientFactory(
        salon=salon,
        first_name="Walk",
        last_name="In",
        email="",
        phone="+3725123456",
        notes="Allergic to ammonia.",
        **merged_fields,
    )
    return kept, merged


# --- Refusing duplicates ---------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["+3725123456", "5123456", "+372 512 3456"])
def test_creating_a_client_with_an_existing_phone_is_refused_with_the_match(salon, typed):
    # given
    existing = ClientFactory(salon=salon, phone="+3725123456")
    # when
    with pytest.raises(DuplicateClient) as refused:
        client_create(salon=salon, first_name="Walk", last_name="In", phone=typed)
    # then
    assert refused.value.matches == [existing]
    assert refused.value.message_dict == {
        "phone": [f"{existing.full_name} already has this phone number."]
    }
    assert Client.objects.count() == 1


def test_creating_a_client_with_an_existing_email_in_other_case_is_refused(salon):
    existing = ClientFactory(salon=salon, email="kati@example.test")
    with pytest.raises(DuplicateClient) as refused:
        client_create(salon=salon, first_name="Kati", email="KATI@Example.test")
    assert refused.value.matches == [existing]
    assert list(refused.value.message_dict) == ["email"]
    assert Client.objects.count() == 1


def test_another_salons_client_with_the_phone_is_no_duplicate(salon, other_salon):
    ClientFactory(salon=other_salon, phone="+3725123456")
    client = client_create(salon=salon, first_name="Walk", phone="+3725123456")
    assert str(client.phone) == "+3725123456"


def test_changing_a_phone_to_another_clients_is_refused_but_shared_phones_stay_editable(salon):
    # given two records that already share a phone, and a third client
    kept, merged = pair(salon)
    ClientFactory(salon=salon, phone="+3725123456", email="x@example.test")
    other = ClientFactory(salon=salon, phone="+3725550000")
    # when / then: the third may not take that phone
    with pytest.raises(DuplicateClient):
        client_update(client=other, phone="+3725123456")
    other.refresh_from_db()
    assert str(other.phone) == "+3725550000"
    # and a record sharing it already can still be edited otherwise
    client_update(client=merged, notes="Prefers mornings.")
    assert Client.objects.get(pk=merged.pk).notes == "Prefers mornings."


def test_an_online_booking_with_a_known_phone_but_a_new_email_still_creates_its_client(salon):
    # given the family's phone on Kati's record
    ClientFactory(salon=salon, phone="+3725123456", email="kati@example.test")
    # when her daughter books online with her own e-mail
    client = client_for_booking(
        salon=salon,
        user=None,
        first_name="Liis",
        last_name="Kask",
        email="liis@example.test",
        phone="+3725123456",
        marketing_consent=False,
    )
    # then she is a client of her own (the owner may merge later)
    assert client.email == "liis@example.test"
    assert Client.objects.count() == 2


def test_the_api_refuses_a_duplicate_client_with_400_on_the_field(salon, owner_api):
    ClientFactory(salon=salon, phone="+3725123456")
    response = owner_api.post(
        "/api/v1/salons/alpha/clients/",
        {"first_name": "Walk", "phone": "+3725123456"},
        format="json",
    )
    assert response.status_code == 400
    assert "phone" in response.json()
    assert Client.objects.count() == 1


def test_the_dashboard_refuses_a_duplicate_client_as_a_form_error(salon, owner_client):
    existing = ClientFactory(salon=salon, phone="+3725123456")
    response = owner_client.post(
        "/dashboard/alpha/clients/new/",
        {"first_name": "Walk", "phone": "5123456", "preferred_channel": "email"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == [
        f"{existing.full_name} already has this phone number."
    ]
    assert Client.objects.count() == 1


# --- Merging ---------------------------------------------------------------------------------


def test_merge_moves_appointments_and_notices_fills_blanks_and_deletes_the_duplicate(shop):
    # given
    salon = shop["salon"]
    kept, merged = pair(salon, marketing_consent=True, marketing_consent_at=NOW)
    past = appointment(shop, merged, NOW - dt.timedelta(days=3), status="completed")
    upcoming = appointment(shop, merged, NOW + dt.timedelta(days=3))
    own = appointment(shop, kept, NOW + dt.timedelta(days=5))
    notice = Notice.objects.create(
        salon=salon, kind="test", channel="sms", recipient="+3725123456", client=merged, body="x"
    )
    # when
    result = clients_merge(salon=salon, kept=kept, merged=merged)
    # then
    assert result.pk == kept.pk
    assert not Client.objects.filter(pk=merged.pk).exists()
    assert set(Appointment.objects.filter(client=kept).values_list("pk", flat=True)) == {
        past.pk,
        upcoming.pk,
        own.pk,
    }
    notice.refresh_from_db()
    assert notice.client_id == kept.pk
    kept.refresh_from_db()
    assert (kept.first_name, kept.last_name, kept.email, str(kept.phone)) == (
        "Kati",
        "Kask",
        "kati@example.test",
        "+3725123456",
    )
    assert kept.notes == "Allergic to ammonia."
    assert kept.marketing_consent is True
    assert kept.marketing_consent_at == NOW


@pytest.mark.parametrize("case", ["same", "two_accounts", "same_booking", "other_salon"])
def test_refused_merges_write_nothing(shop, other_salon, case):
    # given
    salon = shop["salon"]
    kept, merged = pair(salon)
    target = merged
    if case == "same":
        target = kept
    elif case == "two_accounts":
        Client.objects.filter(pk=kept.pk).update(user=UserFactory(email="a@example.test"))
        Client.objects.filter(pk=merged.pk).update(user=UserFactory(email="b@example.test"))
        kept.refresh_from_db()
        merged.refresh_from_db()
    elif case == "same_booking":
        starts = NOW + dt.timedelta(days=2)
        appointment(shop, kept, starts)
        appointment(shop, merged, starts, staff=shop["staff"][1])
    elif case == "other_salon":
        target = ClientFactory(salon=other_salon)
    before = list(Client.objects.order_by("pk").values_list("pk", "phone", "notes"))
    moved = list(Appointment.objects.order_by("pk").values_list("pk", "client_id"))
    # when
    with pytest.raises(ValidationError) as refused:
        clients_merge(salon=salon, kept=kept, merged=target)
    # then
    assert list(refused.value.message_dict) == ["merged"]
    assert list(Client.objects.order_by("pk").values_list("pk", "phone", "notes")) == before
    assert list(Appointment.objects.order_by("pk").values_list("pk", "client_id")) == moved


def test_a_failing_hook_rolls_the_whole_merge_back(shop):
    # given a feature handler that fails after the appointments moved
    salon = shop["salon"]
    kept, merged = pair(salon)
    booked = appointment(shop, merged, NOW + dt.timedelta(days=1))

    def broken(merge: Any) -> None:
        raise RuntimeError("boom")

    subscribe_clients_merged(broken)
    try:
        # when
        with pytest.raises(RuntimeError):
            clients_merge(salon=salon, kept=kept, merged=merged)
    finally:
        unsubscribe_clients_merged(broken)
    # then
    booked.refresh_from_db()
    assert booked.client_id == merged.pk
    assert Client.objects.filter(pk=merged.pk).exists()
    assert broken not in clients_merged_handlers()


def test_merge_moves_points_and_gift_cards_and_keeps_balance_equal_to_ledger(shop):
    # given points on both records and a gift card on the duplicate
    salon = shop["salon"]
    kept, merged = pair(salon)
    points_entry_add(salon=salon, client=kept, kind=PointsEntry.Kind.MANUAL, points=30)
    points_entry_add(salon=salon, client=merged, kind=PointsEntry.Kind.MANUAL, points=120)
    points_entry_add(salon=salon, client=merged, kind=PointsEntry.Kind.MANUAL, points=-20)
    card = GiftCard.objects.create(
        salon=salon,
        code="ABCD1234",
        client=merged,
        name="Voucher",
        initial_value=Decimal("20"),
        balance=Decimal("20"),
        currency="EUR",
        source=GiftCard.Source.SALON,
    )
    # when
    clients_merge(salon=salon, kept=kept, merged=merged)
    # then one account, whose balance is the sum of the whole moved ledger
    account = PointsAccount.objects.get(salon=salon)
    assert account.client_id == kept.pk
    assert account.balance == 130
    entries = PointsEntry.objects.filter(salon=salon)
    assert set(entries.values_list("client_id", flat=True)) == {kept.pk}
    assert sum(entries.values_list("points", flat=True)) == 130
    card.refresh_from_db()
    assert card.client_id == kept.pk


def test_merge_moves_packages_and_refuses_two_pending_purchases_of_one_type(shop):
    # given
    salon = shop["salon"]
    kept, merged = pair(salon)
    visits = make_type(salon, [shop["service"]])
    common = {
        "salon": salon,
        "package_type": visits,
        "kind": "visits",
        "name": "5 visits",
        "price": Decimal("150"),
        "currency": "EUR",
        "visits_total": 5,
        "visits_left": 5,
        "starts_on": NOW.date(),
    }
    held = ClientPackage.objects.create(client=merged, status="active", source="assigned", **common)
    pending_kept = ClientPackage.objects.create(
        client=kept, status="pending", source="purchase", **common
    )
    pending_merged = ClientPackage.objects.create(
        client=merged, status="pending", source="purchase", **common
    )
    # when both wait to pay for the same type: refused, nothing moved
    with pytest.raises(ValidationError) as refused:
        clients_merge(salon=salon, kept=kept, merged=merged)
    assert "wait to pay for the package 5 visits" in refused.value.message_dict["merged"][0]
    held.refresh_from_db()
    assert held.client_id == merged.pk
    # when the owner removes one of them, the merge goes through
    pending_merged.delete()
    clients_merge(salon=salon, kept=kept, merged=merged)
    held.refresh_from_db()
    pending_kept.refresh_from_db()
    assert held.client_id == pending_kept.client_id == kept.pk


def test_merge_keeps_one_referrer_per_client_and_moves_given_referrals(shop):
    # given both records were recorded as referred (by Anna-the-client and by Mari-the-client)
    # and the duplicate referred a friend
    salon = shop["salon"]
    kept, merged = pair(salon)
    first, second, friend = (ClientFactory(salon=salon) for _ in range(3))
    on_kept = referral_set(salon=salon, referred=kept, referrer=first, actor=None)
    on_merged = referral_set(salon=salon, referred=merged, referrer=second, actor=None)
    given = referral_set(salon=salon, referred=friend, referrer=merged, actor=None)
    ReferralCode.objects.create(salon=salon, client=merged, code="WALKIN1")
    # when
    clients_merge(salon=salon, kept=kept, merged=merged)
    # then the kept client's referrer stays, the duplicate's ends (nothing was credited)
    on_kept.refresh_from_db()
    on_merged.refresh_from_db()
    given.refresh_from_db()
    assert (on_kept.referred_id, on_kept.status) == (kept.pk, "pending")
    assert (on_merged.referred_id, on_merged.status) == (kept.pk, "cancelled")
    assert Referral.objects.filter(referred=kept, status__in=["pending", "awarded"]).count() == 1
    assert (given.referrer_id, given.status) == (kept.pk, "pending")
    assert ReferralCode.objects.get(salon=salon).client_id == kept.pk


def test_two_records_one_of_which_referred_the_other_are_not_merged(shop):
    salon = shop["salon"]
    kept, merged = pair(salon)
    referral_set(salon=salon, referred=kept, referrer=merged, actor=None)
    with pytest.raises(ValidationError) as refused:
        clients_merge(salon=salon, kept=kept, merged=merged)
    assert "referred by the other" in refused.value.message_dict["merged"][0]
    assert Client.objects.filter(pk=merged.pk).exists()


# --- Dashboard and API -----------------------------------------------------------------------


def merge_url(client: Client) -> str:
    return reverse("dashboard:client_merge", kwargs={"salon_slug": "alpha", "pk": client.pk})


def test_the_client_page_offers_its_duplicates_and_merges_one(shop, owner_client):
    # given
    kept, merged = pair(shop["salon"])
    Client.objects.filter(pk=kept.pk).update(phone="+3725123456")
    booked = appointment(shop, merged, NOW + dt.timedelta(days=1))
    page = owner_client.get(f"/dashboard/alpha/clients/{kept.pk}/")
    assert f'data-duplicate="{merged.pk}"' in page.content.decode()
    # when
    response = owner_client.post(merge_url(kept), {"merged": merged.pk}, follow=True)
    # then
    assert response.status_code == 200
    assert "Walk In was merged into Kati Kask" in response.content.decode()
    booked.refresh_from_db()
    assert booked.client_id == kept.pk
    assert f'data-appointment="{booked.pk}"' in response.content.decode()


def test_a_refused_merge_in_the_dashboard_says_why_and_keeps_both(shop, owner_client):
    kept, _merged = pair(shop["salon"])
    response = owner_client.post(merge_url(kept), {"merged": kept.pk}, follow=True)
    assert "Choose two different clients." in response.content.decode()
    assert Client.objects.count() == 2


@pytest.mark.parametrize("value", ["", "abc", "-1"])
def test_merge_without_a_valid_id_is_400(shop, owner_client, value):
    kept, _merged = pair(shop["salon"])
    assert owner_client.post(merge_url(kept), {"merged": value}).status_code == 400
    assert Client.objects.count() == 2


def test_merge_across_salons_is_404_and_staff_may_not_merge(shop, other_salon, owner_client):
    kept, merged = pair(shop["salon"])
    stranger = ClientFactory(salon=other_salon)
    assert owner_client.post(merge_url(kept), {"merged": stranger.pk}).status_code == 404
    assert owner_client.post(merge_url(stranger), {"merged": kept.pk}).status_code == 404
    staff = UserFactory(email="desk@alpha.test")
    MembershipFactory(salon=shop["salon"], user=staff, role="staff")
    owner_client.force_login(staff)
    assert owner_client.post(merge_url(kept), {"merged": merged.pk}).status_code == 403
    assert Client.objects.filter(salon=shop["salon"]).count() == 2


def test_merge_candidates_search_lists_other_records(shop, owner_client):
    kept, merged = pair(shop["salon"])
    url = reverse(
        "dashboard:client_merge_candidates", kwargs={"salon_slug": "alpha", "pk": kept.pk}
    )
    html = owner_client.get(url, {"q": "walk"}, HTTP_HX_REQUEST="true").content.decode()
    assert f'name="merged" value="{merged.pk}"' in html
    assert f'value="{kept.pk}"' not in html


def test_the_owner_api_merges_and_lists_duplicates(shop, owner_api):
    kept, merged = pair(shop["salon"])
    Client.objects.filter(pk=kept.pk).update(phone="+3725123456")
    duplicates = owner_api.get(f"/api/v1/salons/alpha/clients/{kept.pk}/duplicates/")
    assert [c["id"] for c in duplicates.json()] == [merged.pk]
    response = owner_api.post(
        f"/api/v1/salons/alpha/clients/{kept.pk}/merge/", {"merged": merged.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["id"] == kept.pk
    assert response.json()["notes"] == "Allergic to ammonia."
    assert not Client.objects.filter(pk=merged.pk).exists()


@pytest.mark.parametrize("body", [{}, {"merged": "x"}, {"merged": 0}])
def test_the_owner_api_merge_with_bad_input_is_400(shop, owner_api, body):
    kept, _merged = pair(shop["salon"])
    response = owner_api.post(f"/api/v1/salons/alpha/clients/{kept.pk}/merge/", body, format="json")
    assert response.status_code == 400
    assert "merged" in response.json()
    assert Client.objects.count() == 2


def test_the_owner_api_refused_merge_is_400_on_merged(shop, owner_api):
    kept, _merged = pair(shop["salon"])
    response = owner_api.post(
        f"/api/v1/salons/alpha/clients/{kept.pk}/merge/", {"merged": kept.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["merged"] == ["Choose two different clients."]


def test_the_owner_api_merge_with_another_salons_ids_is_404(shop, other_salon, owner_api):
    kept, _merged = pair(shop["salon"])
    stranger = ClientFactory(salon=other_salon)
    base = "/api/v1/salons/alpha/clients"
    assert owner_api.post(f"{base}/{kept.pk}/merge/", {"merged": stranger.pk}).status_code == 404
    assert owner_api.post(f"{base}/{stranger.pk}/merge/", {"merged": kept.pk}).status_code == 404
    assert owner_api.get(f"{base}/{stranger.pk}/duplicates/").status_code == 404
    assert Client.objects.count() == 3


# --- Concurrency (PostgreSQL) ----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_merges_of_one_pair_either_way_round_merge_once(shop):
    # given points and an appointment on each record
    salon = shop["salon"]
    kept, merged = pair(salon)
    add_points(salon, kept, 10)
    add_points(salon, merged, 25)
    appointment(shop, kept, NOW + dt.timedelta(days=1))
    appointment(shop, merged, NOW + dt.timedelta(days=2))
    # when two owners merge the pair at once, in opposite directions
    outcomes = race(
        [
            lambda: clients_merge(salon=salon, kept=kept, merged=merged),
            lambda: clients_merge(salon=salon, kept=merged, merged=kept),
        ]
    )
    # then one merge happened, the other was refused; nothing is lost or doubled
    assert outcomes == ["ok", "refused"]
    survivor = Client.objects.get(salon=salon)
    assert Appointment.objects.filter(client=survivor).count() == 2
    account = PointsAccount.objects.get(salon=salon)
    assert (account.client_id, account.balance) == (survivor.pk, 35)
    assert sum(PointsEntry.objects.filter(client=survivor).values_list("points", flat=True)) == 35


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_creations_with_one_phone_make_one_client(salon):
    outcomes = race(
        [
            lambda: client_create(salon=salon, first_name="Walk", phone="+3725123456"),
            lambda: client_create(salon=salon, first_name="Walk", phone="5123456"),
            lambda: client_create(salon=salon, first_name="Walk", phone="+372 512 3456"),
        ]
    )
    assert outcomes == ["ok", "refused", "refused"]
    assert Client.objects.filter(salon=salon).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_merge_racing_a_points_credit_keeps_balance_equal_to_ledger(shop):
    salon = shop["salon"]
    kept, merged = pair(salon)
    add_points(salon, merged, 50)

    def credit() -> None:
        with transaction.atomic():
            fresh = Client.objects.filter(pk=merged.pk).first()
            if fresh is None:  # merged first: the client is gone, the credit goes to the kept
                fresh = Client.objects.get(pk=kept.pk)
            points_entry_add(salon=salon, client=fresh, kind=PointsEntry.Kind.MANUAL, points=5)

    outcomes = race([lambda: clients_merge(salon=salon, kept=kept, merged=merged), credit])
    assert "refused" not in outcomes and all(o == "ok" or "IntegrityError" in o for o in outcomes)
    for account in PointsAccount.objects.filter(salon=salon):
        ledger = PointsEntry.objects.filter(salon=salon, client_id=account.client_id)
        assert account.balance == sum(ledger.values_list("points", flat=True))


# --- A booking landing just after its client was merged away (QA, issue 18) ------------------


def _owner_request(shop: dict[str, Any], starts_at: dt.datetime):
    from bookings.services.booking import BookingRequest

    return BookingRequest(
        location=shop["location"],
        service=shop["service"],
        starts_at=starts_at,
        staff=shop["staff"][0],
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_booking_for_a_client_merged_away_meanwhile_is_refused_cleanly(shop):
    from bookings.services.booking import appointment_book

    # given the owner's panel loaded "Walk In" a moment ago (the object it holds is stale)
    salon = shop["salon"]
    kept, merged = pair(salon)
    stale = Client.objects.get(pk=merged.pk)
    # when another owner merges "Walk In" into Kati, and the booking lands just after
    clients_merge(salon=salon, kept=kept, merged=merged)
    starts_at = NOW + dt.timedelta(days=3)
    with pytest.raises(ValidationError) as caught:
        appointment_book(
            salon=salon,
            request=_owner_request(shop, starts_at),
            client=stale,
            source=Appointment.Source.DASHBOARD,
            enforce_hours=False,
        )
    # then it is a refusal on the client field (a form error / 400), not an IntegrityError
    assert "client" in caught.value.message_dict
    assert "merged" in " ".join(caught.value.message_dict["client"])
    assert not Appointment.objects.filter(salon=salon).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_booking_racing_the_merge_of_its_client_never_fails_with_a_server_error(shop):
    from bookings.services.booking import appointment_book

    salon = shop["salon"]
    kept, merged = pair(salon)
    stale = Client.objects.get(pk=merged.pk)
    starts_at = NOW + dt.timedelta(days=3)

    def book() -> None:
        appointment_book(
            salon=salon,
            request=_owner_request(shop, starts_at),
            client=stale,
            source=Appointment.Source.DASHBOARD,
            enforce_hours=False,
        )

    outcomes = race([lambda: clients_merge(salon=salon, kept=kept, merged=merged), book])
    # either order is fine: booked then moved to Kati, or refused after the merge
    assert outcomes in (["ok", "ok"], ["ok", "refused"])
    assert not Client.objects.filter(pk=merged.pk).exists()
    assert set(Appointment.objects.filter(salon=salon).values_list("client_id", flat=True)) <= {
        kept.pk
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_merge_while_the_owner_moves_one_of_the_duplicates_appointments_does_not_deadlock(shop):
    """(QA) The move locks the appointment, then its client; the merge used to lock the
    clients, then update their appointments — opposite orders, a deadlock (a 500 for one of
    the two owners). Here the move is paused while it holds the appointment's lock."""
    import threading
    from unittest import mock

    from django.db import connection

    from bookings.services import booking
    from bookings.services.booking import appointment_reschedule

    salon = shop["salon"]
    kept, merged = pair(salon)
    starts_at = (NOW + dt.timedelta(days=3)).replace(minute=0, second=0)
    moved = appointment(shop, merged, starts_at)
    holds_lock, go = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}
    original = booking._overlaps_existing

    def paused(*args: Any, **kwargs: Any) -> bool:
        holds_lock.set()
        go.wait(10)
        return original(*args, **kwargs)

    def run(name: str, function: Any) -> None:
        try:
            function()
            outcomes[name] = "ok"
        except ValidationError:
            outcomes[name] = "refused"
        except Exception as exc:  # noqa: BLE001 - reported in the assertion
            outcomes[name] = f"error: {exc!r}"
        finally:
            connection.close()

    with mock.patch.object(booking, "_overlaps_existing", paused):
        move = threading.Thread(
            target=run,
            args=(
                "move",
                lambda: appointment_reschedule(
                    appointment=moved, starts_at=starts_at + dt.timedelta(hours=2), by_owner=True
                ),
            ),
        )
        move.start()
        assert holds_lock.wait(10)
        merge = threading.Thread(
            target=run,
            args=("merge", lambda: clients_merge(salon=salon, kept=kept, merged=merged)),
        )
        merge.start()
        merge.join(1.0)  # the merge is now waiting for the move
        go.set()
        move.join(30)
        merge.join(30)
    assert outcomes == {"move": "ok", "merge": "ok"}
    moved.refresh_from_db()
    assert (moved.client_id, moved.starts_at) == (kept.pk, starts_at + dt.timedelta(hours=2))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_online_booking_filling_in_a_client_merged_away_meanwhile_is_refused_cleanly(shop):
    # (QA) the checkout found "Walk In" by e-mail; the owner merged it before the checkout
    # filled in its blank fields: save(update_fields) hit no row — a DatabaseError, a 500
    salon = shop["salon"]
    kept, merged = pair(salon)
    Client.objects.filter(pk=merged.pk).update(email="walk@example.test")
    stale = Client.objects.get(pk=merged.pk)
    clients_merge(salon=salon, kept=kept, merged=merged)
    with pytest.raises(ValidationError) as caught:
        client_for_booking(
            salon=salon,
            user=None,
            first_name="Walk",
            last_name="In",
            email="walk@example.test",
            phone="",
            marketing_consent=True,
            found=stale,
        )
    assert "client" in caught.value.message_dict
    assert not Client.objects.filter(pk=merged.pk).exists()
