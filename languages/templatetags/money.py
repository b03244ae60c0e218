"""`{{ service.price|money:salon.currency }}` — money as the page's language writes it
(a template builtin: no `{% load %}` needed; `languages.formats.money`)."""

from __future__ import annotations

from typing import Any

from django import template

from languages.formats import money as format_money

register = template.Library()


@register.filter
def money(value: Any, currency: str) -> str:
    return format_money(value, currency)
