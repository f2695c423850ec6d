"""Back office of environmental monitoring: stations (thresholds, ward, noise zone), warning rules and the noise
limits of each regulation (reference data: a new regulation is entered here from its official text) are the city's
configuration and are edited here; warnings (the history) and subscriptions (personal data) are read-only.
Registering a new station goes through ``smartcity environment register-things`` or ``services.register_station``,
which check that the Thing measures what the kind needs."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from smartcity.environment import noise_limits
from smartcity.environment.models import NoiseLimit, Station, Subscription, WarningEvent, WarningRule


class StationForm(forms.ModelForm):
    """The noise zone is one of the zones the noise-limit table knows (a new regulation may add some)."""

    noise_zone = forms.ChoiceField(label="khu vực (tiếng ồn)", choices=lambda: noise_limits.zones())

    class Meta:
        model = Station
        fields = ["thing", "kind", "code", "name", "unit", "latitude", "longitude", "address", "noise_zone",
                  "reference_elevation_m", "flood_level_i", "flood_level_ii", "flood_level_iii", "is_active"]


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    form = StationForm
    list_display = ["code", "name", "kind", "unit", "is_active"]
    list_filter = ["kind", "is_active", "noise_zone"]
    search_fields = ["code", "name"]
    raw_id_fields = ["thing", "unit"]
    readonly_fields = ["thing", "kind", "code", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(NoiseLimit)
class NoiseLimitAdmin(admin.ModelAdmin):
    """Giới hạn tiếng ồn theo quy chuẩn: mỗi dòng là một khu vực trong một khung giờ, có thời gian hiệu lực."""

    list_display = ["legal_source", "zone_name", "start_hour", "end_hour", "limit_dba", "valid_from", "valid_to"]
    list_filter = ["legal_source", "zone"]
    fieldsets = [
        (None, {"fields": ["legal_source", "zone", "zone_name"]}),
        ("Khung giờ và giới hạn", {"fields": ["start_hour", "end_hour", "limit_dba"]}),
        ("Hiệu lực", {"fields": ["valid_from", "valid_to", "note"]}),
    ]


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
