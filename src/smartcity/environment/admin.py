"""Back office of environmental monitoring: stations (thresholds, ward, noise zone) and warning rules are the city's
configuration and are edited here; warnings (the history) and subscriptions (personal data) are read-only.
Registering a new station goes through ``smartcity environment register-demo`` or ``services.register_station``,
which check that the Thing measures what the kind needs."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from smartcity.environment.models import Station, Subscription, WarningEvent, WarningRule


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "unit", "is_active"]
    list_filter = ["kind", "is_active", "noise_zone"]
    search_fields = ["code", "name"]
    raw_id_fields = ["thing", "unit"]
    readonly_fields = ["thing", "kind", "code", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(WarningRule)
class WarningRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "parameter", "comparison", "threshold", "min_duration_hours", "rising", "unit",
                    "is_active"]
    list_filter = ["parameter", "is_active"]
    raw_id_fields = ["unit"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # rules are kept with the warnings they issued; deactivate instead


@admin.register(WarningEvent)
class WarningEventAdmin(admin.ModelAdmin):
    list_display = ["opened_at", "closed_at", "station", "rule", "first_value", "peak_value", "notified"]
    list_filter = ["rule", "station__kind"]
    date_hierarchy = "opened_at"
    readonly_fields = [f.name for f in WarningEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "unit", "confirmed_at", "cancelled_at"]
    list_filter = ["confirmed_at", "cancelled_at"]
    readonly_fields = [f.name for f in Subscription._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
