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


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    """The versions, to read: a version is published through ``services.publish_version`` and never edited (dossiers
    pin it), so the back office shows every field and changes none."""

    list_display = ["procedure", "number", "effective_from", "effective_until", "processing_amount",
                    "processing_unit"]
    list_filter = ["processing_unit"]
    search_fields = ["procedure__name", "procedure__code"]
    list_select_related = ["procedure"]
    date_hierarchy = "effective_from"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
