"""Booking passcodes: lock a location's online booking, or one staff member, behind a code.

Rules (invariant 5 in DESIGN.md):

- A location with an active passcode cannot be booked online — page or API — until the
  visitor has given its code. A staff member with a personal code cannot be booked online
  (listed as locked, with a code form; never picked by "any available") until their code is
  given.
- An unlock is remembered per browser session as {target: passcode version}. Changing or
  switching off a code bumps the version, which ends every unlock of the old code.
- API clients that keep no session send the codes with each request: the header
  `X-Booking-Passcode` (the location's code) and `X-Staff-Passcode` (a staff member's), or
  the same as `passcode` / `staff_passcode` query or body fields.
- Guessing is throttled in the cache (Redis in production): at most
  `PASSCODE_MAX_FAILURES_PER_IP` wrong codes per client IP and target, and
  `PASSCODE_MAX_FAILURES_PER_TARGET` from all IPs together, per `PASSCODE_WINDOW_SECONDS`;
  then every attempt is refused until the window ends — the right code too, so a guesser
  learns nothing. Codes are compared in constant time; wrong codes are logged.
- Owners booking in the dashboard or through the owner API are not affected (they book with
  `online=False`). Segment links (a later feature) are invitations: a valid segment link will
  count as an unlock of its location, not of staff codes.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from bookings.models import Location, StaffMember
from bookings.validators import validate_passcode
from salonbook import net

logger = logging.getLogger("bookings.passcodes")

SESSION_KEY = "booking_passcode_unlocks"


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


# --- Owner side ---------------------------------------------------------------------------


def passcode_weakness(code: str) -> str | None:
    """A warning for a code that is easy to guess (the owner may still use it)."""
    if not code:
        return None
    digits = [int(c) for c in code if c.isdigit()]
    if len(digits) != len(code):
        return None
    steps = {b - a for a, b in zip(digits, digits[1:], strict=False)}
    if len(set(digits)) == 1:
        return _("All digits are the same; such codes are guessed first.")
    if steps in ({1}, {-1}):
        return _("The digits run in order; such codes are guessed first.")
    half = len(code) // 2
    if len(code) % 2 == 0 and code[:half] == code[half:]:
        return _("The code repeats itself; such codes are guessed first.")
    if len(code) == 4 and code[:2] in ("19", "20"):
        return _("The code looks like a year; such codes are guessed early.")
    return None


def _clean_code(code: str, field: str) -> str:
    code = (code or "").strip()
    try:
        validate_passcode(code)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    return code


@transaction.atomic
def location_passcode_set(*, location: Location, enabled: bool, code: str = "") -> Location:
    """Switch a location's passcode on (with a 4–6 digit code) or off. Any change of the code
    or switching it off locks out every visitor who had unlocked the old one."""
    location = Location.objects.select_for_update().get(pk=location.pk)
    code = (code or "").strip()
    if enabled or code:
        code = _clean_code(code, "booking_passcode")
    changed = enabled != location.booking_passcode_enabled or (
        enabled and code != location.booking_passcode
    )
    location.booking_passcode_enabled = enabled
    location.booking_passcode = code if enabled or code else location.booking_passcode
    if changed:
        location.booking_passcode_version = F("booking_passcode_version") + 1
    location.save(
        update_fields=["booking_passcode_enabled", "booking_passcode", "booking_passcode_version"]
    )
    location.refresh_from_db()
    return location


@transaction.atomic
def staff_passcode_set(*, staff: StaffMember, code: str) -> StaffMember:
    """Give a staff member a personal code, or remove it with an empty code."""
    staff = StaffMember.objects.select_for_update().get(pk=staff.pk)
    code = (code or "").strip()
    if code:
        code = _clean_code(code, "booking_passcode")
    if code != staff.booking_passcode:
        staff.booking_passcode = code
        staff.booking_passcode_version = F("booking_passcode_version") + 1
        staff.save(update_fields=["booking_passcode", "booking_passcode_version"])
        staff.refresh_from_db()
    return staff


# --- Visitor side -------------------------------------------------------------------------


class PasscodeRequired(Exception):
    """The visitor has not unlocked this location or staff member (answer 403 / the lock view)."""

    def __init__(self, target: Location | StaffMember) -> None:
        self.target = target
        if isinstance(target, Location):
            message = _("Online booking at %(name)s needs a passcode from the salon.")
        else:
            message = _("Booking with %(name)s needs their passcode.")
        super().__init__(message % {"name": target.name})


class PasscodeThrottled(Exception):
    def __init__(self) -> None:
        minutes = max(1, _setting("PASSCODE_WINDOW_SECONDS", 900) // 60)
        super().__init__(
            _("Too many wrong codes. Please wait %(minutes)d minutes and try again.")
            % {"minutes": minutes}
        )


def _target_key(target: Location | StaffMember) -> str:
    kind = "location" if isinstance(target, Location) else "staff"
    return f"{kind}:{target.pk}"


def _counter_keys(target: Location | StaffMember, client_ip: str) -> tuple[str, str]:
    key = _target_key(target)
    return f"passcode-fail:{key}:ip:{client_ip}", f"passcode-fail:{key}:all"


def _count(key: str) -> int:
    return int(cache.get(key) or 0)


def _add_failure(key: str) -> None:
    window = _setting("PASSCODE_WINDOW_SECONDS", 900)
    # add() starts the window at the first failure; incr() is atomic in Redis.
    cache.add(key, 0, timeout=window)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)


def passcode_is_throttled(*, target: Location | StaffMember, client_ip: str) -> bool:
    per_ip, overall = _counter_keys(target, client_ip)
    return _count(per_ip) >= _setting("PASSCODE_MAX_FAILURES_PER_IP", 5) or _count(
        overall
    ) >= _setting("PASSCODE_MAX_FAILURES_PER_TARGET", 50)


def passcode_matches(*, target: Location | StaffMember, code: str) -> bool:
    """Constant-time comparison with the target's active code. Neither throttled nor counted:
    callers use `passcode_check`, or `passcode_is_throttled` + `passcode_failure_record`
    when one code is tried against several targets (the public API's "any available")."""
    expected = (target.booking_passcode or "").encode()
    given = (code or "").strip().encode()[:32]
    return bool(expected) and target.passcode_active and hmac.compare_digest(given, expected)


def passcode_failure_record(*, target: Location | StaffMember, client_ip: str) -> None:
    """Count (and log) one wrong code against the IP and the target."""
    for key in _counter_keys(target, client_ip):
        _add_failure(key)
    logger.warning("wrong passcode for %s from %s", _target_key(target), client_ip)


def _throttled_attempt(target: Location | StaffMember, client_ip: str) -> None:
    if passcode_is_throttled(target=target, client_ip=client_ip):
        logger.warning(
            "passcode attempt while throttled: %s from %s", _target_key(target), client_ip
        )
        raise PasscodeThrottled


def passcode_check(*, target: Location | StaffMember, code: str, client_ip: str) -> bool:
    """Is `code` the target's active code? Raises PasscodeThrottled while guessing is blocked
    (whatever the code). A wrong code counts against the IP and the target."""
    _throttled_attempt(target, client_ip)
    ok = passcode_matches(target=target, code=code)
    if not ok:
        passcode_failure_record(target=target, client_ip=client_ip)
    return ok


def passcode_check_any(
    *, targets: list[StaffMember], code: str, client_ip: str
) -> list[StaffMember]:
    """The targets whose active code `code` is (usually one). Raises PasscodeThrottled when
    guessing is blocked for any of them; a code that matches none counts against each, a code
    that matches one counts against none (a visitor with Anna's code is not a guesser of
    Mari's)."""
    for target in targets:
        _throttled_attempt(target, client_ip)
    matched = [t for t in targets if passcode_matches(target=t, code=code)]
    if not matched:
        for target in targets:
            passcode_failure_record(target=target, client_ip=client_ip)
    return matched


@dataclass
class PasscodeUnlocks:
    """What one visitor has unlocked: {"location:<id>": version, "staff:<id>": version}."""

    unlocked: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_session(cls, session: Any) -> PasscodeUnlocks:
        raw = session.get(SESSION_KEY) if session is not None else None
        return cls(dict(raw) if isinstance(raw, dict) else {})

    def save(self, session: Any) -> None:
        session[SESSION_KEY] = dict(self.unlocked)

    def allows(self, target: Location | StaffMember) -> bool:
        if not target.passcode_active:
            return True
        return self.unlocked.get(_target_key(target)) == target.booking_passcode_version

    def unlock(self, target: Location | StaffMember) -> None:
        self.unlocked[_target_key(target)] = target.booking_passcode_version

    def allowed_staff(self, staff: StaffMember) -> bool:
        return self.allows(staff)


def passcode_unlock(
    *, unlocks: PasscodeUnlocks, target: Location | StaffMember, code: str, client_ip: str
) -> bool:
    """Check the code and, when right, remember the unlock. Raises PasscodeThrottled."""
    if passcode_check(target=target, code=code, client_ip=client_ip):
        unlocks.unlock(target)
        return True
    return False


def client_ip(request: Any) -> str:
    """The client's address: `salonbook.net.client_ip` (the project's one trusted-proxy
    setting, `TRUSTED_PROXY_HEADER`), kept here for the callers of this module."""
    return net.client_ip(request)
