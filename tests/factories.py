"""factory_boy factories for the models every app uses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from bookings.models import (
    Client,
    Location,
    LocationClosure,
    LocationHours,
    Membership,
    Salon,
    Service,
    ServiceCategory,
    StaffMember,
    TimeOff,
    WorkingHours,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class SalonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Salon
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"salon-{n}")
    name = factory.Sequence(lambda n: f"Salon {n}")
    time_zone = "Europe/Tallinn"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    salon = factory.SubFactory(SalonFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.OWNER


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    salon = factory.SubFactory(SalonFactory)
    name = factory.Sequence(lambda n: f"Location {n}")
    time_zone = factory.LazyAttribute(lambda o: o.salon.time_zone)


class ServiceCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceCategory

    salon = factory.SubFactory(SalonFactory)
    name = factory.Sequence(lambda n: f"Category {n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    salon = factory.SubFactory(SalonFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    duration_minutes = 60
    price = Decimal("40.00")


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember
        skip_postgeneration_save = True

    salon = factory.SubFactory(SalonFactory)
    name = factory.Sequence(lambda n: f"Stylist {n}")

    @factory.post_generation
    def locations(self, create, extracted, **kwargs):
        if create and extracted:
            self.locations.set(extracted, through_defaults={"salon_id": self.salon_id})

    @factory.post_generation
    def services(self, create, extracted, **kwargs):
        if create and extracted:
            self.services.set(extracted, through_defaults={"salon_id": self.salon_id})


class WorkingHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingHours

    salon = factory.LazyAttribute(lambda o: o.staff.salon)
    staff = factory.SubFactory(StaffMemberFactory)
    location = factory.SubFactory(LocationFactory)
    weekday = 0
    starts = dt.time(9, 0)
    ends = dt.time(17, 0)


class LocationHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocationHours

    salon = factory.LazyAttribute(lambda o: o.location.salon)
    location = factory.SubFactory(LocationFactory)
    weekday = 0
    opens = dt.time(9, 0)
    closes = dt.time(18, 0)


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    salon = factory.SubFactory(SalonFactory)
    first_name = factory.Sequence(lambda n: f"Client{n}")
    last_name = "Tamm"
    email = factory.Sequence(lambda n: f"client{n}@example.test")


class TimeOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeOff

    salon = factory.LazyAttribute(lambda o: o.staff.salon)
    staff = factory.SubFactory(StaffMemberFactory)
    starts_at = factory.LazyFunction(lambda: dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))


class LocationClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocationClosure

    salon = factory.LazyAttribute(lambda o: o.location.salon)
    location = factory.SubFactory(LocationFactory)
    date = dt.date(2026, 1, 1)
