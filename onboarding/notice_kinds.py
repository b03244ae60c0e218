"""The staff invitation e-mail: transactional (the owner asked for it, the person needs the
link). Its text can be edited per salon like every notice."""

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
