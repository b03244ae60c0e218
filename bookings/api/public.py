"""Public API of a salon's online booking: `/api/v1/public/<salon_slug>/…`.

No login needed (a logged-in client's session is honoured). Only what the public booking site
shows is reachable: active locations, online-bookable services, staff offered online. A
booking answers 201, a taken slot 409 with the next free times, bad input 400 per field.
A booking names its `payment_method` (bookings/checkout.py) and gives the method's inputs in
`payment_details` (`{"<input name>": "…"}`); what the method refuses is a 400 keyed by the
input's name (or `payment_method`), and nothing is booked. An optional `referral_code` is passed
to the after-booking hooks (bookings/checkout.py) as a strict extra: a code they refuse is a
400 on `referral_code`, and nothing is booked. `payment-methods/` lists the methods offered
for a service (with their summary line and inputs). A method paid online (issue 17) answers
201 with `status: "held"`, `hold_expires_at` and the `payment_url` the client must open to pay:
the time is held until then and becomes a booking when paid.

Passcodes (bookings/passcodes.py; DESIGN.md invariant 5). The services and staff lists,
availability and booking of a location with an active passcode answer 403

    {"detail": "…", "code": "passcode_required", "target": "location"}

unless the visitor unlocked it in this session (`POST unlock/`, or the booking site) or the
request carries the code: the header `X-Booking-Passcode`, else the `passcode` body field
(booking) or query parameter. Asking for a staff member with a personal code (an explicit
`staff` id) answers the same with `"target": "staff"`, unless unlocked in the session or the
request carries their code in `X-Staff-Passcode` (or `staff_passcode`). With `staff=any`,
locked staff are left out silently — neither offered nor assigned — unless the staff code
given is theirs. Lists mark locked items `"locked": true` (never a code); locations are
listed with their lock so a client knows to ask for the code.

A wrong code answers exactly like a missing one (403, same body) and counts against the
client's IP and the target; after `PASSCODE_MAX_FAILURES_PER_IP` wrong codes per
`PASSCODE_WINDOW_SECONDS` (or too many from all IPs) every code is refused with 429
`{"detail": "Too many wrong codes…", "code": "passcode_throttled"}` until the window ends.
`POST unlock/` with `{"location": id, "code": "…"}` or `{"staff": id, "code": "…"}` stores
the unlock in the session, for browser-based clients (a staff code only for a staff member
offered online at a location the session may book). Unlocks end when the owner changes or
switches off the code.

Not locked: an existing booking reached by its signed token (view, cancel, reschedule) — the
holder has booked already — and the owner API (`/api/v1/salons/…`), which books with
`online=False`.

Segment links (bookings/booking_scope.py). Services for segments only and staff not offered
online are never listed, offered or bookable here — unless the request carries a segment
link's token as the `segment` query parameter (lists, availability) or body field (booking).
Then the lists, availability and booking offer the segment's services and staff instead, the
location's passcode is not asked (a valid link counts as an unlock of its location; staff
codes still apply), and the booking records the segment. A token that opens nothing
(unknown, regenerated, deactivated) answers 404
`{"detail": "This link is no longer valid.", "code": "link_invalid"}`. A booking made
through a link is rescheduled (by its token) with the segment's staff.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.availability import validate_date_range
from bookings.availability_cache import (
    PublicTarget,
    availability_cached,
    availability_of_target,
    public_target_cached,
    slots_json_of_target,
    with_availability_version,
)
from bookings.booking_limits import (
    BookingThrottled,
    public_booking_check,
    public_booking_record,
)
from bookings.booking_scope import BookingScope
from bookings.checkout import (
    ClientDetails,
    checkout_complete,
    payment_method_default,
    payment_methods_available,
    payment_summaries,
)
from bookings.models import Appointment, Location, Salon, Service, StaffMember
from bookings.passcodes import (
    PasscodeRequired,
    PasscodeThrottled,
    PasscodeUnlocks,
    client_ip,
    passcode_check_any,
    passcode_unlock,
)
from bookings.public.extensions import (
    SCOPE_PARAM,
    BookingScopeInvalid,
    booking_scope_get,
    booking_scope_of_appointment,
)
from bookings.public.selectors import (
    public_location_list,
    public_service_list,
    public_staff_list,
    public_staff_online_list,
)
from bookings.services.booking import BookingRequest, SlotNotBookable, SlotTaken
from bookings.services.clients import client_find_for_booking
from bookings.services.self_service import (
    appointment_cancel_by_client,
    appointment_reschedule_by_client,
)
from bookings.signing import appointment_from_token, appointment_token
from salonbook.throttling import PublicRateThrottle  # client_ip, not X-Forwarded-For

from .base import AwareDateTimeField, HorizonDateField

LOCATION_CODE_HEADER = "X-Booking-Passcode"
STAFF_CODE_HEADER = "X-Staff-Passcode"


def _meta_name(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


class PasscodeRequiredOut(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.ChoiceField(choices=["passcode_required"])
    target = serializers.ChoiceField(choices=["location", "staff"])


class PasscodeThrottledOut(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.ChoiceField(choices=["passcode_throttled"])


LOCATION_CODE_PARAMS = [
    OpenApiParameter(
        LOCATION_CODE_HEADER,
        str,
        OpenApiParameter.HEADER,
        description="The location's booking passcode, when it has one and this session has "
        "not unlocked it.",
    ),
    OpenApiParameter(
        "passcode", str, description=f"The location's passcode (instead of {LOCATION_CODE_HEADER})"
    ),
]
STAFF_CODE_PARAMS = [
    OpenApiParameter(
        STAFF_CODE_HEADER,
        str,
        OpenApiParameter.HEADER,
        description="A staff member's personal passcode: needed to ask for them by id; with "
        "staff=any it adds the staff member whose code it is.",
    ),
    OpenApiParameter(
        "staff_passcode", str, description=f"A staff passcode (instead of {STAFF_CODE_HEADER})"
    ),
]
PASSCODE_RESPONSES: dict[int, Any] = {403: PasscodeRequiredOut, 429: PasscodeThrottledOut}


class LinkInvalidOut(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.ChoiceField(choices=["link_invalid"])


SCOPE_PARAMS = [
    OpenApiParameter(
        SCOPE_PARAM,
        str,
        description="A segment link's token: the segment's services and staff instead of the "
        "public ones (404 link_invalid when the link is unknown, regenerated or switched off).",
    ),
]
SCOPE_RESPONSES: dict[int, Any] = {404: LinkInvalidOut}


class PublicApi(APIView):
    # Session only (no CSRF-exempt token auth): a logged-in client's details are used.
    authentication_classes = [SessionAuthentication]
    permission_classes = [AllowAny]
    salon: Salon

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if "salon" not in self.__dict__:  # a subclass may have read it with something else
            self.salon = get_object_or_404(Salon, slug=kwargs["salon_slug"])
        super().initial(request, *args, **kwargs)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, PasscodeRequired):
            target = "location" if isinstance(exc.target, Location) else "staff"
            return Response(
                {"detail": str(exc), "code": "passcode_required", "target": target},
                status=status.HTTP_403_FORBIDDEN,
            )
        if isinstance(exc, PasscodeThrottled):
            return Response(
                {"detail": str(exc), "code": "passcode_throttled"},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(exc.wait_seconds)},
            )
        if isinstance(exc, BookingScopeInvalid):
            return Response(
                {"detail": str(_("This link is no longer valid.")), "code": "link_invalid"},
                status=status.HTTP_404_NOT_FOUND,
            )
        if isinstance(exc, BookingThrottled):
            return Response(
                {"detail": str(exc), "code": "booking_throttled"},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        return super().handle_exception(exc)

    # --- Passcodes (see the module docstring) ---

    @cached_property
    def scope(self) -> BookingScope | None:
        """The segment link of the request (query parameter, else body field)."""
        token: Any = self.request.query_params.get(SCOPE_PARAM)
        if token in (None, ""):
            data = self.request.data
            token = data.get(SCOPE_PARAM) if hasattr(data, "get") else None
        if token is not None and not isinstance(token, str):
            raise BookingScopeInvalid(token)
        return booking_scope_get(salon=self.salon, token=token)

    @cached_property
    def unlocks(self) -> PasscodeUnlocks:
        """This session's unlocks; codes sent with the request are added for this request
        only (not stored). A segment link counts as an unlock of the location."""
        unlocks = PasscodeUnlocks.from_session(self.request.session)
        return unlocks.invited() if self.scope is not None else unlocks

    def code_given(self, header: str, field: str) -> str | None:
        """The code in the header, else the body field, else the query parameter."""
        value: Any = self.request.META.get(_meta_name(header))
        if value in (None, ""):
            data = self.request.data
            value = data.get(field) if hasattr(data, "get") else None
        if value in (None, ""):
            value = self.request.query_params.get(field)
        return None if value in (None, "") else str(value)

    def require_unlocked(self, target: Location | StaffMember) -> None:
        """403 (PasscodeRequired) unless the session unlocked the target or the request
        carries its right code; 429 while guessing is throttled."""
        if self.unlocks.allows(target):
            return
        if isinstance(target, Location):
            code = self.code_given(LOCATION_CODE_HEADER, "passcode")
        else:
            code = self.code_given(STAFF_CODE_HEADER, "staff_passcode")
        if code is not None and passcode_unlock(
            unlocks=self.unlocks, target=target, code=code, client_ip=client_ip(self.request)
        ):
            return
        raise PasscodeRequired(target)

    def unlock_staff_by_code(self, candidates: Iterable[StaffMember]) -> None:
        """A staff code sent with "any" (or a list) unlocks, for this request, the locked
        candidates whose code it is. Nothing is counted when no code is sent."""
        code = self.code_given(STAFF_CODE_HEADER, "staff_passcode")
        if code is None:
            return
        locked = [member for member in candidates if not self.unlocks.allows(member)]
        if not locked:
            return
        for member in passcode_check_any(
            targets=locked, code=code, client_ip=client_ip(self.request)
        ):
            self.unlocks.unlock(member)

    def staff_choice(self, value: str, location: Location, service: Service) -> StaffMember | None:
        """`staff_from`, with the staff passcodes applied: a locked staff member asked for
        by id is 403; with "any", a staff code given adds the staff member whose code it is."""
        staff = self.staff_from(value, location, service)
        if staff is not None:
            self.require_unlocked(staff)
        elif self.code_given(STAFF_CODE_HEADER, "staff_passcode") is not None:
            self.unlock_staff_by_code(
                public_staff_list(
                    salon=self.salon, location=location, service=service, scope=self.scope
                ).exclude(booking_passcode="")
            )
        return staff

    def location_from(self, value: Any, *, field: str = "location") -> Location:
        return _get_or_400(public_location_list(salon=self.salon), value, field)

    def service_from(self, value: Any, location: Location) -> Service:
        return _get_or_400(
            public_service_list(salon=self.salon, location=location, scope=self.scope),
            value,
            "service",
        )

    def staff_from(self, value: str, location: Location, service: Service) -> StaffMember | None:
        """The `staff` of a request: "any" (or blank) is None, else a staff member offered
        online for the service at the location (400 otherwise)."""
        if value in ("", "any"):
            return None
        return _get_or_400(
            public_staff_list(
                salon=self.salon, location=location, service=service, scope=self.scope
            ),
            value,
            "staff",
        )


def _get_or_400(queryset: QuerySet[Any], value: Any, field: str) -> Any:
    try:
        return queryset.get(pk=int(value))
    except (TypeError, ValueError, queryset.model.DoesNotExist) as exc:
        raise serializers.ValidationError({field: [_("Select a valid choice.")]}) from exc


class LockedMixin(serializers.Serializer):
    """`locked`: does this visitor need a code for it (not unlocked in the session, nor by a
    code sent with the request)? Never the code itself."""

    def get_locked(self, obj: Location | StaffMember) -> bool:
        unlocks: PasscodeUnlocks = self.context["unlocks"]
        return not unlocks.allows(obj)


class LocationOut(LockedMixin):
    id = serializers.IntegerField()
    name = serializers.CharField()
    address = serializers.CharField()
    city = serializers.CharField()
    time_zone = serializers.CharField()
    locked = serializers.SerializerMethodField()


class ServiceOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    category = serializers.CharField(source="category.name", default=None)
    duration_minutes = serializers.IntegerField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)


class StaffOut(LockedMixin):
    id = serializers.IntegerField()
    name = serializers.CharField()
    title = serializers.CharField()
    locked = serializers.SerializerMethodField()


class PublicLocationListApi(PublicApi):
    @extend_schema(
        parameters=SCOPE_PARAMS,
        responses={200: LocationOut(many=True), **SCOPE_RESPONSES},
        tags=["public"],
    )
    def get(self, request: Request, salon_slug: str) -> Response:
        locations = public_location_list(salon=self.salon).order_by("name", "pk")
        return Response(LocationOut(locations, many=True, context={"unlocks": self.unlocks}).data)


class PublicServiceListApi(PublicApi):
    @extend_schema(
        parameters=[
            OpenApiParameter("location", int, required=True),
            *LOCATION_CODE_PARAMS,
            *SCOPE_PARAMS,
        ],
        responses={200: ServiceOut(many=True), **PASSCODE_RESPONSES, **SCOPE_RESPONSES},
        tags=["public"],
    )
    def get(self, request: Request, salon_slug: str) -> Response:
        location = self.location_from(request.query_params.get("location"))
        self.require_unlocked(location)
        services = public_service_list(salon=self.salon, location=location, scope=self.scope)
        return Response(ServiceOut(services, many=True).data)


class PublicStaffListApi(PublicApi):
    @extend_schema(
        parameters=[
            OpenApiParameter("location", int, required=True),
            OpenApiParameter("service", int, required=True),
            *LOCATION_CODE_PARAMS,
            *STAFF_CODE_PARAMS,
            *SCOPE_PARAMS,
        ],
        responses={200: StaffOut(many=True), **PASSCODE_RESPONSES, **SCOPE_RESPONSES},
        tags=["public"],
    )
    def get(self, request: Request, salon_slug: str) -> Response:
        location = self.location_from(request.query_params.get("location"))
        self.require_unlocked(location)
        service = self.service_from(request.query_params.get("service"), location)
        staff = list(
            public_staff_list(
                salon=self.salon, location=location, service=service, scope=self.scope
            )
        )
        self.unlock_staff_by_code(staff)
        return Response(StaffOut(staff, many=True, context={"unlocks": self.unlocks}).data)


class AvailabilityIn(serializers.Serializer):
    location = serializers.IntegerField()
    service = serializers.IntegerField()
    start = HorizonDateField(help_text=_("First day, in the location's time zone (2000–2100)."))
    end = HorizonDateField(help_text=_("Last day, included; at most 31 days after the start."))
    staff = serializers.CharField(required=False, default="any", help_text="a staff id or 'any'")


AVAILABILITY_DESCRIPTION = """The free start times of a service at a location, day by day
(`start` to `end`, at most 31 days, in the location's time zone; dates in the years 2000–2100).

**The slot grid.** Each free window — a staff member's shift intersected with the location's
opening hours on one day — has its own grid: the first start is the window's start, then one
every slot step (the salon's setting) on the location's wall clock. A shift from 09:00 with a
25-minute step offers 09:00, 09:25, 09:50 …, not multiples of 25 minutes from midnight. On a
DST day the grid goes on by the wall clock: starts in the skipped hour do not exist, starts in
the repeated hour are given twice (two moments, each with its offset). A start is offered when
the whole service fits in the window, its buffers overlap no other appointment or time off, and
it lies between now + the minimum notice and now + the maximum advance. An end of hours
`24:00` is midnight at the end of the day; an end earlier than the start is on the next day
(a shift 20:00–02:00), and ranges that touch at midnight are one window.

Book one of these times exactly: a time that never was offered is refused with 400 and a
`reason` (`off_grid`, `outside_hours`, `too_soon`, `too_far`); one taken meanwhile with 409
and the next free times."""


def _location_with_salon(salon_slug: str, value: Any) -> Location | None:
    """The public location `value` of the salon with this slug, its salon joined: one query
    instead of two (issue 15). None when either is missing (or `value` is not an id)."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    salon_id = Subquery(Salon.objects.filter(slug=salon_slug).values("pk")[:1])
    return with_availability_version(  # the cache's version, in this query (issue 15)
        public_location_list(salon=salon_id)  # type: ignore[arg-type]
        .filter(pk=pk)
        .select_related("salon")
    ).first()


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ID = re.compile(r"[1-9]\d{0,17}")
# A request carrying any of these takes the usual path (passcodes given, a segment link).
_CODE_PARAMS = ("passcode", "staff_passcode", SCOPE_PARAM)
_CODE_HEADERS = (_meta_name(LOCATION_CODE_HEADER), _meta_name(STAFF_CODE_HEADER))


def _warm_params(request: Request) -> tuple[int, int, int | None, dt.date, dt.date] | None:
    """(location, service, staff id or None for any, start, end) of a plain request — ids and
    ISO dates in range, no code, no segment link — else None (the usual path validates, and
    answers the errors)."""
    query = request.query_params
    if any(query.get(name) for name in _CODE_PARAMS) or any(
        request.META.get(name) for name in _CODE_HEADERS
    ):
        return None
    location, service = query.get("location", ""), query.get("service", "")
    staff, start, end = query.get("staff", "any"), query.get("start", ""), query.get("end", "")
    if not (_ID.fullmatch(location) and _ID.fullmatch(service)):
        return None
    if staff not in ("", "any") and not _ID.fullmatch(staff):  # blank: "any", as DRF reads it
        return None
    if not (_ISO_DATE.fullmatch(start) and _ISO_DATE.fullmatch(end)):
        return None
    try:
        first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        validate_date_range(first, last)
    except (ValueError, DjangoValidationError):
        return None
    return int(location), int(service), None if staff in ("", "any") else int(staff), first, last


def _row_annotations(prefix: str, queryset: QuerySet[Any]) -> dict[str, Subquery]:
    """Every column of the (at most one) row of `queryset`, as annotations named
    `<prefix><attname>` (NULL when there is no row)."""
    return {
        prefix + f.attname: Subquery(queryset.values(f.attname)[:1])
        for f in queryset.model._meta.concrete_fields
    }


def _row_from_annotations[M](model: type[M], prefix: str, row: Any) -> M | None:
    attnames = [f.attname for f in model._meta.concrete_fields]  # type: ignore[attr-defined]
    values = tuple(getattr(row, prefix + name) for name in attnames)
    if values[attnames.index("id")] is None:
        return None
    return model.from_db(row._state.db, attnames, values)  # type: ignore[attr-defined]


def _public_resolver(
    location_id: int, service_id: int, staff_id: int | None
) -> Callable[[int], tuple[Salon, Location, Service, StaffMember | None] | None]:
    """What the usual path resolves for a request without a segment link (None: refused),
    with the public selectors, in ONE query: the service with its salon, the location's and
    the staff member's columns as annotations (the cold request stays at 4 queries)."""

    def resolve(salon_id: int) -> tuple[Salon, Location, Service, StaffMember | None] | None:
        salon: Any = salon_id  # the selectors filter by the salon's id
        location_ref = Location(pk=location_id, salon_id=salon_id)
        locations = public_location_list(salon=salon).filter(pk=location_id)
        services = (
            public_service_list(salon=salon, location=location_ref)
            .filter(pk=service_id)
            .select_related("salon")
            .annotate(**_row_annotations("_location_", locations))
        )
        if staff_id is not None:
            staff_rows = public_staff_list(
                salon=salon, location=location_ref, service=Service(pk=service_id)
            ).filter(pk=staff_id)
            services = services.annotate(**_row_annotations("_staff_", staff_rows))
        service = services.first()
        if service is None:
            return None
        location = _row_from_annotations(Location, "_location_", service)
        if location is None:
            return None
        staff = None
        if staff_id is not None:
            staff = _row_from_annotations(StaffMember, "_staff_", service)
            if staff is None:
                return None
        return service.salon, location, service, staff

    return resolve


class PublicAvailabilityApi(PublicApi):
    throttle_classes = [PublicRateThrottle]
    # Availability answers in at most 4 queries (bookings/tests/test_query_counts.py): the
    # salon with the location, the service, and availability's two. Warm (issue 15), one:
    # the salon's id and availability version; the rest comes from the cache under that
    # version (bookings/availability_cache.py `public_target_cached`).
    location: Location | None = None
    target: PublicTarget | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        params = _warm_params(request)
        if params is not None:
            location_id, service_id, staff_id, start, end = params
            self.target = public_target_cached(
                salon_slug=kwargs["salon_slug"],
                location_id=location_id,
                service_id=service_id,
                staff_id=staff_id,
                start=start,
                end=end,
                resolve=_public_resolver(location_id, service_id, staff_id),
            )
        if self.target is not None:
            self.salon = self.target.salon
        else:
            self.location = _location_with_salon(
                kwargs["salon_slug"], request.query_params.get("location")
            )
            if self.location is not None:
                self.salon = self.location.salon
        super().initial(request, *args, **kwargs)  # else the salon alone (404 if unknown)

    def warm_response(self, target: PublicTarget) -> HttpResponse | None:
        """The answer from the cached target, when this visitor may see it as is; None when a
        passcode stands in the way (the usual path checks and answers). JSON (the usual
        renderer) is written from the entry's pre-rendered slots."""
        unlocks = self.unlocks
        if not unlocks.allows(target.location):
            return None
        if target.staff is not None and not unlocks.allows(target.staff):
            return None
        renderer = getattr(self.request, "accepted_renderer", None)
        if isinstance(renderer, JSONRenderer):
            slots = slots_json_of_target(target, staff_allowed=unlocks.allows)
            if slots is not None:
                body = f'{{"time_zone":{json.dumps(target.location.time_zone)},"slots":{slots}}}'
                return HttpResponse(body, content_type=renderer.media_type)
        availability = availability_of_target(target, staff_allowed=unlocks.allows)
        return Response(
            {
                "time_zone": target.location.time_zone,
                "slots": [
                    {"starts_at": s.starts_at.isoformat(), "staff": list(s.staff_ids)}
                    for s in availability.slots
                ],
            }
        )

    @extend_schema(
        description=AVAILABILITY_DESCRIPTION,
        parameters=[AvailabilityIn, *LOCATION_CODE_PARAMS, *STAFF_CODE_PARAMS, *SCOPE_PARAMS],
        responses={
            **PASSCODE_RESPONSES,
            **SCOPE_RESPONSES,
            200: inline_serializer(
                "Availability",
                {
                    "time_zone": serializers.CharField(),
                    "slots": inline_serializer(
                        "Slot",
                        {
                            "starts_at": serializers.DateTimeField(),
                            "staff": serializers.ListField(child=serializers.IntegerField()),
                        },
                        many=True,
                    ),
                },
            ),
        },
        tags=["public"],
    )
    def get(self, request: Request, salon_slug: str) -> HttpResponse:
        if self.target is not None:
            response = self.warm_response(self.target)
            if response is not None:
                return response
            self.location = None  # the usual path reads the rows (with their passcodes) again
        params = AvailabilityIn(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        location = (
            self.location
            if self.location is not None and self.location.pk == data["location"]
            else public_location_list(salon=self.salon).filter(pk=data["location"]).first()
        )
        if location is not None:
            self.require_unlocked(location)
        service = (
            public_service_list(salon=self.salon, location=location, scope=self.scope)
            .filter(pk=data["service"])
            .first()
            if location is not None
            else None
        )
        if location is None:
            raise serializers.ValidationError({"location": [_("Select a valid choice.")]})
        if service is None:
            raise serializers.ValidationError({"service": [_("Select a valid choice.")]})
        staff = self.staff_choice(data["staff"], location, service)
        availability = availability_cached(
            salon=self.salon,
            location=location,
            service=service,
            start=data["start"],
            end=data["end"],
            staff=staff,
            staff_allowed=self.unlocks.allows,
            online_staff_ids=self.scope.staff_ids if self.scope is not None else None,
        )
        return Response(
            {
                "time_zone": location.time_zone,
                "slots": [
                    {"starts_at": s.starts_at.isoformat(), "staff": list(s.staff_ids)}
                    for s in availability.slots
                ],
            }
        )


class ClientIn(serializers.Serializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    email = serializers.EmailField(max_length=254)
    phone = PhoneNumberField(required=False, allow_blank=True, default="")
    marketing_consent = serializers.BooleanField(required=False, default=False)
    language = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=8,
        help_text="Language of the client's notices and reminders (en, et, da, ro, fi, de); "
        "empty keeps the stored one (new clients: the salon's language).",
    )

    def validate_language(self, value: str) -> str:
        if value and value not in dict(settings.LANGUAGES):
            raise serializers.ValidationError(_("Unknown language."))
        return value


class BookingIn(serializers.Serializer):
    location = serializers.IntegerField()
    service = serializers.IntegerField()
    staff = serializers.CharField(required=False, default="any", help_text="a staff id or 'any'")
    starts_at = AwareDateTimeField(help_text="ISO 8601 with offset, as availability gives")
    client = ClientIn()
    notes = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)
    payment_method = serializers.CharField(
        max_length=50, required=False, default="pay_at_salon", help_text="e.g. pay_at_salon"
    )
    payment_details = serializers.DictField(
        child=serializers.CharField(max_length=100, allow_blank=True),
        required=False,
        default=dict,
        help_text='Extra input of the payment method, e.g. {"gift_card_code": "…"}',
    )
    passcode = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        help_text=f"The location's passcode (instead of the {LOCATION_CODE_HEADER} header)",
    )
    staff_passcode = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        help_text=f"The staff member's passcode (instead of the {STAFF_CODE_HEADER} header)",
    )
    referral_code = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text=(
            "The personal referral code of the client who invited this (new) client. A code "
            "that is not accepted is a 400 on this field, and nothing is booked."
        ),
    )
    segment = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        default="",
        help_text=(
            "A segment link's token: book one of the segment's services with its staff; the "
            "booking records the segment. 404 link_invalid when the link is no longer valid."
        ),
    )


class AppointmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    token = serializers.SerializerMethodField()
    status = serializers.CharField(
        help_text=(
            "booked; held: waiting for payment until hold_expires_at (pay at payment_url); "
            "released: not paid in time; completed, cancelled, no_show"
        )
    )
    hold_expires_at = serializers.DateTimeField(
        allow_null=True,
        help_text="Held for payment (status held): until when the time is held; else null.",
    )
    payment_url = serializers.CharField(
        default="",
        help_text="Where the client pays, an absolute URL (right after a booking held for "
        "payment); else empty.",
    )
    starts_at = serializers.SerializerMethodField()
    ends_at = serializers.SerializerMethodField()
    time_zone = serializers.CharField(source="location.time_zone")
    location = serializers.CharField(source="location.name")
    service = serializers.CharField(source="service.name")
    staff = serializers.CharField(source="staff.name")
    price = serializers.DecimalField(max_digits=10, decimal_places=2)

    def get_token(self, obj: Appointment) -> str:
        return appointment_token(obj)

    def get_starts_at(self, obj: Appointment) -> str:
        return obj.starts_at.astimezone(obj.location.tzinfo).isoformat()

    def get_ends_at(self, obj: Appointment) -> str:
        return obj.ends_at.astimezone(obj.location.tzinfo).isoformat()


