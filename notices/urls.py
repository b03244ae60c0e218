"""Dashboard pages of the notices module; included into the `dashboard` namespace."""

urlpatterns: list = []
