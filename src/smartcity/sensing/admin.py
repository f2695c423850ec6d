"""Back office of sensing: the SensorThings metadata, dead letters, maintenance alerts and ingest keys — to look at.

Changes go through the SensorThings API (or ``services``), which keep the integrity rules, the mirrored quality
settings and the audit log; so these pages are read-only. Observations are listed without counts (the table is
large). Ingest keys are issued with ``smartcity sensors issue-key`` (shown once) and can be revoked here.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest

from smartcity.lib.errors import ServiceError
from smartcity.sensing import services
from smartcity.sensing.models import (
    Datastream,
    DeadLetter,
    FeatureOfInterest,
    IngestKey,
    Location,
    MaintenanceAlert,
    Observation,
    ObservedProperty,
    Sensor,
    Thing,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Thing)
class ThingAdmin(ReadOnly):
    list_display = ["name", "description", "created_at"]
    search_fields = ["name"]
    filter_horizontal = ["locations"]


@admin.register(Location)
class LocationAdmin(ReadOnly):
    list_display = ["name", "encoding_type", "min_x", "min_y"]
    search_fields = ["name"]


@admin.register(Sensor)
class SensorAdmin(ReadOnly):
    list_display = ["name", "encoding_type"]
    search_fields = ["name"]


@admin.register(ObservedProperty)
class ObservedPropertyAdmin(ReadOnly):
    list_display = ["name", "definition", "plausible_min", "plausible_max"]
    search_fields = ["name", "definition"]


@admin.register(Datastream)
class DatastreamAdmin(ReadOnly):
    list_display = ["name", "thing", "observed_property", "reporting_interval", "phenomenon_time_end"]
    list_select_related = ["thing", "observed_property"]
    search_fields = ["name", "thing__name"]
    raw_id_fields = ["thing", "sensor", "observed_property"]


@admin.register(FeatureOfInterest)
class FeatureOfInterestAdmin(ReadOnly):
    list_display = ["name", "encoding_type", "source_location"]
    search_fields = ["name"]


@admin.register(Observation)
class ObservationAdmin(ReadOnly):
    list_display = ["datastream", "phenomenon_time", "result", "quality_flags"]
    raw_id_fields = ["datastream", "feature_of_interest"]
    search_fields = ["=datastream__id"]
    show_full_result_count = False
    list_select_related = ["datastream"]


@admin.register(DeadLetter)
class DeadLetterAdmin(admin.ModelAdmin):  # may be deleted once looked at
    list_display = ["received_at", "source", "datastream_id", "reason"]
    list_filter = ["source"]
    search_fields = ["reason", "=datastream_id"]
    readonly_fields = ["received_at", "source", "datastream_id", "payload", "reason"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(MaintenanceAlert)
class MaintenanceAlertAdmin(ReadOnly):
    list_display = ["datastream", "kind", "opened_at", "closed_at", "last_seen"]
    list_filter = ["kind", ("closed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["datastream"]
    readonly_fields = ["datastream", "kind", "opened_at", "last_seen", "detail"]


@admin.register(IngestKey)
class IngestKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "scope", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["name", "prefix", "scope", "created_by", "created_at", "last_used_at", "revoked_at"]
    exclude = ["secret_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # issued by `smartcity sensors issue-key`, which shows the key once

    @admin.action(description="Thu hồi khóa đã chọn (revoke)")
    def revoke(self, request: HttpRequest, queryset) -> None:
        try:
            for key in queryset:
                services.revoke_ingest_key(prefix=key.prefix, actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return
        messages.success(request, f"Đã thu hồi {queryset.count()} khóa")
