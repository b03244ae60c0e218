"""The loyalty pages of the public booking site (/s/<salon_slug>/…).

- `loyalty/` — the loyalty tab: a logged-in client's balance, points history (paginated) and
  gift cards; a visitor who is not logged in reads what the programme is and gets a log-in link.
- `gift-cards/` — the gift card types sold online for money (while the salon takes payments
  online: "Buy" for a logged-in client) and the types offered for points, each with "Choose
  with points" for a logged-in client (active once the balance reaches the price). With the
  loyalty system off, the page shows only the cards on sale (404 when there are none).
- `gift-cards/<type_id>/buy/` — POST: `gift_card_buy_online`, then a 303 to the order's pay
  page; the card is issued when the payment arrives. A refusal (not sold online, online
  payments switched off meanwhile) comes back as a message; another salon's type is a 404.
- `gift-cards/<type_id>/redeem/` — POST: spend the points through
  `gift_card_buy_with_points`; any refusal (not enough points, also when a concurrent
  redemption took them, a type not for points, loyalty switched off meanwhile) comes back as a
  message, never a 500, and nothing is written.

Every other page answers 404 while the salon's loyalty system is off. The views are thin:
reads come from `loyalty.selectors`, the writes are the services.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bookings.models import Client
from bookings.public.selectors import client_of_user
from bookings.public.views import PublicView
from bookings.selectors import tenant_get
from loyalty.codes import code_display
from loyalty.models import GiftCardType
from loyalty.selectors import (
    gift_card_list,
    gift_card_types_for_client,
    gift_card_types_sold_online,
    loyalty_is_enabled,
    loyalty_program_get,
    points_balance,
    points_history,
    points_history_rows,
    service_points_public,
)
from loyalty.services.gift_cards import (
    client_for_buyer,
    gift_card_buy_online,
    gift_card_buy_with_points,
    gift_card_valid_until,
)
from notices.services import client_notice_channel

HISTORY_PAGE_SIZE = 25


def _delay_text(minutes: int) -> str:
    """When points appear after a visit, in words."""
    if minutes <= 0:
        return _("Points are credited right after your visit.")
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext(
            "Points are credited automatically %(count)d hour after your visit.",
            "Points are credited automatically %(count)d hours after your visit.",
            hours,
        ) % {"count": hours}
    return ngettext(
        "Points are credited automatically %(count)d minute after your visit.",
        "Points are credited automatically %(count)d minutes after your visit.",
        minutes,
    ) % {"count": minutes}


class LoyaltyPublicView(PublicView):
    """A loyalty page: 404 while the salon's loyalty system is off; `client` is the logged-in
    person's client record in this salon (None: not logged in, or never a client here)."""

    client: Client | None = None

    def loyalty_required(self) -> None:
        if not loyalty_is_enabled(salon=self.salon):
            raise Http404("The loyalty system of this salon is switched off.")
        self.client = client_of_user(salon=self.salon, user=self.request.user)

    def loyalty_url(self, name: str, **kwargs: Any) -> str:
        return reverse(f"loyalty_public:{name}", kwargs={"salon_slug": self.salon.slug, **kwargs})

    def login_url(self) -> str:
        return f"{reverse('account_login')}?{urlencode({'next': self.request.get_full_path()})}"

    def programme_context(self) -> dict[str, Any]:
        """What the programme is: points per service, when they come, what they buy."""
        program = loyalty_program_get(salon=self.salon)
        return {
            "earning": list(service_points_public(salon=self.salon)),
            "delay_text": _delay_text(program.award_delay_minutes),
            "gift_cards_url": self.loyalty_url("gift_cards"),
            "login_url": self.login_url(),
        }

    def gift_card_rows(self) -> list[dict[str, Any]]:
        if self.client is None:
            return []
        now = timezone.now()
        return [
            {
                "card": card,
                "code": code_display(card.code),
                "valid_until": gift_card_valid_until(card),
                "expired": card.is_expired(now),
                "used_up": card.balance <= 0,
            }
            for card in gift_card_list(salon=self.salon, client=self.client)
        ]


class LoyaltyView(LoyaltyPublicView):
    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.loyalty_required()
        context: dict[str, Any] = {"client": self.client, **self.programme_context()}
        if self.client is not None:
            paginator = Paginator(
                points_history(salon=self.salon, client=self.client), HISTORY_PAGE_SIZE
            )
            page_obj = paginator.get_page(request.GET.get("page"))
            context.update(
                balance=points_balance(salon=self.salon, client=self.client),
                page_obj=page_obj,
                history=points_history_rows(page_obj.object_list),
                gift_cards=self.gift_card_rows(),
            )
        return self.render("loyalty/public/loyalty.html", context)


