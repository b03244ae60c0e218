"""The account's own pages under /accounts/ (beside allauth's)."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("tokens/", views.api_tokens, name="account_api_tokens"),
]
