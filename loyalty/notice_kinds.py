"""The notices of the loyalty system. The two points notices are marketing (invariant 7: only
clients who opted in get them, as in the reference); the gift card e-mail is transactional —
the client asked for the card and needs its code."""

from django.utils.translation import gettext_lazy as _

from notices.registry import NoticeKind, Variable, register

_POINTS_VARIABLES = (
    Variable("client.first_name", _("Client's first name"), example="Anna"),
    Variable("client.last_name", _("Client's last name"), example="Tamm"),
    Variable("points", _("Points added (or taken, with a minus)"), example="50"),
    Variable("balance", _("The client's balance after the change"), example="320"),
    Variable("description", _("What the points are for"), example="Haircut on 30.11.2026"),
    Variable(
        "loyalty_url", _("Link to the client's points on the booking site"), example="https://…"
    ),
)

POINTS_CREDITED = register(
    NoticeKind(
        key="loyalty_points_credited",
        label=_("Loyalty points credited"),
        marketing=True,
        description=_("Sent when points for a visit are added automatically after the visit."),
        variables=_POINTS_VARIABLES,
        email_subject=_("You earned {{ points }} points at {{ salon_name }}"),
        email_body=_(
            "Hi {{ client.first_name }},\n\n"
            "thank you for your visit! {{ points }} points were added to your balance "
            "({{ description }}).\n\n"
            "Your balance is now {{ balance }} points. See your points and gift cards: "
            "{{ loyalty_url }}\n\n"
            "{{ salon_name }}"
        ),
        sms_body=_(
            "{{ salon_name }}: +{{ points }} points for your visit. "
            "Balance: {{ balance }} points. {{ loyalty_url }}"
        ),
    )
)

POINTS_ADJUSTED = register(
    NoticeKind(
        key="loyalty_points_adjusted",
        label=_("Loyalty balance changed by the salon"),
        marketing=True,
        description=_("Sent when the salon adds or takes points by hand."),
        variables=_POINTS_VARIABLES,
        email_subject=_("Your points balance at {{ salon_name }} changed"),
        email_body=_(
            "Hi {{ client.first_name }},\n\n"
            "{{ salon_name }} changed your points balance by {{ points }}: {{ description }}\n\n"
            "Your balance is now {{ balance }} points. {{ loyalty_url }}\n\n"
            "{{ salon_name }}"
        ),
        sms_body=_(
            "{{ salon_name }}: your points changed by {{ points }} ({{ description }}). "
            "Balance: {{ balance }} points."
        ),
    )
)

GIFT_CARD_ISSUED = register(
    NoticeKind(
        key="loyalty_gift_card_issued",
        label=_("Gift card"),
        marketing=False,
        description=_("Sent to the client with the code of a gift card they received."),
        variables=(
            Variable("client.first_name", _("Client's first name"), example="Anna"),
            Variable("gift_card", _("Name of the gift card"), example="Gift card 20 EUR"),
            Variable("code", _("The gift card's code"), example="K7QM-3XTR-9HWA-P2ND"),
            Variable("value", _("Value with currency"), example="20.00 EUR"),
            Variable("valid_until", _("Last day it can be used"), example="30.11.2027"),
            Variable("booking_url", _("Link to the booking site"), example="https://…"),
        ),
        email_subject=_("Your gift card from {{ salon_name }}: {{ code }}"),
        email_body=_(
            "Hi {{ client.first_name }},\n\n"
            'here is your gift card "{{ gift_card }}" worth {{ value }}.\n\n'
            "Code: {{ code }}\n"
            "Valid until: {{ valid_until }}\n\n"
            "Enter the code at the last step of a booking ({{ booking_url }}), or give it to "
            "someone: whoever has the code can use it.\n\n"
            "{{ salon_name }}"
        ),
        sms_body=_(
            "{{ salon_name }}: your gift card {{ gift_card }} ({{ value }}), code {{ code }}, "
            "valid until {{ valid_until }}."
        ),
    )
)
