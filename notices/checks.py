"""`manage.py check` validates every registered kind's default texts against its variables."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from notices.registry import kind_default_errors, kind_list


@register()
def check_notice_kinds(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    return [
        Error(message, id="notices.E001")
        for kind in kind_list()
        for message in kind_default_errors(kind)
    ]
