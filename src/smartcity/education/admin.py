from django.contrib import admin

from smartcity.education.models import Application, Quota, Round, School


class QuotaInline(admin.TabularInline):
    model = Quota
    extra = 0
    fields = ["school", "seats", "admitted", "cutoff", "differs"]
    readonly_fields = ["admitted", "cutoff", "differs"]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["name", "school_year", "grade", "kind", "status", "opens_at", "closes_at"]
    inlines = [QuotaInline]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit"]
    search_fields = ["code", "name"]
    filter_horizontal = ["serves", "staff"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read only: applications change through the family's form and the department's allocation."""

    list_display = ["code", "round", "status", "school"]
    list_filter = ["round", "status"]
    search_fields = ["code"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
