"""Placeholder: filled in by the loyalty app."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
