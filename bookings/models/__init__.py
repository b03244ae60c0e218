from .appointments import Appointment
from .catalogue import (
    LocationClosure,
    LocationHours,
    Service,
    ServiceCategory,
    StaffLocation,
    StaffMember,
    StaffService,
    TimeOff,
    WorkingHours,
)
from .clients import Client
from .tenancy import Location, Membership, Salon, TenantModel, TenantQuerySet

__all__ = [
    "Appointment",
    "Client",
    "Location",
    "LocationClosure",
    "LocationHours",
    "Membership",
    "Salon",
    "Service",
    "ServiceCategory",
    "StaffLocation",
    "StaffMember",
    "StaffService",
    "TenantModel",
    "TenantQuerySet",
    "TimeOff",
    "WorkingHours",
]
