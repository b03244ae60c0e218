from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils.translation import gettext_lazy as _

from notices import sms
from notices.registry import NoticeKind, Variable, register, unregister


@pytest.fixture(autouse=True)
def _empty_sms_outbox() -> Iterator[None]:
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def reminder_kind() -> Iterator[NoticeKind]:
    """A transactional kind with dotted variables, as the bookings app would declare."""
    kind = register(
        NoticeKind(
            key="test_reminder",
            label=_("Reminder"),
            marketing=False,
            variables=(
                Variable("client.first_name", _("Client's first name"), example="Anna"),
                Variable("starts_at", _("When the visit starts"), example="1 March 10:00"),
            ),
            email_subject=_("See you at {{ salon_name }}"),
            email_body=_("Hi {{ client.first_name }}, see you on {{ starts_at }}."),
            sms_body=_("{{ salon_name }}: see you on {{ starts_at }}."),
        )
    )
    yield kind
    unregister(kind.key)


@pytest.fixture
def marketing_kind() -> Iterator[NoticeKind]:
    kind = register(
        NoticeKind(
            key="test_points",
            label=_("Points earned"),
            marketing=True,
            variables=(Variable("points", _("Points earned"), example="25"),),
            email_subject=_("You earned {{ points }} points"),
            email_body=_("You earned {{ points }} points at {{ salon_name }}."),
            sms_body=_("{{ salon_name }}: +{{ points }} points."),
        )
    )
    yield kind
    unregister(kind.key)
