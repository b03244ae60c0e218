"""The referral pages of the public booking site (/s/<salon_slug>/…).

- `referral/` — a logged-in client's personal referral link and code, with a copy button
  (static/js/copy.js; no inline script), what the bonus is, and who they brought. 404 while the
  salon's loyalty system is off (the bonus is loyalty points).
- `r/<code>/` — the link a client shares: it remembers the code for the visitor's next booking
  at this salon (bookings.public.extensions.booking_extra_remember) and goes to the salon's
  booking home. The booking then records the referral (referrals/handlers.py). An unknown code
  (or another salon's) is not remembered; the visitor is told and can book all the same.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from bookings.public.extensions import booking_extra_remember
from bookings.public.selectors import client_of_user
from bookings.public.views import PublicView
from loyalty.selectors import loyalty_is_enabled
from referrals.handlers import REFERRAL_CODE_EXTRA
from referrals.models import ReferralSettings
from referrals.selectors import (
    referral_code_find,
    referral_link,
    referral_settings_get,
    referrals_made_by,
)
from referrals.services.codes import referral_code_get_or_create

REFERRALS_SHOWN = 50


class ReferralAccountView(PublicView):
    login_required = True

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if not loyalty_is_enabled(salon=self.salon):
            raise Http404("The loyalty system of this salon is switched off.")
        program = referral_settings_get(salon=self.salon)
        context: dict[str, Any] = {
            "points": program.points,
            "after_first_visit": program.award_on == ReferralSettings.AwardOn.FIRST_VISIT,
        }
        client = client_of_user(salon=self.salon, user=request.user)
        if client is not None:
            code = referral_code_get_or_create(salon=self.salon, client=client)
            referrals = list(referrals_made_by(salon=self.salon, referrer=client)[:REFERRALS_SHOWN])
            context.update(
                client=client,
                code=code.code,
                link=referral_link(salon=self.salon, code=code.code),
                referrals=referrals,
            )
        return self.render("referrals/public/referral.html", context)


class ReferralLandingView(PublicView):
    def get(self, request: HttpRequest, code: str, **kwargs: Any) -> HttpResponse:
        row = referral_code_find(salon=self.salon, code=code)
        if row is None:
            messages.warning(
                request,
                _("This invitation link is not valid here. You can book all the same."),
            )
        elif client_of_user(salon=self.salon, user=request.user) == row.client:
            messages.info(request, _("This is your own invitation link: share it with friends."))
        else:
            booking_extra_remember(
                request, salon=self.salon, name=REFERRAL_CODE_EXTRA, value=row.code
            )
            messages.success(
                request,
                _("%(name)s invited you to %(salon)s. Welcome! Book your first visit.")
                % {"name": row.client.first_name, "salon": self.salon.name},
            )
        return redirect("public:home", salon_slug=self.salon.slug)
