"""Reads of the notices module. Every function takes the salon."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import translation

from bookings.models import Salon
from notices.models import Notice, NoticeTemplate
from notices.registry import Channel, NoticeKind, kind_list


@dataclass(frozen=True)
class NoticeContent:
    """The text a salon uses for a kind on a channel: its own, or the registry default."""

    kind: NoticeKind
    channel: str
    subject: str
    body: str
    is_custom: bool
    template: NoticeTemplate | None = None


@dataclass(frozen=True)
class KindOverview:
    kind: NoticeKind
    contents: list[NoticeContent]


def notice_template_get(
    *, salon: Salon, kind: str, channel: str, language: str | None = None
) -> NoticeTemplate | None:
    """The salon's own text in `language` (default: the salon's default language)."""
    return (
        NoticeTemplate.objects.for_salon(salon)
        .filter(kind=kind, channel=channel, language=language or salon.default_language)
        .first()
    )


def notice_template_list(*, salon: Salon) -> QuerySet[NoticeTemplate]:
    return NoticeTemplate.objects.for_salon(salon)


def _content(
    *,
    salon: Salon,
    kind: NoticeKind,
    channel: str,
    template: NoticeTemplate | None,
    language: str | None = None,
) -> NoticeContent:
    if template is not None:
        return NoticeContent(kind, channel, template.subject, template.body, True, template)
    # Clients read their own language (else the salon's), whatever the owner's browser uses.
    with translation.override(language or salon.default_language):
        return NoticeContent(
            kind, channel, kind.default_subject(channel), kind.default_body(channel), False
        )


def notice_content_get(
    *, salon: Salon, kind: NoticeKind, channel: str, language: str | None = None
) -> NoticeContent:
    """The text of a notice in `language` (default: the salon's): the salon's own text in that
    language if the owner wrote one, else our default translated into it."""
    language = language or salon.default_language
    template = notice_template_get(salon=salon, kind=kind.key, channel=channel, language=language)
    return _content(salon=salon, kind=kind, channel=channel, template=template, language=language)


def notice_kind_overview(*, salon: Salon, language: str | None = None) -> list[KindOverview]:
    """Every registered kind with the salon's text per channel in `language` (default: the
    salon's default language; one query)."""
    language = language or salon.default_language
    templates = {
        (t.kind, t.channel): t for t in notice_template_list(salon=salon).filter(language=language)
    }
    return [
        KindOverview(
            kind=kind,
            contents=[
                _content(
                    salon=salon,
                    kind=kind,
                    channel=channel,
                    template=templates.get((kind.key, channel)),
                    language=language,
                )
                for channel in Channel.values
            ],
        )
        for kind in kind_list()
    ]


def notice_list(*, salon: Salon, status: str | None = None) -> QuerySet[Notice]:
    qs = Notice.objects.for_salon(salon).select_related("client")
    return qs.filter(status=status) if status else qs
