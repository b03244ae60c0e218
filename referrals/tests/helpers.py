"""Small helpers shared by the referral tests."""

from __future__ import annotations

from loyalty.models import PointsEntry
from notices.models import Notice
from referrals.models import Referral, ReferralCode, ReferralSettings


def written(*, codes: bool = True) -> tuple[int, ...]:
    """Rows a refused write must not have added: referrals, ledger rows, notices, settings and
    (unless `codes` is off: a page showing the client page makes their code) codes."""
    counts = (
        Referral.objects.count(),
        PointsEntry.objects.count(),
        Notice.objects.count(),
        ReferralSettings.objects.count(),
    )
    return (*counts, ReferralCode.objects.count()) if codes else counts


def referral_entries(client) -> list[int]:
    return list(
        PointsEntry.objects.filter(client=client, kind=PointsEntry.Kind.REFERRAL)
        .order_by("pk")
        .values_list("points", flat=True)
    )
