"""Telling clients about their points (marketing notices: only clients who opted in)."""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from loyalty.models import PointsAccount, PointsEntry
from loyalty.notice_kinds import POINTS_ADJUSTED, POINTS_CREDITED
from loyalty.selectors import points_entry_description
from notices.services import notice_send_to_client

_KIND_OF_ENTRY = {
    PointsEntry.Kind.EARNED: POINTS_CREDITED.key,
    PointsEntry.Kind.MANUAL: POINTS_ADJUSTED.key,
}


def _loyalty_url(slug: str) -> str:
    try:
        return settings.SITE_URL + reverse("loyalty_public:loyalty", kwargs={"salon_slug": slug})
    except NoReverseMatch:
        return settings.SITE_URL + "/"


def points_notify(*, entry_ids: list[int]) -> int:
    """Send the notice of each ledger row (once: keyed by the row). Returns how many went out.
    The worker gets ids from our own queue; each row carries its salon."""
    entries = (
        PointsEntry.objects.filter(pk__in=entry_ids[:5000], kind__in=list(_KIND_OF_ENTRY))
        .select_related("salon", "client", "appointment__service", "appointment__location")
        .order_by("pk")
    )
    sent = 0
    for entry in entries:
        client = entry.client
        if not client.marketing_consent:
            continue
        account = PointsAccount.objects.for_salon(entry.salon_id).filter(client=client).first()
        with translation.override(entry.salon.default_language):
            description = points_entry_description(entry)
        notice = notice_send_to_client(
            client=client,
            kind=_KIND_OF_ENTRY[entry.kind],
            context={
                "points": f"{entry.points:+d}"
                if entry.kind == PointsEntry.Kind.MANUAL
                else str(entry.points),
                "balance": str(account.balance if account else 0),
                "description": description,
                "loyalty_url": _loyalty_url(entry.salon.slug),
            },
            dedupe_key=f"points:{entry.pk}",
        )
        sent += notice is not None
    return sent
