"""Notices to the salon and its people are written in the reader's own language: booking
e-mails to a staff member in their account's language (`User.language`), to the salon's
address in its owner's; the passcode guessing alert in each owner's; an invitation in the
language of the account that already has the address — else the salon's default language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import formats, timezone, translation

from bookings.models import Membership
from bookings.passcodes import _alert_owners
from bookings.services.booking import BookingRequest, appointment_book
from bookings.tests.conftest import shop  # noqa: F401
from notices.models import Notice
from onboarding.invitations import staff_invitation_create
from onboarding.salon_notices import booking_notice_recipients
from tests.factories import ClientFactory, LocationFactory, StaffMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def _next_wednesday_at(hour: int) -> dt.datetime:
    from bookings.tests.test_booking_service import next_wednesday_at

    return next_wednesday_at(hour)


def _book_online(world):  # noqa: ANN001, ANN202
    client = ClientFactory(
        salon=world["salon"], first_name="Liis", last_name="Lepp", email="liis@example.test"
    )
    client.preferred_language = "ro"
    client.save(update_fields=["preferred_language"])
    return appointment_book(
        salon=world["salon"],
        request=BookingRequest(
            location=world["location"],
            service=world["service"],
            starts_at=_next_wednesday_at(10),
            staff=world["staff"][0],
        ),
        client=client,
        source="online",
    )


def _set_language(user, language: str) -> None:  # noqa: ANN001
    user.language = language
    user.save(update_fields=["language"])


@pytest.fixture
def estonian_salon(shop, owner):  # noqa: F811, ANN001, ANN201
    salon = shop["salon"]
    salon.default_language = "et"
    salon.email = "desk@alpha.test"
    salon.save()
    return shop


def test_booking_emails_are_in_the_staff_members_and_the_owners_language(
    estonian_salon, owner, django_capture_on_commit_callbacks
):
    # given: the owner reads Finnish, Anna (with an account) German, the salon is Estonian
    _set_language(owner, "fi")
    anna = estonian_salon["staff"][0]
    anna.email = "anna@alpha.test"
    anna.user = UserFactory(email="anna.account@example.test")
    anna.save()
    _set_language(anna.user, "de")

    # when a client who reads Romanian books online
    with django_capture_on_commit_callbacks(execute=True):
        _book_online(estonian_salon)

    # then each reader gets their own language, dates included
    notices = dict(
        Notice.objects.filter(kind="salon_booking_created").values_list("recipient", "language")
    )
    assert notices == {"desk@alpha.test": "fi", "anna@alpha.test": "de"}
    to_anna = next(m for m in mail.outbox if m.to == ["anna@alpha.test"])
    to_desk = next(m for m in mail.outbox if m.to == ["desk@alpha.test"])
    assert "Mittwoch" in to_anna.subject and "Uhr" in to_anna.subject
    assert "keskiviikkona" in to_desk.subject and " klo " in to_desk.subject
    # and the client still gets theirs in Romanian
    assert Notice.objects.get(kind="booking_confirmation").language == "ro"


def test_booking_emails_fall_back_to_the_salons_language(
    estonian_salon, django_capture_on_commit_callbacks
):
    # given nobody chose a language; Anna has no account
    anna = estonian_salon["staff"][0]
    anna.email = "anna@alpha.test"
    anna.save()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        _book_online(estonian_salon)

    # then
    languages = set(
        Notice.objects.filter(kind="salon_booking_created").values_list("language", flat=True)
    )
    assert languages == {"et"}
    assert any("kolmapäev" in m.subject for m in mail.outbox if m.to == ["anna@alpha.test"])


def test_the_salons_address_is_in_the_language_of_the_member_who_owns_it(
    estonian_salon, owner, salon
):
    # given the desk address is a manager's account, who reads Danish; the owner Finnish
    _set_language(owner, "fi")
    manager = UserFactory(email="desk@alpha.test")
    _set_language(manager, "da")
    Membership.objects.create(salon=salon, user=manager, role=Membership.Role.MANAGER)

    from onboarding.salon_notices import _recipients, booking_notices_get

    anna = estonian_salon["staff"][0]
    anna.email = "DESK@alpha.test"  # the same address: told once
    anna.save()
    appointment = _book_online(estonian_salon)
    notices = booking_notices_get(salon=salon)

    assert _recipients(appointment, notices) == [("desk@alpha.test", "da")]
    assert booking_notice_recipients(appointment=appointment, notices=notices) == [
        "desk@alpha.test"
    ]


def test_passcode_alert_is_in_each_owners_language(salon, owner):
    # given two owners: one reads Danish, the other chose nothing; the salon is German
    salon.default_language = "de"
    salon.save(update_fields=["default_language"])
    _set_language(owner, "da")
    second = UserFactory(email="second@alpha.test")
    Membership.objects.create(salon=salon, user=second, role=Membership.Role.OWNER)
    location = LocationFactory(salon=salon, name="Old Town")

    # when
    _alert_owners(location, 12)

    # then
    notices = dict(
        Notice.objects.filter(kind="passcode_guessing_alert").values_list("recipient", "language")
    )
    assert notices == {"owner@alpha.test": "da", "second@alpha.test": "de"}


@pytest.mark.parametrize(("account_language", "expected"), [("ro", "ro"), ("", "fi"), (None, "fi")])
def test_invitation_is_in_the_invitees_own_language_else_the_salons(
    salon, owner, account_language, expected
):
    # given a Finnish salon; the invitee may already have an account (with or without a language)
    salon.default_language = "fi"
    salon.save(update_fields=["default_language"])
    if account_language is not None:
        _set_language(UserFactory(email="mari@example.test"), account_language)
    staff = StaffMemberFactory(salon=salon, name="Mari")

    # when
    new = staff_invitation_create(salon=salon, actor=owner, staff=staff, email="Mari@example.test")

    # then
    notice = Notice.objects.get(kind="staff_invitation")
    assert notice.language == expected
    # the expiry date is written as that language writes a short date
    expires = timezone.localtime(new.invitation.expires_at, salon.tzinfo)
    with translation.override(expected):
        assert formats.date_format(expires, "SHORT_DATE_FORMAT") in notice.body
