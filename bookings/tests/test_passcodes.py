from __future__ import annotations

import contextlib
import time

import pytest
from django.core.exceptions import ValidationError

from bookings.models import Location
from bookings.passcodes import (
    PasscodeThrottled,
    PasscodeUnlocks,
    location_passcode_set,
    passcode_check,
    passcode_target_delay,
    passcode_unlock,
    passcode_weakness,
    staff_passcode_set,
)
from tests.factories import LocationFactory, StaffMemberFactory


@pytest.mark.parametrize(
    "code,weak",
    [
        ("0000", True),
        ("1234", True),
        ("4321", True),
        ("123456", True),
        ("1212", True),
        ("1987", True),
        ("8305", False),
        ("58201", False),
        ("927461", False),
    ],
)
def test_weak_codes_are_warned_about(code, weak):
    assert (passcode_weakness(code) is not None) is weak


def test_switching_a_location_code_on_and_changing_it_bumps_the_version(salon):
    # given
    location = LocationFactory(salon=salon)
    # when
    location = location_passcode_set(location=location, enabled=True, code="8305")
    first = location.booking_passcode_version
    same = location_passcode_set(location=location, enabled=True, code="8305")
    changed = location_passcode_set(location=location, enabled=True, code="58201")
    off = location_passcode_set(location=location, enabled=False)
    # then
    assert location.passcode_active and location.booking_passcode == "8305"
    assert same.booking_passcode_version == first
    assert changed.booking_passcode_version == first + 1
    assert off.booking_passcode_version == first + 2
    assert off.passcode_active is False


@pytest.mark.parametrize("code", ["", "123", "1234567", "12a4", " 12 34", "１２３４"])
def test_bad_codes_are_refused_and_nothing_changes(salon, code):
    location = LocationFactory(salon=salon)
    with pytest.raises(ValidationError) as exc:
        location_passcode_set(location=location, enabled=True, code=code)
    assert "booking_passcode" in exc.value.message_dict
    location.refresh_from_db()
    assert (location.booking_passcode_enabled, location.booking_passcode) == (False, "")
    with pytest.raises(ValidationError):
        staff_passcode_set(staff=StaffMemberFactory(salon=salon), code=code or "1")


def test_database_refuses_an_enabled_location_without_a_code(salon):
    from django.db import IntegrityError, transaction

    location = LocationFactory(salon=salon)
    with pytest.raises(IntegrityError), transaction.atomic():
        Location.objects.filter(pk=location.pk).update(booking_passcode_enabled=True)


def test_right_code_unlocks_and_a_changed_code_locks_again(salon):
    # given
    location = location_passcode_set(
        location=LocationFactory(salon=salon), enabled=True, code="8305"
    )
    unlocks = PasscodeUnlocks()
    assert not unlocks.allows(location)
    # when
    assert passcode_unlock(unlocks=unlocks, target=location, code="8305", client_ip="1.2.3.4")
    # then
    assert unlocks.allows(location)
    changed = location_passcode_set(location=location, enabled=True, code="58201")
    assert not unlocks.allows(changed)
    off = location_passcode_set(location=changed, enabled=False)
    assert unlocks.allows(off)  # no code, nothing to unlock


def test_wrong_codes_are_throttled_per_ip_then_even_the_right_code_is_refused(salon, settings):
    settings.PASSCODE_MAX_FAILURES_PER_IP = 5
    location = location_passcode_set(
        location=LocationFactory(salon=salon), enabled=True, code="8305"
    )
    for guess in ("0000", "0001", "0002", "0003", "0004"):
        assert not passcode_check(target=location, code=guess, client_ip="1.2.3.4")
    with pytest.raises(PasscodeThrottled):
        passcode_check(target=location, code="8305", client_ip="1.2.3.4")
    # another IP is not affected
    assert passcode_check(target=location, code="8305", client_ip="5.6.7.8")


def _guess_until_slowed_down(location, failures: int) -> None:
    for n in range(failures):
        assert not passcode_check(target=location, code="0000", client_ip=f"10.0.0.{n}")


def test_guessing_from_many_ips_slows_the_location_down_but_never_locks_it(salon, settings):
    # given: 10 wrong codes from 10 addresses (the per-target threshold)
    settings.PASSCODE_MAX_FAILURES_PER_IP = 100
    settings.PASSCODE_MAX_FAILURES_PER_TARGET = 10
    location = location_passcode_set(
        location=LocationFactory(salon=salon), enabled=True, code="8305"
    )
    _guess_until_slowed_down(location, 10)

    # when / then: one attempt per delay (1 s here) is let through: the right code gets in
    assert passcode_check(target=location, code="8305", client_ip="192.0.2.1")
    # the next attempt inside the delay waits seconds, not the window, whatever its code
    with pytest.raises(PasscodeThrottled) as slowed:
        passcode_check(target=location, code="8305", client_ip="192.0.2.2")
    assert 1 <= slowed.value.wait_seconds <= 1
    assert "Please wait 1 second" in str(slowed.value)
    time.sleep(1.1)
    assert passcode_check(target=location, code="8305", client_ip="192.0.2.2")


