from django.contrib import admin

from smartcity.places.models import Unit


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