class GiftCardsView(LoyaltyPublicView):
    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        loyalty_on = loyalty_is_enabled(salon=self.salon)
        on_sale = list(gift_card_types_sold_online(salon=self.salon))
        if not loyalty_on and not on_sale:
            raise Http404("This salon offers no gift cards on its site.")
        self.client = client_of_user(salon=self.salon, user=self.request.user)
        context: dict[str, Any] = {
            "client": self.client,
            "loyalty_on": loyalty_on,
            "for_sale": [
                {
                    "type": card_type,
                    "buy_url": self.loyalty_url("gift_card_buy", type_id=card_type.pk),
                }
                for card_type in on_sale
            ],
            "gift_cards": self.gift_card_rows(),
            "login_url": self.login_url(),
        }
        if loyalty_on:
            balance = (
                points_balance(salon=self.salon, client=self.client)
                if self.client is not None
                else 0
            )
            context["offers"] = [
                {
                    "type": card_type,
                    "can_choose": can_choose,
                    "missing": max(int(card_type.points_price or 0) - balance, 0),
                    "redeem_url": self.loyalty_url("gift_card_redeem", type_id=card_type.pk),
                }
                for card_type, can_choose in gift_card_types_for_client(
                    salon=self.salon, client=self.client
                )
            ]
            context.update(
                balance=balance, loyalty_url=self.loyalty_url("loyalty"), **self.programme_context()
            )
        return self.render("loyalty/public/gift_cards.html", context)


class GiftCardBuyView(LoyaltyPublicView):
    """POST: buy a gift card for money, paid by card. A GET goes to the gift card page."""

    login_required = True

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return redirect(self.loyalty_url("gift_cards"))

    def post(self, request: HttpRequest, salon_slug: str, type_id: int) -> HttpResponse:
        card_type = tenant_get(GiftCardType, salon=self.salon, pk=type_id)
        try:
            client = client_for_buyer(salon=self.salon, user=request.user)
            bought = gift_card_buy_online(
                salon=self.salon, client=client, card_type=card_type, actor=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            if not gift_card_types_sold_online(salon=self.salon).exists() and not (
                loyalty_is_enabled(salon=self.salon)
            ):
                return redirect(reverse("public:home", kwargs={"salon_slug": self.salon.slug}))
            return redirect(self.loyalty_url("gift_cards"))
        response = HttpResponseRedirect(bought.payment_url)
        response.status_code = 303
        return response


class GiftCardRedeemView(LoyaltyPublicView):
    """POST: "Choose with points". A GET (e.g. after logging in) goes to the gift card page."""

    login_required = True

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.loyalty_required()
        return redirect(self.loyalty_url("gift_cards"))

    def post(self, request: HttpRequest, salon_slug: str, type_id: int) -> HttpResponse:
        self.loyalty_required()
        card_type = tenant_get(GiftCardType, salon=self.salon, pk=type_id)
        back = self.loyalty_url("gift_cards")
        if self.client is None:
            messages.error(
                request,
                _(
                    "You have no points at %(salon)s yet. Points are collected with visits "
                    "booked here while you are logged in."
                )
                % {"salon": self.salon.name},
            )
            return redirect(back)
        try:
            card = gift_card_buy_with_points(
                salon=self.salon, client=self.client, card_type=card_type, actor=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            if not loyalty_is_enabled(salon=self.salon):  # switched off meanwhile
                return redirect(reverse("public:home", kwargs={"salon_slug": self.salon.slug}))
            return redirect(back)
        messages.success(request, self.success_message(card.name))
        return redirect(self.loyalty_url("loyalty") + "#your-gift-cards")

    def success_message(self, name: str) -> str:
        assert self.client is not None
        text = _("You chose the gift card “%(name)s” with your points.") % {"name": name}
        channel = client_notice_channel(self.client)
        if channel == Client.Channel.EMAIL:
            sent = _("We have e-mailed its code to %(email)s.") % {"email": self.client.email}
        elif channel == Client.Channel.SMS:
            sent = _("We have sent its code to you by text message.")
        else:
            sent = ""
        listed = _("You also find it below under “Your gift cards”.")
        return " ".join(part for part in (text, sent, listed) if part)
