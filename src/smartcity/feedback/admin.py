"""Back office: the category tree (deadlines, competent level and body, Open311 attributes), reports (read-mostly:
writes go through the work screen's services), and Open311 API keys, issued with the key shown once."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest

from smartcity.feedback import services
from smartcity.feedback.models import ApiKey, Category, Event, Report


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "parent", "level", "agency", "deadline_days", "deadline_kind", "administrative",
                    "is_active")
    list_filter = ("level", "administrative", "is_active")
    search_fields = ("name", "code")


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    can_delete = False
    readonly_fields = ("at", "kind", "agency", "note")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("__str__", "category", "unit", "agency", "status", "received_at", "due_on", "hidden")
    list_filter = ("status", "category", "emergency", "hidden")
    readonly_fields = [f.name for f in Report._meta.fields if f.name != "hidden"]
    inlines = [EventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "created_at", "is_active")
    fields = ("name", "is_active")

    def save_model(self, request: HttpRequest, obj: ApiKey, form: object, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        key, secret = services.issue_api_key(name=obj.name, user=request.user)  # type: ignore[arg-type]
        obj.pk, obj.prefix, obj.digest, obj.created_at = key.pk, key.prefix, key.digest, key.created_at
        messages.warning(request, f"Khóa API (chỉ hiển thị một lần): {secret}")