BOOKING_REFUSED_RESPONSE = inline_serializer(
    "BookingRefused",
    {
        "starts_at": serializers.ListField(child=serializers.CharField()),
        "reason": serializers.ChoiceField(choices=list(SlotNotBookable.REASONS)),
    },
)
BOOKING_TAKEN_RESPONSE = inline_serializer(
    "BookingTaken",
    {
        "detail": serializers.CharField(),
        "next_slots": serializers.ListField(child=serializers.DateTimeField()),
    },
)


def _taken_response(exc: SlotTaken, location: Location) -> Response:
    return Response(
        {
            "detail": str(exc),
            "next_slots": [s.astimezone(location.tzinfo).isoformat() for s in exc.next_slots],
        },
        status=status.HTTP_409_CONFLICT,
    )


BOOKING_DESCRIPTION = """Book one of the times availability offers (`starts_at` with its
UTC offset, exactly as availability gives it; a time without an offset is refused with 400).

- 400 with `reason` (and the message on `starts_at`): the time never was bookable —
  `off_grid` (not one of the slot starts), `outside_hours` (the service does not fit in the
  working and opening hours), `too_soon` (inside the minimum notice), `too_far` (beyond the
  maximum advance).
- 409 with `next_slots`: the time was offered and has just been taken.
- 400 on other fields for bad input; nothing is booked. A `payment_method` that is not
  offered (unknown, not available, or pay at the salon for a service that must be paid
  ahead) is a 400 on `payment_method`.
- 201 with `status: "held"`: the method is paid online; the time is held until
  `hold_expires_at`, and the client pays at `payment_url` (the booking is confirmed when the
  payment is). Otherwise 201 with `status: "booked"` and an empty `payment_url`."""


