"""The packages pages of the public booking site (/s/<salon_slug>/…).

- `packages/` — the packages the salon sells online, colour-coded by kind, each with its price,
  what it gives, its validity and the services it covers. A logged-in visitor buys one with
  the ways to pay offered for it (`purchase_methods`): "Pay online by card" while the salon
  takes payments online (the package becomes active when the payment arrives), and "Pay at
  the salon" (the package waits for payment until the salon marks it paid). A visitor who is
  not logged in gets a log-in link.
- `packages/<type_id>/buy/` — POST: `client_package_buy`, or `client_package_buy_online` and a
  303 to the order's pay page; any refusal (not sold online any more, already waiting for
  payment, online payments switched off meanwhile) comes back as a message, never a 500, and
  nothing is written. A GET goes to the packages page.
- `my-packages/` — the logged-in client's packages: state, what is left, expiry, and the
  bookings each one paid (and gave back).

The views are thin: reads come from `packages.selectors`, writes are the services.
"""

from __future__ import annotations

import zoneinfo
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bookings.checkout import PayAtSalon
from bookings.models import Salon
from bookings.public.selectors import client_of_user
from bookings.public.views import PublicView
from bookings.selectors import tenant_get
from packages import selectors
from packages.models import PackageType
from packages.rows import client_package_row, kind_class, validity_text
from packages.services.holdings import client_for_purchase, client_package_buy
from packages.services.online import (
    client_package_buy_online,
    online_payments_available,
    package_open_order,
)

# The ways to pay for a package bought online; the keys are the checkout's.
PURCHASE_METHODS = {PayAtSalon.key: PayAtSalon.label}
ONLINE_METHOD = "online_card"
ONLINE_METHOD_LABEL = gettext_lazy("Pay online by card")


def see_other(url: str) -> HttpResponse:
    """303: the browser follows with a GET (to the payment page)."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def purchase_methods(salon: Salon) -> dict[str, Any]:
    """The ways to pay for a package now, in page order (the first is chosen by default)."""
    methods: dict[str, Any] = {}
    if online_payments_available(salon):
        methods[ONLINE_METHOD] = ONLINE_METHOD_LABEL
    methods.update(PURCHASE_METHODS)
    return methods


MY_PACKAGES_SHOWN = 50
ENTRIES_SHOWN = 25


class PackagesPublicView(PublicView):
    def packages_url(self, name: str, **kwargs: Any) -> str:
        return reverse(f"packages_public:{name}", kwargs={"salon_slug": self.salon.slug, **kwargs})

    def login_url(self) -> str:
        return f"{reverse('account_login')}?{urlencode({'next': self.request.get_full_path()})}"


class PackageListView(PackagesPublicView):
    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        offers = [
            {
                "type": package_type,
                "kind_class": kind_class(package_type.kind),
                "validity": validity_text(package_type.validity_count, package_type.validity_unit),
                "buy_url": self.packages_url("buy", type_id=package_type.pk),
            }
            for package_type in selectors.package_types_offered_online(salon=self.salon)
        ]
        methods = purchase_methods(self.salon)
        return self.render(
            "packages/public/packages.html",
            {
                "offers": offers,
                "methods": list(methods.items()),
                "online": ONLINE_METHOD in methods,
                "login_url": self.login_url(),
                "mine_url": self.packages_url("mine"),
            },
        )


class PackageBuyView(PackagesPublicView):
    login_required = True

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return redirect(self.packages_url("packages"))

    def post(self, request: HttpRequest, salon_slug: str, type_id: int) -> HttpResponse:
        package_type = tenant_get(PackageType, salon=self.salon, pk=type_id)
        back = self.packages_url("packages")
        method = request.POST.get("payment_method")
        if method not in purchase_methods(self.salon):
            messages.error(request, _("Choose how you would like to pay."))
            return redirect(back)
        try:
            client = client_for_purchase(salon=self.salon, user=request.user)
            if method == ONLINE_METHOD:
                bought = client_package_buy_online(
                    salon=self.salon, client=client, package_type=package_type, actor=request.user
                )
                return see_other(bought.payment_url)
            held = client_package_buy(
                salon=self.salon, client=client, package_type=package_type, actor=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(back)
        messages.success(
            request,
            _(
                "You bought “%(name)s”. Pay %(price)s %(currency)s at the salon: the package "
                "is yours to use once the salon has your payment."
            )
            % {"name": held.name, "price": held.price, "currency": held.currency},
        )
        return redirect(self.packages_url("mine"))


class MyPackagesView(PackagesPublicView):
    login_required = True

    def pay_url(self, held: Any) -> str:
        """The pay page of a package's payment still open online ("" when paid at the salon)."""
        from payments.services.orders import order_pay_path

        order = package_open_order(salon=self.salon, client_package=held)
        return order_pay_path(order) if order is not None else ""

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        client = client_of_user(salon=self.salon, user=request.user)
        rows: list[dict[str, Any]] = []
        if client is not None:
            held = list(
                selectors.client_package_list(salon=self.salon, client=client)[:MY_PACKAGES_SHOWN]
            )
            entries = selectors.entries_for_packages(
                salon=self.salon, packages=held, limit=ENTRIES_SHOWN
            )
            today = timezone.localdate(timezone.now(), zoneinfo.ZoneInfo(self.salon.time_zone))
            rows = [client_package_row(p, entries=entries[p.pk], today=today) for p in held]
            for row in rows:
                if row["state"] == "pending":
                    row["pay_url"] = self.pay_url(row["held"])
        return self.render(
            "packages/public/mine.html",
            {
                "client": client,
                "rows": rows,
                "packages_url": self.packages_url("packages"),
                "book_url": reverse("public:home", kwargs={"salon_slug": self.salon.slug}),
            },
        )
