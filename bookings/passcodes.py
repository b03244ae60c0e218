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
- Guessing is throttled in the cache (Redis in production), per `PASSCODE_WINDOW_SECONDS`
  (from the first wrong code):
  - per client IP (salonbook/net.py; behind a proxy `TRUSTED_PROXY_HEADER` must be set) and
    target: after `PASSCODE_MAX_FAILURES_PER_IP` wrong codes every attempt from that address
    is refused until the window ends — the right code too, so a guesser learns nothing;
  - per target from all addresses: after `PASSCODE_MAX_FAILURES_PER_TARGET` wrong codes the
    target is slowed down, not locked: one attempt is let through per growing delay (1 s,
    2 s, 4 s … at most `PASSCODE_TARGET_MAX_DELAY_SECONDS`), the others are told to wait
    those seconds (429 with Retry-After) without their code being looked at. So strangers
    can no longer lock a salon's booking for everyone; a visitor with the right code gets in
    after a short wait, and a guesser from many addresses gets at most one try per delay.
  - when a target reaches the slow-down its salon's owners get an e-mail
    (`passcode_guessing_alert`), at most once per window and target.
  Codes are compared in constant time; wrong codes are logged.
- Owners booking in the dashboard or through the owner API are not affected (they book with
  `online=False`). Segment links are invitations: a valid segment link counts as an unlock
  of its location, not of staff codes. The page or API request that carries a valid link
  (bookings/booking_scope.py) uses `PasscodeUnlocks.invited()`: every location of the salon
  is open to it, staff codes are asked as usual; the invitation is never stored in the
  session, so the same browser without the link meets the location's lock again.
