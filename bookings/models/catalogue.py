"""The catalogue: services, staff, and when staff and locations work."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from bookings.validators import validate_color, validate_passcode

from .tenancy import Location, TenantModel

MAX_SERVICE_MINUTES = 24 * 60
MAX_BUFFER_MINUTES = 240

# The end of the day, "24:00", as an end of working or opening hours. A TimeField cannot hold
# 24:00, so it is stored as the last representable time, 23:59:59.999999, and every reader
# (availability, the API's "24:00:00", the pages' "24:00") treats that value as the next
# day's midnight: a location open 00:00–24:00 offers the day's last slot too. An end given as
# 00:00 means the same (`as_end_time`): hours never end at the start of their own day.
#
# Hours across midnight. An end earlier than the start is on the next day: a shift 20:00–02:00
# on Friday runs until 02:00 on Saturday (a range is always shorter than 24 hours; an end
# equal to the start is refused). Availability joins ranges that touch (e.g. at midnight)
# into one window.
END_OF_DAY = dt.time.max


def as_end_time[T](value: T) -> T | dt.time:
    """An end of hours as stored: 00:00 (midnight, as a time input gives it) is the end of
    the day, END_OF_DAY; anything else is itself."""
    return END_OF_DAY if value == dt.time(0) else value


def clock_label(value: dt.time) -> str:
    """HH:MM of a time of day, "24:00" for END_OF_DAY."""
    return "24:00" if value == END_OF_DAY else value.strftime("%H:%M")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class ServiceCategory(TenantModel):
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ("position", "name")
        constraints = [
            models.UniqueConstraint(fields=["salon", "name"], name="category_unique_salon_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Service(TenantModel):
    class Visibility(models.TextChoices):
        # Segment-only services are offered only through a segment link (DESIGN.md
        # invariant 6): never listed, offered or bookable on the public site or public API.
        PUBLIC = "public", _("Public")
        SEGMENTS = "segments", _("For segments only")

    category = models.ForeignKey(
        ServiceCategory,
        verbose_name=_("category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="services",
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"),
        validators=[MinValueValidator(5), MaxValueValidator(MAX_SERVICE_MINUTES)],
    )
    price = models.DecimalField(
        _("price"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    buffer_before_minutes = models.PositiveIntegerField(
        _("buffer before (minutes)"),
        default=0,
        validators=[MaxValueValidator(MAX_BUFFER_MINUTES)],
    )
    buffer_after_minutes = models.PositiveIntegerField(
        _("buffer after (minutes)"),
        default=0,
        validators=[MaxValueValidator(MAX_BUFFER_MINUTES)],
    )
    online_bookable = models.BooleanField(_("bookable online"), default=True)
    visibility = models.CharField(
        _("visibility"),
        max_length=16,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
        help_text=_(
            "Segment-only services are hidden from the booking site; clients book them "
            "through a segment's link."
        ),
    )
    color = models.CharField(
        _("color"), max_length=7, default="#7c3aed", validators=[validate_color]
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ("category__position", "name")
        constraints = [
            models.UniqueConstraint(fields=["salon", "name"], name="service_unique_salon_name"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0), name="service_duration_positive"
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="service_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class StaffMember(TenantModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_profiles",
    )
    name = models.CharField(_("name"), max_length=120)
    title = models.CharField(_("title"), max_length=120, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    offered_online = models.BooleanField(_("offered online"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    # A personal online booking passcode: blank means none (see bookings/passcodes.py).
    booking_passcode = models.CharField(
        _("personal passcode"), max_length=6, blank=True, validators=[validate_passcode]
    )
    booking_passcode_version = models.PositiveIntegerField(default=0, editable=False)
    color = models.CharField(
        _("color"), max_length=7, default="#0ea5e9", validators=[validate_color]
    )
    locations = models.ManyToManyField(
        Location, through="StaffLocation", related_name="staff", verbose_name=_("locations")
    )
    services = models.ManyToManyField(
        Service, through="StaffService", related_name="staff", verbose_name=_("services")
    )

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(
                fields=["salon", "user"],
                condition=Q(user__isnull=False),
                name="staff_unique_salon_user",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def passcode_active(self) -> bool:
        return bool(self.booking_passcode)


class StaffLocation(TenantModel):
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE)
    location = models.ForeignKey(Location, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["salon", "staff", "location"], name="staff_location_unique"
            ),
        ]


class StaffService(TenantModel):
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE)
    service = models.ForeignKey(Service, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["salon", "staff", "service"], name="staff_service_unique"
            ),
        ]


class WorkingHours(TenantModel):
    """A staff member's recurring weekly shift at one location (local time of the location)."""

    staff = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, related_name="working_hours", verbose_name=_("staff")
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="working_hours", verbose_name=_("location")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"))

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ("staff", "weekday", "starts")
        indexes = [models.Index(fields=["salon", "staff", "weekday"])]
        constraints = [
            # An end earlier than the start is on the next day (a shift 20:00–02:00).
            models.CheckConstraint(
                condition=~Q(ends=F("starts")), name="working_hours_ends_not_at_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{clock_label(self.ends)}"

    @property
    def ends_label(self) -> str:
        return clock_label(self.ends)


class TimeOff(TenantModel):
    """An exception to a staff member's hours: a whole day or part of one (stored in UTC)."""

    staff = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, related_name="time_off", verbose_name=_("staff")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    all_day = models.BooleanField(_("whole days"), default=False)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("time off")
        verbose_name_plural = _("time off")
        ordering = ("starts_at",)
        indexes = [models.Index(fields=["salon", "staff", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="time_off_ends_after_starts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%Y-%m-%d %H:%M}"


class LocationHours(TenantModel):
    """Weekly opening hours of a location (local time); several ranges a day allow a break."""

    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("location")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ("location", "weekday", "opens")
        constraints = [
            # A closing time earlier than the opening is on the next day (open 18:00–03:00).
            models.CheckConstraint(
                condition=~Q(closes=F("opens")), name="location_hours_closes_not_at_opening"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{clock_label(self.closes)}"

    @property
    def closes_label(self) -> str:
        return clock_label(self.closes)


class LocationClosure(TenantModel):
    """A day the location is closed (a holiday), in the location's calendar."""

    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="closures", verbose_name=_("location")
    )
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")
        ordering = ("date",)
        constraints = [
            models.UniqueConstraint(
                fields=["salon", "location", "date"], name="closure_unique_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.location} {self.date}"
