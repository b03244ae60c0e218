"""Platform operators can look at notices (read-only) and put failed ones back in the queue."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notices import services
from notices.models import Notice, NoticeTemplate


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("created_at", "salon", "kind", "channel", "recipient", "status", "attempts")
    list_filter = ("status", "channel", "kind")
    search_fields = ("recipient", "dedupe_key", "salon__slug")
    list_select_related = ("salon",)
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    actions = ["retry_failed"]
    readonly_fields = [field.name for field in Notice._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Retry the selected failed notices"), permissions=["view"])
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[Notice]) -> None:
        retried = 0
        for notice in queryset.filter(status=Notice.Status.FAILED).select_related("salon"):
            try:
                services.notice_retry(salon=notice.salon, notice=notice)
            except ValidationError:
                continue  # no longer failed
            retried += 1
        self.message_user(
            request,
            ngettext("%(count)d notice queued again.", "%(count)d notices queued again.", retried)
            % {"count": retried},
            messages.SUCCESS,
        )


@admin.register(NoticeTemplate)
class NoticeTemplateAdmin(admin.ModelAdmin):
    list_display = ("salon", "kind", "channel", "updated_at")
    list_filter = ("channel", "kind")
    search_fields = ("salon__slug", "kind")
    list_select_related = ("salon",)
    readonly_fields = [field.name for field in NoticeTemplate._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