"""

from __future__ import annotations

import hmac
import logging
import math
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
    digits = [int(c) for c in code if c in "0123456789"]
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
    """Guessing is paused: for this visitor's address until the window ends (the per-IP
    limit), or for everyone on this target for a few seconds (the per-target slow-down).
    `wait_seconds` goes into the 429's Retry-After."""

    def __init__(self, wait_seconds: int | None = None) -> None:
        if wait_seconds is None:
            window = _setting("PASSCODE_WINDOW_SECONDS", 900)
            self.wait_seconds = max(1, window)
            message = _("Too many wrong codes. Please wait %(minutes)d minutes and try again.") % {
                "minutes": max(1, window // 60)
            }
        else:
            self.wait_seconds = max(1, int(wait_seconds))
            message = ngettext(
                "Many wrong codes were tried here. Please wait %(seconds)d second and try again.",
                "Many wrong codes were tried here. Please wait %(seconds)d seconds and try again.",
                self.wait_seconds,
            ) % {"seconds": self.wait_seconds}
        super().__init__(message)


def _target_key(target: Location | StaffMember) -> str:
    kind = "location" if isinstance(target, Location) else "staff"
    return f"{kind}:{target.pk}"


def _counter_keys(target: Location | StaffMember, client_ip: str) -> tuple[str, str]:
    key = _target_key(target)
    return f"passcode-fail:{key}:ip:{client_ip}", f"passcode-fail:{key}:all"


def _slot_key(target: Location | StaffMember) -> str:
    return f"passcode-slot:{_target_key(target)}"


def _count(key: str) -> int:
    return int(cache.get(key) or 0)


def _add_failure(key: str) -> int:
    window = _setting("PASSCODE_WINDOW_SECONDS", 900)
    # add() starts the window at the first failure; incr() is atomic in Redis.
    cache.add(key, 0, timeout=window)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr (or the cache is down)
        cache.set(key, 1, timeout=window)
        return 1


def _slowdown_after() -> int:
    return _setting("PASSCODE_MAX_FAILURES_PER_TARGET", 20)


def passcode_target_delay(failures: int) -> int:
    """Seconds between two attempts on a target that saw `failures` wrong codes in the window:
    0 below `PASSCODE_MAX_FAILURES_PER_TARGET`, then 1, 2, 4, … up to
    `PASSCODE_TARGET_MAX_DELAY_SECONDS`."""
    over = failures - _slowdown_after()
    if _slowdown_after() <= 0 or over < 0:
        return 0
    return min(_setting("PASSCODE_TARGET_MAX_DELAY_SECONDS", 60), 2 ** min(over, 16))


def passcode_ip_is_throttled(*, target: Location | StaffMember, client_ip: str) -> bool:
    """Has this address tried too many wrong codes for the target in the window?"""
    per_ip, _overall = _counter_keys(target, client_ip)
    return _count(per_ip) >= _setting("PASSCODE_MAX_FAILURES_PER_IP", 5)


def passcode_is_throttled(*, target: Location | StaffMember, client_ip: str) -> bool:
    """Would an attempt now be refused? (Reads only; `passcode_attempt_take` takes a turn.)"""
    if passcode_ip_is_throttled(target=target, client_ip=client_ip):
        return True
    _per_ip, overall = _counter_keys(target, client_ip)
    return passcode_target_delay(_count(overall)) > 0 and cache.get(_slot_key(target)) is not None


def passcode_attempt_take(*, target: Location | StaffMember, client_ip: str) -> None:
    """Let one attempt at the target's code through, or raise PasscodeThrottled.

    - Per IP: past `PASSCODE_MAX_FAILURES_PER_IP` wrong codes the address is refused until
      the window ends.
    - Per target, from all addresses: past `PASSCODE_MAX_FAILURES_PER_TARGET` wrong codes one
      attempt is let through per growing delay (1 s, 2 s, 4 s … at most
      `PASSCODE_TARGET_MAX_DELAY_SECONDS`); an attempt inside the delay is refused without
      looking at the code and is not counted, and the visitor is told to wait those seconds.
      Never a lockout of minutes for the visitors who know the code.
    """
    if passcode_ip_is_throttled(target=target, client_ip=client_ip):
        logger.warning(
            "passcode attempt while throttled: %s from %s", _target_key(target), client_ip
        )
        raise PasscodeThrottled
    _per_ip, overall = _counter_keys(target, client_ip)
    delay = passcode_target_delay(_count(overall))
    if not delay:
        return
    slot = _slot_key(target)
    # One attempt per delay from all addresses: add() is atomic (SET NX in Redis).
    if cache.add(slot, time.time() + delay, timeout=delay):
        return
    until = cache.get(slot)
    wait = math.ceil(until - time.time()) if isinstance(until, int | float) else delay
    logger.warning("passcode attempt slowed down: %s from %s", _target_key(target), client_ip)
    raise PasscodeThrottled(wait_seconds=max(1, wait))


def passcode_matches(*, target: Location | StaffMember, code: str) -> bool:
    """Constant-time comparison with the target's active code. Neither throttled nor counted:
    callers use `passcode_check`, or `passcode_attempt_take` + `passcode_failure_record`
    when one code is tried against several targets (the public API's "any available")."""
    expected = (target.booking_passcode or "").encode()
    given = (code or "").strip().encode()[:32]
    return bool(expected) and target.passcode_active and hmac.compare_digest(given, expected)


def passcode_failure_record(*, target: Location | StaffMember, client_ip: str) -> None:
    """Count (and log) one wrong code against the IP and the target; when the target reaches
    the slow-down, tell the salon's owners (at most once per window)."""
    per_ip, overall = _counter_keys(target, client_ip)
    _add_failure(per_ip)
    failures = _add_failure(overall)
    logger.warning("wrong passcode for %s from %s", _target_key(target), client_ip)
    if _slowdown_after() > 0 and failures >= _slowdown_after():
        _alert_owners(target, failures)


def _alert_owners(target: Location | StaffMember, failures: int) -> None:
    """E-mail the salon's owners that a target's code is being guessed: once per window and
    target (the first caller to add the key sends). A failure here never fails the visitor's
    request."""
    window = _setting("PASSCODE_WINDOW_SECONDS", 900)
    if not cache.add(f"passcode-alert:{_target_key(target)}", 1, timeout=window):
        return
    try:
        from bookings.models import Membership
        from bookings.notice_kinds import PASSCODE_GUESSING_ALERT
        from notices.services import notice_send

        salon = target.salon
        try:
            path = reverse("dashboard:online_booking", kwargs={"salon_slug": salon.slug})
        except NoReverseMatch:
            path = "/"
        bucket = int(time.time() // max(1, window))
        owners = (
            Membership.objects.for_salon(salon)
            .filter(role=Membership.Role.OWNER, user__is_active=True)
            .select_related("user")
            .order_by("pk")
        )
        for membership in owners:
            notice_send(
                salon=salon,
                kind=PASSCODE_GUESSING_ALERT.key,
                channel="email",
                recipient=membership.user.email,
                # In the owner's own language (`User.language`), else the salon's.
                language=getattr(membership.user, "language", "") or None,
                context={
                    "target": target.name,
                    "failures": str(failures),
                    "minutes": str(max(1, window // 60)),
                    "settings_url": settings.SITE_URL + path,
                },
                dedupe_key=f"passcode-alert:{_target_key(target)}:{bucket}:{membership.user_id}",
            )
        logger.warning("passcode guessing alert sent for %s", _target_key(target))
    except Exception:  # the alert must never break the visitor's request
        logger.exception("passcode guessing alert for %s failed", _target_key(target))


def passcode_check(*, target: Location | StaffMember, code: str, client_ip: str) -> bool:
    """Is `code` the target's active code? Raises PasscodeThrottled while this address is
    blocked or the target is being slowed down (whatever the code). A wrong code counts
    against the IP and the target."""
    passcode_attempt_take(target=target, client_ip=client_ip)
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
        passcode_attempt_take(target=target, client_ip=client_ip)
    matched = [t for t in targets if passcode_matches(target=t, code=code)]
    if not matched:
        for target in targets:
            passcode_failure_record(target=target, client_ip=client_ip)
    return matched


@dataclass
class PasscodeUnlocks:
    """What one visitor has unlocked: {"location:<id>": version, "staff:<id>": version}."""

    unlocked: dict[str, int] = field(default_factory=dict)
    # Through an invitation link (a segment's): locations are open, staff codes still apply.
    # Not saved with the session's unlocks.
    invitation: bool = False

    def invited(self) -> PasscodeUnlocks:
        """These unlocks plus an invitation link's: every location counts as unlocked; the
        same dict, so codes given meanwhile are saved as usual."""
        return PasscodeUnlocks(self.unlocked, invitation=True)

    @classmethod
    def from_session(cls, session: Any) -> PasscodeUnlocks:
        raw = session.get(SESSION_KEY) if session is not None else None
        return cls(dict(raw) if isinstance(raw, dict) else {})

    def save(self, session: Any) -> None:
        session[SESSION_KEY] = dict(self.unlocked)

    def allows(self, target: Location | StaffMember) -> bool:
        if not target.passcode_active:
            return True
        if self.invitation and isinstance(target, Location):
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
