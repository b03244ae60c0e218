from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse

from salonbook.net import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return reverse("home")

    def get_client_ip(self, request: HttpRequest) -> str:
        """The one client address of the project (TRUSTED_PROXY_HEADER; salonbook/net.py)."""
        return client_ip(request)
