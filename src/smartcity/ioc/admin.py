"""Back office of the operations centre: its administrators edit layers, KPI tiles, incident types and their
procedures; incidents and events are read here (they change only through the centre's services)."""

from __future__ import annotations

from django.contrib import admin

from smartcity.ioc.models import (
    Event,
    Incident,
    IncidentStep,
    IncidentType,
    Layer,
    ProcedureStep,
    Tile,
    TimelineEntry,
)


@admin.register(Layer)
class LayerAdmin(admin.ModelAdmin):
    list_display = ("label", "key", "is_enabled", "position")
    list_editable = ("is_enabled", "position")
    readonly_fields = ("key",)

    def has_add_permission(self, request) -> bool:  # layers come from providers: only these keys draw anything
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Tile)
class TileAdmin(admin.ModelAdmin):
    list_display = ("label", "key", "is_enabled", "position", "warn_at")
    list_editable = ("is_enabled", "position", "warn_at")
    readonly_fields = ("key",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ProcedureStepInline(admin.TabularInline):
    model = ProcedureStep
    extra = 1
    autocomplete_fields = ("agency",)


@admin.register(IncidentType)
class IncidentTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "is_active")
    inlines = [ProcedureStepInline]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class IncidentStepInline(admin.TabularInline):
    model = IncidentStep
    extra = 0
    can_delete = False
    readonly_fields = ("position", "title", "agency", "due_at", "done_at", "done_by", "note")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class TimelineInline(admin.TabularInline):
    model = TimelineEntry
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor_label", "text")
    exclude = ("actor",)

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Incident)
class IncidentAdmin(ReadOnly):
    list_display = ("title", "incident_type", "source", "state", "opened_at")
    list_filter = ("state", "source", "incident_type")
    inlines = [IncidentStepInline, TimelineInline]


@admin.register(Event)
class EventAdmin(ReadOnly):
    list_display = ("occurred_at", "kind", "severity", "title")
    list_filter = ("kind", "severity")
    search_fields = ("title",)