class PaymentMethodsIn(serializers.Serializer):
    location = serializers.IntegerField()
    service = serializers.IntegerField()
    starts_at = AwareDateTimeField(
        required=False, help_text="The chosen start (offers may depend on the date)"
    )
    email = serializers.EmailField(
        required=False, default="", allow_blank=True, help_text="The client's email, if known"
    )


class PaymentInputOut(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    help_text = serializers.CharField()
    max_length = serializers.IntegerField()


class PaymentMethodOut(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    summary = serializers.CharField()
    selected = serializers.BooleanField(help_text="Chosen before the client chooses")
    inputs = PaymentInputOut(many=True)


class PublicPaymentMethodsApi(PublicApi):
    @extend_schema(
        description=(
            "The ways to pay offered for a service (in page order), as the checkout shows "
            "them: each with its summary line and the inputs it takes in `payment_details`."
        ),
        parameters=[PaymentMethodsIn, *LOCATION_CODE_PARAMS, *SCOPE_PARAMS],
        responses={200: PaymentMethodOut(many=True), **PASSCODE_RESPONSES, **SCOPE_RESPONSES},
        tags=["public"],
    )
    def get(self, request: Request, salon_slug: str) -> Response:
        params = PaymentMethodsIn(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        location = self.location_from(data["location"])
        self.require_unlocked(location)
        service = self.service_from(data["service"], location)
        user = request.user if request.user.is_authenticated else None
        client = client_find_for_booking(salon=self.salon, user=user, email=data["email"])
        methods = payment_methods_available(
            salon=self.salon,
            client=client,
            service=service,
            starts_at=data.get("starts_at"),
            user=user,
        )
        summaries = payment_summaries(methods, salon=self.salon, service=service)
        default = payment_method_default(methods)
        return Response(
            PaymentMethodOut(
                [
                    {
                        "key": m.key,
                        "label": str(m.label),
                        "summary": summaries[m.key],
                        "selected": m.key == default,
                        "inputs": [
                            {
                                "name": i.name,
                                "label": str(i.label),
                                "help_text": str(i.help_text),
                                "max_length": i.max_length,
                            }
                            for i in m.inputs
                        ],
                    }
                    for m in methods
                ],
                many=True,
            ).data
        )


class PublicBookingCreateApi(PublicApi):
    @extend_schema(
        description=BOOKING_DESCRIPTION,
        request=BookingIn,
        parameters=[LOCATION_CODE_PARAMS[0], STAFF_CODE_PARAMS[0]],
        responses={
            201: AppointmentOut,
            400: BOOKING_REFUSED_RESPONSE,
            409: BOOKING_TAKEN_RESPONSE,
            **PASSCODE_RESPONSES,
            **SCOPE_RESPONSES,
        },
        tags=["public"],
    )
    def post(self, request: Request, salon_slug: str) -> Response:
        if self.salon.require_login_to_book and not request.user.is_authenticated:
            return Response(
                {"detail": _("This salon asks clients to log in before booking.")},
                status=status.HTTP_403_FORBIDDEN,
            )
        payload = BookingIn(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        location = self.location_from(data["location"])
        self.require_unlocked(location)
        service = self.service_from(data["service"], location)
        staff = self.staff_choice(data["staff"], location, service)
        person = data["client"]
        booking = BookingRequest(
            location=location,
            service=service,
            starts_at=data["starts_at"],
            staff=staff,
            scope=self.scope,
        )
        public_booking_check(salon=self.salon, client_ip=client_ip(request))
        try:
            appointment = checkout_complete(
                salon=self.salon,
                request=booking,
                details=ClientDetails(
                    first_name=person["first_name"],
                    last_name=person["last_name"],
                    email=person["email"],
                    phone=str(person["phone"] or ""),
                    notes=data["notes"],
                    marketing_consent=person["marketing_consent"],
                    language=person["language"],
                ),
                payment_method=data["payment_method"],
                unlocks=self.unlocks,
                user=request.user if request.user.is_authenticated else None,
                payment_details=data["payment_details"],
                client_ip=client_ip(request),
                # The after-booking hooks' input (bookings/checkout.py): typed by the caller,
                # so a refused value refuses the booking (400 on its name).
                extras={
                    **({"referral_code": data["referral_code"]} if data["referral_code"] else {}),
                    **(self.scope.extras if self.scope is not None else {}),
                },
                extras_strict=True,
            )
        except SlotTaken as exc:
            return _taken_response(exc, location)
        public_booking_record(salon=self.salon, client_ip=client_ip(request))
        if appointment.payment_url:
            # Absolute, like the package and gift card purchase endpoints: an app opens it.
            appointment.payment_url = request.build_absolute_uri(appointment.payment_url)
        return Response(AppointmentOut(appointment).data, status=status.HTTP_201_CREATED)


class UnlockIn(serializers.Serializer):
    location = serializers.IntegerField(required=False, help_text="a location id, or")
    staff = serializers.IntegerField(required=False, help_text="a staff member id")
    code = serializers.CharField(allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("location" in attrs) == ("staff" in attrs):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Give either a location or a staff member.")]}
            )
        return attrs


class UnlockOut(serializers.Serializer):
    target = serializers.ChoiceField(choices=["location", "staff"])
    id = serializers.IntegerField()


class PublicUnlockApi(PublicApi):
    @extend_schema(
        request=UnlockIn,
        responses={200: UnlockOut, **PASSCODE_RESPONSES},
        tags=["public"],
        description="Give a location's or a staff member's passcode once: the unlock is kept "
        "in this session (cookie) until the owner changes or switches off the code.",
    )
    def post(self, request: Request, salon_slug: str) -> Response:
        payload = UnlockIn(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        target: Location | StaffMember
        if "location" in data:
            target = self.location_from(data["location"])
        else:
            staff = _get_or_400(
                public_staff_online_list(salon=self.salon).prefetch_related("locations"),
                data["staff"],
                "staff",
            )
            # Only the staff of a location this session may book: a locked location's staff
            # are not probed by id.
            if not any(
                location.is_active and self.unlocks.allows(location)
                for location in staff.locations.all()
            ):
                raise serializers.ValidationError({"staff": [_("Select a valid choice.")]})
            target = staff
        if not self.unlocks.allows(target):
            if not passcode_unlock(
                unlocks=self.unlocks,
                target=target,
                code=data["code"],
                client_ip=client_ip(request),
            ):
                raise PasscodeRequired(target)
            self.unlocks.save(request.session)
        kind = "location" if isinstance(target, Location) else "staff"
        return Response({"target": kind, "id": target.pk})


# Base of the views of one appointment reached by its signed token (bookings/signing.py).
class PublicBookingTokenApi(PublicApi):
    def appointment(self, token: str) -> Appointment:
        return appointment_from_token(self.salon, token)


class PublicBookingApi(PublicBookingTokenApi):
    @extend_schema(responses=AppointmentOut, tags=["public"])
    def get(self, request: Request, salon_slug: str, token: str) -> Response:
        return Response(AppointmentOut(self.appointment(token)).data)


class PublicBookingCancelApi(PublicBookingTokenApi):
    @extend_schema(request=None, responses=AppointmentOut, tags=["public"])
    def post(self, request: Request, salon_slug: str, token: str) -> Response:
        appointment = appointment_cancel_by_client(appointment=self.appointment(token))
        return Response(AppointmentOut(appointment).data)


class RescheduleIn(serializers.Serializer):
    starts_at = AwareDateTimeField(help_text="ISO 8601 with offset, as availability gives")


class PublicBookingRescheduleApi(PublicBookingTokenApi):
    @extend_schema(request=RescheduleIn, responses={200: AppointmentOut}, tags=["public"])
    def post(self, request: Request, salon_slug: str, token: str) -> Response:
        appointment = self.appointment(token)
        payload = RescheduleIn(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            appointment = appointment_reschedule_by_client(
                appointment=appointment,
                starts_at=payload.validated_data["starts_at"],
                scope=booking_scope_of_appointment(appointment),
            )
        except SlotTaken as exc:
            return _taken_response(exc, appointment.location)
        return Response(AppointmentOut(appointment).data)
