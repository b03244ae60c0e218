"""The notices the booking engine sends (transactional: they follow the client's channel
preference and need no marketing consent)."""

from django.utils.translation import gettext_lazy as _

from notices.registry import NoticeKind, Variable, register

_VARIABLES = (
    Variable("client.first_name", _("Client's first name"), example="Anna"),
    Variable("service", _("Service"), example="Haircut"),
    Variable("staff", _("Staff member"), example="Mari"),
    Variable("location", _("Location name"), example="Old Town"),
    Variable("address", _("Location address"), example="Pikk 1, Tallinn"),
    Variable(
        "starts_at",
        _("Date and time in the location's time zone, with the zone named"),
        example="Wednesday 10 June 2026, 10:00 (Europe/Tallinn)",
    ),
    Variable("manage_url", _("Link to see, cancel or reschedule"), example="https://…"),
    Variable(
        "calendar_url", _("Link to an .ics file for the client's calendar"), example="https://…"
    ),
    Variable(
        "policy",
        _("The salon's cancellation and change policy (cutoff and the salon's own text)"),
        example="You can cancel or reschedule online until 24 hours before your appointment; "
        "after that, please contact the salon.",
    ),
)

BOOKING_CONFIRMATION = register(
    NoticeKind(
        key="booking_confirmation",
        label=_("Booking confirmation"),
        marketing=False,
        description=_("Sent when an appointment is booked."),
        variables=_VARIABLES,
        email_subject=_("Your appointment at {{ salon_name }}: {{ starts_at }}"),
        email_body=_(
            "Hi {{ client.first_name }},\n\n"
            "your appointment is booked:\n\n"
            "{{ service }} with {{ staff }}\n"
            "{{ starts_at }}\n"
            "{{ location }}, {{ address }}\n\n"
            "Add it to your calendar: {{ calendar_url }}\n"
            "See, cancel or reschedule: {{ manage_url }}\n\n"
            "{{ policy }}\n\n"
            "See you soon,\n{{ salon_name }}"
        ),
        sms_body=_(
            "{{ salon_name }}: {{ service }} with {{ staff }} on {{ starts_at }}. "
            "Manage: {{ manage_url }}"
        ),
    )
)

BOOKING_REMINDER = register(
    NoticeKind(
        key="booking_reminder",
        label=_("Appointment reminder"),
        marketing=False,
        description=_("Sent a set time before the appointment (Online booking settings)."),
        variables=_VARIABLES,
        email_subject=_("Reminder: {{ service }} at {{ salon_name }}, {{ starts_at }}"),
        email_body=_(
            "Hi {{ client.first_name }},\n\n"
            "a reminder of your appointment:\n\n"
            "{{ service }} with {{ staff }}\n"
            "{{ starts_at }}\n"
            "{{ location }}, {{ address }}\n\n"
            "Need to change it? {{ manage_url }}\n\n"
            "{{ salon_name }}"
        ),
        sms_body=_(
            "Reminder from {{ salon_name }}: {{ service }} on {{ starts_at }}. "
            "Change: {{ manage_url }}"
        ),
    )
)

BOOKING_RESCHEDULED = register(
    NoticeKind(
        key="booking_rescheduled",
        label=_("Appointment moved"),
        marketing=False,
        description=_("Sent when an appointment is moved to another time or staff member."),
        variables=_VARIABLES,
        email_subject=_("Your appointment at {{ salon_name }} moved to {{ starts_at }}"),
        email_body=_(
            "Hi {{ client.first_name }},\n\n"
            "your appointment is now:\n\n"
            "{{ service }} with {{ staff }}\n"
            "{{ starts_at }}\n"
            "{{ location }}, {{ address }}\n\n"
            "Updated calendar entry: {{ calendar_url }}\n"
            "See, cancel or reschedule: {{ manage_url }}\n\n"
            "{{ salon_name }}"
        ),
        sms_body=_(
            "{{ salon_name }}: your {{ service }} is now on {{ starts_at }}. {{ manage_url }}"
        ),
    )
)