def test_the_delay_grows_with_the_wrong_codes_and_is_capped(salon, settings):
    settings.PASSCODE_MAX_FAILURES_PER_TARGET = 3
    settings.PASSCODE_TARGET_MAX_DELAY_SECONDS = 60
    assert [passcode_target_delay(n) for n in (0, 2, 3, 4, 5, 6, 8, 9, 50)] == [
        0, 0, 1, 2, 4, 8, 32, 60, 60,
    ]  # fmt: skip
    settings.PASSCODE_MAX_FAILURES_PER_TARGET = 0  # off
    assert passcode_target_delay(500) == 0


def test_refused_attempts_during_the_delay_are_not_counted(salon, settings):
    # given: a location at the threshold, its turn just taken by a wrong code
    settings.PASSCODE_MAX_FAILURES_PER_IP = 100
    settings.PASSCODE_MAX_FAILURES_PER_TARGET = 5
    location = location_passcode_set(
        location=LocationFactory(salon=salon), enabled=True, code="8305"
    )
    _guess_until_slowed_down(location, 5)
    assert not passcode_check(target=location, code="1111", client_ip="10.9.9.9")  # 6th: 2 s

    # when: a flood of attempts inside the delay
    refused = 0
    for n in range(50):
        try:
            passcode_check(target=location, code="2222", client_ip=f"10.8.0.{n}")
        except PasscodeThrottled:
            refused += 1

    # then: none was looked at; the delay did not run away
    assert refused == 50
    from django.core.cache import cache

    assert cache.get(f"passcode-fail:location:{location.pk}:all") == 6


def test_the_owners_are_emailed_once_per_window_when_a_code_is_being_guessed(
    salon, owner, staff_user, other_owner, settings, mailoutbox, django_capture_on_commit_callbacks
):
    # given
    settings.PASSCODE_MAX_FAILURES_PER_IP = 100
    settings.PASSCODE_MAX_FAILURES_PER_TARGET = 4
    location = location_passcode_set(
        location=LocationFactory(salon=salon, name="Old Town"), enabled=True, code="8305"
    )

    # when: more than the threshold, and some more after the slow-down's turns
    with django_capture_on_commit_callbacks(execute=True):
        _guess_until_slowed_down(location, 4)
        for n in range(3):
            time.sleep(0.05)
            with contextlib.suppress(PasscodeThrottled):
                passcode_check(target=location, code="0000", client_ip=f"10.7.0.{n}")

    # then: one e-mail, to the owner only
    assert [m.to for m in mailoutbox] == [[owner.email]]
    message = mailoutbox[0]
    assert "Old Town" in message.subject
    assert "4 wrong online booking codes" in message.body
    assert "/dashboard/alpha/online-booking/" in message.body


def test_a_failing_alert_does_not_break_the_visitors_request(salon, owner, settings, caplog):
    settings.PASSCODE_MAX_FAILURES_PER_TARGET = 1
    location = location_passcode_set(
        location=LocationFactory(salon=salon), enabled=True, code="8305"
    )
    from unittest import mock

    with mock.patch("notices.services.notice_send", side_effect=RuntimeError("mail down")):
        assert not passcode_check(target=location, code="0000", client_ip="10.0.0.1")
    assert "passcode guessing alert for" in caplog.text


def test_throttle_resets_after_the_cool_down(salon, settings):
    settings.PASSCODE_MAX_FAILURES_PER_IP = 2
    settings.PASSCODE_WINDOW_SECONDS = 1
    location = location_passcode_set(
        location=LocationFactory(salon=salon), enabled=True, code="8305"
    )
    for _ in range(2):
        passcode_check(target=location, code="0000", client_ip="1.2.3.4")
    with pytest.raises(PasscodeThrottled):
        passcode_check(target=location, code="8305", client_ip="1.2.3.4")
    time.sleep(1.2)
    assert passcode_check(target=location, code="8305", client_ip="1.2.3.4")


def test_staff_code_unlocks_only_that_staff_member(salon):
    anna = staff_passcode_set(staff=StaffMemberFactory(salon=salon), code="4711")
    mari = staff_passcode_set(staff=StaffMemberFactory(salon=salon), code="9052")
    open_staff = StaffMemberFactory(salon=salon)
    unlocks = PasscodeUnlocks()
    assert passcode_unlock(unlocks=unlocks, target=anna, code="4711", client_ip="1.1.1.1")
    assert unlocks.allows(anna)
    assert not unlocks.allows(mari)
    assert unlocks.allows(open_staff)
    assert not passcode_unlock(unlocks=unlocks, target=mari, code="4711", client_ip="1.1.1.1")
