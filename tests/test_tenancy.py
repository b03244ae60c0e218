"""The tenancy rule (DESIGN.md): every tenant-owned table carries a non-null salon, and every
unique constraint includes it. This test fails when a new model forgets either."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from bookings.models import Salon, TenantModel
from payments.models import Order, Payment, Refund, WebhookEvent

OUR_APPS = {
    "bookings",
    "loyalty",
    "packages",
    "segments",
    "referrals",
    "reports",
    "notices",
    "onboarding",
    "payments",
}
# Models that are not owned by one salon, with the reason.
GLOBAL_MODELS = {
    Salon: "the tenant itself",
    WebhookEvent: "a verified provider event, recorded before it is matched to an order "
    "(its salon is filled in then; it stays empty for an unknown order)",
}
# Unique across salons on purpose: the namespace is the whole site or the provider account.
GLOBAL_UNIQUE = {
    (Order, "reference"): "the unguessable id in /pay/<reference>/ (no salon in the URL)",
    (Refund, "idempotency_key"): "the provider account's idempotency keys",
    (Payment, "payment_unique_provider_session"): "the provider's checkout session ids",
}


def our_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]


@pytest.mark.parametrize("model", our_models(), ids=lambda m: m._meta.label)
def test_every_model_is_tenant_owned(model):
    if model in GLOBAL_MODELS:
        pytest.skip(GLOBAL_MODELS[model])
    assert issubclass(model, TenantModel), f"{model._meta.label} must subclass TenantModel"
    salon_field = model._meta.get_field("salon")
    assert salon_field.null is False
    assert salon_field.related_model is Salon


@pytest.mark.parametrize("model", our_models(), ids=lambda m: m._meta.label)
def test_every_unique_constraint_includes_salon(model):
    if model in GLOBAL_MODELS:
        pytest.skip(GLOBAL_MODELS[model])
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            if (model, constraint.name) in GLOBAL_UNIQUE:
                continue
            assert "salon" in constraint.fields, f"{model._meta.label}.{constraint.name}"
    for field in model._meta.concrete_fields:
        if field.unique and not field.primary_key and (model, field.name) not in GLOBAL_UNIQUE:
            pytest.fail(f"{model._meta.label}.{field.name} is unique across salons")
    assert not model._meta.unique_together, "use UniqueConstraint including salon"


def test_the_global_exceptions_still_exist():
    """An exception that no longer applies is removed from GLOBAL_UNIQUE."""
    for model, name in GLOBAL_UNIQUE:
        names = {c.name for c in model._meta.constraints} | {
            f.name for f in model._meta.concrete_fields if f.unique
        }
        assert name in names, f"{model._meta.label}.{name}"


@pytest.mark.parametrize("model", our_models(), ids=lambda m: m._meta.label)
def test_many_to_many_go_through_tenant_models(model):
    for field in model._meta.local_many_to_many:
        assert issubclass(field.remote_field.through, TenantModel), (
            f"{model._meta.label}.{field.name} needs an explicit through model carrying salon"
        )


def test_for_salon_refuses_none(db):
    from bookings.models import Client

    with pytest.raises(ValueError):
        Client.objects.for_salon(None)


def test_a_row_cannot_point_at_another_salons_row(salon, other_salon):
    from tests.factories import LocationFactory, StaffMemberFactory, WorkingHoursFactory

    staff = StaffMemberFactory(salon=salon)
    foreign_location = LocationFactory(salon=other_salon)
    with pytest.raises(ValueError):
        WorkingHoursFactory(staff=staff, location=foreign_location)
