"""The salon's loyalty switch, award delay and the points each service earns."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Salon, Service
from bookings.services.common import validate_row
from loyalty.models import LoyaltyProgram, ServicePoints
from loyalty.selectors import loyalty_enabled_cache_key


@transaction.atomic
def loyalty_program_update(
    *, salon: Salon, enabled: bool, award_delay_minutes: int | None = None
) -> LoyaltyProgram:
    """Switch the loyalty system on/off and set the award delay. Switching on (again) starts
    a new earning period: visits that ended before it do not earn automatically."""
    program, _created = LoyaltyProgram.objects.select_for_update().get_or_create(salon=salon)
    if enabled and not program.enabled:
        program.enabled_at = timezone.now()
    program.enabled = enabled
    if award_delay_minutes is not None:
        program.award_delay_minutes = award_delay_minutes
    validate_row(program)
    program.save()
    key = loyalty_enabled_cache_key(salon.pk)
    transaction.on_commit(lambda: cache.delete(key))
    return program


@transaction.atomic
def service_points_set(
    *, salon: Salon, service: Service, enabled: bool, points: int | None
) -> ServicePoints | None:
    """Make a service part of the loyalty system with `points` per booking, or take it out
    (enabled=False keeps the number for later). A service that earns needs 1 or more points."""
    if service.salon_id != salon.pk:
        raise ValueError("The service belongs to another salon.")
    existing = ServicePoints.objects.for_salon(salon).select_for_update().filter(service=service)
    row = existing.first()
    if points is None:
        if enabled:
            raise ValidationError({"points": _("Give the points a booking of it earns.")})
        if row is None:
            return None
        points = row.points
    if points is not None and points <= 0:
        raise ValidationError({"points": _("Points must be 1 or more.")})
    if row is None:
        row = ServicePoints(salon=salon, service=service)
    row.enabled = enabled
    row.points = points
    validate_row(row)
    row.save()
    return row
