"""Two client records become one (`bookings.services.clients.clients_merge`, through the
`clients_merged` hook in bookings/client_events.py; subscribed in `ReferralsConfig.ready()`).

Under the salon's referral lock (the settings row, as every referral write):

- a referral between the two records (one recorded as referring the other) refuses the merge:
  the salon said they are two people, and nobody may refer themselves (`referral_not_self`);
- one referrer per referred client (`referral_one_active_per_client`): when both records have
  an active referrer, the kept client's stays and the duplicate's ends as any replaced
  referrer does (reversed with a ledger row when its points were credited, else cancelled);
- every other referral, given or received, moves to the kept client with its history;
- one referral code per client: the duplicate's code moves when the kept client has none,
  otherwise it is deleted with the duplicate (links with it stop working; the kept client's
  link stays)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from bookings.models import Client, Salon
from referrals.models import Referral, ReferralCode
from referrals.services.referrals import _end, _lock_salon


@transaction.atomic
def referrals_move_to_client(
    *, salon: Salon, kept: Client, merged: Client, actor: Any = None
) -> None:
    _lock_salon(salon)
    rows = Referral.objects.for_salon(salon)
    between = rows.filter(
        Q(referred=kept, referrer=merged) | Q(referred=merged, referrer=kept)
    ).exists()
    if between:
        raise ValidationError(
            {
                "merged": _(
                    "One of these clients is recorded as referred by the other: they are two "
                    "people. Clear “referred by” first if that was a mistake."
                )
            }
        )
    active = list(
        rows.select_for_update(of=("self",))
        .filter(referred__in=[kept.pk, merged.pk], status__in=Referral.ACTIVE_STATUSES)
        .select_related("referrer", "points_entry")
        .order_by("pk")
    )
    kept_active = any(r.referred_id == kept.pk for r in active)
    for referral in active:
        if referral.referred_id == merged.pk and kept_active:
            _end(salon=salon, referral=referral, actor=actor, reason=_("duplicate client merged"))
    rows.filter(referred=merged).update(referred=kept)
    rows.filter(referrer=merged).update(referrer=kept)

    codes = ReferralCode.objects.for_salon(salon)
    if not codes.filter(client=kept).exists():
        codes.filter(client=merged).update(client=kept)
