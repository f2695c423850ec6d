from django.contrib import admin

from smartcity.audit.models import Entry


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is written by services.record only."""

    list_display = ["seq", "at", "action", "subject_type", "subject_id", "actor_label", "actor_agency", "purpose"]
    list_filter = ["action", "subject_type"]
    search_fields = ["subject_id", "actor_label"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
