"""Two client records become one (`bookings.services.clients.clients_merge`, through the
`clients_merged` hook in bookings/client_events.py; subscribed in `PackagesConfig.ready()`).

The duplicate's held packages (with their ledgers, which hang off the package, not the client)
become the kept client's. One purchase waiting for payment per client and type
(`client_package_one_pending_per_type`): when both records wait to pay for the same package
type, the merge is refused with that reason — the owner settles or removes one first."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bookings.models import Client, Salon
from packages.models import ClientPackage


@transaction.atomic
def packages_move_to_client(*, salon: Salon, kept: Client, merged: Client) -> None:
    held = list(
        ClientPackage.objects.for_salon(salon)
        .select_for_update()
        .filter(client__in=[kept.pk, merged.pk])
        .order_by("pk")
    )
    pending_kept = {
        p.package_type_id
        for p in held
        if p.client_id == kept.pk and p.status == ClientPackage.Status.PENDING
    }
    clash = next(
        (
            p
            for p in held
            if p.client_id == merged.pk
            and p.status == ClientPackage.Status.PENDING
            and p.package_type_id in pending_kept
        ),
        None,
    )
    if clash is not None:
        raise ValidationError(
            {
                "merged": _(
                    "Both records wait to pay for the package %(name)s; mark one as paid or "
                    "remove it first."
                )
                % {"name": clash.name}
            }
        )
    ClientPackage.objects.for_salon(salon).filter(client=merged).update(client=kept)
