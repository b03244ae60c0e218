"""Writes of the setup wizard. Each step is one service call in one transaction: it validates
all of its input first (ValidationError with messages per field) and writes nothing when any
of it is wrong. The wizard's pages and `POST /api/v1/salons/` call these same functions.

    salon_setup_start       the salon itself (name, web address, country, zone, currency, language)
    setup_location_create   the first location and its weekly opening hours
    setup_services_create   the first services (from the starter list, edited)
    setup_staff_create      the owner as the first staff member, and more by name
    setup_step_skip         leave a step for later (the wizard resumes at the next one)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from bookings.models import Location, Salon, Service, StaffMember
from bookings.services.catalogue import (
    location_create,
    location_hours_create,
    service_create,
    staff_create,
    working_hours_create,
)
from bookings.services.salons import salon_create

from .defaults import CURRENCIES, KINDS, RESERVED_SLUGS, country_defaults
from .models import STEPS, SalonSetup

SLUG_MAX_LENGTH = 50
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


def slug_problem(slug: str) -> str | None:
    """Why this web address cannot be taken, or None."""
    if slug in RESERVED_SLUGS:
        return _("“%(slug)s” is reserved; choose another web address.") % {"slug": slug}
    if Salon.objects.filter(slug=slug).exists():
        return _("“%(slug)s” is already taken; choose another web address.") % {"slug": slug}
    return None


def slug_suggest(name: str) -> str:
    """A free web address made from the salon's name (`studio-anna`, then `studio-anna-2`…)."""
    base = slugify(name)[: SLUG_MAX_LENGTH - 4].strip("-") or "salon"
    candidate, number = base, 1
    while slug_problem(candidate) is not None:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _mark_done(setup: SalonSetup, step: str) -> None:
    if step not in setup.steps_done:
        setup.steps_done = [*setup.steps_done, step]
    setup.steps_skipped = [s for s in setup.steps_skipped if s != step]
    setup.save(update_fields=["steps_done", "steps_skipped"])


def _setup_locked(salon: Salon) -> SalonSetup:
    return SalonSetup.objects.for_salon(salon).select_for_update().get()


@transaction.atomic
def salon_setup_start(
    *,
    owner: Any,
    name: str,
    slug: str,
    country: str,
    time_zone: str = "",
    currency: str = "",
    default_language: str = "",
) -> Salon:
    """Create a salon owned by `owner` and its wizard progress. Time zone, currency and
    language left blank come from the country (EE → Europe/Tallinn, EUR, Estonian…)."""
    name, slug = name.strip(), slug.strip().lower()
    country = country.strip().upper()
    defaults = country_defaults(country)
    time_zone = time_zone.strip() or defaults.time_zone
    currency = currency.strip().upper() or defaults.currency
    default_language = default_language.strip() or defaults.language

    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the salon a name.")]
    if not slug:
        errors["slug"] = [_("Choose a web address.")]
    elif (problem := slug_problem(slug)) is not None:
        errors["slug"] = [problem]
    if not COUNTRY_RE.match(country):
        errors["country"] = [_("Choose a country.")]
    if currency not in CURRENCIES:
        errors["currency"] = [
            _("“%(value)s” is not a currency we know (e.g. EUR, DKK, RON).") % {"value": currency}
        ]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            salon = salon_create(
                owner=owner,
                slug=slug,
                name=name,
                time_zone=time_zone,
                currency=currency,
                default_language=default_language,
            )
    except IntegrityError as exc:  # the same address taken a moment ago by someone else
        raise ValidationError(
            {"slug": _("“%(slug)s” is already taken; choose another web address.") % {"slug": slug}}
        ) from exc
    SalonSetup.objects.create(salon=salon, country=country)
    return salon


@dataclass(frozen=True)
class OpeningHours:
    weekday: int  # 0 = Monday
    opens: dt.time
    closes: dt.time


@transaction.atomic
def setup_location_create(
    *,
    salon: Salon,
    name: str,
    address: str = "",
    city: str = "",
    postal_code: str = "",
    hours: Sequence[OpeningHours] = (),
) -> Location:
    """The first location, in the salon's country and time zone, with its weekly hours."""
    setup = _setup_locked(salon)
    location = location_create(
        salon=salon,
        name=name.strip(),
        address=address.strip(),
        city=city.strip(),
        postal_code=postal_code.strip(),
        country=setup.country,
        time_zone=salon.time_zone,
    )
    for row in hours:
        location_hours_create(
            location=location, weekday=row.weekday, opens=row.opens, closes=row.closes
        )
    _mark_done(setup, "location")
    return location


@dataclass(frozen=True)
class ServiceDraft:
    name: str
    duration_minutes: int
    price: Decimal


@transaction.atomic
def setup_services_create(
    *, salon: Salon, kind: str, services: Sequence[ServiceDraft]
) -> list[Service]:
    """The first services, bookable online. At least one; names unique within the salon."""
    setup = _setup_locked(salon)
    if kind and kind not in dict(KINDS):
        raise ValidationError({"kind": _("Choose a kind of salon from the list.")})
    if not services:
        raise ValidationError(_("Add at least one service, or skip this step."))
    names = [s.name.strip().casefold() for s in services]
    if len(set(names)) != len(names):
        raise ValidationError(_("Two services have the same name."))
    created = [
        service_create(
            salon=salon,
            name=draft.name.strip(),
            duration_minutes=draft.duration_minutes,
            price=draft.price,
            online_bookable=True,
        )
        for draft in services
    ]
    setup.kind = kind
    setup.save(update_fields=["kind"])
    _mark_done(setup, "services")
    return created


STAFF_COLORS = ("#7c3aed", "#2563eb", "#db2777", "#ea580c", "#0d9488", "#65a30d", "#be123c")


@transaction.atomic
def setup_staff_create(
    *, salon: Salon, owner: Any, owner_name: str, other_names: Sequence[str] = ()
) -> list[StaffMember]:
    """The owner (linked to their account) and more people by name. Each works at every
    location of the salon, offers every service, and works the location's opening hours,
    so the booking page has free times at once; the dashboard refines it later."""
    setup = _setup_locked(salon)
    names = [owner_name.strip(), *(n.strip() for n in other_names if n.strip())]
    if not names[0]:
        raise ValidationError({"owner_name": _("Give your name as clients will see it.")})
    folded = [n.casefold() for n in names]
    if len(set(folded)) != len(folded):
        raise ValidationError({"other_names": _("Two staff members have the same name.")})
    locations = list(Location.objects.for_salon(salon).prefetch_related("opening_hours"))
    services = list(Service.objects.for_salon(salon))
    created = []
    for number, staff_name in enumerate(names):
        staff = staff_create(
            salon=salon,
            locations=locations,
            services=services,
            user=owner if number == 0 else None,
            email=owner.email if number == 0 else "",
            name=staff_name,
            color=STAFF_COLORS[number % len(STAFF_COLORS)],
        )
        for location in locations:
            for hours in location.opening_hours.all():
                working_hours_create(
                    staff=staff,
                    location=location,
                    weekday=hours.weekday,
                    starts=hours.opens,
                    ends=hours.closes,
                )
        created.append(staff)
    _mark_done(setup, "staff")
    return created


@transaction.atomic
def setup_step_skip(*, salon: Salon, step: str) -> SalonSetup:
    if step not in STEPS:
        raise ValidationError({"step": _("There is no such step.")})
    setup = _setup_locked(salon)
    if step not in setup.steps_done and step not in setup.steps_skipped:
        setup.steps_skipped = [*setup.steps_skipped, step]
        setup.save(update_fields=["steps_skipped"])
    return setup
