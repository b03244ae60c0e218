"""Helpers the loyalty tests share."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.apps import apps

from loyalty.models import GiftCardType


def loyalty_row_counts() -> dict[str, int]:
    """Rows of every loyalty table: compare before and after to prove nothing was written."""
    return {m.__name__: m.objects.count() for m in apps.get_app_config("loyalty").get_models()}


def card_type(salon: Any, **kwargs: Any) -> GiftCardType:
    """A gift card type worth 20.00 that costs 200 points (written directly)."""
    values: dict[str, Any] = {
        "name": "Voucher 20",
        "value": Decimal("20.00"),
        "validity_days": 365,
        "for_points": True,
        "points_price": 200,
    }
    values.update(kwargs)
    return GiftCardType.objects.create(salon=salon, **values)
