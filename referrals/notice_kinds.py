"""The thank-you to a client whose referral brought the salon a new client (reference 004:
"the existing client also gets an automatic thank-you text"). A marketing notice (invariant 7):
only for referrers who opted in, and only by SMS, when the salon's referral settings say so.
Its SMS text is what the owner edits on the referral settings page."""

from django.utils.translation import gettext_lazy as _

from notices.registry import NoticeKind, Variable, register

THANK_YOU = register(
    NoticeKind(
        key="referral_thank_you",
        label=_("Referral thank-you"),
        marketing=True,
        description=_(
            "Sent by SMS to a client when their referral bonus is credited (if the referral "
            "settings say so and the client agreed to marketing messages)."
        ),
        variables=(
            Variable("client.first_name", _("First name of the referring client"), example="Anna"),
            Variable("client.last_name", _("Last name of the referring client"), example="Tamm"),
            Variable("new_client.first_name", _("First name of the new client"), example="Kati"),
            Variable("points", _("Bonus points credited"), example="100"),
            Variable("balance", _("The referring client's balance after it"), example="420"),
        ),
        email_subject=_("Thank you for recommending {{ salon_name }}"),
        email_body=_(
            "Hi {{ client.first_name }},\n\n"
            "thank you for recommending us to {{ new_client.first_name }}! We added "
            "{{ points }} bonus points to your balance, which is now {{ balance }} points.\n\n"
            "{{ salon_name }}"
        ),
        sms_body=_(
            "Hi {{ client.first_name }}, thank you for recommending {{ salon_name }} to "
            "{{ new_client.first_name }}! {{ points }} bonus points were added; your balance "
            "is {{ balance }} points."
        ),
    )
)
