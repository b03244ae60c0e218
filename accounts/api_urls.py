"""`/api/v1/auth/…`: API tokens of the calling account (accounts/api.py)."""

from django.urls import path

from accounts import api

urlpatterns = [
    path("token/", api.TokenObtainApi.as_view(), name="api-token"),
    path("logout/", api.TokenLogoutApi.as_view(), name="api-logout"),
    path("tokens/", api.TokenListApi.as_view(), name="api-token-list"),
    path("tokens/revoke-all/", api.TokenRevokeAllApi.as_view(), name="api-token-revoke-all"),
    path("tokens/<int:token_id>/", api.TokenDetailApi.as_view(), name="api-token-detail"),
]
