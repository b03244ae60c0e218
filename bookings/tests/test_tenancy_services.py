"""Write services under races: a unique constraint won by a concurrent request between the
validation and the insert is reported like the validation would, never as a 500."""

from __future__ import annotations

from unittest import mock

from django.core.exceptions import ValidationError

from bookings.models import Service
from bookings.services import common
from bookings.services.catalogue import service_create
from tests.factories import ServiceFactory


def test_a_duplicate_name_saved_meanwhile_is_a_field_error(salon):
    # given another request saved "Haircut" after our validation passed
    ServiceFactory(salon=salon, name="Haircut")
    real_validate = common.validate_row
    calls: list[int] = []

    def validation_that_missed_the_other_row(instance):
        calls.append(1)
        if len(calls) == 1:
            return None  # the check ran before the other row existed
        return real_validate(instance)

    # when
    with mock.patch.object(common, "validate_row", validation_that_missed_the_other_row):
        try:
            service_create(salon=salon, name="Haircut", duration_minutes=30, price=10)
        except ValidationError as exc:
            error = exc
    # then the database refused the insert and the caller gets the field error
    assert error.message_dict == {"name": ["Service with this Name already exists."]}
    assert len(calls) == 2
    assert Service.objects.filter(salon=salon).count() == 1
