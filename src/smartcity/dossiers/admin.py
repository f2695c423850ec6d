"""Back office for dossiers: look one up, read its history and files. Read-only: every change to a dossier goes
through ``services.apply_operation`` (the state machine, the audit entry, the applicant's notice), so the back office
shows and never edits; the officer's pages do the work."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from smartcity.dossiers.models import Dossier, DossierFile, Evaluation, Event
from smartcity.lib import formats


class _ReadOnly:
    """No adding, changing or deleting from the back office."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(_ReadOnly, admin.TabularInline):
    model = Event
    extra = 0
    fields = ["moment", "operation", "from_status", "to_status", "actor", "actor_agency", "step", "note"]
    readonly_fields = fields
    ordering = ["at", "id"]
    verbose_name = "bước trong lịch sử xử lý"
    verbose_name_plural = "lịch sử xử lý"

    @admin.display(description="thời điểm", ordering="at")
    def moment(self, obj: Event) -> str:
        return formats.moment(obj.at)


class FileInline(_ReadOnly, admin.TabularInline):
    model = DossierFile
    extra = 0
    fields = ["field", "original_name", "content_type", "size", "sha256", "uploaded"]
    readonly_fields = fields

    @admin.display(description="thời điểm tải lên", ordering="uploaded_at")
    def uploaded(self, obj: DossierFile) -> str:
        return formats.moment(obj.uploaded_at)


@admin.register(Dossier)
class DossierAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["code", "procedure", "applicant", "agency", "status", "submitted", "appointment"]
    list_filter = ["status", "channel"]
    search_fields = ["code"]  # a search by name or ID number is a look-up of personal data: the audited queue does it
    list_select_related = ["procedure", "applicant", "agency"]
    show_full_result_count = False  # millions of rows: no second COUNT(*)
    inlines = [EventInline, FileInline]
    exclude = ["tracking_secret", "data"]  # the secret is the applicant's; the form's answers are on the dossier page

    @admin.display(description="thời điểm nộp", ordering="submitted_at")
    def submitted(self, obj: Dossier) -> str:
        return formats.moment(obj.submitted_at)

    @admin.display(description="ngày hẹn trả", ordering="appointment_at")
    def appointment(self, obj: Dossier) -> str:
        return formats.moment(obj.appointment_at) or "—"


@admin.register(Evaluation)
class EvaluationAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["dossier", "total", "satisfaction", "rated"]
    list_filter = ["satisfaction"]
    search_fields = ["dossier__code"]
    list_select_related = ["dossier"]

    @admin.display(description="thời điểm đánh giá", ordering="at")
    def rated(self, obj: Evaluation) -> str:
        return formats.moment(obj.at)
