from django.contrib import admin

from smartcity.places.models import Boundary, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "structure", "parent", "valid_from", "valid_until"]
    list_filter = ["structure", "level", "province_code"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent"]

    def has_add_permission(self, request):  # reference data: loaded by `smartcity places load`
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Boundary)
class BoundaryAdmin(admin.ModelAdmin):
    list_display = ["unit", "positions", "source", "imported_at"]
    search_fields = ["unit__name", "unit__code"]
    readonly_fields = ["unit", "geometry", "positions", "source", "imported_at"]

    def has_add_permission(self, request):  # imported by `smartcity places import-boundaries`
        return False
