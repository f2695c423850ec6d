from django.contrib import admin

from smartcity.audit.models import Entry


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is written by services.record only, and only city administrators (superusers)
    read it here: it names who read whose data across every agency."""

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    list_display = ["seq", "at", "action", "subject_type", "subject_id", "actor_label", "actor_agency", "purpose"]
    list_filter = ["action", "subject_type"]
    search_fields = ["subject_id", "actor_label"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
