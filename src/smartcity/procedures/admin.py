from django.contrib import admin

from smartcity.procedures.models import Field, Procedure, ProcedureVersion


class VersionInline(admin.TabularInline):
    model = ProcedureVersion
    extra = 0
    fields = ["number", "effective_from", "effective_until", "processing_amount", "processing_unit"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):  # versions are published through services.publish_version
        return False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "field", "online_level", "is_active"]
    list_filter = ["online_level", "field", "is_active"]
    search_fields = ["name", "code", "search_text"]
    inlines = [VersionInline]
    exclude = ["search_text"]


admin.site.register(Field)
