"""Django admin for platform operators (salon owners use the dashboard). Salons and their
memberships are managed here; a salon's own data is shown read-only, for support."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from bookings.models import Appointment, Client, Location, Membership, Salon, Service, StaffMember


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Salon)
class SalonAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "time_zone", "currency", "default_language", "created_at")
    search_fields = ("name", "slug")
    inlines = [MembershipInline]


class ReadOnlyTenantAdmin(admin.ModelAdmin):
    """Operators look; owners change their data in the dashboard, through the services."""

    list_select_related = ("salon",)
    list_filter = ("salon",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Location)
class LocationAdmin(ReadOnlyTenantAdmin):
    list_display = ("name", "salon", "city", "time_zone", "is_active", "booking_passcode_enabled")
    search_fields = ("name", "salon__slug")


@admin.register(Service)
class ServiceAdmin(ReadOnlyTenantAdmin):
    list_display = ("name", "salon", "duration_minutes", "price", "online_bookable", "is_active")
    search_fields = ("name", "salon__slug")


@admin.register(StaffMember)
class StaffMemberAdmin(ReadOnlyTenantAdmin):
    list_display = ("name", "salon", "offered_online", "is_active")
    search_fields = ("name", "salon__slug")


@admin.register(Client)
class ClientAdmin(ReadOnlyTenantAdmin):
    list_display = ("first_name", "last_name", "email", "salon", "user", "marketing_consent")
    search_fields = ("email", "last_name", "salon__slug")


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyTenantAdmin):
    list_display = ("starts_at", "salon", "location", "staff", "service", "status", "source")
    list_filter = ("status", "source", "salon")
    list_select_related = ("salon", "location", "staff", "service")
    date_hierarchy = "starts_at"
