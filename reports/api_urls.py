"""Placeholder: filled in by the app."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
