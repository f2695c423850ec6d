from django.contrib import admin, messages

from smartcity.opendata import services
from smartcity.opendata.models import ApiKey, DatabaseEntry, Dataset, Group, Organization, Resource, Tag


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["title", "name", "agency"]
    search_fields = ["title", "name"]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["title", "name"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class ResourceInline(admin.TabularInline):
    model = Resource
    fields = ["name", "kind", "source", "format", "row_count", "refreshed_at"]
    readonly_fields = ["row_count", "refreshed_at"]
    extra = 0


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["title", "name", "organization", "frequency", "private", "modified_at"]
    list_filter = ["organization", "groups", "frequency", "private"]
    search_fields = ["title", "name"]
    filter_horizontal = ["groups", "tags"]
    inlines = [ResourceInline]


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["name", "dataset", "kind", "source", "format", "row_count", "refreshed_at"]
    list_filter = ["kind", "format"]
    actions = ["refresh"]

    @admin.action(description="Làm mới bảng dữ liệu sống")
    def refresh(self, request, queryset):
        for resource in queryset.filter(kind=Resource.Kind.LIVE):
            services.refresh_resource(resource=resource)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "owner", "daily_quota", "revoked_at", "created_at"]
    readonly_fields = ["prefix"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        issued, key = services.issue_api_key(name=obj.name, owner=obj.owner, daily_quota=obj.daily_quota)
        obj.pk, obj.prefix, obj.digest = issued.pk, issued.prefix, issued.digest
        # Shown once: only its SHA-256 is kept.
        messages.warning(request, f"Khóa API (chỉ hiện một lần, hãy sao chép ngay): {key}")


@admin.register(DatabaseEntry)
class DatabaseEntryAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "sharing", "updated_at"]
    list_filter = ["sharing"]
    search_fields = ["name", "slug"]
    filter_horizontal = ["datasets"]
