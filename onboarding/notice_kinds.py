"""Notice kinds of onboarding, all transactional, their texts editable per salon like every
notice: the staff invitation e-mail (the owner asked for it, the person needs the link), and
the e-mails that tell the salon about its clients' online bookings, cancellations and moves
(sent by onboarding/salon_notices.py)."""

from django.utils.translation import gettext_lazy as _

from notices.registry import NoticeKind, Variable, register

STAFF_INVITATION = register(
    NoticeKind(
        key="staff_invitation",
        label=_("Staff invitation"),
        marketing=False,
        description=_("Sent when an owner or manager invites a staff member to log in."),
        variables=(
            Variable("staff_name", _("Staff member's name"), example="Mari Saar"),
            Variable("invited_by", _("Who sent the invitation"), example="Kadri Tamm"),
            Variable("invitation_url", _("Link that accepts the invitation"), example="https://…"),
            Variable("expires", _("Date the link expires"), example="07.12.2026"),
        ),
        email_subject=_("{{ invited_by }} invites you to {{ salon_name }} on SalonBook"),
        email_body=_(
            "Hi {{ staff_name }},\n\n"
            "{{ invited_by }} invites you to see your appointments at {{ salon_name }}. "
            "Open this link to sign up or log in (it works once, until {{ expires }}):\n\n"
            "{{ invitation_url }}\n\n"
            "{{ salon_name }}"
        ),
        sms_body=_("{{ salon_name }}: you are invited to SalonBook. {{ invitation_url }}"),
    )
)


# --- The salon hears about its clients' online bookings (onboarding/salon_notices.py) ------

_SALON_VARIABLES = (
    Variable("client_name", _("Client's name"), example="Anna Tamm"),
    Variable("client_phone", _("Client's phone"), example="+3725123456"),
    Variable("client_email", _("Client's e-mail"), example="anna@example.com"),
    Variable("service", _("Service"), example="Haircut"),
    Variable("staff", _("Staff member"), example="Mari"),
    Variable("location", _("Location name"), example="Old Town"),
    Variable(
        "starts_at",
        _("Date and time in the location's time zone, with the zone named"),
        example="Wednesday 10 June 2026, 10:00 (Europe/Tallinn)",
    ),
    Variable("dashboard_url", _("Link to the appointment in the dashboard"), example="https://…"),
)

SALON_BOOKING_CREATED = register(
    NoticeKind(
        key="salon_booking_created",
        recipient_limited=False,
        label=_("To the salon: new online booking"),
        marketing=False,
        description=_(
            "Sent to the salon's address and to the staff member when a client books online."
        ),
        variables=_SALON_VARIABLES,
        email_subject=_("New booking: {{ service }}, {{ starts_at }}"),
        email_body=_(
            "{{ client_name }} booked online:\n\n"
            "{{ service }} with {{ staff }}\n"
            "{{ starts_at }}\n"
            "{{ location }}\n\n"
            "Phone: {{ client_phone }}\n"
            "E-mail: {{ client_email }}\n\n"
            "In the dashboard: {{ dashboard_url }}"
        ),
        sms_body=_(
            "{{ salon_name }}: new booking, {{ client_name }}, {{ service }} with {{ staff }} "
            "on {{ starts_at }}."
        ),
    )
)

SALON_BOOKING_CANCELLED = register(
    NoticeKind(
        key="salon_booking_cancelled",
        recipient_limited=False,
        label=_("To the salon: cancelled by the client"),
        marketing=False,
        description=_(
            "Sent to the salon's address and to the staff member when a client cancels online."
        ),
        variables=_SALON_VARIABLES,
        email_subject=_("Cancelled: {{ service }}, {{ starts_at }}"),
        email_body=_(
            "{{ client_name }} cancelled online:\n\n"
            "{{ service }} with {{ staff }}\n"
            "{{ starts_at }}\n"
            "{{ location }}\n\n"
            "The time is free again.\n\n"
            "In the dashboard: {{ dashboard_url }}"
        ),
        sms_body=_(
            "{{ salon_name }}: {{ client_name }} cancelled {{ service }} with {{ staff }} "
            "on {{ starts_at }}."
        ),
    )
)

SALON_BOOKING_RESCHEDULED = register(
    NoticeKind(
        key="salon_booking_rescheduled",
        recipient_limited=False,
        label=_("To the salon: time changed by the client"),
        marketing=False,
        description=_(
            "Sent to the salon's address and to the staff member when a client moves an "
            "appointment online."
        ),
        variables=_SALON_VARIABLES,
        email_subject=_("Moved: {{ service }}, now {{ starts_at }}"),
        email_body=_(
            "{{ client_name }} moved their appointment online. The new time:\n\n"
            "{{ service }} with {{ staff }}\n"
            "{{ starts_at }}\n"
            "{{ location }}\n\n"
            "In the dashboard: {{ dashboard_url }}"
        ),
        sms_body=_(
            "{{ salon_name }}: {{ client_name }} moved {{ service }} with {{ staff }} "
            "to {{ starts_at }}."
        ),
    )
)

SALON_BOOKING_KINDS = (SALON_BOOKING_CREATED, SALON_BOOKING_CANCELLED, SALON_BOOKING_RESCHEDULED)
