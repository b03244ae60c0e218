"""Telling clients about their points (marketing notices: only clients who opted in)."""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.functional import lazy

from loyalty.models import PointsAccount, PointsEntry
from loyalty.notice_kinds import POINTS_ADJUSTED, POINTS_CREDITED
from loyalty.selectors import points_entry_description
from notices.services import notice_send_to_client


def _description(group: list[PointsEntry]) -> str:
    return "; ".join(points_entry_description(e) for e in group)[:1000]


# Evaluated when the notice is rendered, under the recipient's language.
_lazy_description = lazy(_description, str)

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
    """Send the notices of these ledger rows; returns how many went out. Points a client
    earned for several visits at once (one sweep batch) make one notice with their sum. Each
    notice is keyed by its first row, so a retried task sends nothing twice. The worker gets
    ids from our own queue; each row carries its salon."""
    entries = list(
        PointsEntry.objects.filter(pk__in=entry_ids[:5000], kind__in=list(_KIND_OF_ENTRY))
        .select_related("salon", "client", "appointment__service", "appointment__location")
        .order_by("pk")
    )
    groups: dict[tuple[str, int], list[PointsEntry]] = {}
    for entry in entries:
        if not entry.client.marketing_consent:
            continue
        # Manual rows each tell their own story; earned rows of one client go together.
        key = (entry.kind, entry.client_id if entry.kind == PointsEntry.Kind.EARNED else entry.pk)
        groups.setdefault(key, []).append(entry)
    sent = 0
    for group in groups.values():
        first = group[0]
        client = first.client
        account = PointsAccount.objects.for_salon(first.salon_id).filter(client=client).first()
        total = sum(e.points for e in group)
        # Written when the notice is rendered, in the recipient's language.
        description = _lazy_description(group)
        notice = notice_send_to_client(
            client=client,
            kind=_KIND_OF_ENTRY[first.kind],
            context={
                "points": f"{total:+d}" if first.kind == PointsEntry.Kind.MANUAL else str(total),
                "balance": str(account.balance if account else 0),
                "description": description,
                "loyalty_url": _loyalty_url(first.salon.slug),
            },
            dedupe_key=f"points:{first.pk}",
        )
        sent += notice is not None
    return sent