BOOKING_CANCELLED = register(
    NoticeKind(
        key="booking_cancelled",
        label=_("Appointment cancelled"),
        marketing=False,
        description=_("Sent when an appointment is cancelled."),
        variables=_VARIABLES,
        email_subject=_("Cancelled: {{ service }} at {{ salon_name }}, {{ starts_at }}"),
        email_body=_(
            "Hi {{ client.first_name }},\n\n"
            "your appointment {{ service }} on {{ starts_at }} is cancelled.\n\n"
            "{{ salon_name }}"
        ),
        sms_body=_("{{ salon_name }}: your {{ service }} on {{ starts_at }} is cancelled."),
    )
)

# Booking passcodes: the owner sends a code to chosen clients (Online booking → Preferences).
# Transactional: without it the client cannot book at all.

BOOKING_PASSCODE = register(
    NoticeKind(
        key="booking_passcode",
        label=_("Online booking code of a location"),
        marketing=False,
        description=_("Sent by the salon to chosen clients: the code to book at a location."),
        variables=(
            Variable("client.first_name", _("Client's first name"), example="Anna"),
            Variable("location", _("Location name"), example="Old Town"),
            Variable("passcode", _("The location's online booking code"), example="4821"),
            Variable("booking_url", _("Link to the online booking page"), example="https://…"),
        ),
        email_subject=_("Your code for online booking at {{ salon_name }}"),
        email_body=_(
            "Hi {{ client.first_name }},\n\n"
            "online booking at {{ salon_name }}, {{ location }} needs a code. "
            "Open {{ booking_url }} and enter the code {{ passcode }}.\n\n"
            "See you soon,\n{{ salon_name }}"
        ),
        sms_body=_(
            "{{ salon_name }}: to book at {{ location }} online, open {{ booking_url }} "
            "and enter the code {{ passcode }}"
        ),
    )
)

BOOKING_STAFF_PASSCODE = register(
    NoticeKind(
        key="booking_staff_passcode",
        label=_("Online booking code of a staff member"),
        marketing=False,
        description=_(
            "Sent by the salon to chosen clients: the code to book a staff member online."
        ),
        variables=(
            Variable("client.first_name", _("Client's first name"), example="Anna"),
            Variable("staff", _("Staff member"), example="Mari"),
            Variable("passcode", _("The staff member's online booking code"), example="4821"),
            Variable("booking_url", _("Link to the online booking page"), example="https://…"),
        ),
        email_subject=_("Your code to book {{ staff }} at {{ salon_name }}"),
        email_body=_(
            "Hi {{ client.first_name }},\n\n"
            "to book {{ staff }} at {{ salon_name }} online, open {{ booking_url }} "
            "and enter the code {{ passcode }} when you choose {{ staff }}.\n\n"
            "See you soon,\n{{ salon_name }}"
        ),
        sms_body=_(
            "{{ salon_name }}: to book {{ staff }} online, open {{ booking_url }} "
            "and enter the code {{ passcode }}"
        ),
    )
)

# To the salon's owners: someone is guessing a booking passcode (bookings/passcodes.py), at most
# once per PASSCODE_WINDOW_SECONDS per location or staff member.

PASSCODE_GUESSING_ALERT = register(
    NoticeKind(
        key="passcode_guessing_alert",
        recipient_limited=False,
        label=_("To the owner: passcode guessing"),
        marketing=False,
        description=_(
            "Sent to the salon's owners when many wrong online booking codes are tried for a "
            "location or staff member."
        ),
        variables=(
            Variable("target", _("The location or staff member"), example="Old Town"),
            Variable("failures", _("Wrong codes tried"), example="20"),
            Variable("minutes", _("Within this many minutes"), example="15"),
            Variable("settings_url", _("Link to the online booking settings"), example="https://…"),
        ),
        email_subject=_("{{ salon_name }}: many wrong booking codes for {{ target }}"),
        email_body=_(
            "Hello,\n\n"
            "{{ failures }} wrong online booking codes were tried for {{ target }} within "
            "{{ minutes }} minutes. Someone may be guessing the code. Guessing is slowed down "
            "and visitors with the right code can still book; if the code may have leaked, "
            "change it: {{ settings_url }}\n\n"
            "SalonBook"
        ),
        sms_body=_(
            "{{ salon_name }}: {{ failures }} wrong booking codes tried for {{ target }}. "
            "Change the code if it leaked: {{ settings_url }}"
        ),
    )
)
