"""QA of issue 17: an unpaid gift card order lapses like a package's (the sweep cancels it,
no card is issued), a card type switched off before payment issues nothing new to buy, and
another salon's or a garbage type id is a 404 — never a 500."""

from __future__ import annotations

import datetime as dt

import pytest

from loyalty.models import GiftCard
from payments.models import Order
from payments.services.orders import orders_expire_pending

from .test_online_purchase import buy_url, buyer, online, sale_type  # noqa: F401 - fixtures


def test_an_unpaid_gift_card_order_lapses(online, buyer):  # noqa: F811
    fifty = sale_type(online)
    assert buyer["http"].post(buy_url(fifty)).status_code == 303
    order = Order.objects.get()
    assert order.expires_at is not None
    assert orders_expire_pending(order.expires_at + dt.timedelta(seconds=1)) == 1
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert not GiftCard.objects.exists()


@pytest.mark.parametrize("type_id", ["0", "999999", "-1"])
def test_garbage_type_ids_are_404(online, buyer, type_id):  # noqa: F811
    response = buyer["http"].post(f"/s/alpha/gift-cards/{type_id}/buy/")
    assert response.status_code == 404
    assert not Order.objects.exists()


def test_switched_off_type_is_refused_and_the_open_page_still_works(online, buyer):  # noqa: F811
    fifty = sale_type(online)
    fifty.sold_online = False
    fifty.save(update_fields=["sold_online"])
    response = buyer["http"].post(buy_url(fifty), follow=True)
    assert response.status_code == 200
    assert not Order.objects.exists()
