"""bookings/passcodes.py: "a valid segment link counts as an unlock of its location, not of
staff codes" — the unlocks a link's request uses."""

from __future__ import annotations

from bookings.passcodes import PasscodeUnlocks, location_passcode_set, staff_passcode_set


def test_an_invitation_opens_locations_not_staff_codes_and_is_never_stored(vip):
    # given
    location = location_passcode_set(location=vip["location"], enabled=True, code="4821")
    olga = staff_passcode_set(staff=vip["olga"], code="7391")
    session: dict = {}
    plain = PasscodeUnlocks.from_session(session)

    # when
    invited = plain.invited()
    invited.unlock(olga)  # her code given on a page of the link
    invited.save(session)

    # then
    assert invited.allows(location) is True
    assert PasscodeUnlocks().allows(location) is False
    assert PasscodeUnlocks().invited().allows(olga) is False
    assert invited.allows(olga) is True
    restored = PasscodeUnlocks.from_session(session)
    assert restored.allows(olga) is True  # the staff code she gave is kept
    assert restored.allows(location) is False  # the invitation is not
